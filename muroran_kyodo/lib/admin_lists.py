"""Admin lists of tables that grow to 100,000 rows and more (issue 14).

Counts without counting: on PostgreSQL an unfiltered changelist of a big
table shows the planner's estimate of its rows (「約 100,000 件」) instead of a `COUNT(*)` that
reads every row of the table on every page view. A filtered list, a search, a small table and
SQLite keep the exact count (a filter's count is served by the filter's index).

    class ActivityReportAdmin(EstimatedCountAdminMixin, admin.ModelAdmin): ...

`templates/admin/pagination.html` and `actions.html` say 「約」 when the count is an estimate.

A row's action checkbox is written as the HTML Django's `CheckboxInput` renders, without
rendering three form templates per row (a third of the page's time at 50 rows a page), and the
rows' links to their change pages come from one `reverse()` instead of one per row.

Only the columns a page shows: `list_defer` names the long text columns the list never shows,
left out of the list's query (a change form and an action still get whole rows)."""

from __future__ import annotations

from typing import Any

from django.contrib.admin import helpers
from django.contrib.admin.views.main import ChangeList
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connections
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext as _

# Below this many rows an exact count is cheap, and a list of a few thousand rows should say
# exactly how many it has.
ESTIMATE_FROM = 10_000


def is_unfiltered(queryset: QuerySet[Any]) -> bool:
    """True when the queryset selects every row of its table (no WHERE, no DISTINCT, no union),
    so the table's row estimate is the count."""
    query = queryset.query
    return not query.where and not query.distinct and not query.combinator and not query.is_sliced


def estimated_rows(queryset: QuerySet[Any]) -> int | None:
    """The planner's estimate of the rows of the queryset's table on PostgreSQL, scaled to the
    table's current size as the planner scales it (`reltuples / relpages × pages now`); None on
    another database or for a table never analysed."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    table = connection.ops.quote_name(queryset.model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples, relpages,"
            " pg_relation_size(oid) / current_setting('block_size')::integer"
            " FROM pg_class WHERE oid = to_regclass(%s)",
            [table],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    reltuples, relpages, pages_now = row
    if reltuples < 0:  # never vacuumed nor analysed: no statistics yet
        return None
    if relpages <= 0:
        return int(reltuples)
    return int(round(reltuples / relpages * pages_now))


class EstimatedCountPaginator(Paginator):
    """A Paginator whose `count` is the table's estimate for an unfiltered queryset of a big
    table on PostgreSQL (`count_is_estimate` then True). Pages past the estimated last one are
    still served (empty when past the real end), so no row is out of reach when the estimate is
    low."""

    count_is_estimate = False

    @cached_property
    def count(self) -> int:
        object_list = self.object_list
        if isinstance(object_list, QuerySet) and is_unfiltered(object_list):
            estimate = estimated_rows(object_list)
            if estimate is not None and estimate >= ESTIMATE_FROM:
                self.count_is_estimate = True
                return estimate
        return super().count

    def validate_number(self, number: Any) -> int:
        self.count  # noqa: B018 - decides count_is_estimate
        if not self.count_is_estimate:
            return super().validate_number(number)
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError) as error:
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from error
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        if not self.count_is_estimate:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        return Page(self.object_list[bottom : bottom + self.per_page], number, self)


class RowLinksChangeList(ChangeList):
    """Django's ChangeList, with each row's link to its change page made from the link of the
    first row: the same address as `reverse()` gives for a whole-number key (any other key is
    reversed as Django does)."""

    def url_for_result(self, result: Any) -> str:
        pk = getattr(result, self.pk_attname)
        if type(pk) is not int:
            return super().url_for_result(result)
        head, tail = self._change_url_around_the_key
        return f"{head}{pk}{tail}"

    @cached_property
    def _change_url_around_the_key(self) -> tuple[str, str]:
        url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
            args=(0,),
            current_app=self.model_admin.admin_site.name,
        )
        head, _, tail = url.rpartition("/0/")
        return f"{head}/", f"/{tail}"


class EstimatedCountAdminMixin:
    """For the ModelAdmin of a table that grows to 100,000 rows and more: estimated counts on
    unfiltered lists (PostgreSQL), and no second `COUNT(*)` of the whole table for the search
    bar's "N total"."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False

    # Long text columns the list's page never shows, left out of its query.
    list_defer: tuple[str, ...] = ()

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return RowLinksChangeList

    def action_checkbox(self, obj: Any) -> str:
        """The row's box of the action form: the same element as Django's (a CheckboxInput with
        the class and label `ModelAdmin.action_checkbox` gives it), written directly."""
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            format_html(_("Select this object for an action - {}"), str(obj)),
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)  # type: ignore[misc]
        if self.list_defer and _is_changelist_page(request, queryset.model):
            queryset = queryset.defer(*self.list_defer)
        return queryset


def _is_changelist_page(request: HttpRequest, model: Any) -> bool:
    """A GET of the model's changelist: not a change form, and not an action posted from the
    list (an export reads the columns left out here)."""
    match = getattr(request, "resolver_match", None)
    opts = model._meta
    return (
        request.method == "GET"
        and match is not None
        and match.url_name == f"{opts.app_label}_{opts.model_name}_changelist"
    )
