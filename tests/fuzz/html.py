"""The POST forms of a page as a browser sees them: each form's action and its controls (name,
kind, the value a browser would send unchanged, the options of a select), the submit buttons
apart: a browser sends only the one clicked."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Control:
    name: str
    kind: str  # text, number, date, email, hidden, checkbox, radio, select, textarea, file, submit…
    values: list[str] = field(default_factory=list)  # what a browser posts unchanged
    options: list[str] = field(default_factory=list)  # a select's or a radio group's choices
    multiple: bool = False


@dataclass
class Form:
    action: str  # as written (empty: the page itself)
    index: int  # the form's place among the page's POST forms
    controls: dict[str, Control] = field(default_factory=dict)
    submits: list[tuple[str, str]] = field(default_factory=list)  # (name, value) of buttons
    multipart: bool = False

    def baseline(self) -> dict[str, list[str]]:
        return {
            name: list(c.values)
            for name, c in self.controls.items()
            if c.values and c.kind not in ("file",)
        }

    def signature(self) -> tuple:
        return (tuple(sorted(self.controls)), tuple(self.submits))


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.form: Form | None = None
        self._select: Control | None = None
        self._textarea: Control | None = None
        self._text: list[str] = []
        self._button: tuple[str, str] | None = None

    def _control(self, name: str, kind: str) -> Control:
        assert self.form is not None
        control = self.form.controls.get(name)
        if control is None:
            control = self.form.controls[name] = Control(name, kind)
        return control

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            if (a.get("method") or "get").lower() == "post":
                self.form = Form(action=a.get("action", ""), index=len(self.forms))
                self.form.multipart = "multipart" in a.get("enctype", "")
                self.forms.append(self.form)
            else:
                self.form = None
            return
        if self.form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "image"):
                self.form.submits.append((name, a.get("value", "")))
                return
            if kind in ("button", "reset"):
                return
            control = self._control(name, kind)
            value = a.get("value", "on" if kind in ("checkbox", "radio") else "")
            if kind in ("checkbox", "radio"):
                control.options.append(value)
                if "checked" in a:
                    control.values.append(value)
            elif kind != "file":
                control.values.append(value)
        elif tag == "button" and name:
            if (a.get("type") or "submit").lower() == "submit":
                self.form.submits.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select = self._control(name, "select")
            self._select.multiple = "multiple" in a
        elif tag == "option" and self._select is not None:
            value = a.get("value")
            self._select.options.append(value if value is not None else "")
            if "selected" in a:
                self._select.values.append(value or "")
        elif tag == "textarea" and name:
            self._textarea, self._text = self._control(name, "textarea"), []

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select" and self._select is not None:
            # A single select with nothing selected posts its first option.
            if not self._select.values and self._select.options and not self._select.multiple:
                self._select.values.append(self._select.options[0])
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._textarea.values.append("".join(self._text).removeprefix("\n"))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)


def post_forms(html: str | bytes) -> list[Form]:
    reader = _Reader()
    reader.feed(html.decode() if isinstance(html, bytes) else html)
    return reader.forms
