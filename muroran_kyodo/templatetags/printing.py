"""`{% print_issuer %}`: who issues the portal's printed documents (lib/printing.py)."""

from __future__ import annotations

from django import template

from muroran_kyodo.lib.printing import issuer

register = template.Library()


@register.simple_tag
def print_issuer() -> str:
    return issuer()
