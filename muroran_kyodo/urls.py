from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from . import bench_views, csp_report, health, personal_data, views

admin.site.site_header = _("Muroran Collaboration Portal — staff")
admin.site.site_title = _("Muroran Collaboration Portal")
admin.site.index_title = _("Administration")

urlpatterns = [
    path("", views.home, name="home"),
    path("guideline/", views.guideline, name="guideline"),
    path("figures/", views.figures, name="figures"),
    path("figures.csv", views.figures_csv, name="figures_csv"),
    path("figures.json", views.figures_json, name="figures_json"),
    path("opendata/", views.opendata, name="opendata"),
    path("privacy/", views.privacy, name="privacy"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("mypage/", views.mypage, name="mypage"),
    path("security/csp-report/", csp_report.csp_report, name="csp_report"),
    # For a load balancer: JSON, 503 when the database is down (health.py).
    path("health/", health.health, name="health"),
    path("admin/login/", views.admin_login, name="admin_login"),
    # 個人情報の開示・訂正: a page of the admin (staff, second factor, and its own permission).
    path(
        "admin/personal-data/",
        admin.site.admin_view(personal_data.page),
        name="personal_data",
    ),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    # The language switch is in the header of every page: it carries no CSRF token, so that
    # public pages can be kept in the page cache for anonymous visitors (lib/pagecache.py).
    # Choosing a language is all a forged request could do.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("", include("organizations.urls")),
    path("", include("partners.urls")),
    path("", include("subsidies.urls")),
    path("", include("publiccomment.urls")),
    path("", include("entalk.urls")),
    path("", include("councils.urls")),
]

if settings.BENCH_BASELINE:
    urlpatterns.insert(0, path("bench/baseline/", bench_views.baseline, name="bench_baseline"))

# The database down or the upload storage full: a 503 page that reads nothing (errors.py).
handler500 = "muroran_kyodo.errors.server_error"
