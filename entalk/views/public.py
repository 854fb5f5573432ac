from django.http import HttpResponse
from django.urls import path


def _todo(request, **kwargs):  # replaced by the views helper
    return HttpResponse("")


urlpatterns = [
    path("entalk/", _todo, name="index"),
    path("entalk/sessions/", _todo, name="session_list"),
    path("entalk/sessions/<int:pk>/", _todo, name="session_detail"),
    path("entalk/photos/<int:pk>/", _todo, name="photo"),
    path("entalk/calendar.ics", _todo, name="calendar_ics"),
    path("entalk/calendar/<str:token>.ics", _todo, name="group_calendar_ics"),
]
