"""The models of the `muroran_kyodo` app label live in the shared layer; importing them here
registers them with the app."""

from muroran_kyodo.lib.models import SentMail, Sequence

__all__ = ["SentMail", "Sequence"]
