"""One way to send a portal e-mail: templates `emails/<name>-subject.txt`, `-body.txt` and,
if present, `-body.html`, rendered with the site's name and address in the context, and put in
the outbox (`lib.outbox`): stored in the caller's transaction, delivered once it commits, and
retried by `manage.py send_outbox` when the mail server is down.

`send_once(key, …)` is for the e-mails of commands run by cron (reminders, the staff digest):
it sends nothing if an e-mail with the same key was sent already, even by a run going on at the
same moment."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation

from . import outbox
from .models import SentMail

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

logger = logging.getLogger(__name__)


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def send(name: str, to: list[str], context: dict[str, Any]) -> None:
    """Render in Japanese whatever language the person who triggered it is using (the
    recipient, a group or a resident, did not choose the admin's language) and put it in the
    outbox: call it inside the transaction of the change it tells about, so that the mail is
    kept or dropped with it; it goes once that transaction commits."""
    _send(name, to, context)


def send_once(key: str, name: str, to: list[str], context: dict[str, Any]) -> bool:
    """Send the e-mail unless one with this `key` was sent before; True if it is sent now.

    1. In a transaction, insert `key` into `SentMail` (unique) and put the e-mail in the
       outbox with the same key. A second run finds the key; a run at the same moment waits on
       the unique index until the first commits, then finds it;
    2. the e-mail goes once that transaction commits (inside a caller's transaction, once the
       caller's commits; rolled back, no key and no e-mail);
    3. if the delivery fails the key stays: the outbox tries the same row again
       (`send_outbox`), never a second copy. An e-mail that cannot be rendered is logged and
       not kept, so that the other e-mails of the run still go.
    """
    recipients = [address for address in to if address]
    if not recipients:
        return False
    try:
        with transaction.atomic():
            _row, created = SentMail.objects.get_or_create(key=key)
            if created:
                _send(name, recipients, context, key=key)
    except Exception:
        logger.exception("E-mail %s (%s) could not be written; the next run tries again", name, key)
        return False
    return created


def _send(name: str, to: list[str], context: dict[str, Any], *, key: str | None = None) -> None:
    recipients = [address for address in to if address]
    if not recipients:
        return
    with translation.override(settings.LANGUAGE_CODE):
        message = _render(name, recipients, context)
    outbox.enqueue(message, name=name, key=key)


def _render(name: str, recipients: list[str], context: dict[str, Any]) -> EmailMultiAlternatives:
    context = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, **context}
    subject = render_to_string(f"emails/{name}-subject.txt", context).strip()
    subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.splitlines())
    body = render_to_string(f"emails/{name}-body.txt", context)
    message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    try:
        message.attach_alternative(
            render_to_string(f"emails/{name}-body.html", context), "text/html"
        )
    except TemplateDoesNotExist:
        pass
    return message


def site_language_text(message: StrOrPromise, **values: object) -> str:
    """A message rendered in the site's language (Japanese), for text that is stored — history
    reasons — and read later by people who did not choose the writer's language."""
    with translation.override(settings.LANGUAGE_CODE):
        text = str(message)
        return text % {k: str(v) for k, v in values.items()} if values else text


class ListOfLabels(list[object]):
    """Labels joined with 、 when rendered, so that they are translated where they are shown."""

    def __str__(self) -> str:
        return "、".join(str(label) for label in self)
