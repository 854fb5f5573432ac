"""地域生活課 runs まごころ・まかせて: it posts opportunities and shifts, and records attendance on
sign-ups (view and change only: partners sign up on the site, and nothing is deleted)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "地域生活課"
CODENAMES = [
    *(
        f"{action}_{model}"
        for model in ("opportunity", "shift")
        for action in ("view", "add", "change")
    ),
    "view_signup",
    "change_signup",
]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="partners", codename__in=CODENAMES)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0004_request_departments_and_supplies"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
