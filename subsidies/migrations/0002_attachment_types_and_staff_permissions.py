"""The documents a group prepares (添付書類), and the 地域生活課 group's permissions on the
subsidy. Permissions are created here first, since Django only creates them after all
migrations have run."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ATTACHMENT_TYPES = [
    # code, name, English, stage
    ("plan", "企画書", "Project plan", "application"),
    ("profile", "団体概要書", "Organisation profile", "application"),
    ("budget", "予算書", "Budget", "application"),
    ("rules", "会則", "Rules of the organisation", "application"),
    ("roster", "名簿", "Member list", "application"),
    ("estimate", "見積書", "Quotation", "application"),
    ("report", "実績報告書", "Completion report", "report"),
    ("accounts", "収支決算書", "Statement of accounts", "report"),
    ("receipts", "領収書の写し", "Copies of receipts", "report"),
    ("photos", "活動写真", "Photos of the activity", "report"),
]
GROUP = "地域生活課"
STAFF_MODELS = {
    # model: actions
    "attachmenttype": ("view", "add", "change"),
    "programme": ("view", "add", "change"),
    "intakewindow": ("view", "add", "change", "delete"),
    "category": ("view", "add", "change", "delete"),
    "criterion": ("view", "add", "change", "delete"),
    "consultation": ("view", "add", "change"),
    "application": ("view", "add", "change"),
    "incomeline": ("view", "add", "change", "delete"),
    "expenseline": ("view", "add", "change", "delete"),
    "attachment": ("view",),
    "applicationstatuschange": ("view",),
    "changerequest": ("view", "change"),
    "reviewassignment": ("view", "add", "delete"),
    "score": ("view",),
    "payment": ("view", "add"),
    "repayment": ("view", "change"),
}


def load(apps, schema_editor):
    AttachmentType = apps.get_model("subsidies", "AttachmentType")
    for order, (code, name, name_en, stage) in enumerate(ATTACHMENT_TYPES, 1):
        AttachmentType.objects.get_or_create(
            code=code,
            defaults={"name": name, "name_en": name_en, "stage": stage, "sort_order": order},
        )
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
        *Permission.objects.filter(content_type__app_label="subsidies", codename__in=codenames)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("subsidies", "0001_initial"),
        ("organizations", "0003_staff_group"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
