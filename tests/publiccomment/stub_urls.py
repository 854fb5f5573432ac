"""The site's URLs, with a stand-in for every public comment page named in the shared plan that
this branch does not have yet (the public pages and the form come on their own branches).

The e-mails of a transition and the admin link to pages by these names; a test that runs them
marks itself `pytest.mark.urls("tests.publiccomment.stub_urls")`. A name the app does define is
left to the app's own view: once every page exists, this adds nothing."""

from django.http import Http404
from django.urls import URLPattern, URLResolver, include, path

import publiccomment.urls
from muroran_kyodo import urls as site

NAMES = {
    "case_list": "publiccomment/",
    "case_detail": "publiccomment/<int:pk>/",
    "case_result": "publiccomment/<int:pk>/result/",
    "case_opinions": "publiccomment/<int:pk>/opinions/",
    "result_csv": "publiccomment/<int:pk>/result.csv",
    "document": "publiccomment/<int:pk>/documents/<int:document_pk>/",
    "blank_form": "publiccomment/<int:pk>/form/",
    "submit": "publiccomment/<int:pk>/submit/",
    "submission_receipt": "publiccomment/submissions/<int:pk>/",
}


def not_here(request, **kwargs):
    raise Http404


_defined = {p.name for p in publiccomment.urls.urlpatterns if isinstance(p, URLPattern)}
_stubs = [path(route, not_here, name=name) for name, route in NAMES.items() if name not in _defined]


def _is_publiccomment(pattern) -> bool:
    return isinstance(pattern, URLResolver) and pattern.namespace == "publiccomment"


urlpatterns = [p for p in site.urlpatterns if not _is_publiccomment(p)] + [
    path("", include((list(publiccomment.urls.urlpatterns) + _stubs, "publiccomment"))),
]
