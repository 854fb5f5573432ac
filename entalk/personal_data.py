"""開示・訂正: the enとーく requests naming the person as contact
(`muroran_kyodo.personal_data`)."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from muroran_kyodo.lib.extension import PersonalRecord
from muroran_kyodo.lib.retention import given_without_email

from .models import Request


def records(*, email: str, name: str = "") -> list[PersonalRecord]:
    found = Q(email__iexact=email) | Q(user__email__iexact=email) if email else Q(pk__in=[])
    found |= given_without_email(name, name_field="contact_name", email_field="email")
    requests = Request.objects.filter(found).select_related("user", "organization")
    return [
        PersonalRecord(
            kind=_("En-talk request"),
            title=request.number,
            admin_url=reverse("admin:entalk_request_change", args=[request.pk]),
            data={
                "number": request.number,
                "group_name": request.group_name,
                "organization": str(request.organization or ""),
                "account": request.user.email if request.user else "",
                "contact_name": request.contact_name,
                "email": request.email,
                "phone": request.phone,
                "theme": request.theme,
                "status": request.get_status_display(),
                "received_at": request.received_at,
            },
        )
        for request in requests
    ]
