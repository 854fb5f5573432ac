"""Passwords made of this site's and city's own words are the first a guesser tries
(ASVS 5.0 6.2.11): refuse a password that is mostly such a word with a few digits or marks."""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Compared after NFKC and lower-casing, with digits, marks and spaces removed.
CONTEXT_WORDS = (
    "muroran",
    "むろらん",
    "ムロラン",
    "室蘭",
    "室蘭市",
    "kyodo",
    "kyoudou",
    "協働",
    "きょうどう",
    "まちづくり",
    "machidukuri",
    "machizukuri",
    "hokkaido",
    "北海道",
    "portal",
    "ポータル",
    "shiyakusho",
    "市役所",
)
# What is left once the words are taken out may not be only this (digits, marks, spaces).
_FILLER = re.compile(r"[\W\d_]*", re.UNICODE)


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


class ContextWordsValidator:
    """Refuses a password that is only context words (室蘭, muroran, kyodo, 協働, …) with digits,
    marks or spaces around them, such as "Muroran2026!" or "室蘭市協働1234"; a passphrase that
    contains one of the words among others is fine."""

    def validate(self, password: str, user=None) -> None:
        rest = _normal(password)
        found = False
        for word in sorted(CONTEXT_WORDS, key=len, reverse=True):
            word = _normal(word)
            if word in rest:
                found = True
                rest = rest.replace(word, " ")
        if found and _FILLER.fullmatch(rest):
            raise ValidationError(
                _(
                    "This password is made of the name of the city or of this site, which is "
                    "guessed first. Add words of your own."
                ),
                code="password_context_word",
            )

    def get_help_text(self) -> str:
        return _("Your password can't be only the name of the city or of this site with numbers.")
