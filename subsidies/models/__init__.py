"""まちづくり活動支援補助金: programmes per 年度 and track, applications with their budgets and
attachments, committee review, grant decisions within the budget, 実績報告 and 額の確定.

The models live in modules by area; this package exports every name, so `subsidies.models.X`
stays the address of each (the app label is `subsidies`)."""

from muroran_kyodo.lib.models import Channel as Channel  # re-exported

from .applications import (
    DECLARATIONS,
    Application,
    ApplicationQuerySet,
    ApplicationStatusChange,
    Attachment,
    BudgetStage,
    ExpenseLine,
    IncomeLine,
    attachment_path,
)
from .followup import ChangeRequest, ChangeRequestStatusChange, Payment, Repayment
from .programmes import (
    MAX_YEN,
    AttachmentType,
    Category,
    Consultation,
    Criterion,
    IntakeWindow,
    IntakeWindowQuerySet,
    Programme,
    ProgrammeQuerySet,
    ResultsMeeting,
    ResultsMeetingQuerySet,
)
from .review import ReviewAssignment, Score

__all__ = [
    "DECLARATIONS",
    "MAX_YEN",
    "Application",
    "ApplicationQuerySet",
    "ApplicationStatusChange",
    "Attachment",
    "AttachmentType",
    "BudgetStage",
    "Category",
    "ChangeRequest",
    "ChangeRequestStatusChange",
    "Channel",
    "Consultation",
    "Criterion",
    "ExpenseLine",
    "IncomeLine",
    "IntakeWindow",
    "IntakeWindowQuerySet",
    "Payment",
    "Programme",
    "ProgrammeQuerySet",
    "Repayment",
    "ResultsMeeting",
    "ResultsMeetingQuerySet",
    "ReviewAssignment",
    "Score",
    "attachment_path",
]
