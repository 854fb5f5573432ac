"""Councils: created in preparation (準備中) by the department's staff, opened (実施中) when
the work with residents starts, and closed by publishing how the opinions were reflected in the
plan (反映公表), which may be reopened with a reason.

    DRAFT ─council_open→ ACTIVE ─council_reflect→ REFLECTED ─council_reopen (reason)→ ACTIVE

No e-mail: councils have no subscribers; the public pages show the change."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from muroran_kyodo.lib.workflow import TransitionError as TransitionError  # the one refusal
from muroran_kyodo.lib.workflow import Workflow

from ..models import Council, CouncilStatusChange
from ..permissions import can_manage_council, may_act

if TYPE_CHECKING:
    from muroran_kyodo.lib.typing import UserLike

C = Council.Status

COUNCIL_TRANSITIONS: dict[tuple[str, str], str] = {
    (C.DRAFT, C.ACTIVE): "staff",
    (C.ACTIVE, C.REFLECTED): "staff",
    (C.REFLECTED, C.ACTIVE): "staff",
}

COUNCIL: Workflow[Council] = Workflow(
    model=Council,
    history=CouncilStatusChange,
    allowed=COUNCIL_TRANSITIONS,
    may=may_act,
    reason_required={(C.REFLECTED, C.ACTIVE)},
    not_allowed=gettext_lazy("This council is no longer in a state where that can be done."),
)


def _require(council: Council, status: str) -> None:
    """Two transitions lead to ACTIVE: each named one starts from its own state."""
    if council.status != status:
        raise TransitionError(COUNCIL.not_allowed)


def council_create(*, by: UserLike, **fields: Any) -> Council:
    """A council in preparation, for a department `by` works for (the admin's add form)."""
    fields.pop("status", None)
    council = Council(**fields)
    if council.department_id is None:
        raise ValidationError({"department": _("Choose the department in charge.")})
    if not can_manage_council(by, council):
        raise PermissionDenied
    council.full_clean()
    with transaction.atomic():
        council.save()
        COUNCIL.record_history(council, old="", new=council.status, by=by)
    return council


def council_open(*, council: Council, by: UserLike) -> Council:
    """準備中 → 実施中: the council and its materials become public."""
    _require(council, C.DRAFT)
    return COUNCIL.apply(council, new=C.ACTIVE, by=by)


def reflection_problems(council: Council) -> dict[str, list[str]]:
    """What is missing before the reflection can be published (the admin saves the texts
    first, then presses the button)."""
    problems: dict[str, list[str]] = {}
    if not (council.summary or "").strip():
        problems["summary"] = [_("Write the summary of the sessions.")]
    if not (council.reflection or "").strip():
        problems["reflection"] = [_("Write how the opinions were reflected in the plan.")]
    if council.reflected_on is None:
        problems["reflected_on"] = [_("Give the date of the reflection.")]
    return problems


def council_reflect(*, council: Council, by: UserLike) -> Council:
    """実施中 → 反映公表: the summary and how the opinions were reflected, dated, are public."""
    COUNCIL.check(council, new=C.REFLECTED, by=by)
    problems = reflection_problems(council)
    if problems:
        raise ValidationError(problems)
    return COUNCIL.apply(council, new=C.REFLECTED, by=by)


def council_reopen(*, council: Council, by: UserLike, reason: str) -> Council:
    """反映公表 → 実施中, with the reason (the plan changed again, more sessions to hold)."""
    _require(council, C.REFLECTED)
    return COUNCIL.apply(council, new=C.ACTIVE, by=by, reason=reason)
