"""The partner programme in the Django admin, one module per area. Importing them registers
their ModelAdmins; they share only `common`."""

from . import opportunities, registrations, reports, requests  # noqa: F401
