"""manage.py load_demo: load every app's demo data (``<app>/demo.py``'s ``load``), in INSTALLED_APPS order."""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from lms_site.home.services import local_sites_port_set
from lms_site.organisation.tenancy import platform_wide


class Command(BaseCommand):
    help = "Load the demo city, its staff, curriculum and activity. Running it again adds nothing."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--allow-demo-passwords",
            action="store_true",
            help="Give the demo logins the password 'demo' even though DEBUG is off.",
        )
        parser.add_argument(
            "--port",
            type=int,
            help=(
                "The port the development server serves (make run passes PORT): the demo's sites on "
                "localhost and *.localhost get it, so that links between them (みどり町's site to the "
                "shared courses) reach that server. Sites on other host names are left as they are."
            ),
        )

    @platform_wide()  # a platform job: every municipality's rows (ADR 0016)
    def handle(self, *args, **options) -> None:
        if not (settings.DEBUG or options["allow_demo_passwords"]):
            raise CommandError(
                "Refusing to create demo logins with the password 'demo' while DEBUG is off. "
                "Pass --allow-demo-passwords if this really is a demo site."
            )
        # The demo's workflow steps and certificates send mail to fictional addresses: keep it in memory.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            self._load()
        if options["port"] is not None:
            for site in local_sites_port_set(port=options["port"]):
                self.stdout.write(f"  site {site.hostname} now on port {site.port}")
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))

    def _load(self) -> None:
        for config in apps.get_app_configs():
            module_name = f"{config.name}.demo"
            if not config.name.startswith(("lms_site.", "courses", "assessments", "analytics", "training")):
                continue
            if find_spec(module_name) is None:
                continue
            self.stdout.write(f"{config.label}:")
            module = import_module(module_name)
            try:
                with transaction.atomic():
                    module.load(stdout=self.stdout)
            except Exception as exc:
                raise CommandError(f"{config.label}: demo data could not be loaded: {exc}") from exc
