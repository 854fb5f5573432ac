"""The staff group of the Community Life Division (地域生活課), which runs the registry.

A city clerk is given `is_staff` and this group; later apps add their own permissions to the
groups of the departments that run them. Permissions are created here first, since Django only
creates them after all migrations have run.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "地域生活課"
CODENAMES = {
    "organizations": [
        "view_organization", "change_organization", "add_organization",
        "view_membership", "change_membership", "add_membership", "delete_membership",
        "view_invitation", "change_invitation",
        "view_organizationstatuschange",
        "view_collaborationproject", "add_collaborationproject", "change_collaborationproject",
        "delete_collaborationproject",
        "view_actortype", "change_actortype",
        "view_district", "change_district", "add_district",
        "view_activityfield", "change_activityfield", "add_activityfield",
        "view_collaborationlead", "change_collaborationlead",
        "view_collaborationform", "change_collaborationform",
        "view_principle", "change_principle",
        "view_supportsphere", "change_supportsphere",
        "view_pillar", "change_pillar",
        "view_policy", "change_policy",
    ],
    "accounts": ["view_user"],
}


def create_group(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    for app_label, codenames in CODENAMES.items():
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("organizations", "0002_reference_data"),
        ("accounts", "0002_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, migrations.RunPython.noop)]
