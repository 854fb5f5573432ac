"""How many generated inputs each form got and what they found: a table at the end of the run
and in .fuzz/last.md (the workers of pytest-xdist send theirs to the controller)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPORT = Path(__file__).resolve().parent.parent.parent / ".fuzz" / "last.md"


@dataclass
class FormCount:
    examples: int = 0
    findings: list[str] = field(default_factory=list)
    note: str = ""

    def finding(self, text: str) -> None:
        if text not in self.findings:
            self.findings.append(text)


_forms: dict[str, FormCount] = {}


def form(name: str) -> FormCount:
    return _forms.setdefault(name, FormCount())


def skipped(name: str, note: str) -> None:
    form(name).note = note


def _as_data() -> dict:
    return {
        k: {"examples": v.examples, "findings": v.findings, "note": v.note}
        for k, v in _forms.items()
    }


def _merge(data: dict) -> None:
    for name, row in data.items():
        count = form(name)
        count.examples += row["examples"]
        for text in row["findings"]:
            count.finding(text)
        count.note = count.note or row["note"]


def _table() -> str:
    profile = os.environ.get("HYPOTHESIS_PROFILE", "ci")
    total = sum(c.examples for c in _forms.values())
    fuzzed = sum(1 for c in _forms.values() if c.examples)
    lines = [
        f"# Fuzzed forms (hypothesis profile `{profile}`)",
        "",
        f"{fuzzed} forms, {total} generated inputs, "
        f"{sum(1 for c in _forms.values() if c.findings)} with findings.",
        "",
        "| form | inputs | findings |",
        "|---|---:|---|",
    ]
    for name in sorted(_forms):
        c = _forms[name]
        found = "; ".join(c.findings) or (f"— ({c.note})" if c.note else "none")
        lines.append(f"| {name} | {c.examples} | {found} |")
    return "\n".join(lines) + "\n"


# --- pytest hooks (imported into tests/conftest.py, which the xdist controller loads too) ------


def pytest_sessionfinish(session):
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["fuzz_forms"] = _as_data()
        return
    if _forms:
        REPORT.parent.mkdir(exist_ok=True)
        REPORT.write_text(_table())


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    _merge(getattr(node, "workeroutput", {}).get("fuzz_forms", {}))


def pytest_terminal_summary(terminalreporter):
    if _forms:
        terminalreporter.section("fuzzed forms")
        total = sum(c.examples for c in _forms.values())
        found = [n for n, c in _forms.items() if c.findings]
        terminalreporter.write_line(
            f"{len(_forms)} forms, {total} generated inputs, {len(found)} with findings; "
            f"the table: {REPORT.relative_to(REPORT.parent.parent)}"
        )
        for name in found:
            terminalreporter.write_line(f"  {name}: {'; '.join(_forms[name].findings)}")
