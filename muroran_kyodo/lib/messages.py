"""Flash messages in a `__Host-` cookie in production.

Django's cookie storage names its cookie "messages" (a class attribute) and gives it the
session cookie's attributes (Secure, HttpOnly, SameSite, path "/", no Domain): with the prefix
the browser also refuses it over plain HTTP or from another host under the city's domain, as it
does the session and CSRF cookies (settings: SESSION_COOKIE_NAME)."""

from __future__ import annotations

from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.messages.storage.session import SessionStorage


class HostPrefixedCookieStorage(CookieStorage):
    cookie_name = "__Host-messages"


class HostPrefixedFallbackStorage(FallbackStorage):
    storage_classes = (HostPrefixedCookieStorage, SessionStorage)
