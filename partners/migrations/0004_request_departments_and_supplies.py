"""The supplies the city offers, two brush cutters to lend, and the departments that handle
partners' requests: 土木課 pickups, 環境課 supplies, 地域生活課 equipment loans and the lists of
supply items and equipment. Each group gets view, add (paper and phone requests, new items) and
change on its models, never delete: a request is cancelled, not deleted."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

SUPPLIES = [
    # name, English name, unit, most per request
    ("ボランティア袋（可燃）", "Volunteer bags (burnable)", "枚", 100),
    ("ボランティア袋（不燃）", "Volunteer bags (non-burnable)", "枚", 50),
    ("軍手", "Work gloves", "双", 30),
    ("トング", "Litter tongs", "本", 10),
]
EQUIPMENT = [("草刈機", "KUSA-001"), ("草刈機", "KUSA-002")]
GROUP_MODELS = {
    "土木課": ["pickuprequest", "requeststatuschange"],
    "環境課": ["supplyrequest", "supplyrequestline", "supplyitem", "requeststatuschange"],
    "地域生活課": ["equipmentloan", "equipment", "supplyitem", "requeststatuschange"],
}
# The history is written by the services only: view is enough, whatever the group.
VIEW_ONLY = {"requeststatuschange"}


def load(apps, schema_editor):
    SupplyItem = apps.get_model("partners", "SupplyItem")
    for order, (name, name_en, unit, most) in enumerate(SUPPLIES, 1):
        SupplyItem.objects.get_or_create(
            name=name,
            defaults={
                "name_en": name_en,
                "unit": unit,
                "max_per_request": most,
                "sort_order": order,
            },
        )
    Equipment = apps.get_model("partners", "Equipment")
    for name, identifier in EQUIPMENT:
        Equipment.objects.get_or_create(identifier=identifier, defaults={"name": name})
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, models in GROUP_MODELS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        codenames = [
            f"{action}_{model}"
            for model in models
            for action in (("view",) if model in VIEW_ONLY else ("view", "add", "change"))
        ]
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="partners", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0003_requests_and_opportunities"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
