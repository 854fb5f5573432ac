"""受付票 of an organisation's registration in the registry (muroran_kyodo/lib/printing.py's
pattern): `registration_receipt` turns the organisation into a `Receipt`; views.py looks it
up and checks who may see it (its 代表者・担当者 and the registry's staff).

An organisation has no number of its own: OR-<年度>-<id>, derived from when it was registered.
It has no channel either (groups register on the portal, staff key one in in the admin), so
the slip says "—". The details are those of the record as it stands: an edit shows on it."""

from __future__ import annotations

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from muroran_kyodo.lib.printing import Line, Receipt, derived_number

from .models import Organization, OrganizationStatusChange

PREFIX = "OR"


def _label(name: str) -> str:
    """The field's name as the registration form shows it."""
    return capfirst(Organization._meta.get_field(name).verbose_name)


def registration_number(organization: Organization) -> str:
    return derived_number(PREFIX, organization.created_at, organization.pk)


def _registered_by(organization: Organization) -> str:
    """Who registered it: the first row of its history (one query); "" when staff created it
    in the admin, which writes no history."""
    first = (
        OrganizationStatusChange.objects.filter(organization=organization, old_status="")
        .select_related("by")
        .order_by("at", "pk")
        .first()
    )
    return first.by.get_full_name() if first and first.by else ""


def registration_receipt(organization: Organization, *, back_url: str) -> Receipt:
    """Needs actor_type and district loaded and `fields` prefetched; one query more for who
    registered it."""
    fields = [str(field) for field in organization.fields.all()]
    return Receipt(
        subject=_("Organisation registration"),
        number=registration_number(organization),
        received_at=organization.created_at,
        channel="",
        submitted_by=_registered_by(organization),
        addressee=organization.name,
        lines=[
            Line(_label("name"), organization.name),
            Line(_label("name_kana"), organization.name_kana),
            Line(_label("actor_type"), str(organization.actor_type)),
            Line(_label("district"), str(organization.district or "")),
            Line(_label("fields"), "、".join(fields)),
            Line(_label("description"), organization.description),
            Line(_label("founded_year"), organization.founded_year or ""),
            Line(_label("member_count"), organization.member_count or ""),
            Line(_label("representative_title"), organization.representative_title),
            Line(_label("public_email"), organization.public_email),
            Line(_label("public_phone"), organization.public_phone),
            Line(_label("website"), organization.website),
            Line(_label("contact_note"), organization.contact_note),
        ],
        back_url=back_url,
        back_label=_("Back to the organisation"),
    )
