"""The departments that run councils (the same staff groups the other apps route by), each
holding the councils' permissions - every department sees and changes only its own councils,
sessions and sign-ups (the code scopes by `Department.group`) - and 企画課, which also runs the
facilitator training and keeps the pool."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

TRAINING_DEPARTMENT = "企画課"

DEPARTMENT_MODELS = {
    "council": ("add", "change", "view"),
    "material": ("add", "change", "delete", "view"),
    "session": ("add", "change", "view"),
    "opinion": ("add", "change", "delete", "view"),
    "photo": ("add", "change", "delete", "view"),
    "signup": ("add", "change", "view"),
    "assignment": ("add", "delete", "view"),
    "facilitator": ("view",),
    "councilstatuschange": ("view",),
    "sessionstatuschange": ("view",),
    "signupstatuschange": ("view",),
}

POOL_MODELS = {"facilitator": ("add", "change", "view")}

DEPARTMENTS = [
    "企画課",
    "地域生活課",
    "土木課",
    "環境課",
    "都市政策課",
    "子育て支援課",
    "防災対策課",
    "保健福祉課",
]


def _permissions(apps, wanted):
    Permission = apps.get_model("auth", "Permission")
    codenames = [f"{action}_{model}" for model, actions in wanted.items() for action in actions]
    return Permission.objects.filter(content_type__app_label="councils", codename__in=codenames)


def load(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Department = apps.get_model("councils", "Department")
    department_permissions = list(_permissions(apps, DEPARTMENT_MODELS))
    for order, name in enumerate(DEPARTMENTS, 1):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*department_permissions)
        if name == TRAINING_DEPARTMENT:
            group.permissions.add(*_permissions(apps, POOL_MODELS))
        Department.objects.get_or_create(name=name, defaults={"group": group, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [
        ("councils", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
