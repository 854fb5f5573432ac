"""Factories for the subsidy tests: a programme with a window, a category and criteria, and an
application that satisfies every rule, which tests then break one rule at a time."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile

from muroran_kyodo.lib.jp import end_of_day
from subsidies.models import (
    DECLARATIONS,
    Application,
    ApplicationStatusChange,
    Attachment,
    AttachmentType,
    BudgetStage,
    Category,
    Consultation,
    Criterion,
    ExpenseLine,
    IncomeLine,
    IntakeWindow,
    Programme,
)

JST = ZoneInfo("Asia/Tokyo")
# Tests run with the clock frozen here: inside 第1期 of FY2026.
NOW = dt.datetime(2026, 5, 15, 10, 0, tzinfo=JST)
_seq = itertools.count(1)


def make_programme(
    *,
    fiscal_year=2026,
    track=Programme.Track.CITIZEN,
    total_budget=1_000_000,
    cap=300_000,
    rate=(1, 2),
    required=("plan", "budget"),
    criteria=(("公益性", 2), ("実現性", 1)),
    **extra,
) -> Programme:
    programme = Programme.objects.create(
        fiscal_year=fiscal_year,
        track=track,
        title=extra.pop("title", f"まちづくり活動支援補助金 {next(_seq)}"),
        total_budget=total_budget,
        consultation_required=extra.pop("consultation_required", False),
        is_published=True,
        **extra,
    )
    IntakeWindow.objects.create(
        programme=programme,
        label="第1期",
        opens_at=dt.datetime(fiscal_year, 4, 1, tzinfo=JST),
        closes_at=end_of_day(dt.date(fiscal_year, 5, 31)),
    )
    IntakeWindow.objects.create(
        programme=programme,
        label="第2期",
        opens_at=dt.datetime(fiscal_year, 8, 1, tzinfo=JST),
        closes_at=end_of_day(dt.date(fiscal_year, 8, 31)),
    )
    Category.objects.create(
        programme=programme,
        name="一般",
        cap=cap,
        rate_numerator=rate[0],
        rate_denominator=rate[1],
    )
    for order, (name, weight) in enumerate(criteria, 1):
        Criterion.objects.create(programme=programme, name=name, weight=weight, sort_order=order)
    programme.required_attachment_types.set(AttachmentType.objects.filter(code__in=required))
    return programme


def make_youth_programme(**extra) -> Programme:
    return make_programme(
        track=Programme.Track.YOUTH,
        cap=100_000,
        rate=(10, 10),
        min_members=3,
        age_band_share_percent=50,
        once_per_group=True,
        required=("plan", "roster"),
        **extra,
    )


def add_budget(
    application,
    *,
    stage=BudgetStage.PLAN,
    expenses=((ExpenseLine.Item.CONSUMABLES, 200_000, True),),
    subsidy=None,
    own=None,
):
    """Expense lines, then income lines that balance them: this subsidy + own funds."""
    total = 0
    for item, amount, eligible in expenses:
        ExpenseLine.objects.create(
            application=application, stage=stage, item=item, amount=amount, eligible=eligible
        )
        total += amount
    subsidy = application.requested_amount if subsidy is None else subsidy
    own = total - subsidy if own is None else own
    if subsidy:
        IncomeLine.objects.create(
            application=application,
            stage=stage,
            kind=IncomeLine.Kind.THIS_SUBSIDY,
            amount=subsidy,
        )
    if own:
        IncomeLine.objects.create(
            application=application, stage=stage, kind=IncomeLine.Kind.OWN_FUNDS, amount=own
        )


def attach(application, code, *, by=None, content=b"%PDF-1.4\n%%EOF\n", name="doc.pdf"):
    attachment = Attachment(
        application=application,
        type=AttachmentType.objects.get(code=code),
        original_name=name,
        content_type="application/pdf",
        size=len(content),
        uploaded_by=by or application.applicant,
    )
    attachment.file.save(name, ContentFile(content), save=False)
    attachment.save()
    return attachment


def make_application(
    *,
    programme,
    organization,
    applicant,
    status=Application.Status.DRAFT,
    requested_amount=100_000,
    budget=True,
    attachments=True,
    **extra,
) -> Application:
    """A complete draft (plan, schedule in the fiscal year, balanced budget, required
    documents), then moved to `status` directly: a setup shortcut, not a transition."""
    year = programme.fiscal_year
    application = Application.objects.create(
        programme=programme,
        window=extra.pop("window", programme.windows.order_by("opens_at").first()),
        category=extra.pop("category", programme.categories.first()),
        organization=organization,
        applicant=applicant,
        title=extra.pop("title", f"港のまち花いっぱい運動 {next(_seq)}"),
        purpose=extra.pop("purpose", "まちの景観を良くする"),
        content=extra.pop("content", "花壇づくりと清掃"),
        place=extra.pop("place", "輪西町"),
        starts_on=extra.pop("starts_on", dt.date(year, 6, 1)),
        ends_on=extra.pop("ends_on", dt.date(year + 1, 2, 28)),
        requested_amount=requested_amount,
        # Every declaration ticked, as a complete application has them.
        **{name: extra.pop(name, True) for name, _statement in DECLARATIONS},
        **extra,
    )
    if budget:
        add_budget(application)
    if attachments:
        for attachment_type in programme.required_attachment_types.all():
            attach(application, attachment_type.code)
    if status != Application.Status.DRAFT:
        changes = {"status": status}
        if status not in (Application.Status.DRAFT,):
            changes["number"] = f"HS-{year}-9{next(_seq):04d}"
        Application.objects.filter(pk=application.pk).update(**changes)
        for field, value in changes.items():
            setattr(application, field, value)
    return application


def consult(organization, programme, *, held_on=dt.date(2026, 4, 20), held=True):
    return Consultation.objects.create(
        organization=organization,
        programme=programme,
        held_on=held_on,
        topic="事業計画の相談",
        held=held,
    )


def history(application):
    return list(
        ApplicationStatusChange.objects.filter(application=application)
        .order_by("pk")
        .values_list("old_status", "new_status", "reason")
    )
