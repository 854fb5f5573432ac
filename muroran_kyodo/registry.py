"""The explicit extension points of the site pages.

A mechanism app contributes by adding one line here; nothing is discovered automatically.

- HOME_SECTIONS: `(request) -> Section | None` — "open now" boxes on the home page.
- MYPAGE_SECTIONS: `(request) -> Section | None` — boxes on マイページ for the signed-in user.
- MYPAGE_TASKS: `(request) -> list[Task]` — マイページ's 次にすること: what the signed-in user
  has to do next (a shift, a report due, a loan to bring back, an application returned), each
  with its date and its one link; the site merges and orders them (views.mypage_tasks).
- FIGURES: `(fiscal_year) -> list[Figure]` — yearly figures for the 実績 page and open data.
- FIGURE_RANGES: `(first_year, last_year) -> list[Figure]` — figures that add up over a range of
  年度, on the 実績 page when a range is asked for.
- MECHANISMS: links to every collaboration mechanism that exists on the portal (home page boxes
  and, by `nav_label`, the site navigation).
- NAVIGATION: the header menu of every public page: the site pages and every mechanism.
- STAFF_QUEUE: `(request) -> list[QueueItem]` — what waits for the staff member on the admin
  index, each count linking to the filtered changelist; only what the person may see.
- BENCH_PAGES: `(*, person, staff) -> list[BenchPage]` — the pages `make bench` loads; may
  create (idempotently) the data a signed-in page needs for the bench person.
- PROJECT_RECORDS: `(project) -> list[ProjectRecord]` — on a project's page of the registry's
  catalogue, each mechanism's records that belong to the project (the パブリックコメント case
  and the まちづくり協議会 council of the same plan).
- REMINDERS: `(*, now) -> int` — the reminders an app sends, run daily by cron through
  `manage.py send_reminders`; each sends a reminder once only (`lib.mail.send_once`) and
  returns how many it sent now.
- RETENTION: `(kind, (*, now, dry_run) -> int)` — what `manage.py apply_retention` runs daily:
  each anonymises (or erases) the personal data of an app's closed records past their period
  and returns how many records it changed (a dry run: would change).
- PERSONAL_DATA: `(*, email, name) -> list[PersonalRecord]` — 開示・訂正: every record of an app
  holding the person's data (`muroran_kyodo.personal_data`).
- CONTACT_CORRECTIONS: `(*, email, name, new_name, new_email, new_phone) -> int` — 開示・訂正:
  correct the name and contacts the person gave on an app's records.

Each function must run a fixed number of queries, whatever the data size.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

import accounts.personal_data
import accounts.sections
import councils.bench
import councils.personal_data
import councils.queue
import councils.reminders
import councils.sections
import councils.services
import councils.stats
import entalk.bench
import entalk.personal_data
import entalk.queue
import entalk.sections
import entalk.services
import entalk.stats
import organizations.bench
import organizations.personal_data
import organizations.queue
import organizations.sections
import organizations.stats
import partners.bench
import partners.personal_data
import partners.queue
import partners.reminders
import partners.sections
import partners.services
import partners.stats
import publiccomment.bench
import publiccomment.personal_data
import publiccomment.queue
import publiccomment.sections
import publiccomment.services
import publiccomment.stats
import subsidies.bench
import subsidies.personal_data
import subsidies.queue
import subsidies.reminders
import subsidies.sections
import subsidies.services
import subsidies.stats

from .lib.extension import BenchPage


@dataclass(frozen=True)
class Mechanism:
    title: str
    description: str
    url_name: str
    nav_label: str


@dataclass(frozen=True)
class NavLink:
    label: str
    url_name: str


HOME_SECTIONS = [
    organizations.sections.home_new_organizations,
    partners.sections.home_open_opportunities,
    subsidies.sections.home_open_intake,
    publiccomment.sections.home_open_cases,
    entalk.sections.home_upcoming_sessions,
    councils.sections.home_open_workshops,
]

MYPAGE_SECTIONS = [
    accounts.sections.mypage_profile,
    organizations.sections.mypage_organizations,
    partners.sections.mypage_registrations,
    partners.sections.mypage_requests,
    partners.sections.mypage_signups,
    subsidies.sections.mypage_applications,
    publiccomment.sections.mypage_submissions,
    entalk.sections.mypage_requests,
    councils.sections.mypage_signups,
]

MYPAGE_TASKS = [
    partners.sections.mypage_tasks,
    subsidies.sections.mypage_tasks,
    subsidies.sections.mypage_second_factor_task,
    entalk.sections.mypage_tasks,
    councils.sections.mypage_tasks,
]

FIGURES = [
    organizations.stats.figures,
    partners.stats.figures,
    subsidies.stats.figures,
    publiccomment.stats.figures,
    entalk.stats.figures,
    councils.stats.figures,
]

# Figures that add up over a range of 年度 (the guideline's 「平成23年度～平成26年度 46回 940名」):
# `(first_year, last_year) -> list[Figure]`, shown on the 実績 page when a range is asked for.
FIGURE_RANGES = [
    entalk.stats.figures_over,
    councils.stats.figures_over,
]

MECHANISMS = [
    Mechanism(
        _("Organisation directory"),
        _(
            "Neighbourhood associations, civic groups, universities and companies working for the town."
        ),
        "organizations:directory",
        _("Organisations"),
    ),
    Mechanism(
        _("Collaboration projects"),
        _("Projects the city runs together with residents, by form of collaboration."),
        "organizations:project_list",
        _("Projects"),
    ),
    Mechanism(
        _("Partner programmes (Machi Pika, Magokoro, Makasete)"),
        _(
            "Volunteer with the city: clean up the places near you, help at events, or take on part of the city's work."
        ),
        "partners:programme_list",
        _("Partner programmes"),
    ),
    Mechanism(
        _("Community activity subsidy"),
        _(
            "Funding for projects your group plans for the town: the programmes, how to apply, and the projects adopted."
        ),
        "subsidies:programme_list",
        _("Subsidies"),
    ),
    Mechanism(
        _("Public comment"),
        _(
            "Draft plans of the city open for your opinion, and the city's view on the opinions it received."
        ),
        "publiccomment:case_list",
        pgettext_lazy("menu", "Public comment"),
    ),
    Mechanism(
        _("en-talk"),
        _(
            "Your group invites the mayor to talk about the town; the record of each session and how the city follows up what was raised."
        ),
        "entalk:index",
        pgettext_lazy("menu", "en-talk"),
    ),
    Mechanism(
        _("Community planning councils"),
        _(
            "Workshops where residents give their views while the city plans a project, what came out of them and how the plan took them in; facilitator training."
        ),
        "councils:index",
        _("Councils"),
    ),
]

# The header menu: a mechanism app appears here by its line in MECHANISMS.
NAVIGATION = [
    NavLink(_("Home"), "home"),
    NavLink(_("The guideline"), "guideline"),
    *(NavLink(mechanism.nav_label, mechanism.url_name) for mechanism in MECHANISMS),
    NavLink(_("Figures"), "figures"),
]

STAFF_QUEUE = [
    organizations.queue.items,
    partners.queue.items,
    subsidies.queue.items,
    publiccomment.queue.items,
    entalk.queue.items,
    councils.queue.items,
]

# A project of the registry's catalogue: the records of each mechanism that belong to it (a
# パブリックコメント case and a まちづくり協議会 council of the same plan meet there). One query each.
PROJECT_RECORDS = [
    publiccomment.sections.project_records,
    councils.sections.project_records,
]

REMINDERS = [
    partners.reminders.send,
    subsidies.reminders.send,
    councils.reminders.send,
]

RETENTION = [
    ("public comment submissions", publiccomment.services.submissions_anonymise),
    ("council guest sign-ups", councils.services.guest_signups_anonymise),
    ("council sign-up needs", councils.services.needs_erase),
    (
        "subsidy applications not adopted or withdrawn",
        subsidies.services.rejected_applications_anonymise,
    ),
]

PERSONAL_DATA = [
    accounts.personal_data.records,
    organizations.personal_data.records,
    partners.personal_data.records,
    subsidies.personal_data.records,
    publiccomment.personal_data.records,
    entalk.personal_data.records,
    councils.personal_data.records,
]

CONTACT_CORRECTIONS = [
    partners.services.contact_correct,
    publiccomment.services.contact_correct,
    entalk.services.contact_correct,
    councils.services.contact_correct,
]


def site_bench_pages(*, person, staff) -> list[BenchPage]:
    return [
        BenchPage("home", "/"),
        BenchPage("guideline", "/guideline/"),
        BenchPage("figures", "/figures/"),
    ]


BENCH_PAGES = [
    site_bench_pages,
    organizations.bench.pages,
    partners.bench.pages,
    subsidies.bench.pages,
    publiccomment.bench.pages,
    entalk.bench.pages,
    councils.bench.pages,
]
