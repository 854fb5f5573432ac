"""地域生活課 keys in sign-ups that came on paper, by phone or at the counter (add_signup); the
places are still counted by the service."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "地域生活課"


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="partners", codename="add_signup")
    )


class Migration(migrations.Migration):
    dependencies = [("partners", "0006_loans_lent_out_and_keyed_in_signups")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
