"""The models of the `muroran_kyodo` app label live in the shared layer; importing them here
registers them with the app."""

from muroran_kyodo.lib.models import FileScan, OutboxMail, SentMail, Sequence

__all__ = ["FileScan", "OutboxMail", "SentMail", "Sequence"]
