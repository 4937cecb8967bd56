"""Demo organisation: 若葉市 (a fictional city of about 300,000), its departments, ~300 staff, a rotation;
and, sharing the deployment (共同利用, issue 13), みどり町 (a fictional town of about 6,000 in the same
prefecture, ~40 staff) and the prefecture 架空県 itself with one official.

Loaded by ``manage.py load_demo``; safe to run again (a second run adds nothing). The city is loaded first
and exactly as before; the prefecture and the town come after it, through the same import services.
"""

import datetime
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet

from . import services
from .media import municipality_collection_ensure
from .models import (
    AdvisorContract,
    Assignment,
    Department,
    JobGrade,
    Municipality,
    MunicipalityKind,
    StaffProfile,
)
from .roles import Role, role_group

DEMO_DIR = Path(settings.BASE_DIR) / "fixtures" / "demo"
DEMO_PASSWORD = "demo"  # noqa: S105 - demo logins only, refused unless DEBUG or --allow-demo-passwords
# (file, effective date): each is a full export, so people missing from the later one have retired.
ROTATIONS = [("staff_fy2025.csv", datetime.date(2025, 4, 1)), ("staff_fy2026.csv", datetime.date(2026, 4, 1))]
# Fictional codes: real 全国地方公共団体コード never start with 99.
CITY_CODE = "999991"
TOWN_CODE = "999992"
PREFECTURE_CODE = "990001"
TOWN_ROTATIONS = [
    ("town_staff_fy2025.csv", datetime.date(2025, 4, 1)),
    ("town_staff_fy2026.csv", datetime.date(2026, 4, 1)),
]
PREFECTURE_STAFF = ("prefecture_staff.csv", datetime.date(2025, 4, 1))
DEMO_LOGINS = {
    "demo-learner": "職員(学習者)",
    "demo-manager": "所属長(市民課長)",
    "demo-hr": "人事課",
    "demo-advisor": "外部人材・CIO補佐官、共通教材の編集者",
    "demo-reviewer": "DX推進課(コンテンツ承認)、共通教材の承認者",
    "demo-admin": "システム管理者",
    "demo-hr-town": "みどり町 総務課(人事担当): 町の職員データの取込・閲覧と町の集計(若葉市は見えない)",
    "demo-learner-town": "みどり町 住民課の職員(学習者): 自分の学習・小テスト・実績",
    "demo-pref": "架空県 市町村課(都道府県): 県内市町村の秘匿処理済みの集計だけ。個人データは見えない",
}


class DemoDataError(Exception):
    pass


def municipality_ensure() -> Municipality:
    municipality, _ = Municipality.objects.get_or_create(
        code=CITY_CODE,
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
    prefecture_load(stdout=stdout)
    town_load(stdout=stdout)
    for each in Municipality.objects.filter(collection__isnull=True):
        municipality_collection_ensure(municipality=each)  # its images and documents (ADR 0024)


def prefecture_ensure() -> Municipality:
    """架空県 itself (kind 都道府県): its municipalities are those whose ``prefecture`` is 架空県."""
    prefecture, _ = Municipality.objects.get_or_create(
        code=PREFECTURE_CODE,
        defaults={
            "name": "架空県",
            "name_en": "Kaku Prefecture",
            "prefecture": "架空県",
            "kind": MunicipalityKind.PREFECTURE,
            "population": 1_184_000,
            "domain": "pref.kaku.example.lg.jp",
        },
    )
    return prefecture


def town_ensure() -> Municipality:
    town, _ = Municipality.objects.get_or_create(
        code=TOWN_CODE,
        defaults={
            "name": "みどり町",
            "name_en": "Midori Town",
            "prefecture": "架空県",
            "kind": MunicipalityKind.TOWN,
            "population": 6_120,
            "domain": "town.midori.example.lg.jp",
        },
    )
    return town


def demo_municipalities() -> list[Municipality]:
    """The demo's cities and towns whose staff learn (not the prefecture), the city first."""
    return list(Municipality.objects.filter(code__in=[CITY_CODE, TOWN_CODE]).order_by("code"))


def _organisation_import(municipality: Municipality, departments: str, rotations, *, stdout) -> None:
    outcome = services.department_import(
        municipality=municipality, content=(DEMO_DIR / departments).read_bytes()
    )
    _check(outcome, departments)
    stdout.write(f"  {municipality.name} {departments}: {outcome.as_dict()}")
    if StaffProfile.objects.filter(municipality=municipality).exists():
        return
    for file_name, effective_date in rotations:
        outcome = services.staff_import(
            municipality=municipality,
            content=(DEMO_DIR / file_name).read_bytes(),
            effective_date=effective_date,
            retire_missing=True,
        )
        _check(outcome, file_name)
        stdout.write(f"  {municipality.name} {file_name} ({effective_date}): {outcome.as_dict()}")


def prefecture_load(*, stdout) -> None:
    """The prefecture and its one official on the platform, demo-pref: the 都道府県 role and no other."""
    prefecture = prefecture_ensure()
    _organisation_import(prefecture, "prefecture_departments.csv", [PREFECTURE_STAFF], stdout=stdout)
    _login_ensure(
        prefecture, "demo-pref", Assignment.objects.filter(department__code="010301"), {Role.PREFECTURE}
    )


def town_load(*, stdout) -> None:
    """みどり町: its organisation, two years of staff files, its HR planner and a learner."""
    town = town_ensure()
    _organisation_import(town, "town_departments.csv", TOWN_ROTATIONS, stdout=stdout)
    today = datetime.date(2026, 4, 1)
    on_duty = Assignment.objects.on(today)
    _login_ensure(  # 総務係長: 人事 is 総務課's in a town this size
        town,
        "demo-hr-town",
        on_duty.filter(department__code="010101", staff__job_grade=JobGrade.KAKARICHO),
        {Role.LEARNER, Role.HR},
    )
    _login_ensure(
        town,
        "demo-learner-town",
        on_duty.filter(department__code="010301", staff__job_grade=JobGrade.SHUJI),
        {Role.LEARNER},
    )


@transaction.atomic
def _login_ensure(municipality: Municipality, username: str, assignments, roles: set[Role]) -> None:
    """Make the first fitting staff member of ``municipality`` the demo login ``username`` holding exactly
    ``roles`` (the import gave every staff member the learner role)."""
    user_model = get_user_model()
    if user_model.objects.filter(username=username).exists():
        return
    assignment = (
        assignments.filter(staff__municipality=municipality)
        .select_related("staff__user")
        .order_by("staff__employee_number")
        .first()
    )
    if assignment is None:
        raise DemoDataError(f"No staff member of {municipality} fits {username}.")
    user = assignment.staff.user
    user.username = username
    user.set_password(DEMO_PASSWORD)
    user.save()
    user.groups.set([role_group(role) for role in roles])


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
    # The demo's curriculum authors also write and approve the shared curriculum (ADR 0024): the
    # platform's editorial roles, given on top of their city roles (also to logins made before them).
    for username, role in (("demo-advisor", Role.SHARED_AUTHOR), ("demo-reviewer", Role.SHARED_REVIEWER)):
        user = user_model.objects.get(username=username)
        user.groups.add(role_group(role))
