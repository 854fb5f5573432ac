"""`manage.py drill_check SETUP_JSON ACKS_JSON`: what the reliability drill's database holds, for
bench/drill.py to compare with what the load tool was acknowledged.

SETUP_JSON is drill_setup's data; ACKS_JSON maps each kind of submission to the keys the
server acknowledged: "opinion" → the token written in the opinion's text (one per form sent), "report" → the
token in an activity report's notes, "account" → the e-mail address signed up with,
"partner_registration" → the id of a まかせて registration (counted with any other of the same
person), "subsidy_draft" → the token in a draft's title, "subsidy_attachment" → the id of the draft a
document was attached to (its attachments counted), "staff_approval" → the id of a まかせて registration a clerk approved (its history rows to
"registered"), "workshop_signup" → the id of a まちづくり協議会 sign-up (counted with any other sign-up of the
same person for the same session),
"shift_signup" → "registration_id:shift_id". Prints one line `DRILLCHECK {json}`:

- kinds: for each kind, how many rows hold each acknowledged key, and how many rows of that
  kind this run made (acknowledged or not);
- race: the race shift's confirmed, waiting and other sign-ups;
- budget: the budget race's adopted applications and the sum decided, against the budget;
- clerks: the status of the two clerks' application and its history rows;
- half_written: the drill's sign-ups without their first history row, submissions received
  since drill_setup without an opinion;
- dangling_files: file fields of every model naming a file the storage does not have.

Read-only."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db.models import Count, Sum

from councils.models import Signup as CouncilSignup
from partners.models import (
    ActivityReport,
    Programme,
    Registration,
    RegistrationStatusChange,
    Signup,
)
from publiccomment.models import Opinion, Submission
from subsidies.models import Application, Attachment

TOKEN = re.compile(r"\[(drill-[0-9]+-[A-Za-z0-9-]+)\]")


class Command(BaseCommand):
    help = "What the drill's database holds, for bench/drill.py (read-only)."

    def add_arguments(self, parser):
        parser.add_argument("setup_json")
        parser.add_argument("acks_json")

    def handle(self, *args, setup_json, acks_json, **options):
        setup = json.loads(Path(setup_json).read_text(encoding="utf-8"))
        acks = json.loads(Path(acks_json).read_text(encoding="utf-8"))
        marker = setup["marker"]
        out: dict = {"kinds": {}}

        texts = Opinion.objects.filter(text__contains=f"[{marker}-").values_list(
            "submission_id", "text"
        )
        per_token: Counter = Counter()
        submissions = set()
        for submission_id, text in texts:
            submissions.add(submission_id)
            for token in set(TOKEN.findall(text)):
                per_token[token] += 1
        out["kinds"]["opinion"] = {
            "found": {k: per_token.get(k, 0) for k in acks.get("opinion", [])},
            "total": len(submissions),
        }

        reports = Counter()
        for notes in ActivityReport.objects.filter(notes__contains=f"[{marker}-").values_list(
            "notes", flat=True
        ):
            for token in set(TOKEN.findall(notes)):
                reports[token] += 1
        out["kinds"]["report"] = {
            "found": {k: reports.get(k, 0) for k in acks.get("report", [])},
            "total": sum(reports.values()),
        }

        accounts = Counter(
            e.lower()
            for e in get_user_model()
            .objects.filter(email__startswith=f"{marker}-")
            .values_list("email", flat=True)
        )
        out["kinds"]["account"] = {
            "found": {k: accounts.get(k.lower(), 0) for k in acks.get("account", [])},
            "total": sum(accounts.values()),
        }

        workshop = CouncilSignup.objects.filter(session_id=setup.get("workshop_session"))
        acked_workshop = acks.get("workshop_signup", [])
        owners = dict(
            workshop.filter(pk__in=[int(k) for k in acked_workshop]).values_list("pk", "user_id")
        )
        per_user = Counter(workshop.filter(user__isnull=False).values_list("user_id", flat=True))
        out["kinds"]["workshop_signup"] = {
            # The acknowledged sign-up, and no second one of the same person for the session.
            "found": {k: per_user.get(owners.get(int(k)), 0) for k in acked_workshop},
            "total": workshop.filter(user__email__startswith="bench-resident-").count(),
        }

        makasete = Registration.objects.filter(
            programme=Programme.MAKASETE, user__email__startswith="bench-resident-"
        )
        acked_registrations = acks.get("partner_registration", [])
        owners = dict(
            makasete.filter(pk__in=[int(k) for k in acked_registrations]).values_list(
                "pk", "user_id"
            )
        )
        per_user = Counter(makasete.values_list("user_id", flat=True))
        out["kinds"]["partner_registration"] = {
            "found": {k: per_user.get(owners.get(int(k)), 0) for k in acked_registrations},
            "total": makasete.count(),
        }

        approvals = Counter(
            RegistrationStatusChange.objects.filter(
                registration__in=makasete, new_status=Registration.Status.REGISTERED
            ).values_list("registration_id", flat=True)
        )
        out["kinds"]["staff_approval"] = {
            "found": {k: approvals.get(int(k), 0) for k in acks.get("staff_approval", [])},
            "total": sum(approvals.values()),
        }

        drafts = Counter()
        for title in Application.objects.filter(title__contains=f"[{marker}-").values_list(
            "title", flat=True
        ):
            for token in set(TOKEN.findall(title)):
                drafts[token] += 1
        out["kinds"]["subsidy_draft"] = {
            "found": {k: drafts.get(k, 0) for k in acks.get("subsidy_draft", [])},
            "total": sum(drafts.values()),
        }
        acked_attachments = acks.get("subsidy_attachment", [])
        per_draft = Counter(
            Attachment.objects.filter(application__title__contains=f"[{marker}-").values_list(
                "application_id", flat=True
            )
        )
        out["kinds"]["subsidy_attachment"] = {
            "found": {k: per_draft.get(int(k), 0) for k in acked_attachments},
            "total": sum(per_draft.values()),
        }

        shifts = setup["load_shifts"]
        pairs = Counter(
            f"{r}:{s}"
            for r, s in Signup.objects.filter(shift_id__in=shifts).values_list(
                "registration_id", "shift_id"
            )
        )
        out["kinds"]["shift_signup"] = {
            "found": {k: pairs.get(k, 0) for k in acks.get("shift_signup", [])},
            "total": sum(pairs.values()),
        }

        race = Counter(
            Signup.objects.filter(shift_id=setup["race_shift"]).values_list("status", flat=True)
        )
        out["race"] = dict(race)

        budget = Application.objects.filter(pk__in=setup["budget_applications"])
        out["budget"] = {
            "adopted": budget.filter(status=Application.Status.ADOPTED).count(),
            "decided_sum": budget.filter(status=Application.Status.ADOPTED).aggregate(
                total=Sum("decided_amount")
            )["total"]
            or 0,
            "programme_used": Application.objects.filter(programme_id=setup["budget_programme"])
            .decided()
            .aggregate(total=Sum("decided_amount"))["total"]
            or 0,
            "budget": setup["budget_total"],
        }

        clerks = Application.objects.get(pk=setup["clerks_application"])
        out["clerks"] = {
            "status": clerks.status,
            "history": clerks.status_changes.filter(new_status=Application.Status.ACCEPTED).count(),
        }

        drill_shifts = [*shifts, setup["race_shift"]]
        out["half_written"] = {
            "signups_without_history": Signup.objects.filter(shift_id__in=drill_shifts)
            .annotate(n=Count("status_changes"))
            .filter(n=0)
            .count(),
            "submissions_without_opinions": Submission.objects.filter(
                received_at__gte=setup["started_at"]
            )
            .annotate(n=Count("opinions"))
            .filter(n=0)
            .count(),
        }
        out["dangling_files"] = _dangling_files()
        self.stdout.write("DRILLCHECK " + json.dumps(out, ensure_ascii=False))


def _dangling_files() -> int:
    """Rows whose file field names a file that is not in its storage (an upload that failed
    half-way must leave no such row)."""
    from django.apps import apps
    from django.db.models import FileField

    missing = 0
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, FileField):
                continue
            names = model._default_manager.exclude(**{field.name: ""}).values_list(
                field.name, flat=True
            )
            missing += sum(1 for name in names.iterator() if not field.storage.exists(name))
    return missing
