"""Write paths of パブリックコメント: named functions with keyword-only arguments, called by the
views, the admin and the commands alike.

Cases: `case_create` numbers it in its 年度; `case_announce` (準備中 → 公示), `case_abandon`
(→ 中止, 43条4項) and `case_publish_result` (→ 結果公表, 43条1項) are the transitions, each
with history. Whether a case takes opinions is read from its window, never stored.

Submissions: `submission_create` is the one way an opinion arrives, on the web or keyed in by
staff (channel and received date): the same window, limits and receipt number for both.
Considering: `opinion_split`, `items_group`, `opinion_redact`, and `opinions_mark_reviewed`:
every opinion is read by staff before the result publishes it (it may carry a name or a
telephone number); redacting or withholding one counts as reading it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case as Choose
from django.db.models import F, Max, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from muroran_kyodo.lib.jp import fiscal_year
from muroran_kyodo.lib.models import next_value
from muroran_kyodo.lib.retention import ANONYMISED, claim, correct_contacts, cutoff
from muroran_kyodo.lib.workflow import TransitionError, Workflow

from . import emails
from .models import (
    MAX_OPINION_LENGTH,
    MAX_OPINIONS_PER_SUBMISSION,
    MINIMUM_WINDOW_DAYS,
    Case,
    CaseStatusChange,
    Channel,
    Eligibility,
    Issue,
    Opinion,
    OpinionItem,
    Section,
    Submission,
)
from .permissions import may_act

if TYPE_CHECKING:
    from muroran_kyodo.lib.typing import User, UserLike

S = Case.Status

WORKFLOW: Workflow[Case] = Workflow(
    model=Case,
    history=CaseStatusChange,
    allowed={
        (S.DRAFT, S.ANNOUNCED): "staff",
        (S.ANNOUNCED, S.RESULT_PUBLISHED): "staff",
        (S.ANNOUNCED, S.ABANDONED): "staff",
    },
    may=may_act,
    notify=emails.case_status_changed,
    reason_required={S.ABANDONED},
)


# --- Cases -------------------------------------------------------------------------------------


def case_create(*, by: User | None, opens_at: dt.datetime, **fields: object) -> Case:
    """A new case in preparation, numbered within the 年度 of its opening (2026-007)."""
    with transaction.atomic():
        year = fiscal_year(opens_at)
        serial = next_value(f"publiccomment.case.{year}")
        case = Case(opens_at=opens_at, fiscal_year=year, serial=serial, **fields)
        case.full_clean(exclude=["facilities"])
        case.save()
        CaseStatusChange.objects.create(case=case, old_status="", new_status=case.status, by=by)
    return case


def case_renumber(*, case: Case) -> Case:
    """A case in preparation whose opening moved into another 年度 takes that year's next
    number (2025-012 → 2026-003), so that its number, its receipts and 実績 count it in the
    year it runs. An announced case keeps its number (its window no longer moves)."""
    year = fiscal_year(case.opens_at)
    if case.status != S.DRAFT or year == case.fiscal_year:
        return case
    with transaction.atomic():
        case.fiscal_year = year
        case.serial = next_value(f"publiccomment.case.{year}")
        Case.objects.filter(pk=case.pk, status=S.DRAFT).update(
            fiscal_year=case.fiscal_year, serial=case.serial
        )
    return case


def window_problems(case: Case, *, now: dt.datetime) -> dict[str, list[str]]:
    """What stops a case from being announced now, by field (empty when it may be). A case in
    preparation whose opening date has passed opens when it is announced: its window is
    counted from `now` (the public cannot send opinions before they can read the draft)."""
    problems: dict[str, list[str]] = {}
    days = case.window_days if case.status != S.DRAFT else case.window_days_from(now)
    short = days < MINIMUM_WINDOW_DAYS

    def add(field: str, message: str) -> None:
        problems.setdefault(field, []).append(message)

    if case.closes_at <= case.opens_at:
        add("closes_at", _("The window must close after it opens."))
    elif case.closes_at <= now:
        add("closes_at", _("The window has already closed: set a closing date in the future."))
    elif short and not case.short_window_reason.strip():
        add(
            "short_window_reason",
            _(
                "The window is %(days)s days, shorter than 30 days: write the reason, which "
                "the public page shows (行政手続法 40条)."
            )
            % {"days": days},
        )
    if not [value for value in case.may_submit if value in Eligibility.values]:
        add("may_submit", _("Choose who may submit opinions."))
    if not case.sections.exists():
        add("sections", _("Add the draft's sections, so that opinions can point at them."))
    return problems


def case_announce(*, case: Case, by: UserLike, reason: str = "") -> Case:
    """準備中 → 公示: the draft, the window and every way to submit become public. Refused
    while the window is invalid (below 30 days without a reason, already closed) or the draft
    has no sections. Announced after its opening date, the case opens now: `opens_at` moves
    to the announcement, so that the page never shows a window that began before anyone could
    read the draft."""
    now = timezone.now()
    problems = window_problems(case, now=now)
    if problems:
        raise ValidationError(problems)
    changes: dict[str, object] = {"announced_at": now}
    if case.opens_at < now:
        changes["opens_at"] = now
    return WORKFLOW.apply(case, new=S.ANNOUNCED, by=by, reason=reason, changes=changes)


def case_abandon(*, case: Case, by: UserLike, reason: str) -> Case:
    """中止: the plan is abandoned; the public page says so with the reason (43条4項)."""
    now = timezone.now()
    return WORKFLOW.apply(
        case,
        new=S.ABANDONED,
        by=by,
        reason=reason,
        changes={"abandoned_at": now, "abandon_reason": reason},
    )


def result_problems(case: Case, *, now: dt.datetime) -> dict[str, list[str]]:
    """What stops the result from being published, by field."""
    problems: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        problems.setdefault(field, []).append(message)

    if now < case.closes_at:
        add("closes_at", _("The result can be published only after the window closes."))
    if not case.final_plan.strip():
        add("final_plan", _("Write the final plan, or where it is published."))
    if case.draft_changed and not case.changes_summary.strip():
        add("changes_summary", _("Write what changed from the draft."))
    ungrouped = OpinionItem.objects.filter(case=case, issue__isnull=True).count()
    if ungrouped:
        add(
            "issues",
            _("%(count)s opinion items are not yet grouped under a point raised.")
            % {"count": ungrouped},
        )
    unanswered = [issue.number for issue in case.issues.all() if not issue.is_answered]
    if unanswered:
        add(
            "issues",
            _("Write the city's view and the disposition of point(s) %(numbers)s.")
            % {"numbers": "、".join(str(number) for number in unanswered)},
        )
    unreviewed = Opinion.objects.filter(case=case, reviewed_at__isnull=True).count()
    if unreviewed:
        add(
            "opinions",
            _(
                "%(count)s opinions have not been checked before publishing. Read them in the "
                "list of opinions for personal data and the like, and mark them as checked "
                "that they may be published."
            )
            % {"count": unreviewed},
        )
    return problems


def case_publish_result(*, case: Case, by: UserLike, reason: str = "") -> Case:
    """結果公表 (43条1項): the groups of opinions with the city's view, the final plan and what
    changed, and every opinion not withheld on its own page. Refused before the window closes,
    while any item is ungrouped or any group unanswered, and while any opinion has not been
    checked by staff (`opinions_mark_reviewed`, `opinion_redact`). Submitters who gave an e-mail address are told (emails.result_published)."""
    now = timezone.now()
    with transaction.atomic():
        # Checked and changed under the case's lock: a split or a grouping made meanwhile
        # (they take the same lock) is either seen by the check or refused after it.
        Case.objects.select_for_update().filter(pk=case.pk).first()
        problems = result_problems(case, now=now)
        if problems:
            raise ValidationError(problems)
        return WORKFLOW.apply(
            case,
            new=S.RESULT_PUBLISHED,
            by=by,
            reason=reason,
            changes={"result_published_at": now},
        )


# --- Submissions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpinionInput:
    section: Section | None
    text: str


def receipt_number(case: Case, sequence: int) -> str:
    return f"PC-{case.code}-{sequence:04d}"


def _check_opinions(case: Case, opinions: Sequence[OpinionInput]) -> list[OpinionInput]:
    kept = [opinion for opinion in opinions if opinion.text.strip()]
    if not kept:
        raise ValidationError({"opinions": _("Write at least one opinion.")})
    if len(kept) > MAX_OPINIONS_PER_SUBMISSION:
        raise ValidationError(
            {
                "opinions": _("At most %(count)s opinions can be sent at once.")
                % {"count": MAX_OPINIONS_PER_SUBMISSION}
            }
        )
    for opinion in kept:
        if len(opinion.text) > MAX_OPINION_LENGTH:
            raise ValidationError(
                {
                    "opinions": _("Each opinion may be at most %(count)s characters.")
                    % {"count": f"{MAX_OPINION_LENGTH:,}"}
                }
            )
        if opinion.section is not None and opinion.section.case_id != case.pk:
            raise ValidationError({"opinions": _("Choose a section of this draft.")})
    return kept


def check_window(case: Case, *, received_at: dt.datetime, now: dt.datetime) -> None:
    """Refuse (ValidationError on `case` or `received_at`) unless the case takes opinions at
    `received_at`: announced, opened by then, not yet closed, and `received_at` not after
    `now`. The form uses it to say so before anyone types."""
    if case.status != S.ANNOUNCED:
        raise ValidationError(
            {
                "case": _("This case is not taking opinions (%(state)s).")
                % {"state": case.get_phase_display()}
            }
        )
    if received_at > now:
        raise ValidationError({"received_at": _("The date received cannot be in the future.")})
    if received_at < case.opens_at:
        raise ValidationError(
            {
                "received_at": _("Opinions are taken from %(opens)s.")
                % {"opens": timezone.localtime(case.opens_at).strftime("%Y-%m-%d %H:%M")}
            }
        )
    if received_at >= case.closes_at:
        raise ValidationError(
            {
                "received_at": _("The window closed at %(closes)s: opinions can no longer be sent.")
                % {"closes": timezone.localtime(case.closes_at).strftime("%Y-%m-%d %H:%M")}
            }
        )


def submission_create(
    *,
    case: Case,
    opinions: Sequence[OpinionInput],
    name: str,
    eligibility: str,
    kind: str = Submission.Kind.INDIVIDUAL,
    organization_name: str = "",
    organization_name_public: bool = False,
    address: str = "",
    phone: str = "",
    email: str = "",
    user: UserLike | None = None,
    channel: str = Channel.WEB,
    received_at: dt.datetime | None = None,
    recorded_by: User | None = None,
    token: uuid.UUID | None = None,
) -> tuple[Submission, bool]:
    """One form of opinions, from the web (received now) or keyed in by staff (its channel and
    the date it was received: the window is that date's). Returns (submission, created):
    a second call with the same `token` (a double click, a reload) returns the first
    submission and creates nothing.

    1. the same token already recorded: return it;
    2. check the case takes opinions at `received_at`, the opinions (at least one, each within
       the limit, on a section of this draft) and who may submit;
    3. in one transaction: the next number of the case (gap-free), the submission, its
       opinions and one item per opinion for staff to group;
    4. on commit: a copy by e-mail when an address was given.
    """
    if token is not None:
        existing = Submission.objects.filter(token=token).first()
        if existing is not None:
            return existing, False
    now = timezone.now()
    if channel == Channel.WEB:
        received_at = now
    elif received_at is None:
        raise ValidationError({"received_at": _("Enter the date the opinion was received.")})
    check_window(case, received_at=received_at, now=now)
    kept = _check_opinions(case, opinions)
    if eligibility not in case.may_submit:
        raise ValidationError(
            {
                "eligibility": _("For this case, choose one of: %(labels)s.")
                % {"labels": "、".join(case.may_submit_labels())}
            }
        )
    if kind == Submission.Kind.ORGANIZATION and not organization_name.strip():
        raise ValidationError({"organization_name": _("Enter the organisation's name.")})
    if not name.strip():
        raise ValidationError({"name": _("Enter your name.")})
    try:
        with transaction.atomic():
            sequence = next_value(f"publiccomment.submission.{case.pk}")
            submission = Submission.objects.create(
                case=case,
                sequence=sequence,
                number=receipt_number(case, sequence),
                channel=channel,
                received_at=received_at,
                kind=kind,
                name=name.strip(),
                organization_name=organization_name.strip()
                if kind == Submission.Kind.ORGANIZATION
                else "",
                organization_name_public=organization_name_public
                and kind == Submission.Kind.ORGANIZATION,
                address=address.strip(),
                phone=phone.strip(),
                email=email.strip(),
                eligibility=eligibility,
                user=user if user is not None and user.is_authenticated else None,
                recorded_by=recorded_by,
                token=token,
            )
            created_opinions = Opinion.objects.bulk_create(
                Opinion(
                    submission=submission,
                    case=case,
                    position=position,
                    section=opinion.section,
                    text=opinion.text,
                )
                for position, opinion in enumerate(kept, start=1)
            )
            if not created_opinions or created_opinions[0].pk is None:
                created_opinions = list(submission.opinions.order_by("position"))
            OpinionItem.objects.bulk_create(
                OpinionItem(opinion=opinion, case=case, position=1) for opinion in created_opinions
            )
            if submission.email:
                emails.submission_received(submission)
    except IntegrityError:
        if token is not None:
            existing = Submission.objects.filter(token=token).first()
            if existing is not None:
                return existing, False
        raise
    return submission, True


# --- Considering -------------------------------------------------------------------------------


def _lock_considering(case_id: int) -> None:
    """Inside a transaction: lock the case row (so that publishing the result waits for a
    split or a grouping under way, and the other way round) and refuse unless the case is
    still being considered, as it stands now in the database."""
    status = Case.objects.select_for_update().filter(pk=case_id).values_list("status", flat=True)
    if status.first() != S.ANNOUNCED:
        raise TransitionError(
            _("The result of this case is already published or it was abandoned.")
        )


def _refuse_unless_considering(case: Case) -> None:
    if case.status != S.ANNOUNCED:
        raise TransitionError(
            _("The result of this case is already published or it was abandoned.")
        )


def opinion_split(*, opinion: Opinion, summaries: Sequence[str]) -> list[OpinionItem]:
    """Split one opinion into items, one per point it makes (a line each); items of the
    opinion made before are replaced, and their grouping with them."""
    _refuse_unless_considering(opinion.case)
    lines = [line.strip() for line in summaries if line.strip()]
    if not lines:
        raise ValidationError({"summaries": _("Write one line per point the opinion makes.")})
    with transaction.atomic():
        _lock_considering(opinion.case_id)
        opinion.items.all().delete()
        return OpinionItem.objects.bulk_create(
            OpinionItem(opinion=opinion, case_id=opinion.case_id, position=position, summary=line)
            for position, line in enumerate(lines, start=1)
        )


def issue_create(*, case: Case, summary: str, section: Section | None = None) -> Issue:
    _refuse_unless_considering(case)
    if not summary.strip():
        raise ValidationError({"summary": _("Write the point the opinions make.")})
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case.pk).first()
        number = (case.issues.aggregate(Max("number"))["number__max"] or 0) + 1
        return Issue.objects.create(case=case, number=number, summary=summary, section=section)


def items_group(*, items: Iterable[OpinionItem], issue: Issue) -> int:
    """Put opinion items under a 論点 of the same case; returns how many moved."""
    _refuse_unless_considering(issue.case)
    pks = [item.pk for item in items]
    if OpinionItem.objects.filter(pk__in=pks).exclude(case_id=issue.case_id).exists():
        raise ValidationError(_("Only items of the same case can be grouped together."))
    with transaction.atomic():
        _lock_considering(issue.case_id)
        return OpinionItem.objects.filter(pk__in=pks).update(issue=issue)


def opinions_mark_reviewed(*, opinions: Iterable[Opinion], by: User | None) -> int:
    """Staff read these opinions and found them fit to publish as they will be shown (as
    typed, or as redacted or withheld): recorded with who and when. Refused unless every one
    belongs to a case still announced (the result publishes only reviewed opinions). Returns
    how many were marked; marking again moves the time and the person to the latest check."""
    pks = [opinion.pk for opinion in opinions]
    if not pks:
        return 0
    decided = (
        Case.objects.filter(pk__in=Opinion.objects.filter(pk__in=pks).values("case_id"))
        .exclude(status=S.ANNOUNCED)
        .first()
    )
    if decided is not None:
        _refuse_unless_considering(decided)
    return Opinion.objects.filter(pk__in=pks).update(reviewed_at=timezone.now(), reviewed_by=by)


_REDACTION_FIELDS = ["public_text", "withheld", "redaction_reason", "reviewed_at", "reviewed_by"]


def opinion_redact(
    *,
    opinion: Opinion,
    public_text: str = "",
    withheld: bool = False,
    reason: str,
    by: User | None,
) -> Opinion:
    """What the public page of every opinion shows (43条3項): the text with a part removed, or
    nothing; the original stays for staff. A reason is required. Redacting is reviewing: the
    opinion is marked checked by `by`. Allowed after the result too (a leak found late)."""
    if not reason.strip():
        raise ValidationError({"redaction_reason": _("Write why the opinion is redacted.")})
    if not withheld and not public_text.strip():
        raise ValidationError(
            {"public_text": _("Write the text to publish, or withhold the opinion.")}
        )
    opinion.public_text = "" if withheld else public_text
    opinion.withheld = withheld
    opinion.redaction_reason = reason.strip()
    opinion.reviewed_at = timezone.now()
    opinion.reviewed_by = by
    opinion.save(update_fields=_REDACTION_FIELDS)
    return opinion


def opinion_unredact(*, opinion: Opinion, by: User | None) -> Opinion:
    """Publish the opinion as submitted again: `by` has read it and found it fit to, so it is
    marked checked."""
    opinion.public_text = ""
    opinion.withheld = False
    opinion.redaction_reason = ""
    opinion.reviewed_at = timezone.now()
    opinion.reviewed_by = by
    opinion.save(update_fields=_REDACTION_FIELDS)
    return opinion


def new_form_token() -> uuid.UUID:
    return uuid.uuid4()


# ---- retention and correction (個人情報) ---------------------------------------------------


def submissions_anonymise(*, now: dt.datetime | None = None, dry_run: bool = False) -> int:
    """Anonymise the submissions of cases whose result was published (or that were abandoned)
    more than RETENTION["OPINION_DAYS"] ago. Steps: claim the submissions not yet anonymised
    (skipping those another run holds); keep each opinion as it was published (the redacted
    text where staff wrote one; a withheld opinion, never published, becomes the marker);
    replace the name with the marker, keep an organisation's name only where it agreed to its
    publication, blank the address, telephone and e-mail, drop the account link and the form
    key; record `anonymised_at`. Returns how many submissions (a dry run: would be)."""
    now = now or timezone.now()
    before = cutoff(now=now, days=settings.RETENTION["OPINION_DAYS"])
    due = Submission.objects.filter(
        Q(case__status=S.RESULT_PUBLISHED, case__result_published_at__lt=before)
        | Q(case__status=S.ABANDONED, case__abandoned_at__lt=before)
    )
    with transaction.atomic():
        ids = claim(due, dry_run=dry_run)
        if dry_run or not ids:
            return len(ids)
        Opinion.objects.filter(submission_id__in=ids).update(
            text=Choose(
                When(withheld=True, then=Value(ANONYMISED)),
                When(~Q(public_text=""), then=F("public_text")),
                default=F("text"),
                output_field=Opinion._meta.get_field("text"),
            )
        )
        return Submission.objects.filter(pk__in=ids, anonymised_at__isnull=True).update(
            name=ANONYMISED,
            organization_name=Choose(
                When(
                    kind=Submission.Kind.ORGANIZATION,
                    organization_name_public=True,
                    then=F("organization_name"),
                ),
                default=Value(""),
                output_field=Submission._meta.get_field("organization_name"),
            ),
            address="",
            phone="",
            email="",
            user=None,
            token=None,
            anonymised_at=now,
        )


def contact_correct(
    *, email: str, name: str = "", new_name: str = "", new_email: str = "", new_phone: str = ""
) -> int:
    """開示・訂正: correct the name, e-mail or telephone the person gave on their submissions
    (found by the e-mail address, or the name when given); an empty value leaves the field as
    it is. Anonymised submissions are left alone. Returns the submissions changed."""
    return correct_contacts(
        Submission.objects.filter(anonymised_at__isnull=True),
        fields=("name", "email", "phone"),
        email=email,
        name=name,
        new_name=new_name,
        new_email=new_email,
        new_phone=new_phone,
    )
