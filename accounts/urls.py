from django.urls import path

from . import views

urlpatterns = [
    path("profile/", views.profile_edit, name="profile_edit"),
    path("signed-out/", views.signed_out, name="signed_out"),
    path("staff-enrolment/", views.staff_enrolment, name="staff_enrolment"),
    path("staff-enrolment/<str:token>/", views.staff_enrolment_link, name="staff_enrolment_link"),
    path("unlock/", views.login_unlock, name="login_unlock"),
    path("unlock/<str:token>/", views.login_unlock_link, name="login_unlock_link"),
    path("sessions/<int:pk>/end/", views.usersession_end, name="usersession_end"),
]
