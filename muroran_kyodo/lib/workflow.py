"""The one way a record's state changes, for every app.

An app declares a `Workflow` per stateful model (its allowed map, who may act, its history
model, its notification) and writes one named function per transition that calls
`workflow.apply(...)`:

    def registration_approve(*, registration, by, reason=""):
        return REGISTRATION.apply(registration, new=S.REGISTERED, by=by, reason=reason)

`apply` does, in order:

1. checks that (old, new) is in the allowed map, that `by` may make it, and that a reason is
   given where one is required;
2. in one transaction, compare-and-sets the status with any other `changes`
   (`filter(pk=…, status=old).update(…)`), so a concurrent change fails instead of being
   overwritten;
3. writes the history row (old, new, by, at, reason) in the shared `StatusChange` shape;
4. notifies: the e-mail is written to the outbox in the same transaction, and delivered once
   it commits (`lib.outbox`).

Locks (a programme's budget, an application row) are the caller's business: take them in a
`transaction.atomic()` around the call. Every refusal of a state change is a `TransitionError`
(not allowed from here, or changed by someone else first); not being allowed to act is
`PermissionDenied`; a missing reason is a `ValidationError` on the "reason" field. No view or
admin passes a posted status: each button calls a named transition.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from .models import StatusChange

if TYPE_CHECKING:
    from .typing import User, UserLike

M = TypeVar("M", bound=models.Model)


class TransitionError(Exception):
    """A state change refused: not allowed from the record's current state, or someone else
    changed the record first. The message is for people."""

    def __init__(self, message: str | Promise) -> None:
        super().__init__(str(message))
        self.messages = [str(message)]


@dataclass(frozen=True)
class Workflow(Generic[M]):
    """How one model's state changes. `allowed` maps (old, new) to who may make the change
    (an app's own words: "staff", "group", "partner"); `may(user, record, who)` answers
    whether `user` may act as `who` on `record`."""

    model: type[M]
    history: type[StatusChange]
    allowed: Mapping[tuple[str, str], str]
    may: Callable[[UserLike, M, str], bool]
    # Called in the transaction, after the history row, as notify(record, old=…, reason=…):
    # its e-mails go to the outbox, delivered once the transaction commits; None sends nothing.
    notify: Callable[..., None] | None = None
    # (old, new) pairs, or new states, that need a reason.
    reason_required: Collection[tuple[str, str] | str] = ()
    not_allowed: str | Promise = ""
    changed_meanwhile: str | Promise = ""
    reason_missing: str | Promise = ""
    status_field: str = "status"
    changed_at_field: str | None = "status_changed_at"
    # Extra fields of the history row, read from the changed record: {"kind": lambda r: …}.
    history_extra: Mapping[str, Callable[[M], Any]] = field(default_factory=dict)

    # --- reading ---------------------------------------------------------------------------

    def label(self, state: str) -> str:
        # get_field() may return a relation or a GenericForeignKey, which have no choices; the
        # status is always a concrete field.
        choices = dict(self.model._meta.get_field(self.status_field).flatchoices)  # type: ignore[union-attr]
        return str(choices.get(state, state))

    def targets(self, record: M, user: UserLike) -> list[str]:
        """The states `user` may move `record` to now (for buttons and admin actions)."""
        old = getattr(record, self.status_field)
        return [
            new
            for (frm, new), who in self.allowed.items()
            if frm == old and self.may(user, record, who)
        ]

    def needs_reason(self, old: str, new: str) -> bool:
        return (old, new) in self.reason_required or new in self.reason_required

    # --- writing ---------------------------------------------------------------------------

    def check(self, record: M, *, new: str, by: UserLike, reason: str = "") -> str:
        """Step 1 alone: raise if the change may not be made now; return the old state."""
        old = getattr(record, self.status_field)
        who = self.allowed.get((old, new))
        if who is None:
            raise TransitionError(
                (self.not_allowed or _("This cannot go from “%(old)s” to “%(new)s”."))
                % {"old": self.label(old), "new": self.label(new)}
            )
        if not self.may(by, record, who):
            raise PermissionDenied
        if self.needs_reason(old, new) and not (reason or "").strip():
            raise ValidationError(
                {"reason": str(self.reason_missing or _("Write the reason for this change."))}
            )
        return old

    def apply(
        self,
        record: M,
        *,
        new: str,
        by: UserLike,
        reason: str = "",
        changes: Mapping[str, Any] | None = None,
        notify: bool = True,
    ) -> M:
        """Check, compare-and-set, write the history row, notify (see the module)."""
        old = self.check(record, new=new, by=by, reason=reason)
        now = timezone.now()
        fields = {self.status_field: new, **(changes or {})}
        if self.changed_at_field:
            fields.setdefault(self.changed_at_field, now)
        with transaction.atomic():
            updated = (
                type(record)
                ._default_manager.filter(pk=record.pk, **{self.status_field: old})
                .update(**fields)
            )
            if updated != 1:
                raise TransitionError(
                    self.changed_meanwhile
                    or _("Someone else changed this just now. Reload and try again.")
                )
            for name, value in fields.items():
                setattr(record, name, value)
            # After the change: `history_extra` reads the record as it now stands.
            self.record_history(record, old=old, new=new, by=by, at=now, reason=reason)
            if notify and self.notify is not None:
                # The e-mail is written to the outbox with the change (rolled back with it),
                # and goes once the transaction commits.
                self.notify(record, old=old, reason=reason)
        return record

    def record_history(
        self,
        record: M,
        *,
        old: str,
        new: str,
        by: UserLike | None,
        at: datetime | None = None,
        reason: str = "",
    ) -> StatusChange:
        """The history row alone: for the row written when a record is created (old is "")."""
        extra = {name: value(record) for name, value in self.history_extra.items()}
        # The status columns are the concrete history's (see status_fields), so they are
        # passed by name in a mapping: the abstract StatusChange does not have them.
        states = {"old_status": old, "new_status": new}
        # Anyone with a primary key is an account (the foreign key refuses anything else); an
        # anonymous visitor or a command's None is written as nobody.
        author = cast("User | None", by if getattr(by, "pk", None) else None)
        return self.history._default_manager.create(
            **{self.history.subject: record},
            **states,
            by=author,
            at=at or timezone.now(),
            reason=reason or "",
            **extra,
        )
