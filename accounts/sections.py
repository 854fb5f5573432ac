from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from muroran_kyodo.lib.extension import Section


def mypage_profile(request) -> Section:
    """The signed-in person's own details, with links to change them. No query."""
    return Section(_("My details"), "accounts/mypage_section.html", {"profile": request.user})
