"""The shared layer every app imports (as healthchecks keeps `hc/lib/`): 年度・和暦・カナ, mail,
uploads, CSV, form fields, the confirm flow, admin helpers, the workflow and the shared models.

It imports no app of the portal (held by an import-linter contract in `make lint`)."""
