"""The shapes that apps hand to the site pages (see registry.py). Apps import this module;
only registry.py imports the apps."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Section:
    title: str
    template_name: str
    context: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Figure:
    """One number of the 実績 page: `key` is stable for open data, `label` is for people."""

    group: str
    key: str
    label: str
    value: int | float
    unit: str = ""
