"""The partner programme's forms, one module per area; every form is exported here."""

from .registrations import ContactChangeForm, ContactFields, RegistrationForm, managed_organizations
from .reports import OTHER_PLACE, PHOTO_NOT_KEPT, ReportForm, not_in_the_future
from .requests import AttendanceForm, EquipmentLoanForm, PickupRequestForm, SupplyRequestForm

__all__ = [
    "OTHER_PLACE",
    "PHOTO_NOT_KEPT",
    "AttendanceForm",
    "ContactChangeForm",
    "ContactFields",
    "EquipmentLoanForm",
    "PickupRequestForm",
    "RegistrationForm",
    "ReportForm",
    "SupplyRequestForm",
    "managed_organizations",
    "not_in_the_future",
]
