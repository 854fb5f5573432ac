"""What the apps' admin classes share: a reason box in the action bar; one action factory that
runs a named transition over the selected rows, reporting the rows it refused instead of
stopping; one save mixin (a new record through its service, a change writing only the fields
the form changed and never the state); refusals of a service shown on the add/change form; a
年度 list filter; a CSV export action."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .csvexport import csv_response
from .jp import current_fiscal_year, fiscal_year_dates, fiscal_year_datetimes, fiscal_year_label
from .streaming import rows_of
from .workflow import TransitionError

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    # The mixins below go before admin.ModelAdmin in an admin class's bases; the type checker
    # reads them as ModelAdmins, so that super() and self.message_user are known.
    _AdminBase = admin.ModelAdmin[Any]
    # An admin action: (modeladmin, request, queryset) -> a response, or None for the list.
    AdminAction = Callable[
        [admin.ModelAdmin[Any], HttpRequest, QuerySet[Any]], HttpResponseBase | None
    ]
else:
    _AdminBase = object

T = TypeVar("T")


class ReasonActionForm(ActionForm):
    reason = forms.CharField(label=_("Reason (required to return)"), required=False)


def run_for_each(
    modeladmin: admin.ModelAdmin[Any],
    request: HttpRequest,
    rows: Iterable[T],
    call: Callable[[T], object],
    *,
    refusals: tuple[type[Exception], ...] = (),
    describe: Callable[[T], str] = str,
    done_message: Callable[[int], str],
) -> int:
    """Call `call(row)` for every row; a refused row (ValidationError, PermissionDenied or one of
    `refusals`) is reported as a warning naming it, and the others go on."""
    refused: tuple[type[Exception], ...] = (ValidationError, PermissionDenied, *refusals)
    done = 0
    for row in rows:
        try:
            call(row)
            done += 1
        except refused as error:
            text = "; ".join(getattr(error, "messages", [str(error)])) or _("not allowed")
            modeladmin.message_user(request, f"{describe(row)}: {text}", messages.WARNING)
    if done:
        modeladmin.message_user(request, done_message(done), messages.SUCCESS)
    return done


def transition_action(
    service: Callable[..., object],
    *,
    subject: str,
    description: StrOrPromise,
    describe: Callable[[Any], str] = str,
    with_reason: bool = False,
    arguments: Callable[[admin.ModelAdmin[Any], HttpRequest], dict[str, Any]] | None = None,
    select_related: tuple[str, ...] = (),
    refusals: tuple[type[Exception], ...] = (),
    done_message: Callable[[int], str] | None = None,
    name: str | None = None,
) -> AdminAction:
    """An admin action that calls the named transition `service` on each selected row, as
    `service(<subject>=row, by=request.user, reason=…, **arguments(modeladmin, request))`.
    The reason comes from the action bar's box as its form cleaned it (`ReasonActionForm`);
    a refused row is reported by `describe(row)` and the others go on. Needs the change
    permission."""

    def action(
        modeladmin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[Any]
    ) -> None:
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


def save_changed_fields(
    obj: Model, form: forms.BaseForm, *, exclude: tuple[str, ...] = ()
) -> list[str]:
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
    def __init__(self, error: ValidationError) -> None:
        super().__init__(error)
        self.error = error


class ServiceRefusalsOnTheFormMixin(_AdminBase):
    """For add and change forms whose save_model calls a workflow function: when the function
    refuses (a ValidationError found only at save time, e.g. a duplicate registered by someone
    else a moment ago, or equipment lent in between), the form is shown again with what staff
    typed and the refusal next to the field or on top, instead of a server error. Nothing is
    saved: the admin's transaction is rolled back before the form is shown again.

    In save_model, call `self.refused(error)` inside `except ValidationError as error:`."""

    def refused(self, error: ValidationError) -> NoReturn:
        raise _Refused(error)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except _Refused as refusal:
            # A mark on this request for get_form below; HttpRequest's stub has no such slot.
            request._service_refusal = refusal.error  # type: ignore[attr-defined]
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(
        self, request: HttpRequest, obj: Any | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[Any]]:
        form_class = super().get_form(request, obj, change=change, **kwargs)
        refusal: ValidationError | None = getattr(request, "_service_refusal", None)
        if refusal is None:
            return form_class
        error: ValidationError = refusal  # not None, also inside the class below

        # The base is the form class the admin built just now: mypy cannot check a class
        # statement whose base is a variable, so the class reads as a subclass of Any.
        class RefusedForm(form_class):  # type: ignore[misc,valid-type]
            def clean(self) -> dict[str, Any]:
                cleaned: dict[str, Any] = super().clean()
                if hasattr(error, "error_dict"):
                    for field, errors in error.error_dict.items():
                        self.add_error(field if field in self.fields else None, errors)
                else:
                    self.add_error(None, error.messages)
                return cleaned

        return RefusedForm


class ServiceSaveMixin(ServiceRefusalsOnTheFormMixin):
    """The admin's save for a record with a workflow: a new record goes through the app's
    service (`create_with_service(request, obj, form)`, whose ValidationError is shown on the
    form with nothing saved); a change writes only the fields the form changed, never
    `state_fields`, which only named transitions write."""

    state_fields: tuple[str, ...] = ("status", "status_changed_at")

    def create_with_service(self, request: HttpRequest, obj: Any, form: Any) -> None:
        raise NotImplementedError(f"{type(self).__name__} must create through its service")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
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

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]
    ) -> list[tuple[str, str]]:
        return [(str(year), fiscal_year_label(year)) for year in self.years()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        offered = {str(year): year for year in self.years()}
        value = self.value()
        year = offered.get(value) if value is not None else None
        return queryset if year is None else self.filter_year(queryset, year)

    def filter_year(self, queryset: QuerySet[Any], year: int) -> QuerySet[Any]:
        if self.is_datetime:
            start, end = fiscal_year_datetimes(year)
            return queryset.filter(
                **{f"{self.field_name}__gte": start, f"{self.field_name}__lt": end}
            )
        first, last = fiscal_year_dates(year)
        return queryset.filter(
            **{f"{self.field_name}__gte": first, f"{self.field_name}__lte": last}
        )


def fiscal_year_filter(
    field_name: str, *, title: StrOrPromise | None = None, is_datetime: bool = False
) -> type[FiscalYearListFilter]:
    """A FiscalYearListFilter on `field_name` (a date, or a datetime with is_datetime)."""
    # type() with three arguments is typed as returning a plain `type`.
    return cast(
        "type[FiscalYearListFilter]",
        type(
            f"FiscalYearFilter_{field_name.replace('__', '_')}",
            (FiscalYearListFilter,),
            {
                "field_name": field_name,
                "is_datetime": is_datetime,
                "title": title or FiscalYearListFilter.title,
            },
        ),
    )


def csv_export_action(
    filename: str,
    columns: list[tuple[str, Callable[[Any], object]]],
    *,
    select_related: tuple[str, ...] = (),
    prefetch_related: tuple[str, ...] = (),
    description: StrOrPromise | None = None,
) -> AdminAction:
    """An admin action that downloads the selected rows as CSV (BOM, formula-safe): one column
    per (header, value of a row). Rows are read in chunks, so a whole year's rows fit."""

    def export_csv(
        modeladmin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[Any]
    ) -> StreamingHttpResponse:
        rows = (
            [value(obj) for _header, value in columns]
            for obj in rows_of(
                queryset.select_related(*select_related).prefetch_related(*prefetch_related)
            )
        )
        return csv_response(filename, [header for header, _value in columns], rows)

    return admin.action(description=description or _("Export the selected rows as CSV"))(export_csv)


class KeyedInChannelMixin(_AdminBase):
    """On the add form, staff key in what came on paper, by FAX, e-mail or at the counter: the
    web channel is the site's own (refused), and paper is the usual case. For models with a
    `channel` field whose choices include "web" and "paper"."""

    def get_form(
        self, request: HttpRequest, obj: Any | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[Any]]:
        form = super().get_form(request, obj, change=change, **kwargs)
        field = form.base_fields.get("channel") if obj is None else None
        if isinstance(field, forms.ChoiceField):  # what a model field with choices gets
            # django-stubs type the getter like the setter (a mapping, a Choices class, a
            # callable); Django has normalised the choices to a list of pairs by now.
            choices: Iterable[tuple[Any, Any]] = field.choices  # type: ignore[assignment]
            field.choices = [(value, label) for value, label in choices if value != "web"]
            field.initial = "paper"
        return form


class ActionFormErrorsMixin(_AdminBase):
    """When the boxes of the action bar are wrong (an amount that is not one, a reason that
    cannot be stored), say what is wrong instead of Django's "No action selected"."""

    def response_action(self, request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponse | None:
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
    def action_value(request: HttpRequest, action_form_class: type[forms.Form], name: str) -> Any:
        """A box of the action bar, as its form field cleaned it (the action ran only because
        the form was valid)."""
        form = action_form_class(request.POST, auto_id=False)  # no ids, as with None
        form.fields.pop("action", None)
        form.is_valid()
        return form.cleaned_data.get(name)
