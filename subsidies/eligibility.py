"""Whether an application may be submitted: every rule of the programme, each failure a message
under the field it is about, all of them at once so the group fixes everything in one go.

How member ages are given: the group declares `member_count` and `youth_count` (members aged
within the programme's age band, 15-39 by default) on the application, and attaches its member
list (名簿) as the evidence staff check. The portal does not store members' birth dates.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from muroran_kyodo.lib.jp import fiscal_year_dates, nfkc

from . import money
from .models import (
    DECLARATIONS,
    Application,
    AttachmentType,
    BudgetStage,
    Consultation,
    IncomeLine,
)
from .permissions import can_act_for, is_subsidy_staff

S = Application.Status
# An earlier application in these states does not use up a once-per-group track.
NOT_COUNTED_FOR_ONCE = (S.DRAFT, S.WITHDRAWN)


def submission_errors(application: Application, *, by, now=None) -> dict[str, list[str]]:
    """Every reason the application cannot be submitted now, by field (empty: it can).

    Staff keying in a paper or FAX application may do so after the window has closed (the
    paper arrived in time), and a group may resubmit an application the city returned for
    changes after it has closed (it was submitted in time); every other rule applies.
    """
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    programme = application.programme
    organization = application.organization
    staff = is_subsidy_staff(by)

    # Who applies.
    if not (staff or can_act_for(by, application)):
        add(NON_FIELD_ERRORS, _("Only a member of the organisation can apply for it."))
    if not organization.is_verified:
        add(
            "organization",
            _(
                "The organisation has not been verified by the city yet. You can apply once "
                "the Community Life Division has verified it."
            ),
        )
    eligible_types = list(programme.eligible_actor_types.all())
    if eligible_types and organization.actor_type_id not in {t.pk for t in eligible_types}:
        add(
            "organization",
            _("This programme is open to %(types)s only.")
            % {"types": "、".join(str(t) for t in eligible_types)},
        )

    # When.
    window = application.window
    if window is None or window.programme_id != programme.pk:
        add("window", _("Choose the intake window you apply in."))
    elif not staff and application.status != S.RETURNED and not window.is_open(now):
        closes = timezone.localtime(window.closes_at)
        if now < window.opens_at:
            add(
                "window",
                _("Applications for %(window)s open on %(date)s.")
                % {
                    "window": window.label,
                    "date": f"{timezone.localtime(window.opens_at):%Y-%m-%d %H:%M}",
                },
            )
        else:
            add(
                "window",
                _("Applications for %(window)s closed on %(date)s.")
                % {"window": window.label, "date": f"{closes:%Y-%m-%d %H:%M}"},
            )

    # What.
    if not application.title.strip():
        add("title", _("Enter the project title."))
    for field, message in (
        ("purpose", _("Describe the purpose of the project.")),
        ("content", _("Describe what the project will do.")),
    ):
        if not getattr(application, field).strip():
            add(field, message)
    if application.category is None or application.category.programme_id != programme.pk:
        add("category", _("Choose the category you apply for."))
    _check_schedule(application, add)
    _check_members(application, add)

    # Rules about the group's history.
    if programme.consultation_required and consultation_for(application, now) is None:
        add(
            "consultation",
            _(
                "No prior consultation with the Community Life Division is recorded for this "
                "programme. Every track asks you to consult the division before applying: book "
                "a prior consultation first; it counts once it has taken place and the division "
                "has recorded it."
            ),
        )
    earlier = subsidised_before(application)
    if earlier is not None:
        add(
            "title",
            _(
                "This project already received this subsidy in fiscal year %(year)s "
                "(%(number)s “%(title)s”). A project that has been subsidised before is not "
                "eligible."
            )
            % {
                "year": earlier.programme.fiscal_year,
                "number": earlier.number,
                "title": earlier.title,
            },
        )
    if programme.once_per_group and (
        Application.objects.filter(
            organization=organization,
            programme__track=programme.track,
            programme__once_per_group=True,
        )
        .exclude(pk=application.pk)
        .exclude(status__in=NOT_COUNTED_FOR_ONCE)
        .exists()
    ):
        add(
            "organization",
            _("A group can apply to the %(track)s only once, and yours already has.")
            % {"track": programme.get_track_display()},
        )

    # Documents.
    missing = missing_documents(application, AttachmentType.Stage.APPLICATION)
    if missing:
        add("attachments", missing_documents_message(missing))

    # What the group declares (ticked on the confirmation page, or keyed in from paper).
    for field, _statement in DECLARATIONS:
        if not getattr(application, field):
            add(field, _("Tick this declaration: an application without it cannot be submitted."))

    # Money.
    if application.income_lines.filter(
        stage=BudgetStage.PLAN, kind=IncomeLine.Kind.OTHER_SUBSIDY, amount__gt=0
    ).exists():
        add(
            "income_lines",
            _(
                "A project funded by another subsidy is not eligible. Remove the income line "
                "“Other subsidies”."
            ),
        )
    budget = planned_budget(application)
    for field, messages in money.budget_errors(
        budget=budget,
        category=application.category if "category" not in errors else None,
        requested=application.requested_amount,
    ).items():
        for message in messages:
            add(field, message)
    return errors


def consultation_for(application: Application, now=None) -> Consultation | None:
    """The 事前相談 an application rests on: the one recorded on it (staff keying in paper
    choose it), else the group's latest consultation for this programme that 地域生活課 has
    recorded as held on or before today. None: there is none."""
    now = now or timezone.now()
    held = Consultation.objects.filter(
        organization=application.organization_id,
        programme=application.programme_id,
        held=True,
        held_on__lte=timezone.localdate(now),
    )
    if application.consultation_id is not None:
        return held.filter(pk=application.consultation_id).first()
    return held.order_by("-held_on", "-pk").first()


def _same_project(title: str) -> str:
    """A title as compared for “the same project”: NFKC, no spaces, case folded."""
    return "".join(nfkc(title).split()).casefold()


def subsidised_before(application: Application) -> Application | None:
    """The group's application of an earlier 年度 with the same project title that received a
    grant decision (adopted, at any later stage, cancelled or stopped included), if any."""
    title = _same_project(application.title)
    if not title:
        return None
    earlier = (
        Application.objects.filter(
            organization=application.organization_id,
            programme__fiscal_year__lt=application.programme.fiscal_year,
            decided_amount__isnull=False,
        )
        .exclude(pk=application.pk)
        .select_related("programme")
        .order_by("-programme__fiscal_year", "-pk")
        .only("pk", "number", "title", "programme__fiscal_year")
    )
    return next((a for a in earlier if _same_project(a.title) == title), None)


def planned_budget(application: Application) -> money.Budget:
    return money.totals(
        application.income_lines.filter(stage=BudgetStage.PLAN),
        application.expense_lines.filter(stage=BudgetStage.PLAN),
    )


def actual_budget(application: Application) -> money.Budget:
    return money.totals(
        application.income_lines.filter(stage=BudgetStage.ACTUAL),
        application.expense_lines.filter(stage=BudgetStage.ACTUAL),
    )


def _check_schedule(application, add):
    starts, ends = application.starts_on, application.ends_on
    if starts is None or ends is None:
        add("starts_on", _("Enter when the project starts and ends."))
        return
    if ends < starts:
        add("ends_on", _("The end date must be on or after the start date."))
    programme = application.programme
    if programme.within_fiscal_year:
        first, last = fiscal_year_dates(programme.fiscal_year)
        if starts < first or ends > last:
            add(
                "ends_on" if starts >= first else "starts_on",
                _(
                    "The project must take place within fiscal year %(year)s, from %(first)s "
                    "to %(last)s."
                )
                % {"year": programme.fiscal_year, "first": first, "last": last},
            )


def _check_members(application, add):
    programme = application.programme
    share = programme.age_band_share_percent
    if not programme.min_members and share is None:
        return
    members = application.member_count
    if members is None:
        add("member_count", _("Enter how many members your group has."))
        return
    if programme.min_members and members < programme.min_members:
        add(
            "member_count",
            _("The group needs at least %(minimum)s members; you entered %(members)s.")
            % {"minimum": programme.min_members, "members": members},
        )
    if share is not None:
        youth = application.youth_count
        if youth is None:
            add(
                "youth_count",
                _("Enter how many members are aged %(low)s to %(high)s.")
                % {"low": programme.age_band_min, "high": programme.age_band_max},
            )
        elif youth > members:
            add("youth_count", _("This cannot be more than the number of members."))
        # Integers only: youth / members >= share / 100.
        elif youth * 100 < members * share:
            add(
                "youth_count",
                _(
                    "At least %(share)s%% of the members must be aged %(low)s to %(high)s "
                    "(%(youth)s of %(members)s now)."
                )
                % {
                    "share": share,
                    "low": programme.age_band_min,
                    "high": programme.age_band_max,
                    "youth": youth,
                    "members": members,
                },
            )


def validate_submission(application: Application, *, by, now=None) -> None:
    errors = submission_errors(application, by=by, now=now)
    if errors:
        raise ValidationError(errors)


def missing_documents(application: Application, stage: str, present=None) -> list[AttachmentType]:
    """The programme's required documents of `stage` not attached (`present`: the type ids
    attached, when the caller has them)."""
    if present is None:
        present = set(application.attachments.values_list("type_id", flat=True))
    return [
        t
        for t in application.programme.required_attachment_types.all()
        if t.stage == stage and t.pk not in present
    ]


def missing_documents_message(missing) -> str:
    return _("Attach the following documents: %(documents)s.") % {
        "documents": "、".join(str(t) for t in missing)
    }


def report_errors(budget: money.Budget | None, missing) -> dict[str, list[str]]:
    """Why a completion report with these actual lines (None: some rows are wrong) and these
    documents missing cannot be filed: the lines must show expenses and balance."""
    errors: dict[str, list[str]] = {}
    if budget is not None and budget.expenses == 0:
        errors["expense_lines"] = [_("Enter the actual expenses, by expense item.")]
    if budget is not None and not budget.balanced:
        errors["income_lines"] = [
            _("Actual income (¥%(income)s) and expenses (¥%(expenses)s) must be equal.")
            % {"income": f"{budget.income:,}", "expenses": f"{budget.expenses:,}"}
        ]
    if missing:
        errors["attachments"] = [missing_documents_message(missing)]
    return errors
