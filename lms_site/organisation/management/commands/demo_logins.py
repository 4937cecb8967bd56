from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from lms_site.organisation.demo import DEMO_LOGINS, DEMO_PASSWORD, TOWN_CODE
from lms_site.organisation.models import Municipality
from lms_site.organisation.tenancy import platform_wide


class Command(BaseCommand):
    help = "Print the demo logins that exist in this database."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--port", default="8000")

    @platform_wide()  # a platform job: every municipality's rows (ADR 0016)
    def handle(self, *args, **options) -> None:
        existing = set(
            get_user_model().objects.filter(username__in=DEMO_LOGINS).values_list("username", flat=True)
        )
        if not existing:
            self.stdout.write("No demo logins here (run manage.py load_demo).")
            return
        self.stdout.write(
            f"\nDemo logins (password: {DEMO_PASSWORD}), at http://127.0.0.1:{options['port']}/login/"
        )
        town = Municipality.objects.filter(code=TOWN_CODE, site__isnull=False).select_related("site").first()
        if town is not None:  # its own site and look (lms_site.home.demo); *.localhost is this machine
            self.stdout.write(f"  ({town.name}'s own site: http://{town.site.hostname}:{options['port']}/)")
        for username, role in DEMO_LOGINS.items():
            if username in existing:
                self.stdout.write(f"  {username:<18} {role}")
        self.stdout.write("")
