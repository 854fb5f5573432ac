from django.urls import path, register_converter

from . import opportunities, reports, requests, views
from .models import Programme

app_name = "partners"


class ProgrammeConverter:
    """Only the three programmes match; any other word is a 404."""

    regex = "|".join(Programme.values)

    def to_python(self, value):
        return value

    def to_url(self, value):
        return str(value)


register_converter(ProgrammeConverter, "programme")

urlpatterns = [
    path("partners/", views.programme_list, name="programme_list"),
    path("partners/registrations/<int:pk>/", views.registration_detail, name="registration_detail"),
    path("partners/registrations/<int:pk>/done/", views.registered, name="registered"),
    path(
        "partners/registrations/<int:pk>/change/", views.registration_edit, name="registration_edit"
    ),
    path("partners/registrations/<int:pk>/contact/", views.contact_edit, name="contact_edit"),
    path(
        "partners/registrations/<int:pk>/status/",
        views.registration_status,
        name="registration_status",
    ),
    path("partners/registrations/<int:pk>/certificate/", views.certificate, name="certificate"),
    path("partners/<programme:programme>/", views.programme_detail, name="programme_detail"),
    path("partners/<programme:programme>/register/", views.register, name="register"),
]

# Each area of the programme keeps its views and routes in its own module.
urlpatterns += reports.urlpatterns + requests.urlpatterns + opportunities.urlpatterns
