"""まちづくり協議会 in the Django admin, by area: each department's staff run their councils
(materials, the summary and the reflection, the transitions from buttons on the page), their
workshops and trainings (opinions and photos, the printable attendance list, training
completions, facilitators at the tables), key in sign-ups that came by phone, at the counter
or on paper, and 企画課 keeps the facilitator pool. Every state change goes through
`councils.services`; each list shows only the staff member's departments. Importing the area
modules registers their classes."""

from . import councils, facilitators, sessions, signups

__all__ = ["councils", "facilitators", "sessions", "signups"]
