"""秘書広報課's staff key in requests that came by phone, FAX or on paper (the same
`services.request_create` and rules as the web form), run the scheduling transitions from
buttons on the request's page (accept a preferred date, propose another, decline, cancel,
move, publish the record), write the record after the session (participants, topics with 要旨
and the mayor's response, photos checked by content) and open follow-ups for the departments.
The request's own data are read-only once received; a change writes only the record fields
the form changed, never the state."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import widgets
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from muroran_kyodo.lib.admin_actions import (
    FiscalYearListFilter,
    KeyedInChannelMixin,
    ServiceSaveMixin,
)
from muroran_kyodo.lib.admin_display import short_text
from muroran_kyodo.lib.admin_inlines import CheckedUploadForm, checked_image
from muroran_kyodo.lib.admin_lists import EstimatedCountAdminMixin
from muroran_kyodo.lib.forms import put_refusal_on_form
from muroran_kyodo.lib.printing import PrintablesAdminMixin
from muroran_kyodo.lib.workflow import TransitionError
from organizations.models import Organization

from .. import services
from ..models import (
    SLOTS_PER_REQUEST,
    Department,
    FollowUp,
    ParticipantCount,
    Photo,
    Request,
    RequestStatusChange,
    Slot,
    Theme,
    Topic,
)
from . import diary
from .common import ReadOnlyInline, admin_link, local

S = Request.Status


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    """The theme categories groups choose from, as one editable list."""

    list_display = ["name", "name_en", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "name_en"]


# --- inlines -----------------------------------------------------------------------------------


class SlotInline(ReadOnlyInline):
    model = Slot
    fields = ["position", "starts_at"]
    readonly_fields = fields


class HistoryInline(ReadOnlyInline):
    model = RequestStatusChange
    fields = ["at", "old_status", "new_status", "starts_at", "by", "reason"]
    readonly_fields = fields
    verbose_name_plural = _("history")

    def has_view_permission(self, request, obj=None):
        # Whoever may see the request sees its history.
        return True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")


class RecordInlineMixin:
    """The record is written once the session is confirmed (and corrected after publishing)."""

    def _editable(self, obj):
        return obj is not None and obj.status in Request.HELD_STATES

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


class ParticipantCountInline(RecordInlineMixin, admin.StackedInline):
    model = ParticipantCount
    fields = ["actor_type", "count"]
    extra = 0


class TopicInline(RecordInlineMixin, admin.StackedInline):
    model = Topic
    fields = ["position", "title", "summary", "response"]
    extra = 0


class PhotoForm(CheckedUploadForm):
    upload_field = "image"
    check = staticmethod(checked_image)

    class Meta:
        model = Photo
        fields = ["image", "caption", "position"]


class PhotoInline(RecordInlineMixin, admin.StackedInline):
    """Photos checked by their content (JPEG or PNG), stored under a random name."""

    model = Photo
    form = PhotoForm
    fields = ["image", "caption", "position", "content_type", "link"]
    readonly_fields = ["content_type", "link"]
    extra = 0

    @admin.display(description=_("photo"))
    def link(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', reverse("entalk:photo", args=[obj.pk]), _("Open the photo")
        )


class FollowUpInline(ReadOnlyInline):
    """The follow-ups opened for this session; each is changed by its department."""

    model = FollowUp
    fields = ["link", "department", "status", "opened_at", "status_changed_at"]
    readonly_fields = fields
    verbose_name_plural = _("follow-ups")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("department")

    @admin.display(description=_("matter to follow up"))
    def link(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        return admin_link("followup", obj.pk, obj.matter[:60])


# --- the add form: a request keyed in by staff -------------------------------------------------


class RequestAddForm(forms.ModelForm):
    """A request that came by phone, FAX or on paper, as staff key it in."""

    slot_1 = forms.SplitDateTimeField(
        label=_("first preferred date"), widget=widgets.AdminSplitDateTime, required=False
    )
    slot_2 = forms.SplitDateTimeField(
        label=_("second preferred date"), widget=widgets.AdminSplitDateTime, required=False
    )
    slot_3 = forms.SplitDateTimeField(
        label=_("third preferred date"), widget=widgets.AdminSplitDateTime, required=False
    )

    class Meta:
        model = Request
        fields = [
            "channel",
            "received_at",
            "organization",
            "group_name",
            "contact_name",
            "email",
            "phone",
            "themes",
            "theme",
            "venue_name",
            "venue_district",
            "venue_postal_code",
            "venue_address",
            "step_free",
            "participants_expected",
            "public_naming",
            "note",
        ]
        widgets = {"themes": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "organization" in self.fields:
            self.fields["organization"].queryset = Organization.objects.filter(
                status=Organization.Status.VERIFIED
            ).order_by("name")
        if "group_name" in self.fields:
            self.fields["group_name"].required = False
            self.fields["group_name"].help_text = _(
                "The informal group's name; empty when an organisation is chosen."
            )
        if "themes" in self.fields:
            self.fields["themes"].queryset = Theme.objects.filter(is_active=True)
            self.fields["themes"].help_text = ""

    def slots(self) -> list[dt.datetime | None]:
        return [self.cleaned_data.get(f"slot_{n}") for n in range(1, SLOTS_PER_REQUEST + 1)]


ADD_FIELDSETS = [
    (None, {"fields": ["channel", "received_at"]}),
    (
        _("The group"),
        {"fields": ["organization", "group_name", "contact_name", "email", "phone"]},
    ),
    (_("Theme"), {"fields": ["themes", "theme"]}),
    (_("Preferred dates"), {"fields": ["slot_1", "slot_2", "slot_3"]}),
    (
        _("Venue and participants"),
        {
            "fields": [
                "venue_name",
                "venue_district",
                "venue_postal_code",
                "venue_address",
                "step_free",
                "participants_expected",
                "public_naming",
                "note",
            ]
        },
    ),
]

CHANGE_FIELDSETS = [
    (
        None,
        {
            "fields": [
                "number",
                "status",
                "organization",
                "group_name",
                "contact_name",
                "email",
                "phone",
                "channel",
                "received_at",
                "created_by",
            ]
        },
    ),
    (_("Theme"), {"fields": ["theme_list", "theme"]}),
    (_("Session"), {"fields": ["starts_at", "ends_at", "decline_reason"]}),
    (
        _("Venue and participants"),
        {
            "fields": [
                "venue_name",
                "venue_district",
                "venue_postal_code",
                "venue_address",
                "step_free",
                "participants_expected",
                "public_naming",
                "note",
            ]
        },
    ),
    (_("Record"), {"fields": ["participants", "summary", "published_at", "record_problems"]}),
]

RECORD_FIELDS = ("participants", "summary")
CHANGE_READONLY = [
    field
    for _name, options in CHANGE_FIELDSETS
    for field in options["fields"]
    if field not in RECORD_FIELDS
]


# --- the transition buttons on the change form -------------------------------------------------


class TransitionForm(forms.Form):
    """One step of the request's workflow, posted from its own small form on the page."""

    title: str = ""
    button: str = ""
    reason_required = False

    def __init__(self, *args, obj: Request, **kwargs):
        self.obj = obj
        super().__init__(*args, **kwargs)

    def run(self, user) -> str:
        raise NotImplementedError


def _reason_field(*, required: bool, label=None):
    return forms.CharField(
        label=label or (_("Reason (the group reads it)") if required else _("Note to the group")),
        required=required,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
    )


class AcceptForm(TransitionForm):
    def __init__(self, *args, slot: Slot, **kwargs):
        self.slot = slot
        super().__init__(*args, **kwargs)
        self.title = _("Accept preferred date %(n)s") % {"n": slot.position}
        self.button = _("Accept %(when)s") % {"when": local(slot.starts_at)}

    def run(self, user) -> str:
        services.request_accept(request=self.obj, slot=self.slot, by=user)
        return _("The session is confirmed for %(when)s.") % {"when": local(self.slot.starts_at)}


class ProposeForm(TransitionForm):
    date = forms.DateField(label=_("date"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=_("time"), widget=forms.TimeInput(attrs={"type": "time"}))

    def __init__(self, *args, move: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"] = _reason_field(required=move)
        if move:
            self.title = _("Move to another date")
            self.button = _("Propose the new date to the group")
        elif self.obj.status == S.PROPOSED:
            self.title = _("Propose another date again")
            self.button = _("Propose this date")
        else:
            self.title = _("Propose another date")
            self.button = _("Propose this date")

    def starts_at(self) -> dt.datetime:
        return timezone.make_aware(
            dt.datetime.combine(self.cleaned_data["date"], self.cleaned_data["time"])
        )

    def run(self, user) -> str:
        starts_at = self.starts_at()
        services.request_propose(
            request=self.obj, starts_at=starts_at, by=user, reason=self.cleaned_data["reason"]
        )
        return _("%(when)s was proposed to the group.") % {"when": local(starts_at)}


class DeclineForm(TransitionForm):
    title = _("Decline")
    button = _("Decline the request")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"] = _reason_field(required=True)

    def run(self, user) -> str:
        services.request_decline(request=self.obj, by=user, reason=self.cleaned_data["reason"])
        return _("The request was declined.")


class CancelForm(TransitionForm):
    title = _("Cancel")
    button = _("Cancel the request")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"] = _reason_field(required=True)

    def run(self, user) -> str:
        services.request_cancel(request=self.obj, by=user, reason=self.cleaned_data["reason"])
        return _("The request was cancelled.")


class GroupAcceptedForm(TransitionForm):
    """The group accepted the proposed date by phone or on paper: staff record it."""

    title = _("The group accepted the proposed date (by phone or on paper)")
    button = _("Record the acceptance")

    def run(self, user) -> str:
        services.proposal_accept(request=self.obj, by=user)
        return _("The session is confirmed for %(when)s.") % {"when": local(self.obj.starts_at)}


class GroupDeclinedForm(TransitionForm):
    """The group declined the proposed date by phone or on paper: staff record it."""

    title = _("The group declined the proposed date (by phone or on paper)")
    button = _("Record the refusal")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"] = _reason_field(
            required=True, label=_("The group's reason, as it gave it")
        )

    def run(self, user) -> str:
        services.proposal_decline(request=self.obj, by=user, reason=self.cleaned_data["reason"])
        return _("The group's refusal was recorded: the request waits for a date again.")


class PublishForm(TransitionForm):
    title = _("Publish the record")
    button = _("Publish the record")

    def run(self, user) -> str:
        services.record_publish(request=self.obj, by=user)
        return _("The record was published.")


class FollowUpOpenForm(TransitionForm):
    title = _("Open a follow-up")
    button = _("Open the follow-up")

    department = forms.ModelChoiceField(label=_("department"), queryset=Department.objects.all())
    topic = forms.ModelChoiceField(label=_("topic"), queryset=Topic.objects.none(), required=False)
    matter = forms.CharField(
        label=_("matter to follow up"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = Topic.objects.filter(request=self.obj)

    def run(self, user) -> str:
        services.follow_up_open(
            request=self.obj,
            department=self.cleaned_data["department"],
            topic=self.cleaned_data["topic"],
            matter=self.cleaned_data["matter"],
            by=user,
        )
        return _("The follow-up was opened for %(department)s.") % {
            "department": self.cleaned_data["department"]
        }


def transition_forms(obj: Request, *, bound: str = "", data=None) -> dict[str, TransitionForm]:
    """The steps open to staff on `obj` now, by name; the one named `bound` gets `data`."""
    makers: dict[str, tuple[type[TransitionForm], dict]] = {}
    if obj.status == S.REQUESTED:
        for slot in obj.slots.all():
            makers[f"accept_{slot.position}"] = (AcceptForm, {"slot": slot})
    if obj.status == S.PROPOSED:
        makers["group_accepted"] = (GroupAcceptedForm, {})
        makers["group_declined"] = (GroupDeclinedForm, {})
    if obj.status in (S.REQUESTED, S.PROPOSED):
        makers["propose"] = (ProposeForm, {})
        makers["decline"] = (DeclineForm, {})
    if obj.status == S.CONFIRMED:
        makers["move"] = (ProposeForm, {"move": True})
        makers["publish"] = (PublishForm, {})
    if obj.status in (S.REQUESTED, S.PROPOSED, S.CONFIRMED):
        makers["cancel"] = (CancelForm, {})
    if obj.status in Request.HELD_STATES:
        makers["follow_up"] = (FollowUpOpenForm, {})
    return {
        name: form_class(data if name == bound else None, obj=obj, prefix=name, **extra)
        for name, (form_class, extra) in makers.items()
    }


def _form_errors(form: forms.Form) -> list[str]:
    return [
        f"{form.fields[field].label}: {error}" if field in form.fields else str(error)
        for field, errors in form.errors.items()
        for error in errors
    ]


# --- the changelist ----------------------------------------------------------------------------


class RecordDueFilter(admin.SimpleListFilter):
    """Sessions that have taken place and whose record is still to be written or published."""

    title = _("record")
    parameter_name = "record"

    def lookups(self, request, model_admin):
        return [("due", _("To write or publish"))]

    def queryset(self, request, queryset):
        if self.value() == "due":
            return queryset.filter(status=S.CONFIRMED, ends_at__lt=timezone.now())
        return queryset


class RequestFiscalYearFilter(FiscalYearListFilter):
    """The request's 年度 from the years offered, not Django's list of values (a DISTINCT over
    every request on every page view)."""

    field_name = "fiscal_year"
    years_ahead = 1

    def filter_year(self, queryset, year):
        return queryset.filter(fiscal_year=year)


@admin.register(Request)
class RequestAdmin(
    EstimatedCountAdminMixin,
    PrintablesAdminMixin,
    ServiceSaveMixin,
    KeyedInChannelMixin,
    admin.ModelAdmin,
):
    change_form_template = "admin/entalk/request/change_form.html"
    change_list_template = "admin/entalk/request/change_list.html"
    list_display = [
        "number",
        short_text("group_name", _("group"), length=16),
        "status",
        "session_starts",
        "received",
        "channel",
        "venue_district",
    ]
    list_filter = [
        "status",
        RequestFiscalYearFilter,
        "channel",
        "venue_district",
        "themes",
        RecordDueFilter,
    ]
    list_select_related = ["venue_district"]
    # The long texts the list never shows, left out of its query (lib.admin_lists).
    list_defer = ("theme", "note", "decline_reason", "summary")
    search_fields = ["number", "group_name", "contact_name"]
    list_per_page = 50
    show_full_result_count = False
    actions = None
    inlines = [
        SlotInline,
        ParticipantCountInline,
        TopicInline,
        PhotoInline,
        FollowUpInline,
        HistoryInline,
    ]
    state_fields = (
        "status",
        "status_changed_at",
        "starts_at",
        "ends_at",
        "held_fiscal_year",
        "decline_reason",
        "published_at",
    )

    # --- columns ---------------------------------------------------------------------------

    @admin.display(description=_("session"), ordering="starts_at")
    def session_starts(self, obj):
        return local(obj.starts_at) if obj.starts_at else "—"

    @admin.display(description=_("received"), ordering="received_at")
    def received(self, obj):
        return f"{timezone.localtime(obj.received_at):%Y/%m/%d}"

    @admin.display(description=_("theme categories"))
    def theme_list(self, obj):
        return "、".join(theme.name for theme in obj.themes.all()) or "—"

    @admin.display(description=_("what still stops publishing"))
    def record_problems(self, obj):
        if obj is None or obj.status != S.CONFIRMED:
            return "—"
        problems = services.record_problems(obj, now=timezone.now())
        return "; ".join(m for messages_ in problems.values() for m in messages_) or "—"

    # --- forms -----------------------------------------------------------------------------

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = RequestAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        return CHANGE_FIELDSETS if obj is not None else ADD_FIELDSETS

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        if obj.status in Request.HELD_STATES:
            return CHANGE_READONLY
        return [*CHANGE_READONLY, *RECORD_FIELDS]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        # A request ends by a transition (declined, cancelled), which keeps its history.
        return False

    def printables(self, request, obj):
        return [(_("Receipt (受付票)"), reverse("entalk:request_receipt", args=[obj.pk]))]

    def create_with_service(self, request, obj, form):
        data = form.cleaned_data
        created = services.request_create(
            by=request.user,
            slots=form.slots(),
            themes=list(data.get("themes") or []),
            organization=data.get("organization"),
            channel=data["channel"],
            received_at=data.get("received_at"),
            group_name=data.get("group_name") or "",
            contact_name=data["contact_name"],
            email=data.get("email") or "",
            phone=data.get("phone") or "",
            theme=data["theme"],
            venue_name=data["venue_name"],
            venue_district=data["venue_district"],
            venue_postal_code=data["venue_postal_code"],
            venue_address=data["venue_address"],
            step_free=data.get("step_free"),
            participants_expected=data["participants_expected"],
            public_naming=bool(data.get("public_naming")),
            note=data.get("note") or "",
        )
        for field in Request._meta.concrete_fields:
            setattr(obj, field.attname, getattr(created, field.attname))
        obj._state.adding = False

    # --- the transition buttons and the month view -----------------------------------------

    def get_urls(self):
        return [
            path(
                "<path:object_id>/transition/",
                self.admin_site.admin_view(self.transition_view),
                name="entalk_request_transition",
            ),
            path(
                "month/",
                self.admin_site.admin_view(self.month_view),
                name="entalk_request_month",
            ),
        ] + super().get_urls()

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and not add and self.has_change_permission(request, obj):
            context.setdefault("transition_forms", transition_forms(obj))
        return super().render_change_form(
            request, context, add=add, change=change, form_url=form_url, obj=obj
        )

    def transition_view(self, request, object_id):
        """POST one of the step forms of the page: the named service runs; a refusal is shown
        on the page again with what was typed."""
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        change_url = reverse("admin:entalk_request_change", args=[obj.pk])
        if request.method != "POST":
            return HttpResponseRedirect(change_url)
        name = request.POST.get("transition", "")
        forms_ = transition_forms(obj, bound=name, data=request.POST)
        form = forms_.get(name)
        if form is None:
            messages.error(
                request, _("This request is no longer in a state where that can be done.")
            )
            return HttpResponseRedirect(change_url)
        if form.is_valid():
            try:
                done = form.run(request.user)
            except (ValidationError, TransitionError, PermissionDenied) as error:
                put_refusal_on_form(form, error)
            else:
                messages.success(request, done)
                return HttpResponseRedirect(change_url)
        for error in _form_errors(form):
            messages.error(request, error)
        # The page again, with the step's form as it was posted and its errors.
        obj.refresh_from_db()
        request.method = "GET"
        return self.change_view(request, str(obj.pk), extra_context={"transition_forms": forms_})

    def month_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return diary.month_view(self, request)
