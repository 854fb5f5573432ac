"""Methods the site does not use are refused on every URL, before any view or static file."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PATHS = [
    "/",  # a public page
    "/admin/",  # the admin (which would otherwise redirect to its sign-in)
    "/admin/login/",
    "/static/css/site.css",  # a static file
    "/no-such-page/",
]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(
    "method", ["TRACE", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "PROPFIND", "FOO"]
)
def test_unused_methods_are_refused_with_405(client, path, method):
    response = client.generic(method, path)

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, POST"
    assert b"TRACE" not in response.content  # nothing of the request echoed back


def test_trace_does_not_echo_the_request(client):
    response = client.generic("TRACE", "/", HTTP_COOKIE="sessionid=secret")

    assert response.status_code == 405
    assert b"secret" not in response.content


@pytest.mark.parametrize("method", ["get", "head"])
def test_the_methods_the_site_uses_still_work(client, method):
    assert getattr(client, method)(reverse("home")).status_code == 200


def test_a_post_still_reaches_the_view(client):
    # The sign-in form answers a bad post with the form again, not 405.
    response = client.post(reverse("account_login"), {"login": "x@example.jp", "password": "x"})

    assert response.status_code == 200
