from django.conf import settings
from django.urls import reverse


def site(request):
    return {"SITE_NAME": settings.SITE_NAME}


def navigation(request):
    """The header menu from `registry.NAVIGATION`, each link with its `aria-current`: "page" on
    the page itself, "true" anywhere else in its section (a programme under /partners/)."""
    from . import registry  # the site layer; imported late so settings load without the apps

    path = getattr(request, "path", "")
    links = []
    for link in registry.NAVIGATION:
        url = reverse(link.url_name)
        if path == url:
            current = "page"
        elif url != "/" and path.startswith(url):
            current = "true"
        else:
            current = ""
        links.append({"label": link.label, "url": url, "current": current})
    return {"site_navigation": links}
