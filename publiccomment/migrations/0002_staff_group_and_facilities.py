"""The staff group that runs public comment (企画課, which coordinates the procedure for every
department) with the app's permissions, and the public facilities with an 意見箱 where the
city's paper forms can be dropped. Staff edit the list in the admin."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "企画課"

STAFF_MODELS = {
    "facility": ("add", "change", "delete", "view"),
    "case": ("add", "change", "view"),
    "section": ("add", "change", "delete", "view"),
    "document": ("add", "change", "delete", "view"),
    "submission": ("add", "change", "view"),
    "opinion": ("change", "view"),
    "issue": ("add", "change", "delete", "view"),
    "opinionitem": ("add", "change", "delete", "view"),
    "casestatuschange": ("view",),
}

# (name, address, opening hours): public facilities of Muroran that keep an 意見箱.
FACILITIES = [
    ("室蘭市役所 本庁舎", "室蘭市幸町1番2号", "平日 8:45〜17:30"),
    ("室蘭市役所 輪西支所", "室蘭市輪西町2丁目", "平日 8:45〜17:30"),
    ("室蘭市役所 中島支所", "室蘭市中島町2丁目", "平日 8:45〜17:30"),
    ("室蘭市役所 本輪西支所", "室蘭市本輪西町2丁目", "平日 8:45〜17:30"),
    ("室蘭市役所 東町支所", "室蘭市東町2丁目", "平日 8:45〜17:30"),
    ("室蘭市立図書館", "室蘭市東町2丁目", "9:00〜19:00（月曜休館）"),
    ("室蘭市市民活動センター", "室蘭市中央町2丁目", "9:00〜21:00"),
    ("室蘭市保健センター", "室蘭市東町4丁目", "平日 8:45〜17:30"),
    ("室蘭市青少年科学館", "室蘭市本町2丁目", "9:30〜17:00（月曜休館）"),
    ("中島地区コミュニティセンター", "室蘭市中島町2丁目", "9:00〜21:00"),
]


def load(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    codenames = [
        f"{action}_{model}" for model, actions in STAFF_MODELS.items() for action in actions
    ]
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="publiccomment", codename__in=codenames)
    )
    Facility = apps.get_model("publiccomment", "Facility")
    for order, (name, address, hours) in enumerate(FACILITIES, 1):
        Facility.objects.get_or_create(
            name=name, defaults={"address": address, "opening_hours": hours, "sort_order": order}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("publiccomment", "0001_initial"),
        ("organizations", "0003_staff_group"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
