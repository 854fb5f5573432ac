"""受付票 of an opinion (PC-2026-007-0042), as muroran_kyodo/lib/printing.py's pattern: the
submission turned into a `Receipt`; views/submit.py looks it up and checks who may see it."""

from __future__ import annotations

from django.utils.translation import gettext as _

from muroran_kyodo.lib.printing import Line, Receipt

from .models import Channel, Submission


def submission_receipt(submission: Submission) -> Receipt:
    """Needs `case` and `opinions__section` loaded (or a query per opinion)."""
    case = submission.case
    organisation = submission.kind == Submission.Kind.ORGANIZATION
    lines = [
        Line(_("Public comment case"), f"{case.code} {case.title}"),
        Line(_("Department"), case.department),
        Line(_("Sending as"), submission.get_kind_display()),
    ]
    if organisation:
        lines += [
            Line(_("Name of the organisation"), submission.organization_name),
            Line(
                _("The organisation's name may be published"),
                _("Yes") if submission.organization_name_public else _("No"),
            ),
        ]
    lines += [
        Line(_("Name of the representative") if organisation else _("Name"), submission.name),
        Line(_("Address"), submission.address),
        Line(_("Phone"), submission.phone),
        Line(_("E-mail"), submission.email),
        Line(_("You are"), submission.get_eligibility_display()),
    ]
    for opinion in submission.opinions.all():
        section = str(opinion.section) if opinion.section else _("The draft as a whole")
        lines.append(
            Line(
                _("Opinion %(n)s (%(section)s)") % {"n": opinion.position, "section": section},
                opinion.text,
            )
        )
    return Receipt(
        subject=_("Opinion on a public comment case"),
        number=submission.number,
        received_at=submission.received_at,
        channel=str(Channel(submission.channel).label),
        submitted_by=submission.organization_name if organisation else submission.name,
        lines=lines,
        back_url=case.get_absolute_url(),
        back_label=_("Back to the case"),
    )
