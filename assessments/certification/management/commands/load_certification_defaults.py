"""manage.py load_certification_defaults: the draft's programmes and the default qualification map."""

from django.core.management.base import BaseCommand, CommandError

from lms_site.organisation.api import platform_wide

from ... import services


class Command(BaseCommand):
    help = (
        "Create the default certification programmes and qualifications that do not exist yet "
        "(existing ones are left as HR edited them)."
    )

    @platform_wide()  # a platform job: every municipality's rows (ADR 0016)
    def handle(self, *args, **options) -> None:
        try:
            outcome = services.certification_defaults_load()
        except services.DefaultsError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"programmes created: {', '.join(outcome.programs_created) or '-'}")
        self.stdout.write(f"qualifications created: {', '.join(outcome.qualifications_created) or '-'}")
