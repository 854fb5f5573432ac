from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path

from .models import Case
from .views import submit

app_name = "publiccomment"


# PLACEHOLDER of pc-form (helper B) until pc-public's case page merges: the opinion form, its
# e-mail and receipt link to the case's page. Delete this view and its path on merge.
def _case_detail_placeholder(request, pk):
    return HttpResponse(get_object_or_404(Case.objects.public(), pk=pk).title)


urlpatterns: list = [
    path("publiccomment/<int:pk>/", _case_detail_placeholder, name="case_detail"),  # PLACEHOLDER
    *submit.urlpatterns,
]
