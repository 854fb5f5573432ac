"""Hypothesis strategies: what a careless, hostile or broken client posts back from a form.

From the form's own baseline (what a browser would send unchanged), each control is kept,
dropped, duplicated (two or three values under one name) or replaced by a bad value; unknown
fields are added; a submit button (or none) is chosen; file inputs get junk bytes. Bad values:
100k-character strings, control characters (NUL, U+001F, U+202E, U+200B; lone surrogates cannot
be encoded by any client, so none), non-numbers in number fields, choices that are not offered,
dates that do not exist or lie outside every range, numbers beyond the database's integers."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import strategies as st

from tests.fuzz.html import Control, Form

HUGE = 100_000

# Characters every client can encode (no surrogates), control characters included.
_chars = st.characters(exclude_categories=("Cs",))

BAD_VALUES = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x1f",
    "\x7f",
    "\u202e",
    "\u200b",
    "\ufeff",
    "\r\n",
    "-1",
    "0",
    "1.5",
    "1e309",
    "NaN",
    "-Infinity",
    "99999999999999999999999",
    "-99999999999999999999999",
    "2147483648",
    "9223372036854775808",
    "１２３",
    "²",
    "abc",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "2026-02-30",
    "2026-13-01",
    "0000-00-00",
    "25:61",
    "9999-12-31 23:59:59",
    "2026-06-01T24:00",
    "<script>alert(1)</script>",
    "' OR '1'='1",
    "%(name)s {0}",
    "../../etc/passwd",
    "@",
    "a@b",
    "😀",
    "x" * 300,
]

_huge = st.sampled_from(["a", "あ", "1", "\x00", "\u202e", "<", " "]).map(lambda c: c * HUGE)
bad_value = st.one_of(
    st.sampled_from(BAD_VALUES),
    st.text(_chars, max_size=40),
    _huge,
)

EXTRA_NAMES = [
    "extra",
    "id",
    "pk",
    "status",
    "user",
    "organization",
    "is_staff",
    "is_superuser",
    "action",
    "_selected_action",
    "select_across",
    "index",
    "_save",
    "_continue",
    "transition",
    "next",
    "csrfmiddlewaretoken",
    "form-TOTAL_FORMS",
    "x" * 1000,
]
_extra_name = st.one_of(st.sampled_from(EXTRA_NAMES), st.text(_chars, min_size=1, max_size=20))

JUNK_NAMES = ["junk.pdf", "junk.png", "junk.jpg", "junk", "../../junk.exe", "j" * 300 + ".pdf"]
_junk_file = st.builds(
    lambda name, content: SimpleUploadedFile(name, content),
    st.sampled_from(JUNK_NAMES),
    st.one_of(
        st.binary(max_size=512),
        st.sampled_from([b"%PDF-1.4 junk", b"\x89PNG\r\n\x1a\njunk", b"\xff\xd8\xff junk"]),
    ),
)


def _value_for(control: Control) -> st.SearchStrategy[str]:
    """A bad value, or for a choice one of its own options (a valid but unexpected change) or an
    option that is not offered."""
    if control.options:
        offered = [o for o in control.options if o is not None]
        return st.one_of(
            bad_value,
            st.sampled_from(offered) if offered else bad_value,
            st.sampled_from(offered or ["x"]).map(lambda v: v + "0"),
        )
    return bad_value


@dataclass
class Mutation:
    data: dict[str, object]
    changes: list[str] = field(default_factory=list)

    def __repr__(self) -> str:  # hypothesis prints it on failure: short, not 100k characters
        shown = {
            k: (v if not isinstance(v, str) or len(v) < 80 else f"{v[:10]!r}…({len(v)} chars)")
            for k, v in self.data.items()
        }
        return f"Mutation({'; '.join(self.changes)} | {shown})"


@st.composite
def mutations(draw, form: Form) -> Mutation:
    data: dict[str, object] = {}
    changes: list[str] = []
    for name, control in form.controls.items():
        if control.kind == "file":
            if draw(st.booleans()):
                data[name] = draw(_junk_file)
                changes.append(f"junk file {name}")
            continue
        if name == "csrfmiddlewaretoken":
            # The CSRF check is on (harness.clone): a broken token only tests Django's refusal,
            # so the token is kept in nine inputs of ten and the generated ones reach the view.
            op = draw(st.sampled_from(["keep"] * 9 + ["bad"]))
        else:
            op = draw(st.sampled_from(["keep", "keep", "drop", "duplicate", "bad", "bad"]))
        base = list(control.values)
        if op == "keep":
            if base:
                data[name] = base
        elif op == "drop":
            changes.append(f"drop {name}")
        elif op == "duplicate":
            first = base[0] if base else ""
            data[name] = [first, *draw(st.lists(_value_for(control), min_size=1, max_size=2))]
            changes.append(f"duplicate {name}")
        else:
            data[name] = draw(_value_for(control))
            changes.append(f"bad {name}")
    for name, value in draw(
        st.dictionaries(
            _extra_name, st.one_of(bad_value, st.lists(bad_value, max_size=3)), max_size=3
        )
    ).items():
        if name not in form.controls:
            data[name] = value
            changes.append(f"extra {name[:20]!r}")
    if form.submits:
        button = draw(st.one_of(st.none(), st.sampled_from(form.submits)))
        if button is not None:
            data[button[0]] = button[1]
            changes.append(f"button {button[0]}")
    return Mutation(data, changes)
