"""The staff import writes set-based (ADR 0026, "Set-based writes"): its queries grow with batches, not
rows; a problem anywhere, even after a batch was written, leaves nothing; leavers, transfers, returns and
the signals the permission cache listens to come out as they did row by row."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import connection
from django.db.models.signals import m2m_changed
from django.test import Client
from django.test.utils import CaptureQueriesContext

from lms_site.organisation import services, staff_csv
from lms_site.organisation.models import Assignment, StaffProfile
from lms_site.organisation.roles import Role, role_group
from lms_site.organisation.tenancy import municipality_scope
from tests.conftest import DEPARTMENTS_CSV
from tests.factories import MunicipalityFactory
from tests.organisation.test_staff_import import APRIL_2025, APRIL_2026, GOOD_ROWS, csv_bytes

pytestmark = pytest.mark.django_db
# SQLite splits a bulk insert into statements of at most 999 parameters (Django's limit for it), so there
# the queries grow every ~100 rows whatever the import does; PostgreSQL, production's, has no such split.
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite splits bulk statements itself (999 parameters)"
)
User = get_user_model()
CODES = ("010100", "010101", "020100", "020200")


def row(index: int, *, code: str | None = None, grade: str = "主事", email: str | None = None) -> str:
    number = f"{200000 + index}"
    address = f"s{number}@example.lg.jp" if email is None else email
    return (
        f"{number},山田,太郎{index},ヤマダ,タロウ,{code or CODES[index % 4]},{grade},一般行政,2015,{address}"
    )


def staff_file(count: int, changes: dict[int, dict] | None = None) -> bytes:
    return csv_bytes(*(row(index, **(changes or {}).get(index, {})) for index in range(count)))


def full_state(municipality) -> tuple:
    """Everything an import could change in one municipality."""
    users = User.objects.filter(staff_profile__municipality=municipality)
    profiles = StaffProfile.objects.filter(municipality=municipality)
    return (
        sorted(profiles.values_list("employee_number", *services.PROFILE_FIELDS, "is_active")),
        sorted(
            Assignment.objects.filter(staff__municipality=municipality).values_list(
                "staff__employee_number", "department__code", "starts_on", "ends_on"
            )
        ),
        sorted(users.values_list("username", "email", "first_name", "last_name", "is_active")),
        sorted(users.values_list("username", "groups__name")),
    )


def import_file(municipality, content: bytes, day=APRIL_2025, **kwargs) -> services.ImportOutcome:
    with municipality_scope(municipality):
        return services.staff_import(municipality=municipality, content=content, effective_date=day, **kwargs)


def another_city(code: str):
    """A municipality with the same department tree as ``departments``."""
    city = MunicipalityFactory(code=code, name=f"市{code}")
    with municipality_scope(city):
        assert services.department_import(municipality=city, content=DEPARTMENTS_CSV.encode()).ok
    return city


def a_year_later(count: int) -> bytes:
    """Every kind of change, in proportion: transfers, promotions, new addresses, leavers (missing from a
    full list) and new people."""
    rows = []
    for index in range(count):
        if index % 9 == 4:
            continue  # a leaver
        if index % 10 == 1:
            rows.append(row(index, code="020200" if index % 4 != 3 else "010100"))  # a transfer
        elif index % 7 == 2:
            rows.append(row(index, grade="主任"))
        elif index % 11 == 3:
            rows.append(row(index, email=f"new{index}@example.lg.jp"))
        else:
            rows.append(row(index))
    rows += [row(count + index) for index in range(count // 10)]
    return csv_bytes(*rows)


def queries_of(municipality, content: bytes, **kwargs) -> tuple[int, services.ImportOutcome]:
    with CaptureQueriesContext(connection) as captured:
        outcome = import_file(municipality, content, **kwargs)
    assert outcome.ok, outcome.errors
    return len(captured), outcome


@on_postgresql
def test_the_imports_queries_do_not_grow_with_its_rows(departments):
    small, large = departments["010100"].municipality, another_city("999993")

    first_small, created_small = queries_of(small, staff_file(50))
    first_large, created_large = queries_of(large, staff_file(500))
    again_small, changed_small = queries_of(small, a_year_later(50), day=APRIL_2026, retire_missing=True)
    again_large, changed_large = queries_of(large, a_year_later(500), day=APRIL_2026, retire_missing=True)

    assert (created_small.created, created_large.created) == (50, 500)
    for changed in (changed_small, changed_large):
        assert all(n > 0 for n in (changed.created, changed.moved, changed.updated, changed.retired))
    assert first_small == first_large
    assert again_small == again_large


@on_postgresql
def test_a_file_longer_than_a_batch_grows_by_one_set_of_queries_per_batch(departments, monkeypatch):
    small, large = departments["010100"].municipality, another_city("999993")
    monkeypatch.setattr(services, "BATCH", 100)

    one_batch, _outcome = queries_of(small, staff_file(100))
    five_batches, _outcome = queries_of(large, staff_file(500))

    assert five_batches - one_batch == 4 * 4  # users, their role, profiles, assignments
    assert StaffProfile.objects.filter(municipality=large).count() == 500


@pytest.mark.parametrize(
    "last_row",
    [
        "209999,山田,花子,ヤマダ,ハナコ,999999,主事,一般行政,2015,",  # a department the city does not have
        "209999,山田,花子,ヤマダ,ハナコ,010100,社長,一般行政,2015,",  # a post that does not exist
        "200001,山田,花子,ヤマダ,ハナコ,010100,主事,一般行政,2015,",  # a number already in the file
    ],
    ids=["department", "post", "duplicate"],
)
def test_a_problem_on_the_last_row_of_a_long_file_writes_nothing(departments, last_row):
    city = departments["010100"].municipality
    import_file(city, staff_file(10))
    before = full_state(city)
    content = staff_file(services.BATCH + 500) + f"{last_row}\n".encode()  # batch 1 is written first
    last_line = services.BATCH + 500 + 2

    outcome = import_file(city, content, day=APRIL_2026, retire_missing=True)

    assert not outcome.ok
    assert [error.split(":")[0] for error in outcome.errors] == [f"{last_line}行目"]
    assert full_state(city) == before


def test_an_address_held_by_someone_left_out_of_the_file_is_refused_at_the_end(
    departments, django_capture_on_commit_callbacks
):
    city = departments["010100"].municipality
    import_file(city, staff_file(10))
    before = full_state(city)
    rows = [row(index) for index in range(services.BATCH + 100) if index != 9]  # 200009 is not in the file
    rows.append(row(services.BATCH + 100, email="s200009@example.lg.jp"))  # … but their address is

    with django_capture_on_commit_callbacks() as callbacks:
        outcome = import_file(city, csv_bytes(*rows), day=APRIL_2026)

    assert outcome.errors == [
        f"{len(rows) + 1}行目: メールアドレスは職員番号 200009 の職員が使用しています。"
    ]
    assert full_state(city) == before
    assert callbacks == []  # nothing told the training rules about a change that did not happen


def test_an_address_handed_on_to_a_colleague_in_the_same_file_is_accepted(departments):
    city = departments["010100"].municipality
    import_file(city, staff_file(3))

    outcome = import_file(
        city,
        csv_bytes(row(0, email="s200002@example.lg.jp"), row(1), row(2, email="changed@example.lg.jp")),
        day=APRIL_2026,
    )

    assert outcome.ok, outcome.errors
    assert User.objects.get(username="999991-200000").email == "s200002@example.lg.jp"


def test_leavers_retire_with_their_roles_sessions_and_assignments(departments):
    city = departments["010100"].municipality
    import_file(city, staff_file(30))
    hr = User.objects.get(username="999991-200004")
    hr.groups.add(role_group(Role.HR))
    Client().force_login(hr)
    changes: list[tuple[str, str, set]] = []

    def listen(sender, instance, action, pk_set, **kwargs):
        changes.append((action, instance.name, pk_set))

    m2m_changed.connect(listen, sender=User.groups.through, dispatch_uid="test-listen")
    try:
        outcome = import_file(
            city, csv_bytes(*(row(i) for i in range(30) if i % 4)), day=APRIL_2026, retire_missing=True
        )
    finally:
        m2m_changed.disconnect(dispatch_uid="test-listen", sender=User.groups.through)

    leavers = [f"{200000 + i}" for i in range(30) if not i % 4]
    assert outcome.retired == len(leavers) == 8
    assert not StaffProfile.objects.filter(employee_number__in=leavers, is_active=True).exists()
    assert not User.objects.filter(staff_profile__employee_number__in=leavers, is_active=True).exists()
    assert not hr.groups.exists()
    assert not [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(hr.pk)]
    ends = dict(
        Assignment.objects.filter(staff__employee_number__in=leavers).values_list(
            "staff__employee_number", "ends_on"
        )
    )
    assert set(ends.values()) == {APRIL_2026 - datetime.timedelta(days=1)}
    learner_ids = set(
        User.objects.filter(staff_profile__employee_number__in=leavers).values_list("pk", flat=True)
    )
    assert ("post_remove", role_group(Role.HR).name, {hr.pk}) in changes
    assert ("post_remove", role_group(Role.LEARNER).name, learner_ids) in changes


def test_a_leaver_who_started_on_the_effective_date_ends_that_same_day(departments):
    city = departments["010100"].municipality
    import_file(city, staff_file(2), day=APRIL_2026)

    import_file(city, staff_file(1), day=APRIL_2026, retire_missing=True)

    assert Assignment.objects.get(staff__employee_number="200001").ends_on == APRIL_2026


def test_transfers_corrections_and_a_return_in_one_file(departments):
    city = departments["010100"].municipality
    import_file(city, staff_file(4))
    import_file(city, staff_file(3), day=APRIL_2026, retire_missing=True)  # 200003 leaves
    returning = User.objects.get(username="999991-200003")
    returning.groups.add(role_group(Role.HR))  # granted while away
    autumn = datetime.date(2026, 10, 1)
    new_joiner = row(4)

    import_file(city, csv_bytes(row(0), row(1, code="020200"), row(2), row(3), new_joiner), day=autumn)
    outcome = import_file(
        city,
        csv_bytes(row(0), row(1, code="020100"), row(2), row(3), row(4, code="020200")),
        day=autumn,
    )

    assert outcome.as_dict() == {"created": 0, "updated": 0, "moved": 2, "unchanged": 3, "retired": 0}
    history = {
        number: list(
            Assignment.objects.filter(staff__employee_number=number)
            .order_by("starts_on")
            .values_list("department__code", "starts_on", "ends_on")
        )
        for number in ("200001", "200003", "200004")
    }
    assert history["200001"] == [
        ("010101", APRIL_2025, autumn - datetime.timedelta(days=1)),
        ("020100", autumn, None),  # moved to 020200 from autumn, corrected on the day to 020100
    ]
    assert history["200003"] == [
        ("020200", APRIL_2025, APRIL_2026 - datetime.timedelta(days=1)),
        ("020200", autumn, None),
    ]
    assert history["200004"] == [("020200", autumn, None)]
    returning.refresh_from_db()
    assert returning.is_active
    assert list(returning.groups.values_list("name", flat=True)) == [role_group(Role.LEARNER).name]
    assert StaffProfile.objects.get(employee_number="200003").is_active


def test_new_people_get_unusable_passwords_and_the_learner_role_only(departments):
    city = departments["010100"].municipality

    import_file(city, staff_file(3))

    for user in User.objects.filter(staff_profile__municipality=city):
        assert not user.has_usable_password()
        assert list(user.groups.values_list("name", flat=True)) == [role_group(Role.LEARNER).name]
    passwords = set(User.objects.filter(staff_profile__municipality=city).values_list("password", flat=True))
    assert len(passwords) == 3  # each one random, as make_password(None) gives


@pytest.mark.scoped
def test_a_towns_file_naming_the_citys_people_and_departments_changes_nothing_in_the_city(departments):
    city = departments["010100"].municipality
    import_file(city, staff_file(5))
    town = MunicipalityFactory(code="999992", name="みどり町")
    with municipality_scope(city):
        before = full_state(city)

    outcome = import_file(town, staff_file(5), day=APRIL_2026, retire_missing=True)

    assert not outcome.ok and all("所属コード" in error for error in outcome.errors)
    with municipality_scope(town):
        assert not StaffProfile.objects.exists()
    with municipality_scope(city):
        assert full_state(city) == before


def test_the_same_numbers_in_another_municipality_are_other_people(departments):
    city = departments["010100"].municipality
    import_file(city, staff_file(5))
    town = another_city("999992")
    before = full_state(city)

    outcome = import_file(town, staff_file(3, {0: {"grade": "主任"}}), day=APRIL_2026, retire_missing=True)

    assert outcome.as_dict() == {"created": 3, "updated": 0, "moved": 0, "unchanged": 0, "retired": 0}
    assert full_state(city) == before
    assert StaffProfile.objects.filter(
        municipality=town, employee_number="200000", job_grade="shunin"
    ).exists()


def test_a_queued_import_reads_its_file_in_chunks_to_the_same_result(departments, monkeypatch):
    """The file's encoding is found a chunk at a time; chunks of 7 bytes split the CP932 characters (two
    bytes each) and the lines, and change nothing."""
    city = departments["010100"].municipality
    monkeypatch.setattr(staff_csv, "CHUNK", 7)

    with municipality_scope(city):
        job = services.staff_import_job_create(
            municipality=city,
            file_name="staff.csv",
            content=csv_bytes(*GOOD_ROWS, encoding="cp932"),
            effective_date=APRIL_2025,
            run_async=False,
        )

    assert job.errors == [] and job.summary["created"] == 3 and job.total_rows == 3
    assert StaffProfile.objects.get(employee_number="990003").family_name == "髙橋"
    assert StaffProfile.objects.get(employee_number="150001").family_name_kana == "サトウ"


def test_a_duplicate_names_its_first_line_however_far_back():
    """Numbers and addresses seen are kept as sets; a second pass finds the first lines for the messages."""
    rows = [row(index) for index in range(30)] + [row(3), row(40, email="s200005@example.lg.jp")]
    staff_file = staff_csv.StaffFile(csv_bytes(*rows), current_year=2026)

    assert len(list(staff_file.rows())) == 30
    assert [str(problem) for problem in staff_file.problems] == [
        "32行目: 職員番号 200003 が5行目と重複しています。",
        "32行目: メールアドレスが5行目と重複しています。",  # the same person twice: their address too
        "33行目: メールアドレスが7行目と重複しています。",
    ]
    assert staff_file.valid_number("200003") and not staff_file.valid_number("200040")
