"""The activity kinds the city offers, and the 地域生活課 group's permissions on the programme."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

KINDS = [
    ("清掃", "Clean-up"),
    ("花壇・植栽の手入れ", "Flower beds and planting"),
    ("除雪", "Snow clearing"),
    ("その他", "Other"),
]
GROUP = "地域生活課"
MODELS = [
    "activitykind", "activityplace", "registration", "registrationstatuschange",
    "insuranceenrollment", "activityreport",
]


def load(apps, schema_editor):
    ActivityKind = apps.get_model("partners", "ActivityKind")
    for order, (name, name_en) in enumerate(KINDS, 1):
        ActivityKind.objects.get_or_create(name=name, defaults={"name_en": name_en, "sort_order": order})
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    codenames = [f"{action}_{model}" for model in MODELS for action in ("view", "add", "change")]
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="partners", codename__in=codenames)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0001_initial"),
        ("organizations", "0003_staff_group"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
