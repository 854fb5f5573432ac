"""Supply items counted in the yearly figures (bags, and the new fuel for mowers in litres),
and activity places' coordinates checked to lie within Muroran."""

from django.db import migrations, models

import partners.models.registrations

# The bags the city already offers (0004), by name, and the figure each adds to.
COUNTED = {
    "ボランティア袋（可燃）": "bags_burnable",
    "ボランティア袋（不燃）": "bags_non_burnable",
}
FUEL = ("混合燃料（草刈機用）", "Mixed fuel for mowers", "L", 10)


def load(apps, schema_editor):
    SupplyItem = apps.get_model("partners", "SupplyItem")
    for name, counted_as in COUNTED.items():
        SupplyItem.objects.filter(name=name, counted_as="").update(counted_as=counted_as)
    name, name_en, unit, most = FUEL
    last = SupplyItem.objects.order_by("-sort_order").values_list("sort_order", flat=True).first()
    SupplyItem.objects.get_or_create(
        name=name,
        defaults={
            "name_en": name_en,
            "unit": unit,
            "max_per_request": most,
            "sort_order": (last or 0) + 1,
            "counted_as": "fuel_litres",
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0010_drop_request_status_change"),
    ]

    operations = [
        migrations.AddField(
            model_name="supplyitem",
            name="counted_as",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "Not counted"),
                    ("bags_burnable", "Bags for burnable rubbish"),
                    ("bags_non_burnable", "Bags for non-burnable rubbish"),
                    ("fuel_litres", "Fuel for mowers, in litres"),
                ],
                default="",
                help_text="What is delivered of this item adds to this figure on the 実績 page. Fuel is counted in litres: give it the unit L.",
                max_length=20,
                verbose_name="counted in the yearly figures as",
            ),
        ),
        migrations.AlterField(
            model_name="activityplace",
            name="latitude",
            field=models.DecimalField(
                blank=True,
                decimal_places=6,
                help_text="For example 42.3425. Click the map to fill in both, or type them.",
                max_digits=8,
                null=True,
                validators=[partners.models.registrations.validate_muroran_latitude],
                verbose_name="latitude",
            ),
        ),
        migrations.AlterField(
            model_name="activityplace",
            name="longitude",
            field=models.DecimalField(
                blank=True,
                decimal_places=6,
                help_text="For example 140.9738.",
                max_digits=9,
                null=True,
                validators=[partners.models.registrations.validate_muroran_longitude],
                verbose_name="longitude",
            ),
        ),
        # Reversed, the fuel item stays (requests may name it); the column goes.
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
