"""The prefecture's view (都道府県): its municipalities' aggregates from closed months, suppressed.

A prefecture supports the DX人材育成 of the municipalities in it and sees aggregates only: per municipality,
the snapshot kept for each closed month (numbers that no longer change), never a person. The numbers form
one stack, months × (the prefecture's total, then each municipality) × columns, suppressed at once by the
routine every summary uses (``privacy.suppress_stack``, ADR 0012): a count of 1–4 is hidden, a municipality
with fewer than 5 staff is hidden whole, the total and its members cannot be subtracted to find a hidden
one, and no two visible months or levels of one municipality differ by 1–4 people.

Three queries for the numbers whatever the number of municipalities or months, plus two for the targets.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lms_site.organisation.api import Department, Municipality, MunicipalityKind, municipality_scope

from . import frames, privacy, selectors, stack_cache
from .models import CoverageSnapshot, DepartmentSnapshot, DevelopmentTarget
from .reports import COMPLEMENTARY_LABEL, LEVELS, PRIMARY_LABEL, PUBLISHED_LEVEL_ORDER, level_column
from .tables import Cell, ReportTable

TOTAL = 0  # the node of the prefecture's total; municipality i is node i + 1
TREND_MONTHS = 12


@dataclass
class PrefectureReport:
    prefecture: Municipality
    municipalities: list[Municipality]
    months: list[datetime.date]  # the first day of each closed month with a snapshot, oldest first
    month: datetime.date | None  # the month shown
    level: int
    tables: dict[str, ReportTable] = field(default_factory=dict)


def closed_until(today: datetime.date) -> datetime.date:
    """The last day of the month before ``today``'s: later snapshots may still change."""
    return today.replace(day=1) - datetime.timedelta(days=1)


def _month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _snapshot_sums(municipality_ids: list[int], until: datetime.date) -> tuple[list, list]:
    """Each municipality's snapshot totals per day, and its level counts (two queries)."""
    people = list(
        DepartmentSnapshot.objects.filter(municipality_id__in=municipality_ids, taken_on__lte=until)
        .order_by("taken_on")
        .values_list("municipality_id", "taken_on")
        .annotate(*(Sum(column) for column in selectors.PEOPLE_COLUMNS))
    )
    levels = list(
        CoverageSnapshot.objects.filter(municipality_id__in=municipality_ids, taken_on__lte=until)
        .order_by("taken_on")
        .values_list("municipality_id", "taken_on", "competency_id", "level")
        .annotate(Sum("people"))
    )
    return people, levels


def _stack(municipality_ids: list[int], competencies: list[dict], until: datetime.date):
    """(months, columns, values months × nodes × columns): each municipality's own totals, the
    prefecture's total in node 0. A municipality with no snapshot in a month counts nothing that month.
    Read in the scope of exactly those municipalities (as their targets are), whoever is asking: the
    prefecture's officials and a municipality's HR (its comparison) act in none of the others."""
    with municipality_scope(municipality_ids):
        people, levels = _snapshot_sums(municipality_ids, until)
    months = sorted({_month(row[1]) for row in people})
    codes = [c["code"] for c in competencies]
    columns = [*selectors.PEOPLE_COLUMNS, *(level_column(code, level) for code in codes for level in LEVELS)]
    month_of = {month: i for i, month in enumerate(months)}
    node_of = {pk: i + 1 for i, pk in enumerate(municipality_ids)}
    values = np.zeros((len(months), len(municipality_ids) + 1, len(columns)), dtype="int64")
    width = len(selectors.PEOPLE_COLUMNS)
    latest: dict[tuple[int, int], datetime.date] = {}
    for municipality_id, taken_on, *counts in people:  # ordered by day: the month's last snapshot wins
        key = (month_of[_month(taken_on)], node_of[municipality_id])
        latest[key] = taken_on
        values[key[0], key[1], :width] = [count or 0 for count in counts]
    competency_of = {c["id"]: i for i, c in enumerate(competencies)}
    exact = np.zeros((len(months), len(municipality_ids) + 1, len(codes), len(LEVELS) + 1), dtype="int64")
    for municipality_id, taken_on, competency_id, level, count in levels:
        key = (month_of.get(_month(taken_on)), node_of[municipality_id])
        if key[0] is None or latest.get(key) != taken_on or competency_id not in competency_of:
            continue
        exact[key[0], key[1], competency_of[competency_id], level] += count or 0
    at_least = exact[..., ::-1].cumsum(axis=-1)[..., ::-1][..., 1:]  # people at level >= 1 … >= 5
    values[:, :, width:] = at_least.reshape(len(months), len(municipality_ids) + 1, len(codes) * len(LEVELS))
    values[:, TOTAL, :] = values[:, 1:, :].sum(axis=1)
    return months, columns, values


def _suppressed_stack(municipality_ids: list[int], competencies: list[dict], until: datetime.date):
    """(months, columns, values, flags): the stack and its suppression, what the shared cache keeps."""
    months, columns, values = _stack(municipality_ids, competencies, until)
    codes = [c["code"] for c in competencies]
    flags = _flags(values, columns, codes) if months else None
    return months, columns, values, flags


def _flags(values: np.ndarray, columns: list[str], codes: list[str]) -> np.ndarray:
    position = {column: i for i, column in enumerate(columns)}
    families = [[position[c]] for c in selectors.PEOPLE_COLUMNS if c != frames.HEADCOUNT]
    families += [[position[level_column(code, level)] for level in PUBLISHED_LEVEL_ORDER] for code in codes]
    members = np.arange(1, values.shape[1], dtype="int64")
    groups = [(TOTAL, members)] if len(members) else []
    return privacy.suppress_stack(values, groups, headcount=position[frames.HEADCOUNT], families=families)


def _leader_targets(municipality_ids: list[int], fiscal_year: int) -> dict[int, float]:
    """Each municipality's DX推進リーダー target for the year: the rolled-up target of its whole organisation
    (targets are not personal data; read in the municipalities' scope, two queries)."""
    with municipality_scope(municipality_ids):
        departments = list(
            Department.objects.filter(municipality_id__in=municipality_ids)
            .order_by("path")
            .values("municipality_id", *selectors.DEPARTMENT_FIELDS)
        )
        targets = list(
            DevelopmentTarget.objects.filter(
                department__municipality_id__in=municipality_ids, fiscal_year=fiscal_year
            ).values("department__municipality_id", "department_id", "leaders", "basic_share")
        )
    by_municipality: dict[int, list[dict]] = {}
    for department in departments:
        by_municipality.setdefault(department.pop("municipality_id"), []).append(department)
    result = {}
    for municipality_id, own in by_municipality.items():
        mine = [t for t in targets if t["department__municipality_id"] == municipality_id]
        if not mine:
            continue
        nodes = frames.tree_nodes(own, all_label="")
        leaders = frames.targets_effective(nodes, mine).at[frames.ALL, "leaders"]
        if not np.isnan(leaders):
            result[municipality_id] = float(leaders)
    return result


def fiscal_year_of(day: datetime.date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def _cell(values, flags, month: int, node: int, column: int) -> Cell:
    flag = flags[month, node, column]
    if flag == privacy.SHOWN:
        return int(values[month, node, column])
    return PRIMARY_LABEL if flag == privacy.PRIMARY else COMPLEMENTARY_LABEL


def _share(values, flags, month: int, node: int, column: int, headcount: int) -> Cell:
    """A percentage of the headcount, shown only where both counts are."""
    if flags[month, node, column] != privacy.SHOWN:
        return _cell(values, flags, month, node, column)
    if flags[month, node, headcount] != privacy.SHOWN:
        return _cell(values, flags, month, node, headcount)
    staff = int(values[month, node, headcount])
    return round(100 * int(values[month, node, column]) / staff, 1) if staff else None


def prefecture_report(
    *,
    prefecture: Municipality,
    today: datetime.date,
    month: datetime.date | None = None,
    level: int = 2,
    only: Municipality | None = None,
) -> PrefectureReport:
    """The prefecture's three tables for ``month`` (the latest closed month when None or unknown); with
    ``only``, the rows of that municipality beside the total (suppressed with all of them, as always)."""
    municipalities = list(Municipality.objects.in_prefecture(prefecture).order_by("code"))
    ids = [m.pk for m in municipalities]
    competencies = selectors.competencies_rows()
    codes = [c["code"] for c in competencies]
    until = closed_until(today)
    months, columns, values, flags = stack_cache.cached_prefecture_stack(
        prefecture_id=prefecture.pk,
        municipality_ids=ids,
        until=until,
        competencies=competencies,
        build=lambda: _suppressed_stack(ids, competencies, until),
    )
    report = PrefectureReport(prefecture, municipalities, months, None, level)
    if not months:
        return report
    shown = months.index(month) if month in months else len(months) - 1
    report.month = months[shown]
    position = {column: i for i, column in enumerate(columns)}
    head = position[frames.HEADCOUNT]
    names = [_("県内の合計"), *(m.name for m in municipalities)]
    targets = _leader_targets(ids, fiscal_year_of(report.month))
    target_total = sum(targets.values()) if len(targets) == len(ids) else None

    overview = ReportTable(
        name="municipalities",
        title=_("市町村別の概況(%(month)s末)") % {"month": report.month.strftime("%Y-%m")},
        columns=[
            _("市町村"),
            _("職員数"),
            _("DXベーシック以上(人)"),
            _("DXベーシック以上(%)"),
            _("DX推進リーダー(人)"),
            _("DX推進リーダーの目標(人)"),
            _("受講者"),
            _("直近30日の学習者"),
            _("コース修了者"),
        ],
        note=_(
            "人数は各市町村がその月の末に保存した集計の合計です。目標は各市町村の人事課が設定した年度目標です。"
        ),
    )
    for node, name in enumerate(names):
        target = target_total if node == TOTAL else targets.get(ids[node - 1])
        overview.rows.append(
            [
                name,
                _cell(values, flags, shown, node, head),
                _cell(values, flags, shown, node, position["basic"]),
                _share(values, flags, shown, node, position["basic"], head),
                _cell(values, flags, shown, node, position["leaders"]),
                int(target) if target is not None else None,
                _cell(values, flags, shown, node, position["enrolled"]),
                _cell(values, flags, shown, node, position["active"]),
                _cell(values, flags, shown, node, position["completed"]),
            ]
        )
    report.tables["municipalities"] = overview

    coverage = ReportTable(
        name="competencies",
        title=_("能力ごとのレベル%(level)d以上の職員の割合(%%、%(month)s末)")
        % {"level": level, "month": report.month.strftime("%Y-%m")},
        columns=[_("市町村"), *(f"{c['code']} {c['name']}" for c in competencies)],
    )
    for node, name in enumerate(names):
        coverage.rows.append(
            [
                name,
                *(
                    _share(values, flags, shown, node, position[level_column(code, level)], head)
                    for code in codes
                ),
            ]
        )
    report.tables["competencies"] = coverage

    trend = ReportTable(
        name="trend",
        title=_("県内の合計の推移(各月末)"),
        columns=[
            _("月"),
            _("職員数"),
            _("DXベーシック以上(人)"),
            _("DX推進リーダー(人)"),
            _("直近30日の学習者"),
        ],
    )
    for i in range(max(0, shown - TREND_MONTHS + 1), shown + 1):
        trend.rows.append(
            [
                months[i].strftime("%Y-%m"),
                *(
                    _cell(values, flags, i, TOTAL, position[c])
                    for c in ("headcount", "basic", "leaders", "active")
                ),
            ]
        )
    report.tables["trend"] = trend
    if only is not None:
        keep = {names[TOTAL], only.name}
        for table in (overview, coverage):
            table.rows = [row for row in table.rows if row[0] in keep]
    return report


COMPARED = (  # (people column, label): each as a share of the headcount
    ("basic", gettext_lazy("DXベーシック以上の認定")),
    ("leaders", gettext_lazy("DX推進リーダーの認定")),
    ("active", gettext_lazy("直近30日に学習した職員")),
    ("completed", gettext_lazy("コースを修了した職員")),
)
# Other municipalities with figures that month. With one, the average tells that one's shares; they are
# aggregates of 5 people or more (see below), which the prefecture's own view publishes too.
MIN_OTHERS = 1


def prefecture_comparison(
    *, municipality: Municipality, today: datetime.date, own: bool
) -> ReportTable | None:
    """HR's own figures beside the average of the municipalities of its prefecture, for the last closed month
    (shares of staff, pooled over the prefecture). None when there are fewer than ``MIN_OTHERS`` others.

    Whoever sees it knows their own counts, so the average is published only where the others' part (the
    total minus one's own) counts 5 people or more, in the numerator and in the headcount; otherwise
    ``<5``. ``own``: show one's own column (roles that see exact figures; the suppressed summary shows its
    own figures in its own tables)."""
    if municipality.kind == MunicipalityKind.PREFECTURE or not municipality.prefecture:
        return None
    ids = list(
        Municipality.objects.filter(prefecture=municipality.prefecture)
        .exclude(kind=MunicipalityKind.PREFECTURE)
        .order_by("code")
        .values_list("pk", flat=True)
    )
    if municipality.pk not in ids:
        return None
    months, columns, values = _stack(ids, [], closed_until(today))
    if not months:
        return None
    last = values[-1]
    me = ids.index(municipality.pk) + 1
    position = {column: i for i, column in enumerate(columns)}
    head = position[frames.HEADCOUNT]
    others_present = int((last[1:, head] > 0).sum()) - int(last[me, head] > 0)
    if others_present < MIN_OTHERS:
        return None
    others = last[TOTAL] - last[me]
    table = ReportTable(
        name="prefecture",
        title=_("県内の市町村との比較(%(month)s末、職員に占める割合 %%)")
        % {"month": months[-1].strftime("%Y-%m")},
        columns=[_("指標"), *([municipality.name] if own else []), _("県内の平均")],
        note=_("県内の平均は、県内の%(count)d市町村の職員を合わせた割合です。")
        % {"count": others_present + 1},
    )
    for column, label in COMPARED:
        count = int(others[position[column]])
        average: Cell = PRIMARY_LABEL
        if others[head] >= privacy.THRESHOLD and not 0 < count < privacy.THRESHOLD:
            average = round(100 * int(last[TOTAL, position[column]]) / int(last[TOTAL, head]), 1)
        mine = (
            round(100 * int(last[me, position[column]]) / int(last[me, head]), 1) if last[me, head] else None
        )
        table.rows.append([str(label), *([mine] if own else []), average])
    return table
