"""The benchmark's baseline: the cheapest response the whole middleware stack can give.

`bench/run.py` reports every page as a multiple of this one, so the table shows what a page
costs on top of Django itself. Routed only when settings.BENCH_BASELINE is on.
"""

from django.http import HttpResponse


def baseline(request):
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
