from django.http import HttpResponse
from django.urls import path


def _todo(request, **kwargs):  # replaced by the views helper
    return HttpResponse("")


urlpatterns = [
    path("entalk/request/", _todo, name="request_new"),
    path("entalk/requests/", _todo, name="request_list"),
    path("entalk/requests/<int:pk>/", _todo, name="request_detail"),
    path("entalk/requests/<int:pk>/answer/", _todo, name="request_answer"),
    path("entalk/requests/<int:pk>/cancel/", _todo, name="request_cancel"),
    path("entalk/requests/<int:pk>/receipt/", _todo, name="request_receipt"),
]
