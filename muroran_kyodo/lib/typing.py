"""Names for the types the shared layer and the apps pass around, for annotations only.

`User` is the portal's user model as django-stubs resolves settings.AUTH_USER_MODEL (its mypy
plugin turns `_User` into the configured model), so this module imports no app; `UserLike` is
whoever a request carries: that user, or an anonymous visitor. Both are stub-only names, so
they exist for the type checker alone: import them under `if TYPE_CHECKING:` and use them in
annotations only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.auth.models import _User as User

UserLike: TypeAlias = "User | AnonymousUser"
