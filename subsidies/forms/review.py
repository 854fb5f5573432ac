"""The reviewer's score sheet and the admin's review forms: assigning a reviewer, deciding."""

from __future__ import annotations

from django import forms
from django.utils.html import escape
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from muroran_kyodo.lib.admin_actions import ReasonActionForm
from muroran_kyodo.lib.fields import DateField as JapaneseDateField
from muroran_kyodo.lib.fields import YenField

from .. import services
from ..models import (
    ReviewAssignment,
)

SCORE_CHOICES = [
    (1, _("1 (poor)")),
    (2, _("2 (fair)")),
    (3, _("3 (good)")),
    (4, _("4 (very good)")),
    (5, _("5 (excellent)")),
]


class ScoreSheetForm(forms.Form):
    """One row per criterion of the programme: a score from 1 to 5 (required) and a comment."""

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        required = _("Give a score from 1 to 5.")
        for criterion in self.criteria:
            help_text = f"{capfirst(_('weight'))}: {criterion.weight}"
            if criterion.description:
                help_text = f"{escape(criterion.description)} {help_text}"
            self.fields[f"score_{criterion.pk}"] = forms.TypedChoiceField(
                label=criterion.name,
                choices=SCORE_CHOICES,
                coerce=int,
                widget=forms.RadioSelect,
                help_text=help_text,
                error_messages={"required": required, "invalid_choice": required},
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=f"{criterion.name} — {capfirst(_('comment'))}",
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def rows(self):
        for criterion in self.criteria:
            yield criterion, self[f"score_{criterion.pk}"], self[f"comment_{criterion.pk}"]

    def scores(self):
        """(criterion, score, comment) for every criterion, once the form is valid."""
        return [
            (
                criterion,
                self.cleaned_data[f"score_{criterion.pk}"],
                self.cleaned_data[f"comment_{criterion.pk}"].strip(),
            )
            for criterion in self.criteria
        ]


# --- the admin ---------------------------------------------------------------------------------


class DecisionActionForm(ReasonActionForm):
    amount = YenField(label=_("Amount decided (yen; empty: the amount requested)"), required=False)
    # For 取消 and 中止・廃止 approval: what the group must pay back, and by when.
    repayment_amount = YenField(label=_("Repayment (yen; empty: none)"), required=False)
    repayment_due_on = JapaneseDateField(label=_("Repay by"), required=False)


class ReviewAssignmentForm(forms.ModelForm):
    """The service's checks (conflict of interest, state) shown next to the field."""

    class Meta:
        model = ReviewAssignment
        fields = ["application", "reviewer"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean(self):
        cleaned = super().clean()
        application, reviewer = cleaned.get("application"), cleaned.get("reviewer")
        if application and reviewer and self.request is not None:
            services.check_assignment(
                application=application, reviewer=reviewer, by=self.request.user
            )
        return cleaned
