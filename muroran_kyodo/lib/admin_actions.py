"""What the apps' admin classes share: a reason box in the action bar; one action factory that
runs a named transition over the selected rows, reporting the rows it refused instead of
stopping; one save mixin (a new record through its service, a change writing only the fields
the form changed and never the state); refusals of a service shown on the add/change form; a
年度 list filter; a CSV export action."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .csvexport import csv_response
from .jp import current_fiscal_year, fiscal_year_dates, fiscal_year_datetimes, fiscal_year_label
from .workflow import TransitionError


class ReasonActionForm(admin.helpers.ActionForm):
    reason = forms.CharField(label=_("Reason (required to return)"), required=False)


def run_for_each(
    modeladmin,
    request,
    rows: Iterable,
    call: Callable[[object], object],
    *,
    refusals: tuple[type[Exception], ...] = (),
    describe: Callable[[object], str] = str,
    done_message: Callable[[int], str],
) -> int:
    """Call `call(row)` for every row; a refused row (ValidationError, PermissionDenied or one of
    `refusals`) is reported as a warning naming it, and the others go on."""
    done = 0
    for row in rows:
        try:
            call(row)
            done += 1
        except (ValidationError, PermissionDenied, *refusals) as error:
            text = "; ".join(getattr(error, "messages", [str(error)])) or _("not allowed")
            modeladmin.message_user(request, f"{describe(row)}: {text}", messages.WARNING)
    if done:
        modeladmin.message_user(request, done_message(done), messages.SUCCESS)
    return done


def transition_action(
    service: Callable[..., object],
    *,
    subject: str,
    description,
    describe: Callable[[object], str] = str,
    with_reason: bool = False,
    arguments: Callable[[object, object], dict] | None = None,
    select_related: tuple[str, ...] = (),
    refusals: tuple[type[Exception], ...] = (),
    done_message: Callable[[int], str] | None = None,
    name: str | None = None,
):
    """An admin action that calls the named transition `service` on each selected row, as
    `service(<subject>=row, by=request.user, reason=…, **arguments(modeladmin, request))`.
    The reason comes from the action bar's box as its form cleaned it (`ReasonActionForm`);
    a refused row is reported by `describe(row)` and the others go on. Needs the change
    permission."""

    def action(modeladmin, request, queryset):
        kwargs = dict(arguments(modeladmin, request) if arguments else {})
        if with_reason:
            reason = ActionFormErrorsMixin.action_value(request, modeladmin.action_form, "reason")
            kwargs["reason"] = reason or ""
        rows = queryset.select_related(*select_related) if select_related else queryset
        run_for_each(
            modeladmin,
            request,
            rows,
            lambda row: service(**{subject: row}, by=request.user, **kwargs),
            refusals=(TransitionError, *refusals),
            describe=describe,
            done_message=done_message
            or (lambda n: ngettext("%(n)d row changed.", "%(n)d rows changed.", n) % {"n": n}),
        )

    action.__name__ = name or service.__name__
    return admin.action(description=description, permissions=["change"])(action)


def save_changed_fields(obj, form, *, exclude: tuple[str, ...] = ()) -> list[str]:
    """Write only the columns the form changed (and auto_now stamps), never those in
    `exclude`: a state that a transition committed while the form was open is not undone
    (a plain save() would write the whole row as it was loaded)."""
    changed = set(form.changed_data)
    fields = [
        f.name
        for f in obj._meta.concrete_fields
        if f.name in changed and not f.primary_key and f.name not in exclude
    ]
    if fields:
        fields += [
            f.name
            for f in obj._meta.concrete_fields
            if getattr(f, "auto_now", False) and f.name not in fields
        ]
        obj.save(update_fields=fields)
    return fields


class _Refused(Exception):
    def __init__(self, error: ValidationError):
        super().__init__(error)
        self.error = error


class ServiceRefusalsOnTheFormMixin:
    """For add and change forms whose save_model calls a workflow function: when the function
    refuses (a ValidationError found only at save time, e.g. a duplicate registered by someone
    else a moment ago, or equipment lent in between), the form is shown again with what staff
    typed and the refusal next to the field or on top, instead of a server error. Nothing is
    saved: the admin's transaction is rolled back before the form is shown again.

    In save_model, call `self.refused(error)` inside `except ValidationError as error:`."""

    def refused(self, error: ValidationError):
        raise _Refused(error)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except _Refused as refusal:
            request._service_refusal = refusal.error
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        refusal = getattr(request, "_service_refusal", None)
        if refusal is None:
            return form_class

        class RefusedForm(form_class):
            def clean(self):
                cleaned = super().clean()
                if hasattr(refusal, "error_dict"):
                    for field, errors in refusal.error_dict.items():
                        self.add_error(field if field in self.fields else None, errors)
                else:
                    self.add_error(None, refusal.messages)
                return cleaned

        return RefusedForm


class ServiceSaveMixin(ServiceRefusalsOnTheFormMixin):
    """The admin's save for a record with a workflow: a new record goes through the app's
    service (`create_with_service(request, obj, form)`, whose ValidationError is shown on the
    form with nothing saved); a change writes only the fields the form changed, never
    `state_fields`, which only named transitions write."""

    state_fields: tuple[str, ...] = ("status", "status_changed_at")

    def create_with_service(self, request, obj, form) -> None:
        raise NotImplementedError(f"{type(self).__name__} must create through its service")

    def save_model(self, request, obj, form, change):
        if change:
            save_changed_fields(obj, form, exclude=self.state_fields)
            return
        try:
            self.create_with_service(request, obj, form)
        except ValidationError as error:
            self.refused(error)


class FiscalYearListFilter(admin.SimpleListFilter):
    """年度 of a date or datetime field, as a range filter so the field's index is used. Make
    one with `fiscal_year_filter`; for a field that holds the year itself, override
    `filter_year`. Only the years offered are applied: a year typed into the URL that is not
    one of them leaves the list unfiltered (year 99999999 has no dates)."""

    title = _("fiscal year")
    parameter_name = "fiscal_year"
    field_name = ""
    is_datetime = False
    years_back = 5
    years_ahead = 0

    def years(self) -> range:
        this = current_fiscal_year()
        return range(this + self.years_ahead, this - self.years_back - 1, -1)

    def lookups(self, request, model_admin):
        return [(str(year), fiscal_year_label(year)) for year in self.years()]

    def queryset(self, request, queryset):
        offered = {str(year): year for year in self.years()}
        year = offered.get(self.value())
        return queryset if year is None else self.filter_year(queryset, year)

    def filter_year(self, queryset, year: int):
        if self.is_datetime:
            start, end = fiscal_year_datetimes(year)
            return queryset.filter(
                **{f"{self.field_name}__gte": start, f"{self.field_name}__lt": end}
            )
        start, end = fiscal_year_dates(year)
        return queryset.filter(**{f"{self.field_name}__gte": start, f"{self.field_name}__lte": end})


def fiscal_year_filter(field_name: str, *, title=None, is_datetime: bool = False):
    """A FiscalYearListFilter on `field_name` (a date, or a datetime with is_datetime)."""
    return type(
        f"FiscalYearFilter_{field_name.replace('__', '_')}",
        (FiscalYearListFilter,),
        {
            "field_name": field_name,
            "is_datetime": is_datetime,
            "title": title or FiscalYearListFilter.title,
        },
    )


def csv_export_action(
    filename: str,
    columns: list[tuple[str, Callable[[object], object]]],
    *,
    select_related: tuple[str, ...] = (),
    prefetch_related: tuple[str, ...] = (),
    description=None,
):
    """An admin action that downloads the selected rows as CSV (BOM, formula-safe): one column
    per (header, value of a row). Rows are read in chunks, so a whole year's rows fit."""

    def export_csv(modeladmin, request, queryset):
        rows = (
            [value(obj) for _header, value in columns]
            for obj in queryset.select_related(*select_related)
            .prefetch_related(*prefetch_related)
            .iterator(chunk_size=2000)
        )
        return csv_response(filename, [header for header, _value in columns], rows)

    return admin.action(description=description or _("Export the selected rows as CSV"))(export_csv)


class KeyedInChannelMixin:
    """On the add form, staff key in what came on paper, by FAX, e-mail or at the counter: the
    web channel is the site's own (refused), and paper is the usual case. For models with a
    `channel` field whose choices include "web" and "paper"."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None and "channel" in form.base_fields:
            field = form.base_fields["channel"]
            field.choices = [(value, label) for value, label in field.choices if value != "web"]
            field.initial = "paper"
        return form


class ActionFormErrorsMixin:
    """When the boxes of the action bar are wrong (an amount that is not one, a reason that
    cannot be stored), say what is wrong instead of Django's "No action selected"."""

    def response_action(self, request, queryset):
        form = self.action_form(request.POST, auto_id=None)
        form.fields["action"].choices = self.get_action_choices(request)
        if not form.is_valid() and set(form.errors) - {"action", "select_across"}:
            for name, errors in form.errors.items():
                label = form.fields[name].label if name in form.fields else ""
                for error in errors:
                    self.message_user(
                        request, f"{label}: {error}" if label else error, messages.ERROR
                    )
            return None
        return super().response_action(request, queryset)

    @staticmethod
    def action_value(request, action_form_class, name):
        """A box of the action bar, as its form field cleaned it (the action ran only because
        the form was valid)."""
        form = action_form_class(request.POST, auto_id=None)
        form.fields.pop("action", None)
        form.is_valid()
        return form.cleaned_data.get(name)
