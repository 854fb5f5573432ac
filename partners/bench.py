"""The partner programme's pages in `make bench` (declared in muroran_kyodo/registry.py).

"mypage (partner)" is マイページ of the bench resident with two registrations, 30 activity
reports, pickup/supply/loan requests and a confirmed shift on an unpublished opportunity (so
that public pages and figures do not change); "admin reports changelist" is the admin's list of
every activity report for the bench staff member. `pages` creates that data idempotently."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone

from muroran_kyodo.lib.extension import BenchPage
from organizations.models import District

from . import services
from .models import (
    ActivityReport,
    Equipment,
    EquipmentLoan,
    Opportunity,
    PickupRequest,
    Registration,
    Shift,
    Signup,
    SupplyItem,
    SupplyRequest,
    SupplyRequestLine,
)

OPPORTUNITY_TITLE = "ベンチマーク用の作業"


def pages(*, person, staff) -> list[BenchPage]:
    pika, magokoro, shift = _prepare(person, staff)
    return [
        BenchPage("partners programme", "/partners/pika/"),
        BenchPage(
            "mypage (partner)",
            "/mypage/",
            who="person",
            expect=(pika.get_absolute_url(), magokoro.get_absolute_url(), shift.opportunity.title),
        ),
        BenchPage(
            "admin reports changelist",
            "/admin/partners/activityreport/",
            who="staff",
            expect=('id="result_list"',),
        ),
    ]


def _registration(programme: str, person, staff) -> Registration:
    registration = (
        Registration.objects.filter(user=person, programme=programme, organization__isnull=True)
        .exclude(status=Registration.Status.WITHDRAWN)
        .first()
    )
    if registration is None:
        registration = services.registration_create(
            registration=Registration(
                programme=programme,
                kind="individual",
                user=person,
                contact_name="ベンチ 太郎",
                contact_kana="ベンチ タロウ",
                contact_email=person.email,
                district=District.objects.order_by("sort_order", "pk").first(),
                agreed_terms_at=timezone.now(),
            ),
            by=person,
        )
    if registration.status != Registration.Status.REGISTERED:
        services.registration_approve(registration=registration, by=staff)
    return registration


def _prepare(person, staff):
    now, today = timezone.now(), timezone.localdate()
    district = District.objects.order_by("sort_order", "pk").first()
    pika = _registration("pika", person, staff)
    for n in range(ActivityReport.objects.filter(registration=pika).count(), 30):
        ActivityReport.objects.create(
            registration=pika,
            activity_date=today - dt.timedelta(days=7 * n),
            participants=1 + n % 5,
            burnable_bags=n % 4,
            non_burnable_bags=n % 2,
            created_by=person,
        )
    if not PickupRequest.objects.filter(registration=pika).exists():
        services.request_create(
            request=PickupRequest(
                registration=pika,
                district=district,
                location="ベンチ公園の入口",
                burnable_bags=3,
                non_burnable_bags=1,
                available_from=now,
            ),
            by=person,
        )
    item = SupplyItem.objects.filter(is_active=True).first()
    if item and not SupplyRequest.objects.filter(registration=pika).exists():
        services.request_create(
            request=SupplyRequest(registration=pika),
            lines=[SupplyRequestLine(item=item, quantity=1)],
            by=person,
        )
    equipment = Equipment.objects.filter(is_active=True).order_by("pk").last()
    if equipment and not EquipmentLoan.objects.filter(registration=pika).exists():
        try:
            services.request_create(
                request=EquipmentLoan(
                    registration=pika,
                    equipment=equipment,
                    lend_on=today + dt.timedelta(days=300),
                    return_by=today + dt.timedelta(days=301),
                ),
                by=person,
            )
        except ValidationError:
            pass  # the demo has it booked then: the page is measured without a loan

    # An upcoming shift on an unpublished opportunity: public pages and figures are unchanged.
    magokoro = _registration("magokoro", person, staff)
    opportunity = Opportunity.objects.filter(title=OPPORTUNITY_TITLE).first()
    if opportunity is None:
        opportunity = Opportunity.objects.create(
            programme="magokoro",
            title=OPPORTUNITY_TITLE,
            department="地域生活課",
            description="ベンチマーク用",
            place="市役所",
            signup_deadline=now,
            is_published=False,
        )
    shift = Shift.objects.filter(
        opportunity=opportunity, ends_at__gte=now + dt.timedelta(days=7)
    ).first()
    if shift is None:
        starts = now + dt.timedelta(days=60)
        shift = Shift.objects.create(
            opportunity=opportunity,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=3),
            slots=5,
        )
    live = Signup.objects.filter(shift=shift, registration=magokoro).exclude(
        status=Signup.Status.CANCELLED
    )
    if not live.exists():
        Signup.objects.create(shift=shift, registration=magokoro, status=Signup.Status.CONFIRMED)
    return pika, magokoro, shift
