"""Django's `createsuperuser`, printing the second-factor enrolment link on the console too.

The new superuser gets the link by e-mail like every account given staff rights
(`accounts.staff_enrolment`). For the very first administrator the e-mail may not be set up
yet, and whoever runs this command is at the server's console with the database in reach
already, so printing the link gives away nothing the operator does not hold. The link still
works only once, only signed in as that account, and expires after
STAFF_ENROLMENT_LINK_HOURS.
"""

from django.contrib.auth.management.commands import createsuperuser

from accounts import staff_enrolment


class Command(createsuperuser.Command):
    def handle(self, *args, **options):
        with staff_enrolment.links_printed_to(self.stdout):
            return super().handle(*args, **options)
