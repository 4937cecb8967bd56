"""Demo analytics for 若葉市 and みどり町: 育成目標 for FY2025 and FY2026, and a monthly snapshot history.

Loaded by ``manage.py load_demo`` after the certification demo; a second run adds nothing new. The history
is computed, not invented: ``snapshot_take`` runs for the last day of each month since April 2025 (and
today), so each month counts people in the department they belonged to then, and the certificates valid
then. Competency levels have no history (the level table holds the current level), so past months' level
distributions use today's levels; from now on the nightly task records them as they are.
"""

import datetime
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone

from lms_site.organisation.api import Assignment, Department, DepartmentKind, Municipality
from lms_site.organisation.demo import CITY_CODE, demo_municipalities

from . import services
from .models import DepartmentSnapshot, DevelopmentTarget

DEMO_CODE = CITY_CODE
HISTORY_FROM = datetime.date(2025, 4, 1)
# One DX推進リーダー per this many staff in each 課, and these DXベーシック shares, per fiscal year.
STAFF_PER_LEADER = {2025: 20, 2026: 12}
BASIC_SHARE = {2025: Decimal("30.0"), 2026: Decimal("50.0")}


def load(*, stdout) -> None:
    for municipality in demo_municipalities():  # the city first, then the town
        created = _targets_ensure(municipality)
        stdout.write(f"  development targets created in {municipality}: {created}")
        if not DepartmentSnapshot.objects.filter(municipality=municipality).exists():
            days = month_ends(HISTORY_FROM, timezone.localdate())
            for day in days:
                services.snapshot_take(municipality_id=municipality.pk, on=day)
            stdout.write(f"  monthly snapshots of {municipality}: {len(days)}")


def month_ends(start: datetime.date, today: datetime.date) -> list[datetime.date]:
    """The last day of every month from ``start`` until before ``today``'s month, then ``today``."""
    days, month = [], start.replace(day=1)
    while month < today.replace(day=1):
        following = (month + datetime.timedelta(days=32)).replace(day=1)
        days.append(following - datetime.timedelta(days=1))
        month = following
    return [*days, today]


def _targets_ensure(municipality: Municipality) -> int:
    created = 0
    for year, per_leader in STAFF_PER_LEADER.items():
        if DevelopmentTarget.objects.filter(department__municipality=municipality, fiscal_year=year).exists():
            continue
        on = datetime.date(year, 4, 1)
        per_department = dict(
            Assignment.objects.on(on)
            .filter(department__municipality=municipality)
            .values_list("department__path")
            .annotate(n=Count("pk"))
        )
        divisions = Department.objects.filter(
            municipality=municipality, kind=DepartmentKind.KA, is_active=True
        ).values_list("pk", "path")
        targets = []
        for department_id, path in divisions:
            headcount = sum(n for p, n in per_department.items() if p.startswith(path))
            if headcount >= 3:
                targets.append(
                    DevelopmentTarget(
                        department_id=department_id,
                        fiscal_year=year,
                        leaders=max(1, round(headcount / per_leader)),
                        basic_share=BASIC_SHARE[year],
                    )
                )
        DevelopmentTarget.objects.bulk_create(targets)
        created += len(targets)
    return created
