from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("partners", "0009_move_request_history_and_signup_history")]

    operations = [migrations.DeleteModel(name="RequestStatusChange")]
