"""Re-encrypt every TOTP secret and recovery-code seed with the first of MFA_ENCRYPTION_KEYS.

Rotation: put the new key first in MFA_ENCRYPTION_KEYS (keeping the old one after it), deploy,
run this command, then remove the old key."""

from allauth.mfa.models import Authenticator
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.mfa_adapter import rotate_data


class Command(BaseCommand):
    help = "Re-encrypt the stored MFA secrets with the first key of MFA_ENCRYPTION_KEYS."

    def handle(self, *args, **options):
        count = 0
        with transaction.atomic():
            for authenticator in Authenticator.objects.select_for_update().order_by("pk"):
                authenticator.data = rotate_data(authenticator.data or {})
                authenticator.save(update_fields=["data"])
                count += 1
        self.stdout.write(f"Re-encrypted the secrets of {count} authenticators.")
