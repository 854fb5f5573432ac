"""enとーく in the Django admin, by area: 秘書広報課's staff key in requests that came by
phone, FAX or on paper, run the scheduling transitions from buttons on the request's page,
write and publish the record, open follow-ups; keep the mayor's diary (blocks, the month view);
the departments change their follow-ups' status and public answer. Every state change goes
through `entalk.services`. Importing the area modules registers their classes."""

from . import diary, followups, requests

__all__ = ["diary", "followups", "requests"]
