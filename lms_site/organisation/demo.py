"""Demo organisation: 若葉市 (a fictional city of about 300,000), its departments, ~300 staff, a rotation.

Loaded by ``manage.py load_demo``; safe to run again (a second run adds nothing).
"""

import datetime
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet

from . import services
from .models import AdvisorContract, Assignment, Department, JobGrade, Municipality, StaffProfile
from .roles import Role, role_group

DEMO_DIR = Path(settings.BASE_DIR) / "fixtures" / "demo"
DEMO_PASSWORD = "demo"  # noqa: S105 - demo logins only, refused unless DEBUG or --allow-demo-passwords
# (file, effective date): each is a full export, so people missing from the later one have retired.
ROTATIONS = [("staff_fy2025.csv", datetime.date(2025, 4, 1)), ("staff_fy2026.csv", datetime.date(2026, 4, 1))]
DEMO_LOGINS = {
    "demo-learner": "職員(学習者)",
    "demo-manager": "所属長(市民課長)",
    "demo-hr": "人事課",
    "demo-advisor": "外部人材・CIO補佐官",
    "demo-reviewer": "DX推進課(コンテンツ承認)",
    "demo-admin": "システム管理者",
}


class DemoDataError(Exception):
    pass


def municipality_ensure() -> Municipality:
    municipality, _ = Municipality.objects.get_or_create(
        code="999991",
        defaults={
            "name": "若葉市",
            "name_en": "Wakaba City",
            "prefecture": "架空県",
            "population": 302_400,
            "domain": "city.wakaba.example.lg.jp",
        },
    )
    return municipality


def load(*, stdout) -> None:
    municipality = municipality_ensure()
    outcome = services.department_import(
        municipality=municipality, content=(DEMO_DIR / "departments.csv").read_bytes()
    )
    _check(outcome, "departments.csv")
    stdout.write(f"  departments: {outcome.as_dict()}")
    if not StaffProfile.objects.filter(municipality=municipality).exists():
        for file_name, effective_date in ROTATIONS:
            outcome = services.staff_import(
                municipality=municipality,
                content=(DEMO_DIR / file_name).read_bytes(),
                effective_date=effective_date,
                retire_missing=True,
            )
            _check(outcome, file_name)
            stdout.write(f"  {file_name} ({effective_date}): {outcome.as_dict()}")
    _demo_logins_ensure(municipality)


def _check(outcome: services.ImportOutcome, name: str) -> None:
    if not outcome.ok:
        raise DemoDataError(f"{name}: " + "; ".join(outcome.errors[:10]))


@transaction.atomic
def _demo_logins_ensure(municipality: Municipality) -> None:
    """The demo logins are real people of the demo city (apart from the external advisor and the admin)."""
    today = datetime.date(2026, 4, 1)

    def in_subtree_of(name: str) -> QuerySet[Assignment]:
        department = Department.objects.get(municipality=municipality, name=name)
        return Assignment.objects.on(today).filter(department__in=Department.objects.subtree_of(department))

    in_shiminka, in_jinjika, in_dx = (
        in_subtree_of("市民課"),
        in_subtree_of("人事課"),
        in_subtree_of("DX推進課"),
    )
    people = {
        "demo-learner": (in_shiminka.filter(staff__job_grade=JobGrade.SHUJI), {Role.LEARNER}),
        "demo-manager": (in_shiminka.filter(staff__job_grade=JobGrade.KACHO), {Role.LEARNER, Role.MANAGER}),
        "demo-hr": (
            in_jinjika.filter(staff__job_grade__in=[JobGrade.KAKARICHO, JobGrade.SHUNIN]),
            {Role.LEARNER, Role.HR},
        ),
        "demo-reviewer": (in_dx.filter(staff__job_grade=JobGrade.KAKARICHO), {Role.LEARNER, Role.REVIEWER}),
    }
    user_model = get_user_model()
    for username, (assignments, roles) in people.items():
        if user_model.objects.filter(username=username).exists():
            continue
        assignment = assignments.select_related("staff__user").order_by("staff__employee_number").first()
        if assignment is None:
            raise DemoDataError(f"No staff member fits {username}.")
        user = assignment.staff.user
        user.username = username
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.add(*(role_group(role) for role in roles))

    for username, role, name in (
        ("demo-advisor", Role.ADVISOR, ("顧問", "デジタル")),
        ("demo-admin", Role.ADMIN, ("管理者", "システム")),
    ):
        user, created = user_model.objects.get_or_create(
            username=username, defaults={"last_name": name[0], "first_name": name[1]}
        )
        if created:
            user.is_staff = role is Role.ADMIN
            user.is_superuser = role is Role.ADMIN
            user.set_password(DEMO_PASSWORD)
            user.save()
            user.groups.add(role_group(role))
        if role is Role.ADVISOR:  # the city's CIO補佐官 contract since fiscal 2024 (issue 13, ADR 0016)
            AdvisorContract.objects.get_or_create(
                advisor=user,
                municipality=municipality,
                defaults={"starts_on": datetime.date(2024, 4, 1), "note": "CIO補佐官業務委託"},
            )
