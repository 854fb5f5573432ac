"""Encrypt the TOTP secrets and recovery-code seeds stored in clear before issue 13
(accounts/mfa_adapter.py). Values that are already tokens under MFA_ENCRYPTION_KEYS are left
as they are, so the migration may run again. There is no way back: the reverse is a no-op."""

from django.db import migrations


def encrypt_clear_secrets(apps, schema_editor):
    from accounts.mfa_adapter import encrypt_clear_data

    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.using(schema_editor.connection.alias).iterator():
        data = encrypt_clear_data(authenticator.data or {})
        if data != authenticator.data:
            authenticator.data = data
            authenticator.save(update_fields=["data"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_alter_user_display_name_alter_user_family_name_and_more"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(encrypt_clear_secrets, migrations.RunPython.noop)]
