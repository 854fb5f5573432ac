"""Write paths of the partner programme, by area. Views, admin actions, the demo and commands
call these; nothing else changes the state of a registration, a request or a sign-up. Each
state change is a named function calling its `Workflow.apply` (muroran_kyodo/lib/workflow.py):
allowed map, who may act, compare-and-set, history row, e-mail on commit. Locks (a shift,
equipment) are taken here, in a transaction around the call.

registrations - registrations (申請中 → 登録 ⇄ 休止 → 退会, 差戻し), their changes, volunteer
                insurance, activity reports;
requests      - pickups (土木課), supplies (環境課), equipment loans (地域生活課);
signups       - まごころ・まかせて shift sign-ups, the waiting list, attendance.
"""

from muroran_kyodo.lib.workflow import TransitionError as TransitionError  # the one refusal

from .registrations import (
    ALLOWED_TRANSITIONS,
    CONTACT_EDITABLE_STATUSES,
    EDITABLE_STATUSES,
    REASON_REQUIRED,
    REGISTRATION,
    contact_correct,
    insurance_confirm,
    received_by,
    registration_approve,
    registration_contact_update,
    registration_create,
    registration_resubmit,
    registration_resume,
    registration_return,
    registration_suspend,
    registration_update,
    registration_withdraw,
    report_create,
)
from .requests import (
    REQUEST_TRANSITIONS,
    REQUEST_WORKFLOWS,
    request_cancel,
    request_create,
    request_mark_done,
    request_mark_lent,
)
from .signups import (
    SIGNUP,
    SIGNUP_CANCELLED,
    SIGNUP_TRANSITIONS,
    attendance_record,
    signup_cancel,
    signup_create,
)

__all__ = [
    "contact_correct",
    "TransitionError",
    "ALLOWED_TRANSITIONS",
    "CONTACT_EDITABLE_STATUSES",
    "EDITABLE_STATUSES",
    "REASON_REQUIRED",
    "REGISTRATION",
    "REQUEST_TRANSITIONS",
    "REQUEST_WORKFLOWS",
    "SIGNUP",
    "SIGNUP_CANCELLED",
    "SIGNUP_TRANSITIONS",
    "attendance_record",
    "insurance_confirm",
    "received_by",
    "registration_approve",
    "registration_contact_update",
    "registration_create",
    "registration_resubmit",
    "registration_resume",
    "registration_return",
    "registration_suspend",
    "registration_update",
    "registration_withdraw",
    "report_create",
    "request_cancel",
    "request_create",
    "request_mark_done",
    "request_mark_lent",
    "signup_cancel",
    "signup_create",
]
