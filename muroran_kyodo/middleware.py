from django.conf import settings
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.utils import translation
from django.utils.cache import patch_vary_headers


class LanguageMiddleware:
    """Japanese unless the visitor chose English with the switch in the header (a cookie).

    The browser's Accept-Language is deliberately not used: this is a Japanese city's site, and a
    resident whose phone happens to be set to English should still see the Japanese pages first.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if code not in self.available:
            code = settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = code
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", code)
        return response


ALLOWED_METHODS = ("GET", "HEAD", "POST")


class AllowedMethodsMiddleware:
    """405 for every method the site does not use, on every URL (pages, admin, static files).

    The site's pages are read with GET/HEAD and changed with POST forms; nothing answers PUT,
    PATCH or DELETE, TRACE and CONNECT are for proxies, and OPTIONS is not needed either: no
    page is called from another origin, so no browser sends a CORS preflight. Listed right
    after SecurityMiddleware (whose headers the 405 still gets), before WhiteNoise and the
    sessions, so that nothing spends work on such a request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ALLOWED_METHODS:
            return HttpResponseNotAllowed(ALLOWED_METHODS)
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """A Permissions-Policy header on every response (Django has no setting for it): the
    browser features the site does not use are switched off for it and anything it embeds."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.value = ", ".join(
            f"{feature}=({' '.join(allow)})"
            for feature, allow in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.value)
        return response


class AdminActionSelectionMiddleware:
    """An admin list's action posted with a selection that cannot be an id of the list's model
    (a tampered or broken form: text, a number beyond the database's integers, a NUL): the
    list again with a message, nothing changed. Django's admin filters `pk__in=` with what was
    posted and would fail with a server error (found by tests/fuzz)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        model_admin = getattr(view_func, "model_admin", None)
        match = request.resolver_match
        if (
            request.method != "POST"
            or model_admin is None
            or match is None
            or not (match.url_name or "").endswith("_changelist")
        ):
            return None
        from django.contrib import messages
        from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

        selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
        if all(is_value_of(model_admin.model._meta.pk, value) for value in selected):
            return None
        messages.error(
            request,
            translation.gettext(
                "The items selected could not be read, so nothing was changed. "
                "Select them again and repeat the action."
            ),
        )
        return HttpResponseRedirect(request.get_full_path())


def is_value_of(pk, value: str) -> bool:
    """Whether `value` can be a value of the model field `pk` (a primary key or the target of a
    foreign key): its type, and its database's range."""
    from django.core.exceptions import ValidationError
    from django.db import connection

    if "\x00" in value:
        return False
    try:
        python = pk.to_python(value)
    except (ValidationError, ValueError, TypeError):
        return False
    if isinstance(python, int):
        low, high = connection.ops.integer_field_range(pk.get_internal_type())
        return (low is None or python >= low) and (high is None or python <= high)
    return True
