"""Staff assign reviewers (never a member of the applicant organisation); scores are read-only."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import ValidationError

from muroran_kyodo.lib.admin_actions import ServiceRefusalsOnTheFormMixin

from .. import services
from ..forms import ReviewAssignmentForm
from ..models import ReviewAssignment, Score
from .base import KeptRecordMixin


@admin.register(ReviewAssignment)
class ReviewAssignmentAdmin(ServiceRefusalsOnTheFormMixin, admin.ModelAdmin):
    form = ReviewAssignmentForm
    list_display = ["application", "reviewer", "assigned_by", "assigned_at"]
    list_filter = ["application__programme"]
    list_select_related = ["application", "reviewer", "assigned_by"]
    search_fields = ["application__number", "application__title", "reviewer__email"]
    autocomplete_fields = ["application", "reviewer"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)

        class WithRequest(form_class):
            def __init__(self, *args, **inner):
                super().__init__(*args, request=request, **inner)

        return WithRequest

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        try:
            saved = services.assign_reviewer(
                application=obj.application, reviewer=obj.reviewer, by=request.user
            )
        except ValidationError as error:
            self.refused(error)
        obj.pk = saved.pk


@admin.register(Score)
class ScoreAdmin(KeptRecordMixin, admin.ModelAdmin):
    list_display = ["assignment", "criterion", "score", "updated_at"]
    list_filter = ["assignment__application__programme"]
    list_select_related = ["assignment__application", "assignment__reviewer", "criterion"]
    search_fields = ["assignment__application__number", "assignment__application__title"]
    readonly_fields = ["assignment", "criterion", "score", "comment", "updated_at"]
