"""The staff who run enとーく (秘書広報課, with the app's permissions), the departments that
answer follow-ups (each a staff group holding the follow-up permissions, the same groups the
other apps route by), the first theme categories, and on PostgreSQL the exclusion constraint
that no two confirmed sessions overlap in the mayor's diary (the services also take a lock,
which covers the blocks too and SQLite)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "秘書広報課"

STAFF_MODELS = {
    "theme": ("add", "change", "delete", "view"),
    "department": ("add", "change", "view"),
    "block": ("add", "change", "delete", "view"),
    "request": ("add", "change", "view"),
    "slot": ("view",),
    "participantcount": ("add", "change", "delete", "view"),
    "topic": ("add", "change", "delete", "view"),
    "photo": ("add", "change", "delete", "view"),
    "followup": ("add", "view"),
    "requeststatuschange": ("view",),
    "followupchange": ("view",),
}

DEPARTMENT_MODELS = {"followup": ("change", "view"), "followupchange": ("view",)}

DEPARTMENTS = [
    "地域生活課",
    "土木課",
    "環境課",
    "都市政策課",
    "子育て支援課",
    "防災対策課",
    "保健福祉課",
    "企画課",
]

THEMES = [
    ("まちづくり・地域活動", "Community and neighbourhood"),
    ("子育て・教育", "Children and education"),
    ("福祉・健康", "Welfare and health"),
    ("防災・防犯", "Disaster prevention and safety"),
    ("環境・美化", "Environment"),
    ("産業・観光", "Business and tourism"),
    ("道路・公園・交通", "Roads, parks and transport"),
    ("その他", "Other"),
]

EXCLUSION = """
ALTER TABLE entalk_request ADD CONSTRAINT entalk_no_overlapping_sessions
    EXCLUDE USING gist (tstzrange(starts_at, ends_at) WITH &&)
    WHERE (status IN ('confirmed', 'published'));
"""


def _permissions(apps, app_label, wanted):
    Permission = apps.get_model("auth", "Permission")
    codenames = [f"{action}_{model}" for model, actions in wanted.items() for action in actions]
    return Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)


def load(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(*_permissions(apps, "entalk", STAFF_MODELS))
    Department = apps.get_model("entalk", "Department")
    department_permissions = list(_permissions(apps, "entalk", DEPARTMENT_MODELS))
    for order, name in enumerate(DEPARTMENTS, 1):
        department_group, _ = Group.objects.get_or_create(name=name)
        department_group.permissions.add(*department_permissions)
        Department.objects.get_or_create(
            name=name, defaults={"group": department_group, "sort_order": order}
        )
    Theme = apps.get_model("entalk", "Theme")
    for order, (name, name_en) in enumerate(THEMES, 1):
        Theme.objects.get_or_create(name=name, defaults={"name_en": name_en, "sort_order": order})
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(EXCLUSION)


def unload(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE entalk_request DROP CONSTRAINT IF EXISTS entalk_no_overlapping_sessions"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("entalk", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(load, unload)]
