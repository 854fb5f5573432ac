from django.urls import path

from .views import public, signup

app_name = "councils"

urlpatterns = [
    path("councils/", public.index, name="index"),
    path("councils/workshops/", public.session_list, name="session_list"),
    path("councils/trainings/", public.training_list, name="training_list"),
    path("councils/list/", public.council_list, name="council_list"),
    path("councils/<int:pk>/", public.council_detail, name="council_detail"),
    path("councils/materials/<int:pk>/", public.material, name="material"),
    path("councils/sessions/<int:pk>/", public.session_detail, name="session_detail"),
    path("councils/photos/<int:pk>/", public.photo, name="photo"),
    path("councils/sessions/<int:pk>/calendar.ics", public.session_ics, name="session_ics"),
    path("councils/calendar.ics", public.calendar_ics, name="calendar_ics"),
    path("councils/sessions/<int:pk>/signup/", signup.signup, name="signup"),
    path("councils/sessions/<int:pk>/signup/sent/", signup.signup_sent, name="signup_sent"),
    path("councils/confirm/<str:token>/", signup.signup_confirm, name="signup_confirm"),
    path("councils/s/<str:token>/", signup.guest_signup, name="guest_signup"),
    path("councils/s/<str:token>/cancel/", signup.guest_cancel, name="guest_cancel"),
    path("councils/my/", signup.my_signups, name="my_signups"),
    path("councils/my/<int:pk>/", signup.signup_detail, name="signup_detail"),
    path("councils/my/<int:pk>/cancel/", signup.signup_cancel, name="signup_cancel"),
    path("councils/my/<int:pk>/print/", signup.signup_print, name="signup_print"),
    path("councils/my/pool/leave/", signup.pool_leave, name="pool_leave"),
]
