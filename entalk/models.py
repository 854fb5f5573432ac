"""enとーく (en-talk): a group invites the mayor, staff schedule the dialogue, the session is
recorded and every raised matter is followed up in public (指針: 市長が市民のところへ出向いて
意見交換を行う方法, since June 2011).

A request (`Request`) comes from a verified organisation of the registry or from an informal
group whose representative is signed in, or is keyed in by staff from the phone, a FAX or paper.
It names three preferred slots (`Slot`), a venue in the city and the expected participants.
Staff accept a slot, propose another time (the group accepts or declines it in the browser),
decline or cancel; each is a named transition with history. Once confirmed, the request is a
session: it holds `starts_at`/`ends_at`, which never overlap another confirmed session nor a
block of the mayor's diary (`Block`) - held by one lock on the diary and, on PostgreSQL, by an
exclusion constraint.

After the session staff record it (`ParticipantCount` by actor type, `Topic` with 要旨 and the
mayor's response, `Photo`), publish the record (a transition), and open follow-ups
(`FollowUp`) per department, each status change dated, with its public answer
(`FollowUpChange`)."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from muroran_kyodo.lib.jp import fiscal_year, fiscal_year_label, validate_name
from muroran_kyodo.lib.models import StatusChange, status_fields
from organizations.models import ActorType, District, Organization

SLOTS_PER_REQUEST = 3


class Channel(models.TextChoices):
    """How a request reached the city. The values shared with `muroran_kyodo.lib.models.Channel`
    are the same strings; enとーく is often asked for by telephone."""

    WEB = "web", _("Web")
    PHONE = "phone", _("Telephone")
    FAX = "fax", _("Fax")
    PAPER = "paper", _("Paper")
    EMAIL = "email", _("E-mail")
    COUNTER = "counter", _("At the counter")


class Theme(models.Model):
    """A category of themes groups choose from (まちづくり, 子育て, 防災 …), edited by staff."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(
        _("offered"), default=True, help_text=_("Untick to stop offering it on the form.")
    )

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("theme category")
        verbose_name_plural = _("theme categories")

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A department of the city that answers follow-ups. Its staff are the members of `group`
    who hold the permission to change follow-ups: they see and change only theirs."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    group = models.OneToOneField(
        Group,
        on_delete=models.PROTECT,
        related_name="entalk_department",
        verbose_name=_("staff group"),
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


class Block(models.Model):
    """A time when the mayor is not available (公務, travel). Groups see it as unavailable when
    they choose slots, without the reason; no session is confirmed over it."""

    class Kind(models.TextChoices):
        DUTY = "duty", _("Official duties")
        TRAVEL = "travel", _("Travel")
        OTHER = "other", _("Other")

    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.DUTY)
    note = models.CharField(
        _("note for staff"), max_length=200, blank=True, help_text=_("Never shown to the public.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    created_at = models.DateTimeField(_("entered"), default=timezone.now)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("time the mayor is unavailable")
        verbose_name_plural = _("times the mayor is unavailable")
        indexes = [models.Index(fields=["starts_at", "ends_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="entalk_block_ordered"
            )
        ]

    def __str__(self) -> str:
        start = timezone.localtime(self.starts_at)
        end = timezone.localtime(self.ends_at)
        return f"{start:%Y-%m-%d %H:%M} – {end:%H:%M} {self.get_kind_display()}"


class RequestQuerySet(models.QuerySet["Request"]):
    def open(self) -> RequestQuerySet:
        """Requests still waiting for a date or with one: a group may have only one."""
        return self.filter(status__in=Request.OPEN_STATES)

    def confirmed(self) -> RequestQuerySet:
        return self.filter(status__in=Request.HELD_STATES)

    def upcoming_at(self, now: dt.datetime) -> RequestQuerySet:
        return self.filter(status=Request.Status.CONFIRMED, starts_at__gt=now)

    def published(self) -> RequestQuerySet:
        return self.filter(status=Request.Status.PUBLISHED)

    def overlapping(self, starts_at: dt.datetime, ends_at: dt.datetime) -> RequestQuerySet:
        return self.confirmed().filter(starts_at__lt=ends_at, ends_at__gt=starts_at)

    def for_fiscal_year(self, year: int) -> RequestQuerySet:
        return self.filter(held_fiscal_year=year)


class Request(models.Model):
    """A group's invitation to the mayor, and once confirmed the session itself."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Received")
        PROPOSED = "proposed", _("Another date proposed")
        CONFIRMED = "confirmed", _("Confirmed")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")
        PUBLISHED = "published", _("Record published")

    OPEN_STATES = (Status.REQUESTED, Status.PROPOSED, Status.CONFIRMED)
    # A confirmed session keeps the mayor's time, held or recorded.
    HELD_STATES = (Status.CONFIRMED, Status.PUBLISHED)

    number = models.CharField(_("receipt number"), max_length=20, unique=True, editable=False)
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year received"), editable=False)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entalk_requests",
        verbose_name=_("organisation"),
        help_text=_("A verified organisation of the registry; empty for an informal group."),
    )
    group_name = models.CharField(
        _("group name"),
        max_length=200,
        validators=[validate_name],
        help_text=_("The organisation's name, or the informal group's."),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="entalk_requests",
        verbose_name=_("requested by"),
        help_text=_("The signed-in representative; empty when keyed in by staff."),
    )
    contact_name = models.CharField(_("contact person"), max_length=100, validators=[validate_name])
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("telephone"), max_length=20, blank=True)

    themes = models.ManyToManyField(
        Theme, blank=True, related_name="requests", verbose_name=_("theme categories")
    )
    theme = models.TextField(_("theme"), help_text=_("What the group wants to talk about."))

    venue_name = models.CharField(_("venue"), max_length=200)
    venue_district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        related_name="entalk_requests",
        verbose_name=_("venue town"),
    )
    venue_postal_code = models.CharField(_("venue postal code"), max_length=8)
    venue_address = models.CharField(_("venue address"), max_length=200)
    step_free = models.BooleanField(
        _("step-free access"), null=True, blank=True, help_text=_("Empty when unknown.")
    )
    participants_expected = models.PositiveSmallIntegerField(_("expected participants"))
    public_naming = models.BooleanField(
        _("the group may be named in public"),
        default=False,
        help_text=_("The calendar and the record name the group only with its consent."),
    )
    note = models.TextField(_("anything else"), blank=True)

    channel = models.CharField(
        _("received by"), max_length=10, choices=Channel.choices, default=Channel.WEB
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("keyed in by"),
    )

    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.REQUESTED
    )
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    # The session's time: a proposal while 日程再提案, the session once confirmed.
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    held_fiscal_year = models.PositiveSmallIntegerField(
        _("fiscal year held"), null=True, blank=True, editable=False
    )
    decline_reason = models.TextField(_("reason declined or cancelled"), blank=True)

    # The record (記録), written by staff after the session and published by a transition.
    participants = models.PositiveSmallIntegerField(_("participants"), null=True, blank=True)
    summary = models.TextField(_("summary of the session"), blank=True)
    published_at = models.DateTimeField(_("record published"), null=True, blank=True)

    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RequestQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("en-talk request")
        verbose_name_plural = _("en-talk requests")
        indexes = [
            models.Index(fields=["status", "starts_at"]),
            models.Index(fields=["held_fiscal_year", "status"]),
            models.Index(fields=["organization", "status"]),
            models.Index(fields=["user", "status"]),
            models.Index(fields=["-received_at", "-id"]),
            # The admin list's 年度, channel and 記録待ち filters (issue 14).
            models.Index(fields=["fiscal_year", "-received_at"], name="entalk_request_fy_idx"),
            models.Index(fields=["channel", "-received_at"], name="entalk_request_channel_idx"),
            models.Index(fields=["status", "ends_at"], name="entalk_request_ends_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="entalk_request_time_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["proposed", "confirmed", "published"])
                | Q(starts_at__isnull=False, ends_at__isnull=False),
                name="entalk_request_time_when_scheduled",
            ),
            # One open request per organisation, and per representative of an informal group.
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(status__in=["requested", "proposed", "confirmed"]),
                name="entalk_one_open_request_per_organisation",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(
                    status__in=["requested", "proposed", "confirmed"], organization__isnull=True
                ),
                name="entalk_one_open_request_per_representative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.group_name}"

    def save(self, *args, **kwargs):
        if not self.fiscal_year:
            self.fiscal_year = fiscal_year(self.received_at)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("entalk:session_detail", args=[self.pk])

    @property
    def fiscal_year_label(self) -> str:
        return fiscal_year_label(self.held_fiscal_year or self.fiscal_year)

    @property
    def public_name(self) -> str:
        """The group as the public reads it: its name only with its consent."""
        return self.group_name if self.public_naming else str(_("A group in the city"))

    @property
    def public_venue(self) -> str:
        """The venue as the public reads it: its name only with the group's consent (a 町内会館
        or a member's home names the group), otherwise the town. Needs `venue_district`."""
        town = str(self.venue_district)
        return f"{self.venue_name}（{town}）" if self.public_naming else town

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATES

    @property
    def is_past(self) -> bool:
        return bool(self.ends_at and self.ends_at <= timezone.now())


class RequestStatusChange(StatusChange):
    subject = "request"
    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("request")
    )
    old_status, new_status = status_fields(Request.Status.choices, max_length=12)
    starts_at = models.DateTimeField(_("session starts"), null=True, blank=True)

    class Meta(StatusChange.Meta):
        verbose_name = _("request status change")
        verbose_name_plural = _("request status changes")


class Slot(models.Model):
    """One of the group's preferred date-times (第1希望 to 第3希望)."""

    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, related_name="slots", verbose_name=_("request")
    )
    position = models.PositiveSmallIntegerField(_("preference"))
    starts_at = models.DateTimeField(_("starts"))

    class Meta:
        ordering = ["request", "position"]
        verbose_name = _("preferred date")
        verbose_name_plural = _("preferred dates")
        constraints = [
            models.UniqueConstraint(
                fields=["request", "position"], name="entalk_slot_position_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.position}: {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"


class ParticipantCount(models.Model):
    """Participants of a session by actor type, where known."""

    request = models.ForeignKey(
        Request,
        on_delete=models.CASCADE,
        related_name="participant_counts",
        verbose_name=_("session"),
    )
    actor_type = models.ForeignKey(
        ActorType, on_delete=models.PROTECT, related_name="+", verbose_name=_("actor type")
    )
    count = models.PositiveSmallIntegerField(_("people"))

    class Meta:
        ordering = ["request", "actor_type__sort_order"]
        verbose_name = _("participants by actor type")
        verbose_name_plural = _("participants by actor type")
        constraints = [
            models.UniqueConstraint(
                fields=["request", "actor_type"], name="entalk_participant_type_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.actor_type}: {self.count}"


class Topic(models.Model):
    """A topic raised at the session: the 要旨 of the exchange and the mayor's response."""

    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, related_name="topics", verbose_name=_("session")
    )
    position = models.PositiveSmallIntegerField(_("order"), default=1)
    title = models.CharField(_("topic"), max_length=200)
    summary = models.TextField(_("summary of the exchange (要旨)"))
    response = models.TextField(_("the mayor's response"))

    class Meta:
        ordering = ["request", "position", "pk"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.title


def photo_path(instance: Photo, filename: str) -> str:
    return f"entalk/{instance.request_id}/{uuid.uuid4().hex}"


class Photo(models.Model):
    """A photo of the session, checked by content; public once the record is."""

    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, related_name="photos", verbose_name=_("session")
    )
    image = models.FileField(_("photo"), upload_to=photo_path, max_length=200)
    content_type = models.CharField(max_length=20, editable=False, default="")
    caption = models.CharField(
        _("description"),
        max_length=200,
        help_text=_("What the photo shows, for people who cannot see it."),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=1)

    class Meta:
        ordering = ["request", "position", "pk"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return self.caption


class FollowUpQuerySet(models.QuerySet["FollowUp"]):
    def unresolved(self) -> FollowUpQuerySet:
        return self.filter(status__in=FollowUp.UNRESOLVED)

    def overdue_at(self, now: dt.datetime) -> FollowUpQuerySet:
        days = settings.ENTALK["FOLLOW_UP_OVERDUE_DAYS"]
        return self.unresolved().filter(opened_at__lt=now - dt.timedelta(days=days))


class FollowUp(models.Model):
    """A matter raised at a session that needs the city to act, assigned to a department."""

    class Status(models.TextChoices):
        CONSIDERING = "considering", _("Under consideration")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        NOT_POSSIBLE = "not_possible", _("Difficult to address")

    UNRESOLVED = (Status.CONSIDERING, Status.IN_PROGRESS)

    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, related_name="follow_ups", verbose_name=_("session")
    )
    topic = models.ForeignKey(
        Topic,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("topic"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="follow_ups",
        verbose_name=_("department"),
    )
    matter = models.TextField(_("matter to follow up"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.CONSIDERING
    )
    answer = models.TextField(
        _("public answer"), blank=True, help_text=_("Shown on the session page.")
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    status_changed_at = models.DateTimeField(_("last change"), null=True, blank=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        ordering = ["request", "pk"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        indexes = [
            models.Index(fields=["department", "status", "opened_at"]),
            models.Index(fields=["status", "opened_at"]),
        ]

    def __str__(self) -> str:
        return self.matter[:60]

    def is_overdue_at(self, now: dt.datetime) -> bool:
        days = settings.ENTALK["FOLLOW_UP_OVERDUE_DAYS"]
        return self.status in self.UNRESOLVED and self.opened_at < now - dt.timedelta(days=days)


class FollowUpChange(StatusChange):
    """A dated step of a follow-up: its state and the public answer as written then."""

    subject = "follow_up"
    follow_up = models.ForeignKey(
        FollowUp,
        on_delete=models.CASCADE,
        related_name="status_changes",
        verbose_name=_("follow-up"),
    )
    old_status, new_status = status_fields(FollowUp.Status.choices, max_length=12)
    answer = models.TextField(_("public answer"), blank=True)

    class Meta(StatusChange.Meta):
        verbose_name = _("follow-up change")
        verbose_name_plural = _("follow-up changes")


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """The secret address of a person's own iCal feed (their groups' proposed and confirmed
    sessions). A calendar program fetches it without signing in, so it is a random token the
    person makes, and replaces when it may have leaked: the old address stops working."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="entalk_calendar_feed",
        verbose_name=_("person"),
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token, editable=False)
    created_at = models.DateTimeField(_("made"), default=timezone.now)

    class Meta:
        verbose_name = _("calendar address")
        verbose_name_plural = _("calendar addresses")

    def __str__(self) -> str:
        return str(self.user)
