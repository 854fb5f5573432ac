from django.urls import path

from . import views

urlpatterns = [
    path("profile/", views.profile_edit, name="profile_edit"),
    path("signed-out/", views.signed_out, name="signed_out"),
]
