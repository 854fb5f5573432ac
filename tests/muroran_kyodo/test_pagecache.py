"""The page cache (muroran_kyodo/lib/pagecache.py): public pages kept for anonymous visitors,
never anything personal, and a committed write seen by the next request, whatever the path the
write took."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.utils.module_loading import import_string

from muroran_kyodo.lib import pagecache
from organizations.models import ActivityField, Organization
from tests import factories

HIT = "hit"
MISS = "miss"


@pytest.fixture(autouse=True)
def page_cache(settings, clock_inside_one_minute):
    settings.PAGE_CACHE_SECONDS = 60
    settings.PAGE_CACHE_HEADER = True


def state(response) -> str | None:
    return response.headers.get("X-Page-Cache")


# --- Who gets cached pages ---------------------------------------------------------------------


def test_anonymous_home_is_stored_then_served_without_a_query(
    client, db, django_assert_num_queries
):
    first = client.get("/")
    assert (first.status_code, state(first)) == (200, MISS)
    with django_assert_num_queries(0):
        second = client.get("/")
    assert (second.status_code, state(second)) == (200, HIT)
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    # The middleware's headers are added to the cached page as to a fresh one.
    assert "Content-Security-Policy" in second.headers
    assert second["Content-Language"] == "ja"
    assert not second.cookies


def test_head_is_served_from_the_cache(client, db):
    client.get("/guideline/")
    head = client.head("/guideline/")
    assert (head.status_code, state(head), head.content) == (200, HIT, b"")


def test_post_never_touches_the_cache(client, db):
    client.get("/publiccomment/")
    assert client.post("/publiccomment/").status_code == 405  # require_safe, not the cache
    client.get("/figures/")
    assert state(client.post("/figures/")) is None


def test_each_query_string_and_language_is_a_page_of_its_own(client, db):
    client.get("/figures/?year=2025")
    assert state(client.get("/figures/?year=2026")) == MISS
    assert state(client.get("/figures/?year=2025")) == HIT
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/figures/?year=2025")
    assert state(english) == MISS
    assert english["Content-Language"] == "en"
    assert 'lang="en"' in english.content.decode()
    assert state(client.get("/figures/?year=2025")) == HIT


def test_signed_in_request_never_stores_a_page(client, resident):
    client.force_login(resident)
    signed_in = client.get("/")
    assert signed_in.status_code == 200
    assert state(signed_in) is None
    assert state(Client().get("/")) == MISS  # nothing was stored by the signed-in request


def test_signed_in_request_never_receives_a_cached_page(client, resident):
    anonymous = Client().get("/")
    assert state(Client().get("/")) == HIT
    client.force_login(resident)
    page = client.get("/")
    assert state(page) is None
    assert page.content != anonymous.content
    assert "/mypage/" in page.content.decode()
    assert "/mypage/" not in anonymous.content.decode()


def _messages_cookie(text: str) -> tuple[str, str]:
    cookie_storage = import_string(settings.MESSAGE_STORAGE).storage_classes[0](HttpRequest())
    return cookie_storage.cookie_name, cookie_storage._encode([Message(constants.INFO, text)])


def test_a_pending_message_is_shown_never_cached_nor_served_from_the_cache(client, db):
    Client().get("/guideline/")  # cached
    name, value = _messages_cookie("登録を受け付けました。")
    client.cookies[name] = value
    with_message = client.get("/guideline/")
    assert state(with_message) is None
    assert "登録を受け付けました。" in with_message.content.decode()
    later = Client().get("/guideline/")
    assert state(later) == HIT
    assert "登録を受け付けました。" not in later.content.decode()


def test_a_session_with_data_is_not_anonymous_enough(client, db):
    session = client.session
    session["draft"] = "x"
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    Client().get("/")
    assert state(client.get("/")) is None


def _session_holding(client, **values) -> None:
    session = client.session
    for key, value in values.items():
        session[key] = value
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key


def test_a_session_holding_only_what_no_public_page_reads_gets_the_cached_pages(client, db):
    """After sending an opinion the session keeps its receipts (for the receipt page only): the
    visitor still gets the cached public pages, not a render for the session's life."""
    from publiccomment.views.submit import SESSION_KEY

    _session_holding(client, **{SESSION_KEY: {"1": 1}})
    Client().get("/guideline/")
    assert state(client.get("/guideline/")) == HIT
    _session_holding(client, draft="x")  # and anything else besides: rendered
    assert state(client.get("/guideline/")) is None


def test_a_public_page_that_reads_such_a_session_is_never_stored(db):
    """The declaration is checked as pages render: one that reads the session after all is
    this visitor's alone."""
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.db import SessionStore

    key = pagecache.unread_by_public_pages("tests.receipts")
    store = SessionStore()
    store[key] = ["A-1"]
    store.save()

    @pagecache.public_page
    def view(request):
        return HttpResponse(f"受付番号 {request.session.get(key)}")

    def get():
        request = RequestFactory().get("/reads-the-session/")
        request.user = AnonymousUser()
        request.session = SessionStore(store.session_key)
        return view(request)

    try:
        assert state(get()) is None
        assert state(get()) is None
    finally:
        pagecache._UNREAD_BY_PUBLIC_PAGES.discard(key)


def test_no_cached_page_carries_a_csrf_token(client, db):
    page = client.get("/")
    assert b"csrfmiddlewaretoken" not in page.content
    assert not page.cookies  # no CSRF cookie: nothing personal in the response


def test_a_page_that_renders_a_csrf_token_is_not_stored(db):
    """The decision for forms: a page whose form carries a token (Django then sets the CSRF
    cookie) is rendered afresh for everyone; the language switch carries none."""

    @pagecache.public_page
    def view(request):
        return HttpResponse(f'<input name="csrfmiddlewaretoken" value="{get_token(request)}">')

    def anonymous_get():
        request = RequestFactory().get("/form/")
        from django.contrib.auth.models import AnonymousUser

        request.user = AnonymousUser()
        return view(request)

    assert state(anonymous_get()) is None
    assert state(anonymous_get()) is None


def test_language_switch_works_without_a_token(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert client.get("/").headers["Content-Language"] == "en"


def test_switched_off_with_zero_seconds(client, db, settings):
    settings.PAGE_CACHE_SECONDS = 0
    client.get("/")
    assert state(client.get("/")) is None


def test_a_new_release_does_not_serve_the_old_pages(client, db, settings):
    client.get("/")
    settings.PAGE_CACHE_RELEASE = "next"
    pagecache.release.cache_clear()
    try:
        assert state(client.get("/")) == MISS
    finally:
        pagecache.release.cache_clear()


# --- The copy each worker keeps, and the clock ---------------------------------------------------


class _CountingCache:
    """The shared cache with its reads counted: which round trips a hit costs."""

    def __init__(self, real):
        self.real = real
        self.calls: list[str] = []

    def __getattr__(self, name):
        attribute = getattr(self.real, name)
        if name in ("get", "get_many", "add", "set", "set_many"):

            def counted(*args, **kwargs):
                self.calls.append(name)
                return attribute(*args, **kwargs)

            return counted
        return attribute


@pytest.fixture
def counted(monkeypatch):
    counting = _CountingCache(pagecache.cache)
    monkeypatch.setattr(pagecache, "cache", counting)
    return counting


def test_a_hit_from_the_workers_copy_reads_only_the_clock(client, db, counted):
    client.get("/guideline/")
    client.get("/guideline/")  # checked against its tables' generations once
    counted.calls.clear()
    assert state(client.get("/guideline/")) == HIT
    assert counted.calls == ["get"]  # the clock, nothing else


def test_after_a_write_the_workers_copy_is_checked_table_by_table(client, db, counted):
    client.get("/guideline/")
    pagecache.bump(["partners_activityreport"])  # another worker's write, to another table
    counted.calls.clear()
    assert state(client.get("/guideline/")) == HIT  # the guideline reads no reports
    assert counted.calls == ["get", "get_many"]  # the clock moved: its generations read once
    counted.calls.clear()
    assert state(client.get("/guideline/")) == HIT
    assert counted.calls == ["get"]


def test_the_workers_copy_is_not_served_after_another_workers_write(client, db):
    factories.make_organization(name="輪西まちづくりの会")
    client.get("/organizations/")
    assert state(client.get("/organizations/")) == HIT
    # Another worker process renames it: here the row changed without this process's write
    # watch, so the write reaches this process only as the new generations it gives the table.
    index = connection.execute_wrappers.index(pagecache._note_write)
    connection.execute_wrappers.remove(pagecache._note_write)
    try:
        Organization.objects.filter(name="輪西まちづくりの会").update(name="新しい名前の会")
    finally:
        connection.execute_wrappers.insert(index, pagecache._note_write)
    unseen = client.get("/organizations/")
    assert state(unseen) == HIT and "輪西まちづくりの会" in unseen.content.decode()
    pagecache.bump(["organizations_organization"])  # what the other worker's commit does
    page = client.get("/organizations/")
    assert state(page) == MISS
    assert "新しい名前の会" in page.content.decode()


def test_a_page_another_worker_stored_is_served_and_copied(client, db):
    client.get("/guideline/")
    pagecache._local.clear()  # this process never saw it: another worker rendered it
    assert state(client.get("/guideline/")) == HIT
    assert len(pagecache._local.entries) == 1


def test_the_workers_copy_is_bounded_by_size_oldest_first(client, db, settings):
    settings.PAGE_CACHE_LOCAL_BYTES = 1
    client.get("/guideline/")
    assert pagecache._local.entries == {}  # larger than the bound: never kept
    sizes = [len(client.get(url).content) for url in ("/guideline/", "/figures/")]
    settings.PAGE_CACHE_LOCAL_BYTES = max(sizes) + 10  # room for either page, not for both
    pagecache._local.clear()
    client.get("/guideline/")
    [guideline] = pagecache._local.entries
    client.get("/figures/")  # the newer page pushes the older one out
    assert guideline not in pagecache._local.entries
    assert len(pagecache._local.entries) == 1
    assert pagecache._local.size == sum(
        len(e["content"]) for e in pagecache._local.entries.values()
    )
    assert state(client.get("/guideline/")) == HIT  # still in the shared cache


def test_a_flushed_shared_cache_leaves_no_page_servable(client, db):
    """Redis restarted empty: the worker's copy would match no clock or generation."""
    from django.core.cache import cache

    client.get("/guideline/")
    client.get("/guideline/")
    cache.clear()
    assert state(client.get("/guideline/")) == MISS


# --- Time ----------------------------------------------------------------------------------------

JST = dt.timezone(dt.timedelta(hours=9))


def test_an_entry_never_outlives_the_next_full_minute(client, db):
    with time_machine.travel(dt.datetime(2026, 6, 15, 10, 0, 30, tzinfo=JST), tick=False) as t:
        client.get("/")
        t.move_to(dt.datetime(2026, 6, 15, 10, 0, 59, tzinfo=JST))
        assert state(client.get("/")) == HIT
        t.move_to(dt.datetime(2026, 6, 15, 10, 1, 0, tzinfo=JST))
        assert state(client.get("/")) == MISS


def test_an_entry_lives_at_most_page_cache_seconds(client, db, settings):
    settings.PAGE_CACHE_SECONDS = 10
    with time_machine.travel(dt.datetime(2026, 6, 15, 10, 0, 5, tzinfo=JST), tick=False) as t:
        client.get("/")
        t.move_to(dt.datetime(2026, 6, 15, 10, 0, 15, tzinfo=JST))
        assert state(client.get("/")) == MISS


def test_a_public_comment_case_closing_is_seen_at_the_closing_minute(client, db):
    from tests.publiccomment.factories import make_case

    closes = dt.datetime(2026, 7, 1, 17, 0, tzinfo=JST)
    with time_machine.travel(closes - dt.timedelta(seconds=30), tick=False) as t:
        case = make_case(closes_at=closes)
        url = f"/publiccomment/{case.pk}/"
        open_page = client.get(url)
        assert state(client.get(url)) == HIT
        t.move_to(closes)
        closed_page = client.get(url)
    assert state(closed_page) == MISS
    assert closed_page.content != open_page.content


# --- Exact invalidation: every kind of write -------------------------------------------------------


def _cached_directory(client) -> str:
    client.get("/organizations/")
    page = client.get("/organizations/")
    assert state(page) == HIT
    return page.content.decode()


def _save(organization):
    organization.name = "新しい名前の会"
    organization.save()


def _update(organization):
    Organization.objects.filter(pk=organization.pk).update(name="新しい名前の会")


def _bulk_update(organization):
    organization.name = "新しい名前の会"
    Organization.objects.bulk_update([organization], ["name"])


def _bulk_create(organization):
    Organization.objects.bulk_create(
        [
            Organization(
                name="新しい名前の会",
                name_kana="アタラシイ",
                actor_type=organization.actor_type,
                description="活動",
                status=Organization.Status.VERIFIED,
            )
        ]
    )


def _raw_sql(organization):
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Organization._meta.db_table} SET name = %s WHERE id = %s",
            ["新しい名前の会", organization.pk],
        )


def _m2m(organization):
    field = ActivityField.objects.create(name="新しい名前の会")
    organization.fields.add(field)


def _related_row(organization):
    from organizations.models import ActorType

    ActorType.objects.filter(pk=organization.actor_type_id).update(name="新しい名前の会")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(
    "write", [_save, _update, _bulk_update, _bulk_create, _raw_sql, _m2m, _related_row]
)
def test_a_committed_write_is_seen_by_the_next_request(client, write):
    organization = factories.make_organization(name="輪西まちづくりの会")
    assert "新しい名前の会" not in _cached_directory(client)

    with transaction.atomic():
        write(organization)

    page = client.get("/organizations/")
    assert state(page) == MISS
    assert "新しい名前の会" in page.content.decode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_delete_is_seen_by_the_next_request(client):
    organization = factories.make_organization(name="消える会")
    assert "消える会" in _cached_directory(client)
    organization.delete()
    assert "消える会" not in client.get("/organizations/").content.decode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_uncommitted_write_leaves_the_page_until_it_commits(client):
    organization = factories.make_organization(name="輪西まちづくりの会")
    _cached_directory(client)
    with transaction.atomic():
        _update(organization)
        # Not committed: other requests still read the old row, the cached page is right.
        assert state(client.get("/organizations/")) == HIT
    assert state(client.get("/organizations/")) == MISS


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_rolled_back_write_keeps_the_page(client):
    organization = factories.make_organization(name="輪西まちづくりの会")
    _cached_directory(client)
    with pytest.raises(RuntimeError), transaction.atomic():
        _update(organization)
        raise RuntimeError
    assert state(client.get("/organizations/")) == HIT


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_rolled_back_savepoint_then_a_write_still_bumps(client):
    organization = factories.make_organization(name="輪西まちづくりの会")
    _cached_directory(client)
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            Organization.objects.filter(pk=0).update(name="x")  # registers the bump, dropped
            raise RuntimeError
        _update(organization)
    assert "新しい名前の会" in client.get("/organizations/").content.decode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_write_to_a_table_the_page_does_not_read_keeps_it(client, resident):
    from tests.publiccomment.factories import make_case

    _cached_directory(client)

    make_case()
    assert state(client.get("/organizations/")) == HIT


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_write_committed_while_a_page_renders_is_not_hidden_by_it(client, monkeypatch):
    """The page keeps the generations read before its render: a write that commits during the
    render leaves a page that is never served."""
    organization = factories.make_organization(name="輪西まちづくりの会")
    original = Organization.objects.for_directory

    def while_rendering(self):
        rows = original()
        list(rows)  # the page's rows read, the old name among them
        _update(organization)  # committed (autocommit) while the page renders
        return rows

    monkeypatch.setattr(type(Organization.objects), "for_directory", while_rendering)
    client.get("/organizations/")
    monkeypatch.undo()
    page = client.get("/organizations/")
    assert state(page) == MISS
    assert "新しい名前の会" in page.content.decode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_partner_totals_kept_in_their_own_cache_invalidate_the_page(client, resident):
    """実績 shows the partner programme's totals from partners.stats' cache: the page depends on
    the tables they were computed from though it reads none of their rows."""
    from partners.models import Registration

    with time_machine.travel(dt.datetime(2026, 6, 15, 10, 0, tzinfo=JST), tick=False):
        registration = factories.make_registration(user=resident, status="registered")
        client.get("/figures/?year=2026")
        pagecache.bump([pagecache.EVERYTHING])  # a new page; the totals stay in their cache
        client.get("/figures/?year=2026")
        assert state(client.get("/figures/?year=2026")) == HIT
        # A write that sends no signal: the totals' own cache is not dropped, the page is.
        Registration.objects.filter(pk=registration.pk).update(status="withdrawn")
        assert state(client.get("/figures/?year=2026")) == MISS


# --- Through the services, as the admin calls them -----------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_case_announced_then_abandoned_shows_on_the_cached_pages_at_once(client):
    """The workflow's compare-and-set `update()` and its history row: no signal needed."""
    from django.contrib.auth.models import Group

    from publiccomment import services
    from publiccomment.models import Case
    from tests.publiccomment import factories as pf

    staff = factories.make_user("kikaku@city.muroran.example.jp", staff=True)
    staff.groups.add(Group.objects.get(name="企画課"))  # runs public comment
    with time_machine.travel(pf.NOW, tick=False):
        case = pf.make_case(
            title="みどりの基本計画（案）",
            status=Case.Status.DRAFT,
            opens_at=pf.NOW + dt.timedelta(days=1),
            closes_at=pf.NOW + dt.timedelta(days=40),
        )
        pages = ["/publiccomment/"]
        for url in pages:
            client.get(url)
            cached = client.get(url)
            assert state(cached) == HIT
            assert "みどりの基本計画（案）" not in cached.content.decode()

        services.case_announce(case=case, by=staff)
        for url in pages:
            page = client.get(url)
            assert state(page) == MISS
            assert "みどりの基本計画（案）" in page.content.decode()

        detail = f"/publiccomment/{case.pk}/"
        client.get(detail)
        assert state(client.get(detail)) == HIT
        services.case_abandon(case=Case.objects.get(pk=case.pk), by=staff, reason="計画の見直し")
        page = client.get(detail)
        assert state(page) == MISS
        assert "計画の見直し" in page.content.decode()


def test_the_write_watch_is_on_every_connection_of_every_thread(db):
    import threading

    from django.db import connections

    seen = []

    def in_a_thread():
        connections["default"].ensure_connection()
        seen.append(pagecache._note_write in connections["default"].execute_wrappers)
        connections["default"].close()

    thread = threading.Thread(target=in_a_thread)
    thread.start()
    thread.join()
    assert seen == [True]
    assert pagecache._note_write in connection.execute_wrappers
