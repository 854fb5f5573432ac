"""The Japanese catalogue is complete: every translatable string of the code is in it, translated,
not fuzzy, with the placeholders of its msgid; and pages render in Japanese by default and in
English once a visitor picks it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
JA_PO = ROOT / "locale" / "ja" / "LC_MESSAGES" / "django.po"
SITE_NAME_JA = "室蘭市 協働のまちづくりポータル"
SITE_NAME_EN = "Muroran Collaboration Portal"

# What makemessages reads in a copy of the project: manage.py, pyproject.toml, templates/, locale/
# and every app of the project (a top-level folder with an apps.py: muroran_kyodo/, accounts/,
# organizations/, and any app added later). tests/, bench/, .venv/ and node_modules/ are left
# out, as `make messages` ignores them.
PROJECT_FILES = ["manage.py", "pyproject.toml", "templates", "locale"]


def _project_parts() -> list[str]:
    apps = sorted(
        path.name
        for path in ROOT.iterdir()
        if path.is_dir() and not path.name.startswith(".") and (path / "apps.py").exists()
    )
    return PROJECT_FILES + apps


# %(name)s, %s, %d, %5.2f ... ("%%" is matched so that it can be dropped) and {name} / {0} / {}.
PRINTF = re.compile(r"%(?:\([^)]*\))?[#0 +-]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa%]")
BRACES = re.compile(r"\{\w*\}")


def _catalogue() -> polib.POFile:
    assert JA_PO.exists(), f"{JA_PO.relative_to(ROOT)} is missing: run `make messages`"
    return polib.pofile(str(JA_PO))


def _entries(po: polib.POFile) -> list[polib.POEntry]:
    return [entry for entry in po if not entry.obsolete]


def _listing(msgids) -> str:
    return "\n".join(f"  - {msgid!r}" for msgid in msgids)


def _placeholders(text: str) -> tuple[set[str], Counter]:
    """(named and braced placeholders, positional printf placeholders with their counts)."""
    printf = [token for token in PRINTF.findall(text) if token != "%%"]
    named = {token for token in printf if token.startswith("%(")} | set(BRACES.findall(text))
    positional = Counter(token for token in printf if not token.startswith("%("))
    return named, positional


def test_japanese_catalogue_header_declares_one_plural_form_and_is_not_fuzzy():
    po = _catalogue()
    assert not po.metadata_is_fuzzy, "remove the `#, fuzzy` flag from the catalogue header"
    assert po.metadata.get("Language") == "ja"
    plural_forms = po.metadata.get("Plural-Forms", "").replace(" ", "")
    assert plural_forms.startswith("nplurals=1;plural=0;"), po.metadata.get("Plural-Forms")


def test_japanese_catalogue_has_no_untranslated_or_fuzzy_entries():
    po = _catalogue()
    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    # polib counts a plural entry as translated when any one form is; every form must be filled.
    plural_gaps = [
        entry.msgid
        for entry in _entries(po)
        if entry.msgid_plural and not (entry.msgstr_plural and all(entry.msgstr_plural.values()))
    ]
    problems = []
    if untranslated:
        problems.append(f"untranslated ({len(untranslated)}):\n{_listing(untranslated)}")
    if fuzzy:
        problems.append(f"fuzzy ({len(fuzzy)}):\n{_listing(fuzzy)}")
    if plural_gaps:
        problems.append(f"plural forms left empty ({len(plural_gaps)}):\n{_listing(plural_gaps)}")
    if problems:
        print("\n".join(problems))
    assert not problems, "Japanese is the default language; translate these:\n" + "\n".join(
        problems
    )


def test_translations_keep_exactly_the_placeholders_of_their_msgid():
    mismatches = []
    for entry in _entries(_catalogue()):
        if entry.msgid_plural:
            # Japanese has one plural form, used for every number: it follows msgid_plural.
            expected = _placeholders(entry.msgid_plural)
            translations = [text for _index, text in sorted(entry.msgstr_plural.items())]
        else:
            expected = _placeholders(entry.msgid)
            translations = [entry.msgstr]
        for text in translations:
            if text and _placeholders(text) != expected:
                mismatches.append(f"{entry.msgid!r}\n      → {text!r}")
    if mismatches:
        print("\n".join(mismatches))
    assert not mismatches, "placeholders differ from the msgid:\n" + _listing(mismatches)


def test_every_translatable_string_in_the_code_is_in_the_japanese_catalogue(tmp_path):
    if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
        pytest.skip(
            "GNU gettext (xgettext, msgmerge) is not installed, so makemessages cannot "
            "extract the strings; install the gettext package to run this check"
        )
    for part in _project_parts():
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(
                source,
                tmp_path / part,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo"),
            )
        else:
            shutil.copy2(source, tmp_path / part)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "muroran_kyodo.settings"}
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale", "ja", "--no-location"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"makemessages failed:\n{result.stdout}\n{result.stderr}"

    def keys(po: polib.POFile) -> set[tuple[str | None, str]]:
        return {(entry.msgctxt, entry.msgid) for entry in _entries(po)}

    extracted = polib.pofile(str(tmp_path / JA_PO.relative_to(ROOT)))
    missing = sorted(keys(extracted) - keys(_catalogue()), key=lambda key: key[1])
    if missing:
        print(_listing(msgid for _context, msgid in missing))
    assert not missing, (
        f"{len(missing)} translatable string(s) are not in {JA_PO.relative_to(ROOT)}; run "
        "`make messages` and translate them:\n" + _listing(msgid for _context, msgid in missing)
    )


@pytest.mark.django_db
def test_home_page_is_japanese_by_default_and_english_once_chosen(client):
    response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="ja">' in page
    assert SITE_NAME_JA in page
    assert "ホーム" in page
    assert SITE_NAME_EN not in page

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302

    page = client.get("/").content.decode()
    assert '<html lang="en">' in page
    assert SITE_NAME_EN in page
    assert SITE_NAME_JA not in page
