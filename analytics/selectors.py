"""Reads for the HR reports: each aggregates in the database and returns plain rows (never model instances).

Every count attributes a person to the department of their assignment in force on the report's day
(``starts_on <= D`` and ``ends_on`` null or ``>= D``), joined inside the one aggregate query.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Sequence

from django.db import connections
from django.db.models import BigIntegerField, Count, Exists, F, OuterRef, Q, Sum, Value
from django.utils import timezone

from assessments.certification.api import Certificate, CompetencyLevel
from courses.api import Enrollment, LessonCompletion
from courses.competencies.api import Competency
from lms_site.organisation.api import Assignment, Department, StaffProfile
from lms_site.request_memo import memoized

from .models import CoverageSnapshot, DepartmentSnapshot, DevelopmentTarget

LEADER = "DX_LEADER"
BASIC_OR_ABOVE = ("DX_BASIC", "DX_LEADER", "DX_EXPERT")
ACTIVE_DAYS = 30
TALENT_LIMIT = 500
DEPARTMENT_FIELDS = ("id", "path", "depth", "name", "code", "kind")

# The assignment of the level's owner, through its staff record (``CompetencyLevel.staff``: one join chain
# with no ``auth_user`` in it).
_ASSIGNMENT = "staff__assignments"


def day_end(day: datetime.date) -> datetime.datetime:
    """The first instant after ``day`` in the site's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time()))


def _tuples(queryset) -> list[tuple]:
    """Run an ORM-built aggregate and fetch plain tuples, skipping Django's per-row value converters
    (``int()`` on every count: half a second at 180,000 rows). Only for rows of plain integers."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def departments_rows(*, municipality_id: int | None) -> list[dict]:
    """The department tree's rows, in tree order (read once per page view)."""

    def read() -> list[dict]:
        departments = Department.objects.order_by("path")
        if municipality_id is not None:
            departments = departments.filter(municipality_id=municipality_id)
        return list(departments.values(*DEPARTMENT_FIELDS))

    return memoized(("analytics.departments_rows", municipality_id), read)


def competencies_rows() -> list[dict]:
    """The current framework's competencies, in display order (read once per page view)."""
    return memoized(
        "analytics.competencies_rows",
        lambda: list(
            Competency.objects.filter(framework__is_current=True)
            .order_by("sort_order", "code")
            .values("id", "code", "name", "area__name")
        ),
    )


def _assigned_on(on: datetime.date, prefix: str) -> Q:
    return Q(**{f"{prefix}__starts_on__lte": on}) & (
        Q(**{f"{prefix}__ends_on__isnull": True}) | Q(**{f"{prefix}__ends_on__gte": on})
    )


def coverage_count_rows(
    *, on: datetime.date, level: int, competency_ids: Sequence[int], municipality_id: int | None
) -> list[tuple]:
    """``(department_id, competency_id, people at level >= level)`` and ``(department_id, None, headcount)``
    for the people assigned on ``on``: one query (a UNION of two aggregates).
    """
    levels = CompetencyLevel.objects.filter(
        _assigned_on(on, _ASSIGNMENT), level__gte=level, competency_id__in=list(competency_ids)
    )
    heads = Assignment.objects.on(on)
    if municipality_id is not None:
        levels = levels.filter(staff__municipality_id=municipality_id)
        heads = heads.filter(staff__municipality_id=municipality_id)
    levels = (
        levels.order_by()
        .values_list(f"{_ASSIGNMENT}__department_id", "competency_id")
        .annotate(n=Count("pk"))
    )
    heads = (
        heads.order_by()
        .annotate(no_competency=Value(None, output_field=BigIntegerField()))
        .values_list("department_id", "no_competency")
        .annotate(n=Count("pk"))
    )
    return _tuples(levels.union(heads, all=True))


def level_distribution(*, on: datetime.date, municipality_id: int | None):
    """The query of ``(department_id, competency_id, level, people)`` for the current framework, on ``on``,
    in that column order (the snapshot inserts its rows as they come)."""
    levels = CompetencyLevel.objects.filter(
        _assigned_on(on, _ASSIGNMENT), competency__framework__is_current=True
    )
    if municipality_id is not None:
        levels = levels.filter(staff__municipality_id=municipality_id)
    return (
        levels.order_by()
        .values_list(f"{_ASSIGNMENT}__department_id", "competency_id", "level")
        .annotate(n=Count("pk"))
    )


def level_distribution_rows(*, on: datetime.date, municipality_id: int | None) -> list[tuple]:
    """``(department_id, competency_id, level, people)`` for the current framework, on ``on`` (one query)."""
    return _tuples(level_distribution(on=on, municipality_id=municipality_id))


def _valid_certificates(on: datetime.date):
    return Certificate.objects.filter(issued_on__lte=on, user_id=OuterRef("staff__user_id")).filter(
        Q(revoked_at__isnull=True) | Q(revoked_at__gte=day_end(on)),
        Q(expires_on__isnull=True) | Q(expires_on__gte=on),
    )


PEOPLE_COLUMNS = ("headcount", "leaders", "basic", "enrolled", "active", "completed", "certified")


def people_rows(*, on: datetime.date, municipality_id: int | None) -> list[dict]:
    """Per department on ``on``: headcount, certified leaders, basic-or-above, and the participation funnel
    (enrolled, active in the last 30 days, completed a course, holding any certificate). One query.
    """
    return list(people_counts(on=on, municipality_id=municipality_id))


def people_counts(*, on: datetime.date, municipality_id: int | None):
    """The query of ``people_rows``: ``department_id`` then ``PEOPLE_COLUMNS``, in that column order."""
    end = day_end(on)
    certificates = _valid_certificates(on)
    user = OuterRef("staff__user_id")
    assignments = Assignment.objects.on(on)
    if municipality_id is not None:
        assignments = assignments.filter(staff__municipality_id=municipality_id)
    return (
        assignments.order_by()
        .values("department_id")
        .annotate(
            headcount=Count("pk"),
            leaders=Count("pk", filter=Q(Exists(certificates.filter(program__code=LEADER)))),
            basic=Count("pk", filter=Q(Exists(certificates.filter(program__code__in=BASIC_OR_ABOVE)))),
            enrolled=Count(
                "pk", filter=Q(Exists(Enrollment.objects.filter(user_id=user, enrolled_at__lt=end)))
            ),
            active=Count(
                "pk",
                filter=Q(
                    Exists(
                        LessonCompletion.objects.filter(
                            user_id=user,
                            completed_at__lt=end,
                            completed_at__gte=end - datetime.timedelta(days=ACTIVE_DAYS),
                        )
                    )
                ),
            ),
            completed=Count(
                "pk", filter=Q(Exists(Enrollment.objects.filter(user_id=user, completed_at__lt=end)))
            ),
            certified=Count("pk", filter=Q(Exists(certificates))),
        )
    )


def snapshot_day(*, municipality_id: int, on: datetime.date) -> datetime.date | None:
    """The latest snapshot day on or before ``on``."""
    return (
        DepartmentSnapshot.objects.filter(municipality_id=municipality_id, taken_on__lte=on)
        .order_by("-taken_on")
        .values_list("taken_on", flat=True)
        .first()
    )


def coverage_count_rows_snapshot(*, municipality_id: int, taken_on: datetime.date, level: int) -> list[tuple]:
    """The same rows as ``coverage_count_rows``, read from the snapshot of ``taken_on`` (one query)."""
    levels = (
        CoverageSnapshot.objects.filter(municipality_id=municipality_id, taken_on=taken_on, level__gte=level)
        .order_by()
        .values_list("department_id", "competency_id")
        .annotate(n=Sum("people"))
    )
    heads = (
        DepartmentSnapshot.objects.filter(municipality_id=municipality_id, taken_on=taken_on)
        .order_by()
        .annotate(no_competency=Value(None, output_field=BigIntegerField()), n=F("headcount"))
        .values_list("department_id", "no_competency", "n")
    )
    return _tuples(levels.union(heads, all=True))


def department_snapshot_rows(
    *, municipality_id: int, since: datetime.date, until: datetime.date
) -> list[tuple]:
    """``(taken_on, department_id, headcount, leaders, basic, enrolled, active, completed, certified)``."""
    return list(
        DepartmentSnapshot.objects.filter(
            municipality_id=municipality_id, taken_on__gte=since, taken_on__lte=until
        )
        .order_by("taken_on", "department_id")
        .values_list("taken_on", "department_id", *PEOPLE_COLUMNS)
    )


def coverage_snapshot_level_rows(*, municipality_id: int, until: datetime.date) -> list[tuple]:
    """``(taken_on, department_id, competency_id, level, people)`` of every snapshot on or before ``until``
    (exact levels; one query). The suppressed dashboard reads every published month at once (ADR 0012).
    """
    return list(
        CoverageSnapshot.objects.filter(municipality_id=municipality_id, taken_on__lte=until)
        .order_by()
        .values_list("taken_on", "department_id", "competency_id", "level", "people")
    )


def targets_rows(*, municipality_id: int, fiscal_year: int) -> list[dict]:
    """The year's development targets (read once per page view: /hr/'s cache key and its tables)."""
    return memoized(
        ("analytics.targets_rows", municipality_id, fiscal_year),
        lambda: list(
            DevelopmentTarget.objects.filter(
                department__municipality_id=municipality_id, fiscal_year=fiscal_year
            )
            .order_by("department__path")
            .values("id", "department_id", "leaders", "basic_share")
        ),
    )


def structure_signature(*, municipality_id: int, fiscal_year: int) -> str | None:
    """A digest of what ``departments_rows``, ``competencies_rows`` and ``targets_rows`` would return (every
    field they read, in their order), computed by PostgreSQL in one query: /hr/'s cache key names it
    instead of reading the three sets of rows on every view. None on other databases (the caller reads
    the rows). Each row is a JSON array, so no two different sets of rows give the same text."""
    connection = connections[Department.objects.db]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(_signature_sql(), [municipality_id, municipality_id, fiscal_year])
        return cursor.fetchone()[0]


@functools.cache
def _signature_sql() -> str:
    """The query, with every table and column name from the models' own metadata (no value of any
    request is in it: the municipality and the year are its parameters)."""
    area = Competency._meta.get_field("area").related_model
    framework = Competency._meta.get_field("framework").related_model
    quote = connections[Department.objects.db].ops.quote_name

    def table(model, alias: str) -> str:
        return f"{quote(model._meta.db_table)} {alias}"

    def col(model, alias: str):
        return lambda name: f"{alias}.{quote(model._meta.get_field(name).column)}"

    d, c, t, a, f = (
        col(Department, "d"),
        col(Competency, "c"),
        col(DevelopmentTarget, "t"),
        col(area, "a"),
        col(framework, "f"),
    )

    def digest(values: list[str], order: list[str], source: str) -> str:
        rows = f"string_agg(json_build_array({', '.join(values)})::text, E'\\n' ORDER BY {', '.join(order)})"
        return f"(SELECT encode(sha256(convert_to(coalesce({rows}, ''), 'UTF8')), 'hex') FROM {source})"  # noqa: S608

    departments = digest(
        [d(name) for name in DEPARTMENT_FIELDS],
        [d("path")],
        f"{table(Department, 'd')} WHERE {d('municipality')} = %s",
    )
    competencies = digest(
        [c("id"), c("code"), c("name"), a("name")],
        [c("sort_order"), c("code")],
        f"{table(Competency, 'c')} JOIN {table(framework, 'f')} ON {f('id')} = {c('framework')}"
        f" JOIN {table(area, 'a')} ON {a('id')} = {c('area')} WHERE {f('is_current')}",
    )
    targets = digest(
        [t("id"), t("department"), t("leaders"), t("basic_share")],
        [d("path"), t("id")],
        f"{table(DevelopmentTarget, 't')} JOIN {table(Department, 'd')} ON {d('id')} = {t('department')}"
        f" WHERE {d('municipality')} = %s AND {t('fiscal_year')} = %s",
    )
    return f"SELECT concat_ws(':', {departments}, {competencies}, {targets})"


def talent_rows(
    *, on: datetime.date, competency_id: int, level: int, municipality_id: int, path_prefix: str = ""
) -> list[dict]:
    """People assigned on ``on`` (within the department path prefix) holding the competency at ``level`` or
    above, highest level first (one query; at most ``TALENT_LIMIT`` rows). Personal data: log each view.
    """
    rows = (
        CompetencyLevel.objects.filter(
            _assigned_on(on, _ASSIGNMENT),
            competency_id=competency_id,
            level__gte=level,
            staff__municipality_id=municipality_id,
            **{f"{_ASSIGNMENT}__department__path__startswith": path_prefix},
        )
        .order_by("-level", "staff__employee_number")
        .values(
            "level",
            employee_number=F("staff__employee_number"),
            family_name=F("staff__family_name"),
            given_name=F("staff__given_name"),
            job_grade=F("staff__job_grade"),
            department=F(f"{_ASSIGNMENT}__department__name"),
            department_path=F(f"{_ASSIGNMENT}__department__path"),
        )
    )
    return list(rows[:TALENT_LIMIT])


def municipality_of(user) -> int | None:
    """The municipality of ``user``'s staff record, read through the tenant-scoped manager (one query)."""
    return StaffProfile.objects.filter(user_id=user.pk).values_list("municipality_id", flat=True).first()
