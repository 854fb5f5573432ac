from django.urls import path, register_converter

from .models import Programme
from .views import opportunities, receipts, registrations, reports, requests

app_name = "partners"


class ProgrammeConverter:
    """Only the three programmes match; any other word is a 404."""

    regex = "|".join(Programme.values)

    def to_python(self, value):
        return value

    def to_url(self, value):
        return str(value)


register_converter(ProgrammeConverter, "programme")

_registration = "partners/registrations/<int:pk>/"
_requests = f"{_registration}requests/"

urlpatterns = [
    # Registrations and the public programme pages
    path("partners/", registrations.programme_list, name="programme_list"),
    path(_registration, registrations.registration_detail, name="registration_detail"),
    path(f"{_registration}done/", registrations.registered, name="registered"),
    path(f"{_registration}change/", registrations.registration_edit, name="registration_edit"),
    path(f"{_registration}contact/", registrations.contact_edit, name="contact_edit"),
    path(f"{_registration}status/", registrations.registration_status, name="registration_status"),
    path(f"{_registration}certificate/", registrations.certificate, name="certificate"),
    path(f"{_registration}receipt/", receipts.registration_receipt, name="registration_receipt"),
    path(
        "partners/<programme:programme>/",
        registrations.programme_detail,
        name="programme_detail",
    ),
    path("partners/<programme:programme>/terms/", registrations.programme_terms, name="terms"),
    path("partners/<programme:programme>/register/", registrations.register, name="register"),
    # Activity reports
    path(f"{_registration}reports/new/", reports.report_create, name="report_create"),
    path(f"{_registration}reports/", reports.report_list, name="report_list"),
    path("partners/reports/<int:report_pk>/photo/", reports.report_photo, name="report_photo"),
    path(
        "partners/reports/<int:report_pk>/receipt/", receipts.report_receipt, name="report_receipt"
    ),
    # Requests to the city
    path(_requests, requests.request_list, name="request_list"),
    path(f"{_requests}pickup/new/", requests.pickup_new, name="pickup_new"),
    path(f"{_requests}supplies/new/", requests.supplies_new, name="supplies_new"),
    path(f"{_requests}loan/new/", requests.loan_new, name="loan_new"),
    path(
        f"{_requests}<str:kind>/<int:request_pk>/cancel/",
        requests.request_cancel_view,
        name="request_cancel",
    ),
    path(
        "partners/requests/<str:kind>/<int:request_pk>/receipt/",
        receipts.request_receipt,
        name="request_receipt",
    ),
    # まごころ・まかせて opportunities
    path("partners/opportunities/", opportunities.opportunity_list, name="opportunity_list"),
    path(
        "partners/opportunities/<int:pk>/",
        opportunities.opportunity_detail,
        name="opportunity_detail",
    ),
    path(
        "partners/opportunities/shifts/<int:pk>/signup/",
        opportunities.signup,
        name="opportunity_signup",
    ),
    path(
        "partners/opportunities/signups/<int:pk>/cancel/",
        opportunities.signup_cancel_view,
        name="opportunity_signup_cancel",
    ),
    path(
        "partners/opportunities/signups/<int:pk>/receipt/",
        receipts.signup_receipt,
        name="signup_receipt",
    ),
]
