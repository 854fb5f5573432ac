"""The shapes that apps hand to the site pages (see registry.py). Apps import this module;
only registry.py imports the apps."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Section:
    title: str
    template_name: str
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Figure:
    """One number of the 実績 page: `key` is stable for open data, `label` is for people."""

    group: str
    key: str
    label: str
    value: int | float
    unit: str = ""


@dataclass(frozen=True)
class BenchPage:
    """A page `make bench` loads (see bench/run.py). `who` is "" for an anonymous visitor,
    "person" for the bench resident or "staff" for the bench superuser with the second factor;
    `expect` is text the page must contain for that person (so the run never measures a
    redirect to the sign-in page).

    `form`, when given, makes the page a form that the capacity run (bench/locustfile.py)
    also sends, as a person would: it takes the page's hidden fields (the CSRF token, the
    form's key), adds these (name, value) pairs, posts them to the page, and with `confirm`
    posts the confirmation page's hidden fields again with `_submit` (lib/confirm.py); the
    answer must be a redirect (the receipt)."""

    name: str
    path: str
    who: str = ""
    expect: tuple[str, ...] = ()
    form: tuple[tuple[str, str], ...] = ()
    confirm: bool = False


@dataclass(frozen=True)
class ProjectRecord:
    """A mechanism's record about a project of the registry's catalogue (a パブリックコメント
    case, a まちづくり協議会 council), listed on the project's page: where the plan is asked about.
    `kind` names the mechanism, `detail` one line such as its state or dates."""

    kind: str
    title: str
    url: str
    detail: str = ""


@dataclass(frozen=True)
class QueueItem:
    """One line of the staff work queue on the admin index: what waits for the signed-in staff
    member, how many, and the admin changelist filtered to exactly those rows."""

    group: str
    label: str
    count: int
    url: str


class Urgency:
    """How a マイページ task is shown and ordered. An app sets ACTION (something the city
    returned to the person) or WAITING (the city has to answer, nothing to do but look); with
    the default, DATED, the site reads the due date: OVERDUE before today, SOON within
    SOON_DAYS, else LATER."""

    ACTION = "action"
    DATED = ""
    OVERDUE = "overdue"
    SOON = "soon"
    LATER = "later"
    WAITING = "waiting"

    SOON_DAYS = 7

    @classmethod
    def of(cls, task: Task, today: dt.date) -> str:
        if task.urgency != cls.DATED:
            return task.urgency
        if task.due is None:
            return cls.SOON
        if task.due < today:
            return cls.OVERDUE
        return cls.SOON if (task.due - today).days <= cls.SOON_DAYS else cls.LATER


@dataclass(frozen=True)
class Task:
    """One line of マイページ's 次にすること ("what do I need to do next"), from an app's
    `mypage_tasks(request)` (registry.MYPAGE_TASKS).

    - `title`: what it is, naming the mechanism and the record in words people use
      (「用具の返却：草刈機（KS-01）」), never a bare number;
    - `url` and `action_label`: the one link that does it (「修正して再提出する」);
    - `due` and `due_label`: the date that matters and what it is (返却期限, 提出期限, 日時);
      None for something to do now (an application returned for changes);
    - `detail`: one line of context (the city's reason, the place and time);
    - `urgency`: see `Urgency`; leave it DATED for a deadline.
    """

    title: str
    url: str
    action_label: str
    due: dt.date | None = None
    due_label: str = ""
    detail: str = ""
    urgency: str = Urgency.DATED


@dataclass(frozen=True)
class PersonalRecord:
    """One record holding a person's data, for 個人情報の開示・訂正 (the admin's page
    `muroran_kyodo.personal_data`): `kind` names the record's sort, `title` the record,
    `admin_url` its change page in the admin (where staff correct it), `data` every personal
    field and what the record says of the person, as JSON values."""

    kind: str
    title: str
    admin_url: str
    data: dict = field(default_factory=dict)
