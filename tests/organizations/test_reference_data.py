"""The guideline's reference data, loaded by migration 0002: what the guideline page and the
project catalogue are built on."""

import pytest

from organizations.models import (
    ActorType,
    CollaborationForm,
    CollaborationLead,
    CollaborationProject,
    District,
    Pillar,
    Policy,
    Principle,
    SupportSphere,
)

pytestmark = pytest.mark.django_db


def test_six_actor_types_each_with_a_definition():
    actor_types = list(ActorType.objects.all())

    assert [a.code for a in actor_types] == [
        "individual",
        "neighbourhood",
        "npo",
        "university",
        "business",
        "government",
    ]
    assert [a.name for a in actor_types] == [
        "市民（市民個人）",
        "町内会・自治会",
        "市民活動団体（NPO）",
        "大学等",
        "企業・団体",
        "行政",
    ]
    assert all(a.definition.strip() for a in actor_types)
    assert all(a.name_en for a in actor_types)


def test_individual_residents_cannot_register_as_an_organisation():
    registrable = set(ActorType.objects.filter(is_organisation=True).values_list("code", flat=True))

    assert "individual" not in registrable
    assert registrable == {"neighbourhood", "npo", "university", "business", "government"}


def test_three_leads_in_the_guidelines_order():
    assert list(CollaborationLead.objects.values_list("name", flat=True)) == [
        "市民主導",
        "協力・連携",
        "行政主導",
    ]


def test_eight_forms_grouped_under_their_lead():
    by_lead = {
        lead.name: [form.name for form in lead.forms.order_by("sort_order")]
        for lead in CollaborationLead.objects.all()
    }

    assert by_lead == {
        "市民主導": ["補助", "後援"],
        "協力・連携": ["共催", "事業協力・協定", "情報提供・情報交換", "実行委員会・協議会"],
        "行政主導": ["委託", "企画立案・計画策定への参画"],
    }


def test_every_form_has_how_it_works_and_muroran_examples():
    forms = CollaborationForm.objects.all()

    assert forms.count() == 8
    for form in forms:
        assert form.description.strip(), form.code
        assert form.examples.strip(), form.code


@pytest.mark.parametrize(
    ("code", "example"),
    [
        ("subsidy", "まちづくり活動支援補助金"),
        ("co-hosting", "防災訓練"),
        ("agreement", "ビオトープ・イタンキ管理協定"),
        ("agreement", "災害時協定"),
        ("information", "まち「ピカ」パートナー"),
        ("committee", "港まつり"),
        ("committee", "みなとオアシス室蘭運営協議会"),
        ("commission", "社会福祉協議会"),
        ("participation", "パブリックコメント"),
    ],
)
def test_forms_carry_the_guidelines_examples(code, example):
    assert example in CollaborationForm.objects.get(code=code).examples


def test_seven_principles():
    assert list(Principle.objects.values_list("name", flat=True)) == [
        "目的共有の原則",
        "相互理解の原則",
        "自主・自立の原則",
        "対等の原則",
        "役割分担の原則",
        "情報公開、情報共有の原則",
        "評価の原則",
    ]
    assert all(p.description for p in Principle.objects.all())


def test_self_mutual_and_public_help():
    assert list(SupportSphere.objects.values_list("name", flat=True)) == ["自助", "共助", "公助"]


def test_three_pillars_with_their_mottos():
    pillars = list(Pillar.objects.all())

    assert [p.name for p in pillars] == ["理念の共有", "行動・取り組み", "評価・検証・改善"]
    assert [p.motto for p in pillars] == [
        "～みんなで考えよう～",
        "～みんなで行動しよう～",
        "～みんなでより良くしよう～",
    ]


def test_five_policies_each_with_concrete_initiatives():
    policies = list(Policy.objects.all())

    assert [p.name for p in policies] == [
        "情報の提供・共有",
        "活動環境の整備",
        "参加機会の提供",
        "協働意識の醸成と人材育成",
        "協働の検証、評価",
    ]
    assert all(len(p.initiative_list()) >= 2 for p in policies)
    assert "パブリックコメントの実施" in Policy.objects.get(name="参加機会の提供").initiative_list()


def test_districts_are_muroran_town_names_with_katakana_readings():
    assert District.objects.count() >= 50
    assert District.objects.get(name="輪西町").kana == "ワニシチョウ"
    assert District.objects.get(name="白鳥台").kana == "ハクチョウダイ"
    assert not District.objects.filter(kana="").exists()


@pytest.mark.parametrize(
    ("title", "form_code"),
    [
        ("港まつり実行委員会", "committee"),
        ("災害時協定", "agreement"),
        ("ビオトープ・イタンキ管理協定", "agreement"),
        ("パブリックコメント", "participation"),
    ],
)
def test_seed_projects_are_published_under_their_form(title, form_code):
    project = CollaborationProject.objects.select_related("form").get(title=title)

    assert project.form.code == form_code
    assert project.is_published
    assert project.lead_department


def test_every_form_has_at_least_one_seed_project():
    assert set(CollaborationProject.objects.values_list("form__code", flat=True)) == set(
        CollaborationForm.objects.values_list("code", flat=True)
    )


def test_reference_data_migration_can_run_twice_without_duplicates():
    from importlib import import_module

    from django.apps import apps

    migration = import_module("organizations.migrations.0002_reference_data")
    before = (
        ActorType.objects.count(),
        District.objects.count(),
        CollaborationProject.objects.count(),
        Principle.objects.count(),
        Policy.objects.count(),
    )

    migration.load(apps, None)

    after = (
        ActorType.objects.count(),
        District.objects.count(),
        CollaborationProject.objects.count(),
        Principle.objects.count(),
        Policy.objects.count(),
    )
    assert after == before
