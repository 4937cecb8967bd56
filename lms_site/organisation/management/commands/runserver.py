"""Django's development server (with static files, as ``django.contrib.staticfiles`` serves them) that can
end its start-up lines with the demo logins (``--demo-logins``, used by ``make run``): the last thing a
newcomer reads is the address and how to sign in."""

from django.contrib.staticfiles.management.commands.runserver import Command as StaticfilesRunserver
from django.core.management import call_command


class Command(StaticfilesRunserver):
    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--demo-logins", action="store_true", help="print the demo logins once serving")

    def inner_run(self, *args, **options):
        self._demo_logins = options.get("demo_logins", False)
        return super().inner_run(*args, **options)

    def on_bind(self, server_port):
        super().on_bind(server_port)
        if getattr(self, "_demo_logins", False):
            call_command("demo_logins", port=str(server_port), stdout=self.stdout)
