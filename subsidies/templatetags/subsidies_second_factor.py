"""The notice that recommends a second factor to a group's 代表者 on the subsidy pages:
`{% load subsidies_second_factor %}{% second_factor_notice organization %}` (or without an
organisation: any of the user's groups with an application). Nothing for anyone else."""

from __future__ import annotations

from django import template

from ..second_factor import representative_should_add_second_factor

register = template.Library()


@register.inclusion_tag("subsidies/second_factor_notice.html", takes_context=True)
def second_factor_notice(context, organization=None) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"show": representative_should_add_second_factor(user, organization)}
