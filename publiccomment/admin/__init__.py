"""パブリックコメント in the Django admin, by area: staff write cases (sections, documents, the
window, who may submit, where paper forms are dropped) and run their transitions, key in
submissions that came on paper, by FAX, e-mail or at the counter, redact and split opinions,
and group the items into 論点 with the city's view. Every state change, submission and grouping
goes through `publiccomment.services`. Importing the area modules registers their classes."""

from . import cases, considering, submissions

__all__ = ["cases", "considering", "submissions"]
