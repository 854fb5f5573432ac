from django.urls import path

from . import views

app_name = "organizations"

urlpatterns = [
    path("organizations/", views.directory, name="directory"),
    path("organizations/new/", views.register, name="register"),
    path("organizations/<int:pk>/", views.detail, name="detail"),
    path("organizations/<int:pk>/registered/", views.registered, name="registered"),
    path("organizations/<int:pk>/manage/", views.manage, name="manage"),
    path("organizations/<int:pk>/receipt/", views.receipt, name="receipt"),
    path("organizations/<int:pk>/edit/", views.edit, name="edit"),
    path("organizations/<int:pk>/invite/", views.invite, name="invite"),
    path(
        "organizations/<int:pk>/invitations/<int:invitation_pk>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "organizations/<int:pk>/members/<int:membership_pk>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("projects/", views.project_list, name="project_list"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
]
