"""報告会 (results meeting) per 年度, and the 地域生活課 group's permissions on it."""

import django.core.validators
import django.utils.timezone
from django.contrib.auth.management import create_permissions
from django.db import migrations, models


def grant(apps, schema_editor):
    # Permissions are created here first: Django only creates them after all migrations ran.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="地域生活課")
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="subsidies",
            codename__in=["view_resultsmeeting", "add_resultsmeeting", "change_resultsmeeting"],
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("subsidies", "0002_attachment_types_and_staff_permissions"),
    ]

    operations = [
        migrations.CreateModel(
            name="ResultsMeeting",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "fiscal_year",
                    models.PositiveSmallIntegerField(
                        help_text="The fiscal year whose adopted projects present their results.",
                        unique=True,
                        validators=[
                            django.core.validators.MinValueValidator(2000),
                            django.core.validators.MaxValueValidator(2100),
                        ],
                        verbose_name="fiscal year",
                    ),
                ),
                ("held_at", models.DateTimeField(verbose_name="date and time")),
                ("place", models.CharField(max_length=200, verbose_name="place")),
                ("description", models.TextField(blank=True, verbose_name="description")),
                ("is_published", models.BooleanField(default=False, verbose_name="published")),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="created"),
                ),
            ],
            options={
                "verbose_name": "results meeting",
                "verbose_name_plural": "results meetings",
                "ordering": ["-fiscal_year"],
            },
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
