"""One way to send a portal e-mail: templates `emails/<name>-subject.txt`, `-body.txt` and,
if present, `-body.html`, rendered with the site's name and address in the context."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def send(name: str, to: list[str], context: dict[str, Any]) -> None:
    """Send in Japanese whatever language the person who triggered it is using: the recipient
    (a group, a resident) did not choose the admin's language."""
    with translation.override(settings.LANGUAGE_CODE):
        _send(name, to, context)


def _send(name: str, to: list[str], context: dict[str, Any]) -> None:
    recipients = [address for address in to if address]
    if not recipients:
        return
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
    message.send()


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
