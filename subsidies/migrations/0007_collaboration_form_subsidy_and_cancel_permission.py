"""Every application's collaboration form is 補助 (the guideline lists this subsidy under it),
and the 地域生活課 group may cancel grant decisions (交付決定の取消)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "地域生活課"


def load(apps, schema_editor):
    Form = apps.get_model("organizations", "CollaborationForm")
    Application = apps.get_model("subsidies", "Application")
    subsidy = Form.objects.filter(code="subsidy").first()
    if subsidy is not None:
        Application.objects.exclude(collaboration_form=subsidy).update(collaboration_form=subsidy)
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="subsidies", codename="cancel_grant")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("subsidies", "0006_grant_cancellation_stopping_declarations_consultation"),
        ("organizations", "0002_reference_data"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
