from django.core.management.base import BaseCommand

from lms_site.organisation.roles import roles_sync


class Command(BaseCommand):
    help = "Create the role groups and set their permissions from lms_site/organisation/roles.py."

    def handle(self, *args, **options) -> None:
        roles_sync()
        self.stdout.write("Roles synced.")
