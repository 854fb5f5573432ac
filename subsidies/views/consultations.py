"""事前相談 in the browser: a member books a prior consultation with 地域生活課 (入力 → 確認 →
完了) through `services.consultation_book`; staff mark it held in the admin."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from muroran_kyodo.lib import ratelimit
from muroran_kyodo.lib.confirm import STEP_INPUT, confirm_flow
from muroran_kyodo.lib.forms import put_refusal_on_form

from .. import services
from ..forms import ConsultationForm
from ..models import Programme


@never_cache
@login_required
def consultation_book(request, pk):
    programme = get_object_or_404(Programme.objects.published(), pk=pk)
    form = ConsultationForm(request.POST or None, programme=programme, user=request.user)
    context = {"programme": programme, "has_organizations": form.fields["organization"].queryset}

    def form_again(form):
        return render(
            request,
            "subsidies/consultation_form.html",
            {**context, "form": form, "step": STEP_INPUT},
        )

    def on_submit(form):
        # A booking e-mails the group and 地域生活課.
        if not ratelimit.hit(request, "subsidies.consultation"):
            form.add_error(None, ratelimit.LIMITED)
            return form_again(form)
        try:
            services.consultation_book(
                organization=form.cleaned_data["organization"],
                programme=programme,
                held_on=form.cleaned_data["held_on"],
                topic=form.cleaned_data["topic"],
                by=request.user,
            )
        except PermissionDenied:
            # Not allowed for this organisation: said next to the organisation chosen.
            put_refusal_on_form(
                form,
                ValidationError(
                    {
                        "organization": _(
                            "You can book only for an organisation you are a member of."
                        )
                    }
                ),
            )
        except ValidationError as error:
            put_refusal_on_form(form, error)
        else:
            messages.success(
                request,
                _(
                    "Your prior consultation is booked. The Community Life Division will "
                    "contact you to confirm the time."
                ),
            )
            return redirect("subsidies:application_list")
        return form_again(form)

    return confirm_flow(
        request,
        form,
        template="subsidies/consultation_form.html",
        confirm_template="subsidies/consultation_confirm.html",
        on_submit=on_submit,
        context=context,
    )


urlpatterns = [
    path(
        "subsidies/programmes/<int:pk>/consultation/",
        consultation_book,
        name="consultation_book",
    ),
]
