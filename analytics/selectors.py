"""Reads for the HR reports: each aggregates in the database and returns plain rows (never model instances).

Every count attributes a person to the department of their assignment in force on the report's day
(``starts_on <= D`` and ``ends_on`` null or ``>= D``), joined inside the one aggregate query.
"""

from __future__ import annotations

import datetime
import functools
import threading
from collections.abc import Callable, Sequence

from django.db import connections
from django.db.models import BigIntegerField, Count, Exists, F, OuterRef, Q, QuerySet, Sum, Value
from django.utils import timezone
from django_scopes import get_scope

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
    """Run an ORM-built query and fetch plain tuples, skipping Django's per-row value converters
    (``int()`` on every count: half a second at 180,000 rows). Only for columns that need no converter
    (integers, text)."""
    return _fetch(queryset.db, *queryset.query.sql_with_params())


def _fetch(using: str, sql: str, params) -> list[tuple]:
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# Queries compiled once per shape. Composing an ORM query and compiling it to SQL costs more than running
# it when the rows are few (0.9 ms of the coverage report's 10 ms at a city's size, 0.2–0.3 ms for the
# competencies or the departments): the reports' fixed queries are built by the ORM once per *shape* (the
# query, the running scope, which arguments are given and how many ids) with made-up values, the *probes*,
# and each call runs that SQL with its own values in the probes' places. Every call still gets the SQL the
# ORM would build for it, the scoped manager's filter included (``_prepare`` says when it could not be
# sure, and the query is then compiled for each call as before).


def _slots(values: dict) -> dict[tuple[str, int | None], object]:
    """Each value of ``values`` by its slot, ``(name, None)``, the items of a list ``(name, position)``;
    None is no slot (whether an argument is None is part of the query's shape)."""
    found = {}
    for name, value in values.items():
        if isinstance(value, list | tuple):
            found.update({(name, i): item for i, item in enumerate(value)})
        elif value is not None:
            found[(name, None)] = value
    return found


def _recognised(value) -> tuple | None:
    """A parameter as a key that tells ``1`` from ``True`` and ``"1"``; None if it cannot be one."""
    try:
        hash(value)
    except TypeError:
        return None
    return (type(value), value)


def _match(param, recognised: dict) -> tuple:
    """``(slot, adapt)`` of a compiled parameter that is a probe, else ``(None, None)``. ``adapt`` turns a
    call's value into the parameter the backend would have made of it: a date as it adapts dates (text on
    SQLite), an integer in its typed wrapper (psycopg's ``Int2`` for a small integer column), or as is."""
    found = recognised.get(_recognised(param))
    if found is not None:
        return found
    if isinstance(param, int) and type(param) not in (int, bool):
        slot, adapt = recognised.get((int, int(param)), (None, None))
        if slot is not None and adapt is None:
            return slot, type(param)
    return None, None


def _prepare(build: Callable[..., QuerySet], probes: tuple[dict, dict]) -> tuple[str, tuple] | None:
    """``build``'s SQL and, per parameter, ``(slot, adapt)`` (a call's argument, see ``_match``) or
    ``(value,)`` (a constant of the query, such as the scope's municipality ids), from two compilations
    with two different sets of probes: a parameter is an argument's only if it is the same slot's probe,
    adapted the same way, in both, and everything else must be the same in both (the SQL text, the
    constants). None when that does not hold (e.g. a probe that made the ORM drop or change a condition)
    or when an argument is nowhere in the parameters: the caller then compiles for each call."""
    compiled = []
    for values in probes:
        queryset = build(**values)
        ops = connections[queryset.db].ops
        sql, params = queryset.query.sql_with_params()
        recognised = {}
        for slot, value in _slots(values).items():
            recognised[_recognised(value)] = (slot, None)
            if type(value) is datetime.date:
                adapted = ops.adapt_datefield_value(value)
                recognised.setdefault(_recognised(adapted), (slot, ops.adapt_datefield_value))
        compiled.append((sql, list(params), recognised))
    (sql, first, seen), (other_sql, second, other_seen) = compiled
    if sql != other_sql or len(first) != len(second):
        return None
    template, used = [], set()
    for one, other in zip(first, second, strict=True):
        (slot, adapt), (other_slot, other_adapt) = _match(one, seen), _match(other, other_seen)
        if slot is None and other_slot is None:
            if _recognised(one) is None or _recognised(one) != _recognised(other):
                return None
            template.append((one,))
        elif slot == other_slot and adapt == other_adapt:
            template.append((slot, adapt))
            used.add(slot)
        else:
            return None
    if used != set(_slots(probes[0])):
        return None
    return sql, tuple(template)


_PREPARED: dict[tuple, tuple[str, tuple] | None] = {}
_PREPARED_LIMIT = 256  # shapes kept per process (each query per scope: a few per municipality served)
_PREPARED_LOCK = threading.Lock()
_MISSING = object()


def _scope_key() -> tuple | None:
    """The running scope (what the scoped managers filter by) as a key, or None when it holds anything but
    ids (e.g. model instances, whose repr would not tell two municipalities apart): then nothing is kept."""
    key = []
    for name, value in sorted(get_scope().items()):
        items = value if isinstance(value, list | tuple) else [value]
        if not all(item is None or type(item) in (int, bool, str) for item in items):
            return None
        key.append((name, isinstance(value, list | tuple), tuple(items)))
    return tuple(key)


def _prepared_rows(
    name: str, build: Callable[..., QuerySet], values: dict, probes: tuple[dict, dict], using: str
) -> list[tuple]:
    """The rows of ``build(**values)`` (``using``'s database) as plain tuples, as ``_tuples`` fetches them,
    from SQL compiled once per shape (``_prepared_statement``)."""
    return _fetch(using, *_prepared_statement(name, build, values, probes, using=using))


def _prepared_statement(
    name: str, build: Callable[..., QuerySet], values: dict, probes: tuple[dict, dict], using: str
) -> tuple[str, list | tuple]:
    """What ``build(**values).query.sql_with_params()`` gives, from SQL compiled once per shape: the query's
    ``name``, the database, the running scope and which arguments are None and how many ids the lists
    hold; ``probes`` are two sets of values of that shape that no call passes."""
    scope = _scope_key()
    if scope is None:
        return build(**values).query.sql_with_params()
    shape = tuple(
        (key, len(value) if isinstance(value, list | tuple) else value is None)
        for key, value in values.items()
    )
    key = (name, using, scope, shape)
    prepared = _PREPARED.get(key, _MISSING)
    if prepared is _MISSING:
        prepared = _prepare(build, probes)
        with _PREPARED_LOCK:
            if len(_PREPARED) >= _PREPARED_LIMIT:
                _PREPARED.clear()
            _PREPARED[key] = prepared
    if prepared is None:
        return build(**values).query.sql_with_params()
    sql, template = prepared
    slots = _slots(values)
    params = [
        part[0] if len(part) == 1 else part[1](slots[part[0]]) if part[1] else slots[part[0]]
        for part in template
    ]
    return sql, params


def _departments(*, municipality_id: int | None) -> QuerySet:
    departments = Department.objects.order_by("path")
    if municipality_id is not None:
        departments = departments.filter(municipality_id=municipality_id)
    return departments.values_list(*DEPARTMENT_FIELDS)


# Values no call passes (ids are positive), one set per compilation of ``_prepare``.
_PROBE_IDS = (-7_310_429_581, -7_310_429_587)
_PROBE_DAYS = (datetime.date(1, 1, 3), datetime.date(1, 1, 5))
_PROBE_LEVELS = (31_013, 31_019)  # within the level column's range (a value outside drops the condition)
_LEVEL_COLUMN_MAX = 32_767  # CompetencyLevel.level: a PositiveSmallIntegerField


def departments_rows(*, municipality_id: int | None) -> list[dict]:
    """The department tree's rows, in tree order (read once per page view; one query)."""

    def read() -> list[dict]:
        if municipality_id is not None and type(municipality_id) is not int:
            rows = _tuples(_departments(municipality_id=municipality_id))
        else:
            rows = _prepared_rows(
                "departments",
                _departments,
                {"municipality_id": municipality_id},
                tuple({"municipality_id": None if municipality_id is None else p} for p in _PROBE_IDS),
                using=Department.objects.db,
            )
        return [dict(zip(DEPARTMENT_FIELDS, row, strict=True)) for row in rows]

    return memoized(("analytics.departments_rows", municipality_id), read)


COMPETENCY_FIELDS = ("id", "code", "name", "area__name")


def _competencies() -> QuerySet:
    return (
        Competency.objects.filter(framework__is_current=True)
        .order_by("sort_order", "code")
        .values_list(*COMPETENCY_FIELDS)
    )


def competencies_rows() -> list[dict]:
    """The current framework's competencies, in display order (read once per page view; one query)."""
    return memoized(
        "analytics.competencies_rows",
        lambda: [
            dict(zip(COMPETENCY_FIELDS, row, strict=True))
            for row in _prepared_rows(
                "competencies", _competencies, {}, ({}, {}), using=Competency.objects.db
            )
        ],
    )


def _assigned_on(on: datetime.date, prefix: str) -> Q:
    return Q(**{f"{prefix}__starts_on__lte": on}) & (
        Q(**{f"{prefix}__ends_on__isnull": True}) | Q(**{f"{prefix}__ends_on__gte": on})
    )


def coverage_count_rows(
    *, on: datetime.date, level: int, competency_ids: Sequence[int], municipality_id: int | None
) -> list[tuple]:
    """``(department_id, competency_id, people at level >= level)`` and ``(department_id, None, headcount)``
    for the people assigned on ``on``: one query (a UNION of two aggregates), compiled once per shape.
    """
    values = {
        "on": on,
        "level": level,
        "competency_ids": list(competency_ids),
        "municipality_id": municipality_id,
    }
    # Values the ORM treats as it treats the probes (a level outside the column's range would make it drop
    # or empty the condition): the others are compiled for their call.
    ordinary = (
        type(on) is datetime.date
        and type(level) is int
        and 0 <= level <= _LEVEL_COLUMN_MAX
        and all(type(pk) is int for pk in values["competency_ids"])
        and (municipality_id is None or type(municipality_id) is int)
    )
    if not ordinary:
        return _tuples(_coverage_counts(**values))
    count = len(values["competency_ids"])
    probes = tuple(
        {
            "on": day,
            "level": probe_level,
            "competency_ids": [pk - 10 * (i + 1) for i in range(count)],
            "municipality_id": None if municipality_id is None else pk,
        }
        for day, probe_level, pk in zip(_PROBE_DAYS, _PROBE_LEVELS, _PROBE_IDS, strict=True)
    )
    return _prepared_rows(
        "coverage_counts", _coverage_counts, values, probes, using=CompetencyLevel.objects.db
    )


def _coverage_counts(
    *, on: datetime.date, level: int, competency_ids: list[int], municipality_id: int | None
) -> QuerySet:
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
    return levels.union(heads, all=True)


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
