"""``manage.py advisor_contract add|end|list``: which municipalities an external advisor works for.

An advisor (外部人材・CIO補佐官) reviews capstones and acts only for municipalities whose contract is in
force; a prefecture's contract covers all of its municipalities (issue 13, ADR 0016).
"""

import datetime

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from lms_site.organisation.models import AdvisorContract, Municipality
from lms_site.organisation.roles import Role, role_group
from lms_site.organisation.tenancy import municipality_scope, platform_wide


def _date(value: str, option: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option}: '{value}' is not a date (YYYY-MM-DD).") from None


class Command(BaseCommand):
    help = "Add, end or list the contracts that let an external advisor act for a municipality or prefecture."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="Contract an advisor for a municipality (or a prefecture).")
        add.add_argument("--advisor", required=True, help="The advisor's user name.")
        add.add_argument(
            "--municipality", required=True, help="団体コード of the municipality or prefecture."
        )
        add.add_argument("--from", dest="starts_on", help="First day (YYYY-MM-DD); today by default.")
        add.add_argument("--until", dest="ends_on", help="Last day (YYYY-MM-DD); open-ended by default.")
        add.add_argument("--note", default="")
        end = sub.add_parser("end", help="End an advisor's contracts with a municipality.")
        end.add_argument("--advisor", required=True)
        end.add_argument("--municipality", required=True)
        end.add_argument("--on", dest="ends_on", help="Last day (YYYY-MM-DD); today by default.")
        show = sub.add_parser("list", help="List contracts.")
        show.add_argument("--municipality", help="Only this municipality's.")

    def handle(self, *args, action: str, **options) -> None:
        getattr(self, f"handle_{action}")(**options)

    def _municipality(self, code: str) -> Municipality:
        municipality = Municipality.objects.filter(code=code).first()
        if municipality is None:
            raise CommandError(f"--municipality: no municipality has the code '{code}'.")
        return municipality

    def _advisor(self, username: str):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"--advisor: no user is called '{username}'.")
        if not user.groups.filter(pk=role_group(Role.ADVISOR).pk).exists():
            raise CommandError(
                f"--advisor: '{username}' does not hold the advisor role (外部人材・CIO補佐官)."
            )
        return user

    @transaction.atomic
    def handle_add(self, *, advisor, municipality, starts_on, ends_on, note, **options) -> None:
        user, place = self._advisor(advisor), self._municipality(municipality)
        starts = _date(starts_on, "--from") if starts_on else timezone.localdate()
        ends = _date(ends_on, "--until") if ends_on else None
        if ends is not None and ends < starts:
            raise CommandError(f"--until {ends} is before --from {starts}.")
        with municipality_scope(place):
            contract = AdvisorContract.objects.create(
                advisor=user, municipality=place, starts_on=starts, ends_on=ends, note=note
            )
        self.stdout.write(f"{contract}: {starts} – {ends or '(open-ended)'}")

    @transaction.atomic
    def handle_end(self, *, advisor, municipality, ends_on, **options) -> None:
        user, place = self._advisor(advisor), self._municipality(municipality)
        day = _date(ends_on, "--on") if ends_on else timezone.localdate()
        with municipality_scope(place):
            contracts = AdvisorContract.objects.filter(advisor=user, starts_on__lte=day).in_force(day)
            ended = contracts.update(ends_on=day)
        if not ended:
            raise CommandError(f"'{advisor}' has no contract with {place} in force on {day}.")
        self.stdout.write(f"{ended} contract(s) of {user} with {place} end on {day}.")

    @platform_wide()  # the system administrator's overview of every municipality's contracts
    def handle_list(self, *, municipality, **options) -> None:
        contracts = AdvisorContract.objects.select_related("advisor", "municipality")
        if municipality:
            contracts = contracts.filter(municipality=self._municipality(municipality))
        today = timezone.localdate()
        for contract in contracts:
            state = (
                "in force" if contract.starts_on <= today and (contract.ends_on or today) >= today else "-"
            )
            self.stdout.write(
                f"{contract.municipality.code} {contract.municipality} | {contract.advisor.username} | "
                f"{contract.starts_on} – {contract.ends_on or ''} | {state}"
            )
