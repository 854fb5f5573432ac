"""The WSGI application gunicorn serves (gunicorn.conf.py).

gunicorn imports this module once in its master (`preload_app`) and forks the workers from it,
so what `_warm_up` does here is done once, not again in every worker that `max_requests`
recycles: without it each new worker spent its first request (about 0.3 s) importing every
view and building the URL resolver. Nothing here opens a connection (database, cache, virus
scanner): a socket opened before the fork would be shared by all workers.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "muroran_kyodo.settings")

application = get_wsgi_application()


def _warm_up() -> None:
    from django.conf import settings
    from django.urls import get_resolver
    from django.utils import translation

    from muroran_kyodo.lib import pagecache

    resolver = get_resolver()
    for language, _name in settings.LANGUAGES:
        with translation.override(language):  # the catalogue, and the resolver's tables
            translation.gettext("Home")
            resolver.reverse_dict  # noqa: B018 (built per language on first use)
    pagecache.release()


_warm_up()
