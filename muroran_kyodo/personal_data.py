"""個人情報の開示・訂正 (個人情報保護法 76条・90条 and the city's ordinance): a page of the admin
where staff holding the permission `accounts.disclose_personal_data` find every record across
the portal that holds one person's data (by e-mail address and/or name), download them as one
JSON file, and correct the name and contacts the person gave on them. Each search that shows
records, each download and each correction is one line of the security log
(`accounts.security_events`). A name finds only the records given without any e-mail address
(`lib.retention.given_without_email`). Without the permission: 403."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.security_events import record
from muroran_kyodo import registry
from muroran_kyodo.lib.jp import NormalizedEmailField, PhoneField, validate_name
from muroran_kyodo.lib.streaming import json_response

PERMISSION = "accounts.disclose_personal_data"


def may_disclose(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and (user.is_superuser or user.has_perm(PERMISSION))
    )


class PersonForm(forms.Form):
    email = NormalizedEmailField(label=gettext_lazy("E-mail address"), required=False)
    name = forms.CharField(
        label=gettext_lazy("Name as given"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("Exactly as on the records, for those given without an e-mail."),
    )

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("email") and not data.get("name"):
            raise forms.ValidationError(_("Enter the person's e-mail address or name."))
        return data


class CorrectionForm(PersonForm):
    new_name = forms.CharField(
        label=gettext_lazy("Correct name"),
        required=False,
        max_length=100,
        validators=[validate_name],
    )
    # The columns hold 254 characters (models.EmailField); a longer address is refused here
    # instead of failing the UPDATE on PostgreSQL.
    new_email = NormalizedEmailField(
        label=gettext_lazy("Correct e-mail address"), required=False, max_length=254
    )
    new_phone = PhoneField(label=gettext_lazy("Correct telephone"), required=False)

    def clean(self):
        data = super().clean()
        if not self.errors and not (
            data.get("new_name") or data.get("new_email") or data.get("new_phone")
        ):
            raise forms.ValidationError(_("Enter at least one value to correct."))
        return data


def find(*, email: str, name: str) -> list:
    return [
        found for records in registry.PERSONAL_DATA for found in records(email=email, name=name)
    ]


def _export(request, person: dict, found: list):
    record(
        "personal_data_exported",
        request,
        request.user,
        subject_email=person["email"],
        subject_name=person["name"],
        records=len(found),
    )
    response = json_response(
        {
            "exported_at": timezone.now(),
            "exported_by": request.user.email,
            "searched_for": person,
            "records": [
                {"kind": str(r.kind), "title": r.title, "admin_url": r.admin_url, "data": r.data}
                for r in found
            ],
        }
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="personal-data-{stamp}.json"'
    return response


def _correct(request, form: CorrectionForm):
    data = form.cleaned_data
    person = {"email": data["email"], "name": data["name"]}
    new = {key: data[key] for key in ("new_name", "new_email", "new_phone")}
    with transaction.atomic():
        changed = {
            correct.__module__: correct(**person, **new) for correct in registry.CONTACT_CORRECTIONS
        }
        record(
            "personal_data_corrected",
            request,
            request.user,
            subject_email=person["email"],
            subject_name=person["name"],
            fields=sorted(key for key, value in new.items() if value),
            changed=changed,
        )
    total = sum(changed.values())
    messages.success(
        request,
        _("%(count)d record(s) were corrected. Correct the account itself on its own page.")
        % {"count": total},
    )
    after = {
        "email": new["new_email"] or person["email"],
        "name": new["new_name"] or person["name"],
    }
    query = urlencode({key: value for key, value in after.items() if value})
    return HttpResponseRedirect(f"{reverse('personal_data')}?{query}")


@never_cache
@require_http_methods(["GET", "POST"])
def page(request):
    """GET ?email=…&name=…: the records found. POST action=export: the JSON file; POST
    action=correct: the correction of the contacts on the records found."""
    if not may_disclose(request.user):
        raise PermissionDenied
    correction = None
    if request.method == "POST":
        if request.POST.get("action") == "correct":
            correction = CorrectionForm(request.POST)
            if correction.is_valid():
                return _correct(request, correction)
            form = PersonForm(request.POST)
        else:
            form = PersonForm(request.POST)
            if form.is_valid():
                person = {"email": form.cleaned_data["email"], "name": form.cleaned_data["name"]}
                return _export(request, person, find(**person))
    else:
        form = PersonForm(request.GET or None)
    found = None
    if form.is_bound and form.is_valid():
        person = {"email": form.cleaned_data["email"], "name": form.cleaned_data["name"]}
        records = find(**person)
        # Showing the records discloses them as much as the download does: logged alike.
        record(
            "personal_data_viewed",
            request,
            request.user,
            subject_email=person["email"],
            subject_name=person["name"],
            records=len(records),
        )
        found = [
            {
                "record": found_record,
                "pretty": json.dumps(
                    found_record.data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2
                ),
            }
            for found_record in records
        ]
        if correction is None:
            correction = CorrectionForm(initial=person)
    context = {
        **admin.site.each_context(request),
        "title": _("Disclosure and correction of personal data"),
        "form": form,
        "found": found,
        "correction": correction,
    }
    return render(request, "admin/personal_data.html", context)
