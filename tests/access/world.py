"""One world for the access matrix: the nine roles and, owned by the member's organisation or
the member, one object for every id a URL takes. Built once per module (tests/access/
test_access_matrix.py) inside the clock of tests/subsidies/factories.NOW."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from councils.models import Council, Material, Opinion, Session, Signup
from councils.models import Photo as CouncilPhoto
from entalk import services as entalk_services
from entalk.models import Photo, Request, Topic
from organizations.models import Invitation, Membership
from partners import services as partner_services
from partners.models import (
    ActivityReport,
    Equipment,
    Opportunity,
    PickupRequest,
    Shift,
    SupplyItem,
    SupplyRequest,
    SupplyRequestLine,
)
from publiccomment.models import Case
from subsidies.models import (
    Application,
    ApplicationStatusChange,
    ChangeRequest,
    IntakeWindow,
    ResultsMeeting,
    ReviewAssignment,
)
from tests import factories
from tests.councils import factories as cf
from tests.entalk import factories as ef
from tests.images import tiny_png
from tests.publiccomment import factories as pcf
from tests.publiccomment.results import add_document, group_all, publish
from tests.subsidies import factories as sf

S = Application.Status

ROLES = (
    "anonymous",
    "resident",
    "member",
    "other_manager",
    "reviewer",
    "staff_no2fa",
    "staff_other_dept",
    "staff",
    "superuser",
)


@dataclass
class World:
    users: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.__dict__["objects"][name]
        except KeyError:
            raise AttributeError(name) from None


def _staff(email, group):
    user = factories.make_user(email, staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


def build() -> World:
    w = World()
    o = w.objects

    # --- the cast ---------------------------------------------------------------------------
    resident = factories.make_user("resident@example.jp")
    representative = factories.make_user("rep@example.jp")
    member = factories.make_user("member@example.jp")
    other_manager = factories.make_user("other-rep@example.jp")
    reviewer = factories.make_user("reviewer@example.jp")
    staff_no2fa = _staff("staff-no2fa@city.muroran.example.jp", "地域生活課")
    staff_other_dept = _staff("doboku@city.muroran.example.jp", "土木課")
    staff = _staff("staff@city.muroran.example.jp", "地域生活課")
    superuser = factories.make_user("admin@city.muroran.example.jp", superuser=True)
    # Set up with an authenticator like every clerk, but signed in with the password only.
    Authenticator.objects.create(
        user=staff_no2fa, type=Authenticator.Type.TOTP, data={"secret": "x"}
    )
    w.users = {
        "anonymous": None,
        "resident": resident,
        "member": member,
        "other_manager": other_manager,
        "reviewer": reviewer,
        "staff_no2fa": staff_no2fa,
        "staff_other_dept": staff_other_dept,
        "staff": staff,
        "superuser": superuser,
    }

    # --- organizations ----------------------------------------------------------------------
    organization = factories.make_organization(
        name="輪西まちづくりの会", representative=representative
    )
    o["organization"] = organization
    o["membership"] = factories.add_member(organization, member)
    o["other_organization"] = factories.make_organization(
        name="白鳥台ふれあいの会", district_name="白鳥台", representative=other_manager
    )
    # Awaiting verification: only its members and staff see its page.
    o["pending_organization"] = factories.make_organization(
        name="御前水ボランティアの会", status="pending", representative=representative
    )
    factories.add_member(o["pending_organization"], member)
    o["invitation"] = Invitation.objects.create(
        organization=organization,
        email=resident.email,
        role=Membership.Role.MEMBER,
        invited_by=representative,
        expires_at=timezone.now() + dt.timedelta(days=14),
    )
    o["project"] = factories.make_project(organizations=[organization], is_published=True)

    # --- partners: the member is a registered まごころ partner -------------------------------
    place = factories.make_place(description="輪西町 みなと公園とその周辺の歩道")
    registration = factories.make_registration(
        programme="magokoro", user=member, places=[place], status="registered"
    )
    o["registration"] = registration
    # The member's まち「ピカ」 registration, not yet accepted (申請中): it may still be changed.
    o["applied_registration"] = factories.make_registration(programme="pika", user=member)
    # The organisation's registration, made by its 代表者: a plain 会員 does not act for it.
    o["organisation_registration"] = factories.make_registration(
        programme="makasete", organization=organization, by=representative, status="registered"
    )
    report = ActivityReport(
        registration=registration,
        activity_date=timezone.localdate() - dt.timedelta(days=1),
        participants=3,
        place=place,
    )
    report.photo = SimpleUploadedFile("photo.png", tiny_png(), content_type="image/png")
    o["report"] = partner_services.report_create(report=report, by=member)
    o["pickup"] = partner_services.request_create(
        request=PickupRequest(
            registration=registration,
            district=factories.district("輪西町"),
            location="輪西町 みなと公園の入口",
            burnable_bags=3,
            non_burnable_bags=1,
            available_from=timezone.now(),
        ),
        by=member,
    )
    # Supplies go to 環境課: 土木課 staff do not see the slip.
    o["supply_request"] = partner_services.request_create(
        request=SupplyRequest(registration=registration, delivery_note="輪西町会館"),
        lines=[SupplyRequestLine(item=SupplyItem.objects.first(), quantity=10)],
        by=member,
    )
    assert Equipment.objects.exists()
    now = timezone.now()
    opportunity = Opportunity.objects.create(
        programme="magokoro",
        title="みなと祭り 会場案内",
        department="観光課",
        description="会場でご案内をお願いします。",
        place="室蘭港 中央ふ頭",
        signup_deadline=now + dt.timedelta(days=7),
        is_published=True,
    )
    o["opportunity"] = opportunity
    o["shift"] = Shift.objects.create(
        opportunity=opportunity,
        starts_at=now + dt.timedelta(days=10),
        ends_at=now + dt.timedelta(days=10, hours=3),
        slots=5,
    )
    o["signup"] = partner_services.signup_create(
        shift=o["shift"], registration=registration, by=member
    )

    # --- subsidies: a programme of FY2026 and one application per stage ---------------------
    programme = sf.make_programme()
    o["programme"] = programme
    o["consultation"] = sf.consult(organization, programme)

    def application(status, **changes):
        # Distinct programmes would be needed for once-per-group rules; this one has none.
        app = sf.make_application(
            programme=programme, organization=organization, applicant=member, status=status
        )
        if changes:
            Application.objects.filter(pk=app.pk).update(**changes)
            app.refresh_from_db()
        ReviewAssignment.objects.create(application=app, reviewer=reviewer, assigned_by=staff)
        return app

    o["draft"] = application(S.DRAFT)
    # The draft was started in a window that has closed since (第1期 is open now).
    closed = IntakeWindow.objects.create(
        programme=programme,
        label="前期",
        opens_at=timezone.now() - dt.timedelta(days=60),
        closes_at=timezone.now() - dt.timedelta(days=30),
    )
    Application.objects.filter(pk=o["draft"].pk).update(window=closed)
    o["draft_document"] = o["draft"].attachments.first()
    o["submitted"] = application(S.SUBMITTED)
    o["submitted_document"] = o["submitted"].attachments.first()
    o["under_review"] = application(S.UNDER_REVIEW)
    o["assignment"] = ReviewAssignment.objects.get(application=o["under_review"])
    decided = {
        "decided_amount": 100_000,
        "conditions": "報告会で成果を発表すること",
        "decided_at": timezone.now() - dt.timedelta(days=10),
    }
    o["granted"] = application(S.GRANTED, **decided)
    ApplicationStatusChange.objects.create(
        application=o["granted"], old_status=S.ADOPTED, new_status=S.GRANTED
    )
    o["change"] = ChangeRequest.objects.create(
        application=o["granted"],
        description="会場の変更",
        requested_by=member,
        status=ChangeRequest.Status.REFUSED,
    )
    o["confirmed"] = application(
        S.CONFIRMED,
        confirmed_amount=90_000,
        reported_at=timezone.now() - dt.timedelta(days=5),
        **decided,
    )
    o["approved_change"] = ChangeRequest.objects.create(
        application=o["confirmed"],
        description="実施日の変更",
        new_amount=90_000,
        requested_by=member,
        requested_at=timezone.now() - dt.timedelta(days=9),
        status=ChangeRequest.Status.APPROVED,
        decided_at=timezone.now() - dt.timedelta(days=8),
        decided_by=staff,
    )
    o["meeting"] = ResultsMeeting.objects.create(
        fiscal_year=programme.fiscal_year,
        held_at=timezone.now() + dt.timedelta(days=200),
        place="市民会館",
        is_published=True,
    )

    # --- publiccomment: an open case, one with its result (an opinion of the member's, sent
    # by post in its window), one in preparation; a document of the open and the draft case --
    now = timezone.now()
    o["comment_case"] = pcf.make_case(
        opens_at=now - dt.timedelta(days=5), closes_at=now + dt.timedelta(days=30)
    )
    o["comment_document"] = add_document(o["comment_case"])
    result = pcf.make_case(
        opens_at=now - dt.timedelta(days=80), closes_at=now - dt.timedelta(days=40)
    )
    o["comment_submission"] = pcf.submit(
        result,
        "公園を増やしてほしい。",
        user=member,
        channel="post",
        received_at=now - dt.timedelta(days=50),
    )
    group_all(result)
    o["comment_result"] = publish(result)
    o["comment_draft"] = pcf.make_case(status="draft")
    o["comment_draft_document"] = add_document(o["comment_draft"])
    # --- publiccomment (sending an opinion): an open case, a closed one and a draft; the
    # member's submission is the one of comment_result, above ---------------------------------
    o["comment_open_case"] = pcf.make_case(
        opens_at=now - dt.timedelta(days=10), closes_at=now + dt.timedelta(days=30)
    )
    o["comment_closed_case"] = pcf.make_case(
        opens_at=now - dt.timedelta(days=60), closes_at=now - dt.timedelta(days=20)
    )
    o["comment_draft_case"] = pcf.make_case(
        opens_at=now + dt.timedelta(days=10),
        closes_at=now + dt.timedelta(days=50),
        status=Case.Status.DRAFT,
    )
    # --- entalk: the member's request (an informal group) with a date proposed by the city; a
    # session of another group confirmed and to come, with a photo not yet public; a published
    # record with its photo. Slots beyond the lead time, each on a day of its own. -----------
    the_rules = entalk_services.rules()
    day = the_rules.earliest_start(now) + dt.timedelta(days=5, hours=14)
    clerk = factories.make_user("entalk-world@city.muroran.example.jp", superuser=True)
    mine = ef.make_request(by=member, slots=[day])
    o["entalk_request"] = entalk_services.request_propose(
        request=mine, starts_at=day + dt.timedelta(days=2), by=clerk
    )
    confirmed = ef.make_request(slots=[day + dt.timedelta(days=4)])
    o["entalk_confirmed"] = ef.confirm(confirmed, staff=clerk)
    published = ef.confirm(ef.make_request(slots=[day + dt.timedelta(days=6)]), staff=clerk)
    Request.objects.filter(pk=published.pk).update(
        starts_at=now - dt.timedelta(days=10),
        ends_at=now - dt.timedelta(days=10) + the_rules.session_length,
        participants=24,
    )
    published.refresh_from_db()
    Topic.objects.create(request=published, title="公園", summary="要旨", response="回答")
    o["entalk_session"] = entalk_services.record_publish(request=published, by=clerk)

    def photo(request):
        return Photo.objects.create(
            request=request,
            image=SimpleUploadedFile("p.png", tiny_png()),
            content_type="image/png",
            caption="意見交換の様子",
        )

    o["entalk_photo"] = photo(published)
    o["entalk_feed"] = entalk_services.calendar_feed_renew(user=member)
    o["entalk_pending_photo"] = photo(confirmed)

    # --- councils: a council of 地域生活課 (the cast's staff run it; 土木課 does not) with a
    # workshop open for sign-up, to which the member signed up with an account and a guest by
    # the e-mail link (one confirmed, one not yet); the member in the facilitator pool; a
    # workshop held with its outputs published and a photo; a photo of the workshop to come
    # (not public yet); a draft council and a draft workshop; a training to come. -----------
    council = cf.make_council(department_name="地域生活課")
    o["councils_council"] = council
    o["councils_draft_council"] = cf.make_council(
        department_name="地域生活課", status=Council.Status.DRAFT, title="準備中の協議会"
    )
    start = now + dt.timedelta(days=20)
    workshop = cf.make_workshop(council, starts_at=start)
    o["councils_workshop"] = workshop
    o["councils_training"] = cf.make_training(starts_at=start + dt.timedelta(days=1))
    o["councils_draft_session"] = cf.make_workshop(
        council, status=Session.Status.DRAFT, starts_at=start + dt.timedelta(days=2)
    )
    held = cf.make_workshop(
        council,
        status=Session.Status.PUBLISHED,
        starts_at=now - dt.timedelta(days=30),
        report="遊具と日陰について話し合いました。",
    )
    Opinion.objects.create(session=held, table=1, theme="遊具", summary="日陰がほしい")
    o["councils_held"] = held

    def council_photo(session):
        return CouncilPhoto.objects.create(
            session=session,
            image=SimpleUploadedFile("p.png", tiny_png()),
            content_type="image/png",
            caption="ワークショップの様子",
        )

    o["councils_photo"] = council_photo(held)
    o["councils_pending_photo"] = council_photo(workshop)
    o["councils_material"] = Material.objects.create(
        council=council,
        title="基本計画（素案）",
        file=SimpleUploadedFile("plan.pdf", b"%PDF-1.4 test document\n%%EOF\n"),
        content_type="application/pdf",
        original_name="基本計画（素案）.pdf",
    )
    o["councils_signup"] = cf.make_signup(workshop, user=member)
    o["councils_guest_signup"] = cf.make_signup(workshop)
    o["councils_unconfirmed"] = cf.make_signup(
        workshop, status=Signup.Status.UNCONFIRMED, confirm_by=now + dt.timedelta(hours=20)
    )
    o["councils_facilitator"] = cf.make_facilitator(member)
    return w
