"""The page cache (muroran_kyodo/lib/pagecache.py) against the site's own write paths: for each
service that changes what an anonymous visitor sees, the public page is cached (a hit showing
the old content), the service is called as the admin or the site calls it, and the next
anonymous read renders afresh with the change (issue 14: "a committed write that changes what a
page shows makes the next request render afresh, for every write path").

Each test reads through its own anonymous `Client()`: the `client` fixture is the staff member's
or the resident's when a test drives the admin or the site's forms with it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tests import factories

HIT = "hit"
MISS = "miss"

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def page_cache(settings, clock_inside_one_minute):
    settings.PAGE_CACHE_SECONDS = 60
    settings.PAGE_CACHE_HEADER = True


def cached(*urls: str) -> list[str]:
    """Each page read twice by an anonymous visitor: the second read a hit. Their texts."""
    texts = []
    for url in urls:
        visitor = Client()
        first = visitor.get(url)
        assert first.status_code == 200, url
        page = visitor.get(url)
        assert (page.status_code, page.headers.get("X-Page-Cache")) == (200, HIT), url
        texts.append(page.content.decode())
    return texts


def fresh(*urls: str, status: int = 200) -> list[str]:
    """Each page as the next anonymous visitor gets it: rendered afresh (a miss). Their texts."""
    texts = []
    for url in urls:
        page = Client().get(url)
        assert page.status_code == status, url
        if status == 200:
            assert page.headers.get("X-Page-Cache") == MISS, url
        texts.append(page.content.decode())
    return texts


def change_form_data(client, url: str, **changes) -> dict:
    """The admin change form at `url` as the browser would post it back unchanged, plus
    `changes` (fields by name; inline formsets posted with their rows as they are)."""
    response = client.get(url)
    assert response.status_code == 200, url
    data: dict = {}

    def add(form, prefix=None):
        for name in form.fields:
            key = form.add_prefix(name) if prefix is None else f"{prefix}-{name}"
            value = form[name].value()
            widget = form.fields[name].widget
            if hasattr(widget, "widgets") and isinstance(value, (list, tuple)):
                for i, part in enumerate(value):  # split date/time
                    if part not in (None, ""):
                        data[f"{key}_{i}"] = part
                continue
            if hasattr(widget, "widgets"):
                for i, part in enumerate(widget.decompress(value)):
                    if part not in (None, ""):
                        data[f"{key}_{i}"] = part
                continue
            if value is None or value is False:
                continue
            data[key] = "on" if value is True else value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        data[management.add_prefix("TOTAL_FORMS")] = len(formset.initial_forms)  # no extra rows
        for form in formset.initial_forms:
            add(form)
    data.update(changes)
    return data


def admin_action(client, changelist: str, action: str, objects, **fields):
    response = client.post(
        changelist,
        {
            "action": action,
            "_selected_action": [o.pk for o in objects],
            "select_across": "0",
            "index": "0",
            **fields,
        },
        follow=True,
    )
    assert response.status_code == 200
    return response


def with_permissions(user, *app_labels: str):
    from django.contrib.auth.models import Permission

    user.user_permissions.add(*Permission.objects.filter(content_type__app_label__in=app_labels))
    return user


# --- organizations -------------------------------------------------------------------------------


def test_an_organisation_verified_in_the_admin_appears_in_the_directory(staff_client, staff):
    from organizations.models import Organization

    with_permissions(staff, "organizations")
    organization = factories.make_organization(
        name="白鳥台ふれあいの会", status=Organization.Status.PENDING
    )
    [directory] = cached("/organizations/")
    assert "白鳥台ふれあいの会" not in directory
    fresh(f"/organizations/{organization.pk}/", status=404)

    admin_action(
        staff_client, "/admin/organizations/organization/", "verify", [organization], reason=""
    )

    assert Organization.objects.get(pk=organization.pk).status == Organization.Status.VERIFIED
    for page in fresh("/organizations/", f"/organizations/{organization.pk}/"):
        assert "白鳥台ふれあいの会" in page


def test_an_organisation_returned_in_the_admin_leaves_the_directory(staff_client, staff):
    with_permissions(staff, "organizations")
    organization = factories.make_organization(name="白鳥台ふれあいの会")
    for page in cached("/organizations/", f"/organizations/{organization.pk}/"):
        assert "白鳥台ふれあいの会" in page

    admin_action(
        staff_client,
        "/admin/organizations/organization/",
        "return_for_changes",
        [organization],
        reason="会則の添付がありません",
    )

    [directory] = fresh("/organizations/")
    assert "白鳥台ふれあいの会" not in directory
    fresh(f"/organizations/{organization.pk}/", status=404)


def test_an_edit_of_public_fields_by_the_representative_shows_at_once(client, representative):
    organization = factories.make_organization(
        name="輪西まちづくりの会", representative=representative
    )
    url = f"/organizations/{organization.pk}/"
    [before] = cached(url)
    assert "港の清掃を毎月しています" not in before

    client.force_login(representative)
    response = client.post(
        f"{url}edit/",
        factories.organization_edit_data(
            organization, description="港の清掃を毎月しています。", public_phone="0143-22-1111"
        ),
    )
    assert response.status_code == 302

    [after] = fresh(url)
    assert "港の清掃を毎月しています" in after
    assert "0143-22-1111" in after


def test_an_edit_in_the_admin_change_form_shows_at_once(staff_client, staff):
    with_permissions(staff, "organizations")
    organization = factories.make_organization(name="輪西まちづくりの会")
    [before] = cached(f"/organizations/{organization.pk}/")
    assert "港の清掃を毎月しています" not in before

    change = f"/admin/organizations/organization/{organization.pk}/change/"
    response = staff_client.post(
        change, change_form_data(staff_client, change, description="港の清掃を毎月しています。")
    )
    assert response.status_code == 302

    [after] = fresh(f"/organizations/{organization.pk}/")
    assert "港の清掃を毎月しています" in after


def test_a_project_published_in_the_admin_appears_in_the_catalogue(staff_client, staff):
    with_permissions(staff, "organizations")
    organization = factories.make_organization(name="輪西まちづくりの会")
    project = factories.make_project(
        title="港の花いっぱい事業", organizations=[organization], is_published=False
    )
    for page in cached("/projects/", f"/organizations/{organization.pk}/"):
        assert "港の花いっぱい事業" not in page

    change = f"/admin/organizations/collaborationproject/{project.pk}/change/"
    response = staff_client.post(change, change_form_data(staff_client, change, is_published="on"))
    assert response.status_code == 302

    for page in fresh(
        "/projects/", f"/projects/{project.pk}/", f"/organizations/{organization.pk}/"
    ):
        assert "港の花いっぱい事業" in page


# --- partners ------------------------------------------------------------------------------------


def _registered(n: int) -> str:
    from django.utils.translation import ngettext

    return ngettext("%(people)s person registered", "%(people)s people registered", n) % {
        "people": n
    }


def _listed_group(status: str):
    return factories.make_registration(
        user=factories.make_user(),
        kind="group",
        group_name="輪西ピカピカ隊",
        member_count=17,
        list_publicly=True,
        status=status,
    )


def test_a_registration_approved_in_the_admin_shows_on_the_programme_pages(staff_client):
    registration = _listed_group("applied")
    programme, listing = cached("/partners/pika/", "/partners/")
    assert "輪西ピカピカ隊" not in programme
    assert _registered(0) in programme and _registered(0) in listing

    admin_action(
        staff_client, "/admin/partners/registration/", "approve", [registration], reason=""
    )

    programme, listing = fresh("/partners/pika/", "/partners/")
    assert "輪西ピカピカ隊" in programme
    assert _registered(17) in programme and _registered(17) in listing


@pytest.mark.parametrize("action", ["withdraw", "suspend"])
def test_a_registration_withdrawn_or_suspended_in_the_admin_leaves_them(staff_client, action):
    registration = _listed_group("registered")
    programme, listing = cached("/partners/pika/", "/partners/")
    assert "輪西ピカピカ隊" in programme
    assert _registered(17) in programme and _registered(17) in listing

    admin_action(
        staff_client, "/admin/partners/registration/", action, [registration], reason="転居"
    )

    programme, listing = fresh("/partners/pika/", "/partners/")
    assert "輪西ピカピカ隊" not in programme
    assert _registered(0) in programme and _registered(0) in listing


def test_an_activity_report_filed_by_the_partner_changes_the_years_totals(resident):
    from django.utils import timezone
    from django.utils.translation import gettext

    from partners import services
    from partners.models import ActivityReport

    registration = factories.make_registration(user=resident, status="registered")
    label = gettext("Bags of burnable rubbish collected")
    [before] = cached("/partners/pika/")
    assert f"<dt>{label}</dt><dd>0</dd>" in before

    services.report_create(
        report=ActivityReport(
            registration=registration,
            activity_date=timezone.localdate(),
            participants=4,
            burnable_bags=23,
            non_burnable_bags=1,
            place_other="輪西町の公園",
        ),
        by=resident,
    )

    [after] = fresh("/partners/pika/")
    assert f"<dt>{label}</dt><dd>23</dd>" in after


def _opportunity(**extra):
    from tests.partners.test_opportunities import make_opportunity

    return make_opportunity(title="みなと祭り 会場案内", **extra)


@pytest.mark.parametrize("published", [False, True])
def test_an_opportunity_published_or_withdrawn_in_the_admin(staff_client, published):
    opportunity = _opportunity(published=published)
    urls = ("/partners/opportunities/", "/partners/magokoro/")
    for page in cached(*urls):
        assert ("みなと祭り 会場案内" in page) is published

    change = f"/admin/partners/opportunity/{opportunity.pk}/change/"
    data = change_form_data(staff_client, change)
    if published:
        del data["is_published"]
    else:
        data["is_published"] = "on"
    response = staff_client.post(change, data)
    assert response.status_code == 302, response.context["errors"]

    for page in fresh(*urls):
        assert ("みなと祭り 会場案内" in page) is not published


def test_a_sign_up_on_the_site_changes_the_free_places(client, resident):
    from django.utils.translation import gettext

    from partners.models import Signup

    factories.make_registration(user=resident, programme="magokoro", status="registered")
    opportunity = _opportunity(slots=3)
    shift = opportunity.shifts.get()
    url = f"/partners/opportunities/{opportunity.pk}/"
    free = '<td class="number" data-label="{}">{}</td>'
    [before] = cached(url)
    assert free.format(gettext("Free"), 3) in before

    client.force_login(resident)
    response = client.post(f"/partners/opportunities/shifts/{shift.pk}/signup/")
    assert response.status_code == 302
    assert Signup.objects.filter(shift=shift).count() == 1

    [after] = fresh(url)
    assert free.format(gettext("Free"), 2) in after


# --- subsidies -----------------------------------------------------------------------------------


@pytest.fixture
def subsidy_application(organization, member):
    """An application of FY2026 under review, for ¥100,000 (the adopted pages name the year:
    nothing here depends on today's date)."""
    from subsidies.models import Application
    from tests.subsidies import factories as sf

    return sf.make_application(
        programme=sf.make_programme(fiscal_year=2026),
        organization=organization,
        applicant=member,
        status=Application.Status.UNDER_REVIEW,
        title="港のまち花いっぱい運動",
    )


def test_an_application_adopted_in_the_admin_appears_on_the_adopted_projects(
    staff_client, subsidy_application
):
    from subsidies.models import Application

    [before] = cached("/subsidies/adopted/2026/")
    assert "港のまち花いっぱい運動" not in before
    fresh(f"/subsidies/projects/{subsidy_application.pk}/", status=404)

    admin_action(
        staff_client,
        "/admin/subsidies/application/",
        "adopt",
        [subsidy_application],
        reason="報告会で発表",
        amount="80000",
    )

    assert Application.objects.get(pk=subsidy_application.pk).status == Application.Status.ADOPTED
    for page in fresh("/subsidies/adopted/2026/", f"/subsidies/projects/{subsidy_application.pk}/"):
        assert "港のまち花いっぱい運動" in page
        assert "80,000" in page


def test_the_amount_confirmed_in_the_admin_changes_the_adopted_projects_figures(
    staff_client, subsidy_application
):
    from subsidies.models import Application, BudgetStage, ExpenseLine
    from tests.subsidies import factories as sf

    Application.objects.filter(pk=subsidy_application.pk).update(
        status=Application.Status.REPORTED,
        decided_amount=100_000,
        report_summary="花壇を十か所に作りました",
    )
    sf.add_budget(
        subsidy_application,
        stage=BudgetStage.ACTUAL,
        expenses=[(ExpenseLine.Item.CONSUMABLES, 150_999, True)],
        subsidy=0,
        own=150_999,
    )
    urls = ("/subsidies/adopted/2026/", f"/subsidies/projects/{subsidy_application.pk}/")
    for page in cached(*urls):
        assert "港のまち花いっぱい運動" in page
        assert "75,000" not in page
        assert "花壇を十か所に作りました" not in page  # a report is public once confirmed

    admin_action(
        staff_client, "/admin/subsidies/application/", "confirm_amount", [subsidy_application]
    )

    application = Application.objects.get(pk=subsidy_application.pk)
    assert (application.status, application.confirmed_amount) == (
        Application.Status.CONFIRMED,
        75_000,
    )
    for page in fresh(*urls):
        assert "75,000" in page
        assert "花壇を十か所に作りました" in page


# --- publiccomment -------------------------------------------------------------------------------


@pytest.fixture
def comment_staff_client(client):
    """A clerk of 企画課 (which runs public comment) signed in with a second factor."""
    from django.contrib.auth.models import Group

    user = factories.make_user("kikaku@city.muroran.example.jp", staff=True)
    user.groups.add(Group.objects.get(name="企画課"))
    return factories.with_second_factor(client, user)


def test_a_result_published_in_the_admin_shows_on_the_case_pages(comment_staff_client):
    import time_machine

    from publiccomment.models import Case
    from tests.publiccomment import factories as pf
    from tests.publiccomment import results

    with time_machine.travel(pf.NOW, tick=False) as clock:
        case = pf.make_case(title="みどりの基本計画（案）")
        pf.submit(case, "公園を増やしてほしい。")
        results.group_all(case)
        pf.review_all(case)
        Case.objects.filter(pk=case.pk).update(final_plan="室蘭市みどりの基本計画を策定しました。")
        clock.move_to(results.RESULT_AT)  # the window closed
        detail, result = f"/publiccomment/{case.pk}/", f"/publiccomment/{case.pk}/result/"
        for page in cached("/publiccomment/", detail):
            assert result not in page
        fresh(result, status=404)

        admin_action(
            comment_staff_client, "/admin/publiccomment/case/", "publish_result", [case], reason=""
        )

        assert Case.objects.get(pk=case.pk).status == Case.Status.RESULT_PUBLISHED
        for page in fresh("/publiccomment/", detail):
            assert result in page
        [published] = fresh(result)
        assert "市の考え方その1です。" in published
        assert "室蘭市みどりの基本計画を策定しました。" in published


def test_an_opinion_redacted_in_the_admin_after_the_result_shows_redacted(comment_staff_client):
    import time_machine

    from publiccomment.models import Opinion
    from tests.publiccomment import factories as pf
    from tests.publiccomment import results

    with time_machine.travel(pf.NOW, tick=False) as clock:
        case = results.result_case(opinions=1)
        clock.move_to(results.RESULT_AT)
        opinion = Opinion.objects.get(case=case)
        url = f"/publiccomment/{case.pk}/opinions/"
        [before] = cached(url)
        assert "意見その1です。" in before

        change = f"/admin/publiccomment/opinion/{opinion.pk}/change/"
        response = comment_staff_client.post(
            change,
            change_form_data(
                comment_staff_client,
                change,
                public_text="（個人を特定できる部分を除きました）",
                redaction_reason="個人の住所を含むため",
            ),
        )
        assert response.status_code == 302, response.context["adminform"].form.errors

        [after] = fresh(url)
        assert "（個人を特定できる部分を除きました）" in after
        assert "意見その1です。" not in after


# --- entalk --------------------------------------------------------------------------------------


@pytest.fixture
def held_session():
    """An enとーく session confirmed at entalk's NOW and held: the clock three hours after it,
    the record written (one topic), not yet published. Yields (session, 秘書広報課's clerk)."""
    import time_machine

    from tests.entalk import factories as ef

    with time_machine.travel(ef.NOW, tick=False) as clock:
        clerk = ef.entalk_staff("hisho@city.muroran.example.jp")
        session = ef.confirm(ef.make_request(), staff=clerk)
        clock.move_to(ef.SLOT_1 + dt.timedelta(hours=3))
        yield ef.held(session, topics=1), clerk


def test_a_record_published_in_the_admin_shows_on_the_entalk_pages(held_session):
    from entalk.models import Request

    session, clerk = held_session
    detail = f"/entalk/sessions/{session.pk}/"
    index, listing, before = cached("/entalk/", "/entalk/sessions/", detail)
    for page in (index, listing, before):
        assert "公園の遊具について1" not in page
    assert detail not in listing

    staff_client = factories.with_second_factor(Client(), clerk)  # signed in now: a short session
    response = staff_client.post(
        f"/admin/entalk/request/{session.pk}/transition/", {"transition": "publish"}, follow=True
    )
    assert response.status_code == 200

    assert Request.objects.get(pk=session.pk).status == Request.Status.PUBLISHED
    index, listing, after = fresh("/entalk/", "/entalk/sessions/", detail)
    assert detail in index and detail in listing
    assert "公園の遊具について1" in after


def test_a_follow_up_answered_in_the_admin_shows_on_the_session_page(held_session):
    from entalk import services
    from entalk.models import FollowUp
    from tests.entalk import factories as ef

    session, clerk = held_session
    session = services.record_publish(request=session, by=clerk)
    follow_up = services.follow_up_open(
        request=session, department=ef.department("土木課"), matter="遊具の更新", by=clerk
    )
    detail = f"/entalk/sessions/{session.pk}/"
    [before] = cached(detail)
    assert "遊具の更新" in before
    assert "遊具を新しいものに更新しました。" not in before

    doboku = factories.with_second_factor(Client(), ef.department_staff("土木課"))
    change = f"/admin/entalk/followup/{follow_up.pk}/change/"
    response = doboku.post(
        change,
        change_form_data(
            doboku, change, status=FollowUp.Status.DONE, answer="遊具を新しいものに更新しました。"
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors

    assert FollowUp.objects.get(pk=follow_up.pk).status == FollowUp.Status.DONE
    [after] = fresh(detail)
    assert "遊具を新しいものに更新しました。" in after


# --- councils ------------------------------------------------------------------------------------


@pytest.fixture
def council_clock():
    """The clock at the councils' NOW (2026-06-15 10:00 JST), three weeks before the workshop."""
    import time_machine

    from tests.councils import factories as cf

    with time_machine.travel(cf.NOW, tick=False) as clock:
        yield clock


@pytest.fixture
def council_staff_client(council_clock):
    """都市政策課's clerk, who runs the council, signed in with a second factor at that time."""
    from tests.councils import factories as cf

    return factories.with_second_factor(Client(), cf.council_staff("都市政策課"))


def council_step(client, model: str, obj, name: str, **fields):
    data = {"transition": name, **{f"{name}-{key}": value for key, value in fields.items()}}
    response = client.post(f"/admin/councils/{model}/{obj.pk}/transition/", data, follow=True)
    assert response.status_code == 200
    return response


def test_a_workshop_announced_in_the_admin_appears_on_the_council_pages(council_staff_client):
    from councils.models import Session
    from tests.councils import factories as cf

    council = cf.make_council()
    workshop = cf.make_workshop(council, status=Session.Status.DRAFT, title="公園の使い方を話そう")
    pages = ("/councils/", "/councils/workshops/", f"/councils/{council.pk}/")
    for page in cached(*pages):
        assert "公園の使い方を話そう" not in page
    fresh(f"/councils/sessions/{workshop.pk}/", status=404)

    council_step(council_staff_client, "session", workshop, "announce")

    assert Session.objects.get(pk=workshop.pk).status == Session.Status.SCHEDULED
    for page in fresh(*pages, f"/councils/sessions/{workshop.pk}/"):
        assert "公園の使い方を話そう" in page


def test_a_workshop_cancelled_in_the_admin_shows_cancelled(council_staff_client):
    from django.utils.translation import gettext

    from councils.models import Session
    from tests.councils import factories as cf

    workshop = cf.make_workshop(title="公園の使い方を話そう")
    detail = f"/councils/sessions/{workshop.pk}/"
    [before] = cached(detail)
    assert gettext("This session has been cancelled.") not in before

    council_step(council_staff_client, "session", workshop, "cancel", reason="台風の接近のため")

    assert Session.objects.get(pk=workshop.pk).status == Session.Status.CANCELLED
    [after] = fresh(detail)
    assert gettext("This session has been cancelled.") in after


def test_a_sign_up_on_the_site_changes_the_places_left(council_clock, client, resident):
    from django.utils.translation import ngettext

    from councils.models import Signup
    from tests.councils import factories as cf
    from tests.forms import form_data

    workshop = cf.make_workshop(capacity=20)
    detail = f"/councils/sessions/{workshop.pk}/"

    def places_left(n):
        return ngettext("%(places)s place left", "%(places)s places left", n) % {"places": n}

    [before] = cached(detail)
    assert places_left(20) in before

    client.force_login(resident)
    signup = f"/councils/sessions/{workshop.pk}/signup/"
    data = {
        name: values[0] if len(values) == 1 else values
        for name, values in form_data(client.get(signup).content).items()
    }
    response = client.post(signup, data)
    assert response.status_code == 302
    assert Signup.objects.filter(session=workshop, status=Signup.Status.REGISTERED).count() == 1

    [after] = fresh(detail)
    assert places_left(19) in after


def test_a_council_opened_in_the_admin_appears_in_the_list(council_staff_client):
    from councils.models import Council
    from tests.councils import factories as cf

    council = cf.make_council(status=Council.Status.DRAFT, title="高砂公園リニューアル")
    [listing] = cached("/councils/list/")
    assert "高砂公園リニューアル" not in listing
    fresh(f"/councils/{council.pk}/", status=404)

    council_step(council_staff_client, "council", council, "open")

    assert Council.objects.get(pk=council.pk).status == Council.Status.ACTIVE
    for page in fresh("/councils/list/", f"/councils/{council.pk}/"):
        assert "高砂公園リニューアル" in page


def test_a_councils_reflection_saved_and_published_in_the_admin_shows_on_its_page(
    council_staff_client,
):
    from councils.models import Council
    from tests.councils import factories as cf

    council = cf.make_council()
    url = f"/councils/{council.pk}/"
    [before] = cached(url)
    assert "日陰棚を基本計画に加えました。" not in before

    change = f"/admin/councils/council/{council.pk}/change/"
    response = council_staff_client.post(
        change,
        change_form_data(
            council_staff_client,
            change,
            summary="日陰と遊具を求める声が多く出ました。",
            reflection="日陰棚を基本計画に加えました。",
            reflected_on="2026-06-14",
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    [saved] = fresh(url)
    assert "日陰棚を基本計画に加えました。" not in saved  # saved, not yet published
    cached(url)

    council_step(council_staff_client, "council", council, "reflect")

    assert Council.objects.get(pk=council.pk).status == Council.Status.REFLECTED
    [after] = fresh(url)
    assert "日陰棚を基本計画に加えました。" in after


# --- more of each app: what staff change on the change forms and buttons -----------------------


@pytest.mark.parametrize("published", [False, True])
def test_a_subsidy_programme_published_or_withdrawn_in_the_admin(staff_client, published):
    from muroran_kyodo.lib.jp import current_fiscal_year
    from subsidies.models import Programme
    from tests.subsidies import factories as sf

    # /subsidies/ lists this 年度's programmes and the next's: one of this 年度, whenever it runs.
    programme = sf.make_programme(
        fiscal_year=current_fiscal_year(), title="まちづくり活動支援補助金 令和8年度"
    )
    Programme.objects.filter(pk=programme.pk).update(is_published=published)
    [before] = cached("/subsidies/")
    assert ("まちづくり活動支援補助金 令和8年度" in before) is published

    change = f"/admin/subsidies/programme/{programme.pk}/change/"
    data = change_form_data(staff_client, change)
    if published:
        del data["is_published"]
    else:
        data["is_published"] = "on"
    response = staff_client.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    assert Programme.objects.get(pk=programme.pk).is_published is not published
    [after] = fresh("/subsidies/")
    assert ("まちづくり活動支援補助金 令和8年度" in after) is not published


def test_an_entalk_request_accepted_then_cancelled_in_the_admin(held_session):
    """Accepting a requested date puts the session on the public pages; cancelling it takes it
    off (a request, not the held session of the fixture: only its clerk is used)."""
    from entalk.models import Request
    from tests.entalk import factories as ef

    _, clerk = held_session
    request = ef.make_request(
        slots=[ef.SLOT_3 + dt.timedelta(days=30 * n) for n in (1, 2, 3)],
        group_name="母恋町老人クラブ",
        theme="母恋の坂道の除雪について市長と話したい",
    )
    detail = f"/entalk/sessions/{request.pk}/"
    [before] = cached("/entalk/")
    assert detail not in before
    fresh(detail, status=404)
    staff_client = factories.with_second_factor(Client(), clerk)

    response = staff_client.post(
        f"/admin/entalk/request/{request.pk}/transition/", {"transition": "accept_1"}, follow=True
    )
    assert response.status_code == 200
    assert Request.objects.get(pk=request.pk).status == Request.Status.CONFIRMED
    index, page = fresh("/entalk/", detail)
    assert detail in index
    assert "母恋町老人クラブ" in page
    cached("/entalk/", detail)

    response = staff_client.post(
        f"/admin/entalk/request/{request.pk}/transition/",
        {"transition": "cancel", "cancel-reason": "団体の都合"},
        follow=True,
    )
    assert response.status_code == 200
    assert Request.objects.get(pk=request.pk).status == Request.Status.CANCELLED
    [index] = fresh("/entalk/")
    assert detail not in index
    fresh(detail, status=404)


def test_a_workshops_outputs_published_then_withdrawn_in_the_admin(council_clock):
    from councils.models import Opinion, Session
    from tests.councils import factories as cf

    workshop = cf.make_workshop()
    Opinion.objects.create(session=workshop, table=1, theme="遊具", summary="木陰がほしい")
    council_clock.move_to(cf.ENDS + dt.timedelta(hours=1))
    clerk = factories.with_second_factor(Client(), cf.council_staff("都市政策課"))
    detail = f"/councils/sessions/{workshop.pk}/"

    change = f"/admin/councils/session/{workshop.pk}/change/"
    response = clerk.post(
        change, change_form_data(clerk, change, report="4テーブルで意見を出し合いました。")
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    [before] = cached(detail)
    assert "4テーブルで意見を出し合いました。" not in before  # written, not published

    council_step(clerk, "session", workshop, "publish")

    assert Session.objects.get(pk=workshop.pk).status == Session.Status.PUBLISHED
    [published] = fresh(detail)
    assert "4テーブルで意見を出し合いました。" in published
    cached(detail)

    council_step(clerk, "session", workshop, "withdraw", reason="写真の差し替え")

    assert Session.objects.get(pk=workshop.pk).status != Session.Status.PUBLISHED
    [withdrawn] = fresh(detail)
    assert "4テーブルで意見を出し合いました。" not in withdrawn


def test_a_workshops_capacity_changed_in_the_admin_changes_the_places_left(council_staff_client):
    from django.utils.translation import ngettext

    from councils.models import Session
    from tests.councils import factories as cf

    workshop = cf.make_workshop(capacity=20)
    detail = f"/councils/sessions/{workshop.pk}/"

    def places_left(n):
        return ngettext("%(places)s place left", "%(places)s places left", n) % {"places": n}

    [before] = cached(detail)
    assert places_left(20) in before

    change = f"/admin/councils/session/{workshop.pk}/change/"
    response = council_staff_client.post(
        change, change_form_data(council_staff_client, change, capacity=30)
    )
    assert response.status_code == 302, response.context["adminform"].form.errors

    assert Session.objects.get(pk=workshop.pk).capacity == 30
    [after] = fresh(detail)
    assert places_left(30) in after
