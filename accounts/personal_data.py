"""開示・訂正: the account of the person (`muroran_kyodo.personal_data`)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from muroran_kyodo.lib.extension import PersonalRecord

from .models import User


def records(*, email: str, name: str = "") -> list[PersonalRecord]:
    """The account of the e-mail address. Never found by the name: every account holds an
    e-mail address, and two residents may share a name (`lib.retention.given_without_email`)."""
    if not email:
        return []
    users = User.objects.filter(email__iexact=email).select_related("district")
    return [
        PersonalRecord(
            kind=_("Account"),
            title=user.email,
            admin_url=reverse("admin:accounts_user_change", args=[user.pk]),
            data={
                "email": user.email,
                "family_name": user.family_name,
                "given_name": user.given_name,
                "family_name_kana": user.family_name_kana,
                "given_name_kana": user.given_name_kana,
                "display_name": user.display_name,
                "phone": user.phone,
                "postal_code": user.postal_code,
                "address": user.address,
                "district": str(user.district) if user.district else "",
                "date_joined": user.date_joined,
                "last_login": user.last_login,
                "is_active": user.is_active,
            },
        )
        for user in users
    ]
