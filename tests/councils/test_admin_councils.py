"""Councils in the admin, as a department's clerk uses them: the list holds only the clerk's
department's councils (another's id is not found); a council is created through the service
with the department chosen among the clerk's own; each button of the page runs its transition
and writes the history; a refusal (the reflection without its texts) is shown on the page and
nothing changes; the `reflection=due` filter the work queue links to counts the right rows."""

import datetime as dt

import pytest
from django.urls import reverse

from councils.models import Council, CouncilStatusChange, Session
from tests import factories
from tests.councils import factories as cf

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

C = Council.Status


def _url(view="changelist", *args, model="council"):
    return reverse(f"admin:councils_{model}_{view}", args=args)


def _messages(response):
    return [str(m) for m in response.context["messages"]]


def _step(client, council, name, **fields):
    data = {"transition": name, **{f"{name}-{key}": value for key, value in fields.items()}}
    return client.post(
        reverse("admin:councils_council_transition", args=[council.pk]), data, follow=True
    )


def _management(response):
    """The inlines' management forms and rows as the page has them."""
    data = {}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data[f"{formset.prefix}-TOTAL_FORMS"] = len(formset.initial_forms)
        data[f"{formset.prefix}-INITIAL_FORMS"] = len(formset.initial_forms)
        for form in formset.initial_forms:
            for name in form.fields:
                value = form[name].value()
                if value not in (None, False):
                    data[form.add_prefix(name)] = value
    return data


def _change_data(page, **changes):
    form = page.context["adminform"].form
    data = _management(page)
    for name in form.fields:
        value = form[name].value()
        if value not in (None, False):
            data[name] = value
    data.update(changes)
    return data


def test_the_list_holds_only_the_clerks_department(staff_client):
    own = cf.make_council()
    other = cf.make_council(department_name="土木課", title="道の駅みたら室蘭魅力アップトーク")
    response = staff_client.get(_url())
    assert response.status_code == 200
    assert [c.pk for c in response.context["cl"].result_list] == [own.pk]
    assert staff_client.get(_url("change", own.pk)).status_code == 200
    # Another department's council: the admin's not-found, never the page.
    outside = staff_client.get(_url("change", other.pk))
    assert outside.status_code in (302, 404)
    if outside.status_code == 302:
        assert outside.url == reverse("admin:index")
    assert _step(staff_client, other, "open").status_code in (200, 404)
    other.refresh_from_db()
    assert other.status == C.ACTIVE  # untouched
    assert (
        staff_client.post(reverse("admin:councils_council_transition", args=[other.pk]), {})
    ).status_code == 404


def test_staff_without_the_second_factor_are_kept_out(client, staff):
    client.force_login(staff)  # password only
    assert client.get(_url()).status_code == 302


def test_a_council_is_created_through_the_service_in_the_clerks_department(staff_client, staff):
    page = staff_client.get(_url("add"))
    assert page.status_code == 200
    offered = list(page.context["adminform"].form.fields["department"].queryset)
    assert offered == [cf.department("都市政策課")]
    data = {
        "title": "複合公共施設・子育て応援ワークショップ",
        "department": cf.department("都市政策課").pk,
        "stage": Council.Stage.IDEA,
        "fiscal_year": "2026",
        "description": "複合公共施設の機能を話し合います。",
    }
    response = staff_client.post(_url("add"), data, follow=True)
    assert response.status_code == 200
    council = Council.objects.get(title="複合公共施設・子育て応援ワークショップ")
    assert council.status == C.DRAFT
    assert CouncilStatusChange.objects.filter(council=council, by=staff).exists()
    # Another department cannot be chosen: the form refuses it, nothing is created.
    data["title"] = "別の協議会"
    data["department"] = cf.department("土木課").pk
    refused = staff_client.post(_url("add"), data)
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["department"]
    assert not Council.objects.filter(title="別の協議会").exists()


def test_each_button_runs_its_transition_and_writes_the_history(staff_client, staff):
    council = cf.make_council(status=C.DRAFT)
    page = staff_client.get(_url("change", council.pk)).content.decode()
    assert 'name="transition" value="open"' in page
    assert 'name="transition" value="reflect"' not in page

    assert _step(staff_client, council, "open").status_code == 200
    council.refresh_from_db()
    assert council.status == C.ACTIVE
    assert CouncilStatusChange.objects.filter(
        council=council, old_status=C.DRAFT, new_status=C.ACTIVE, by=staff
    ).exists()

    # The texts saved first, then the button.
    page = staff_client.get(_url("change", council.pk))
    response = staff_client.post(
        _url("change", council.pk),
        _change_data(
            page,
            summary="日陰と遊具を求める声が多く出ました。",
            reflection="日陰棚を基本計画に加えました。",
            reflected_on="2026-06-14",
        ),
        follow=True,
    )
    assert response.status_code == 200
    council.refresh_from_db()
    assert council.reflection == "日陰棚を基本計画に加えました。"
    assert council.status == C.ACTIVE  # saving the texts changes no state

    _step(staff_client, council, "reflect")
    council.refresh_from_db()
    assert council.status == C.REFLECTED

    # Reopening needs a reason: refused on the page without one.
    refused = _step(staff_client, council, "reopen", reason="")
    assert refused.context["transition_forms"]["reopen"].errors["reason"]
    council.refresh_from_db()
    assert council.status == C.REFLECTED
    _step(staff_client, council, "reopen", reason="計画の見直しがありました。")
    council.refresh_from_db()
    assert council.status == C.ACTIVE
    last = CouncilStatusChange.objects.filter(council=council).order_by("at", "pk").last()
    assert (last.new_status, last.reason) == (C.ACTIVE, "計画の見直しがありました。")
    # The history is on the page.
    assert (
        "計画の見直しがありました。"
        in staff_client.get(_url("change", council.pk)).content.decode()
    )


def test_the_reflection_without_its_texts_is_refused_on_the_page(staff_client):
    council = cf.make_council()
    history = CouncilStatusChange.objects.count()
    response = _step(staff_client, council, "reflect")
    assert response.status_code == 200
    form = response.context["transition_forms"]["reflect"]
    assert form.errors  # the missing texts, shown with the button
    assert _messages(response)
    council.refresh_from_db()
    assert council.status == C.ACTIVE
    assert CouncilStatusChange.objects.count() == history


def test_a_step_not_open_in_the_state_is_refused(staff_client):
    council = cf.make_council()
    response = _step(staff_client, council, "open")
    assert response.status_code == 200
    assert _messages(response)
    council.refresh_from_db()
    assert council.status == C.ACTIVE
    # GET on the transition URL writes nothing and goes back to the page.
    back = staff_client.get(reverse("admin:councils_council_transition", args=[council.pk]))
    assert back.status_code == 302 and back.url == _url("change", council.pk)


def test_the_reflection_due_filter_counts_the_right_councils(staff_client):
    due = cf.make_council(title="全部公開済み")
    cf.make_workshop(due, status=Session.Status.PUBLISHED)
    cf.make_workshop(
        due,
        status=Session.Status.CANCELLED,
        starts_at=cf.STARTS + dt.timedelta(days=7),
    )
    not_yet = cf.make_council(title="一つ未公開")
    cf.make_workshop(not_yet, status=Session.Status.PUBLISHED)
    cf.make_workshop(not_yet, starts_at=cf.STARTS + dt.timedelta(days=7))
    cf.make_council(title="ワークショップなし")
    reflected = cf.make_council(title="反映済み", status=C.REFLECTED)
    cf.make_workshop(reflected, status=Session.Status.PUBLISHED)
    only_cancelled = cf.make_council(title="中止のみ")
    cf.make_workshop(only_cancelled, status=Session.Status.CANCELLED)
    elsewhere = cf.make_council(title="他課", department_name="土木課")
    cf.make_workshop(elsewhere, status=Session.Status.PUBLISHED)

    response = staff_client.get(_url(), {"reflection": "due"})
    assert response.status_code == 200
    assert [c.pk for c in response.context["cl"].result_list] == [due.pk]


def test_a_material_is_checked_by_its_content(staff_client):
    council = cf.make_council()
    page = staff_client.get(_url("change", council.pk))
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("plan.pdf", b"not a pdf at all", content_type="application/pdf")
    data = _change_data(
        page,
        **{
            "materials-TOTAL_FORMS": 1,
            "materials-0-title": "基本計画（素案）",
            "materials-0-file": fake,
            "materials-0-position": 1,
        },
    )
    response = staff_client.post(_url("change", council.pk), data)
    assert response.status_code == 200
    assert not council.materials.exists()
    pdf = SimpleUploadedFile(
        "plan.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n", content_type="application/pdf"
    )
    data["materials-0-file"] = pdf
    response = staff_client.post(_url("change", council.pk), data, follow=True)
    assert response.status_code == 200
    material = council.materials.get()
    assert (material.content_type, material.original_name) == ("application/pdf", "plan.pdf")


def test_other_staff_without_the_councils_permission_are_refused(client, db):
    clerk = factories.make_user("other@city.muroran.example.jp", staff=True)
    other = factories.with_second_factor(client, clerk)
    assert other.get(_url()).status_code == 403
