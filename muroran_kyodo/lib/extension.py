"""The shapes that apps hand to the site pages (see registry.py). Apps import this module;
only registry.py imports the apps."""

from __future__ import annotations

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
    redirect to the sign-in page)."""

    name: str
    path: str
    who: str = ""
    expect: tuple[str, ...] = ()


@dataclass(frozen=True)
class QueueItem:
    """One line of the staff work queue on the admin index: what waits for the signed-in staff
    member, how many, and the admin changelist filtered to exactly those rows."""

    group: str
    label: str
    count: int
    url: str
