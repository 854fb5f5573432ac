"""Write paths of the councils (まちづくり協議会), by area. Views, admin actions, the demo and
commands call these (`from councils import services`, then `services.signup_create(...)`);
nothing else changes the state of a council, a session, a sign-up or a pool entry.

signups      - sign-ups (account, guest by e-mail link, keyed in by staff), places under the
               session's lock, the waiting list, cancellation, attendance, erasing needs;
councils     - councils (準備中 → 実施中 ⇄ 反映公表);
sessions     - sessions (準備中 → 告知 → 中止 | 成果公表 | 修了記録);
facilitators - training completion, the facilitator pool and table assignments.
"""

from muroran_kyodo.lib.workflow import TransitionError as TransitionError  # the one refusal

from .councils import (
    COUNCIL,
    council_create,
    council_open,
    council_reflect,
    council_reopen,
    reflection_problems,
)
from .facilitators import (
    facilitator_assign,
    facilitator_unassign,
    pool_add,
    pool_leave,
    training_complete,
)
from .retention import contact_correct, guest_signups_anonymise
from .sessions import (
    SESSION,
    announce_problems,
    outputs_problems,
    outputs_publish,
    outputs_withdraw,
    session_announce,
    session_cancel,
    session_change,
    session_create,
)
from .signups import (
    SIGNUP_TRANSITIONS,
    attendance_by_code,
    attendance_set,
    needs_erase,
    places_left,
    session_fill_places,
    signup_cancel,
    signup_confirm,
    signup_create,
    unconfirmed_expire,
)

__all__ = [
    "COUNCIL",
    "SESSION",
    "SIGNUP_TRANSITIONS",
    "TransitionError",
    "announce_problems",
    "outputs_problems",
    "reflection_problems",
    "attendance_by_code",
    "attendance_set",
    "council_create",
    "council_open",
    "council_reflect",
    "council_reopen",
    "contact_correct",
    "facilitator_assign",
    "guest_signups_anonymise",
    "facilitator_unassign",
    "needs_erase",
    "outputs_publish",
    "outputs_withdraw",
    "places_left",
    "pool_add",
    "pool_leave",
    "session_announce",
    "session_cancel",
    "session_change",
    "session_create",
    "session_fill_places",
    "signup_cancel",
    "signup_confirm",
    "signup_create",
    "training_complete",
    "unconfirmed_expire",
]
