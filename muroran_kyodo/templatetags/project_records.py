"""`{% project_records project as records %}`: on a project's page of the registry's catalogue,
each mechanism's records that belong to it (`registry.PROJECT_RECORDS`), in the registry's
order: where the plan is being asked about (a パブリックコメント case, a まちづくり協議会
council). The registry's template uses it; the registry's code imports no mechanism app."""

from __future__ import annotations

from django import template

from muroran_kyodo import registry
from muroran_kyodo.lib.extension import ProjectRecord

register = template.Library()


@register.simple_tag
def project_records(project) -> list[ProjectRecord]:
    return [record for contribute in registry.PROJECT_RECORDS for record in contribute(project)]
