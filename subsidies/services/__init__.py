"""Write paths of the subsidy, by area. Views, admin actions and commands call these; nothing
else changes an application's status, its decided or confirmed amount, its payments, its
documents or a change request.

applications - the application's workflow (its state diagram is there), the draft,
               submission, the staff's decisions within the budget, the completion report;
payments     - 額の確定, advances, the balance, repayments;
changes      - 変更承認 requests (their own workflow);
review       - reviewers and scores;
consultations - 事前相談;
documents    - attachments.
"""

from muroran_kyodo.lib.workflow import TransitionError as TransitionError  # the one refusal

from ..permissions import GROUP, STAFF, may_act, reviewer_conflict
from .applications import (
    ALLOWED_TRANSITIONS,
    REASON_REQUIRED,
    WORKFLOW,
    allowed_targets,
    application_accept,
    application_adopt,
    application_close,
    application_create,
    application_grant,
    application_move_to_open_window,
    application_reject,
    application_report,
    application_return,
    application_return_report,
    application_start_review,
    application_submit,
    application_update,
    application_withdraw,
    open_window_for,
    subsidy_collaboration_form,
    transition,
)
from .changes import (
    change_request_approve,
    change_request_create,
    change_request_decide,
    change_request_refuse,
)
from .consultations import consultation_book, consultation_mark_held, consultation_record
from .documents import attachment_add, attachment_remove
from .endings import (
    application_approve_stop,
    application_cancel_grant,
    application_refuse_stop,
    application_request_stop,
    repayable,
)
from .payments import (
    application_confirm_amount,
    application_pay,
    application_record_repayment,
    check_advance,
    confirmable_amount,
    paid_total,
    payment_record_advance,
    repayment_received,
)
from .retention import rejected_applications_anonymise
from .review import REVIEWABLE, assign_reviewer, check_assignment, score_save, scores_save

__all__ = [
    "rejected_applications_anonymise",
    "application_approve_stop",
    "application_cancel_grant",
    "application_refuse_stop",
    "application_request_stop",
    "consultation_record",
    "repayable",
    "ALLOWED_TRANSITIONS",
    "GROUP",
    "REASON_REQUIRED",
    "REVIEWABLE",
    "STAFF",
    "WORKFLOW",
    "TransitionError",
    "allowed_targets",
    "application_accept",
    "application_adopt",
    "application_close",
    "application_confirm_amount",
    "application_create",
    "application_grant",
    "application_move_to_open_window",
    "application_pay",
    "application_record_repayment",
    "application_reject",
    "application_report",
    "application_return",
    "application_return_report",
    "application_start_review",
    "application_submit",
    "application_update",
    "application_withdraw",
    "subsidy_collaboration_form",
    "assign_reviewer",
    "attachment_add",
    "attachment_remove",
    "change_request_approve",
    "change_request_create",
    "change_request_decide",
    "change_request_refuse",
    "check_advance",
    "check_assignment",
    "confirmable_amount",
    "consultation_book",
    "consultation_mark_held",
    "may_act",
    "open_window_for",
    "paid_total",
    "payment_record_advance",
    "repayment_received",
    "reviewer_conflict",
    "score_save",
    "scores_save",
    "transition",
]
