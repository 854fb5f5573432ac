"""The subsidy in the Django admin, by area: staff set up programmes (windows, categories,
criteria), key in consultations and paper applications, run the workflow in bulk, assign
reviewers and answer change requests. Every status change and every amount goes through
`subsidies.services`. Importing the area modules registers their admin classes."""

from . import applications, followup, programmes, review

__all__ = ["applications", "followup", "programmes", "review"]
