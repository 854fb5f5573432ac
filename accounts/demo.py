"""Accounts for volume and benchmark data (seed_demo --volume, bench_setup, the apps' volume
seeds): bulk-created, only those missing, with no usable password."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password


def synthetic_users(people: dict[str, dict[str, str]]) -> list:
    """`people` maps each e-mail address to its name fields (family_name, given_name, the kana,
    display_name); the accounts are returned in e-mail order."""
    User = get_user_model()
    emails = list(people)
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    unusable = make_password(None)
    User.objects.bulk_create(
        [
            User(email=email, password=unusable, **names)
            for email, names in people.items()
            if email not in existing
        ],
        batch_size=500,
    )
    return list(User.objects.filter(email__in=emails).order_by("email"))
