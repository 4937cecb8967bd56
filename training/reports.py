"""The completion report of a rule: counts per department (rolled up the tree), the people, a trend.

Roles with personal-data permission (HR, 所属長 for their subtree) read it exact, as of today
(``rule_report``). DX推進課 (no personal data) reads it as suppressed aggregates (``published_reports``):
the state of each closed month's last day, small cells hidden as /hr/ hides them (ADR 0012), no names.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from analytics import frames, privacy
from analytics import selectors as analytics_selectors
from analytics.reports import COMPLEMENTARY_LABEL, PRIMARY_LABEL
from analytics.tables import Cell, ReportTable
from lms_site.organisation.api import Department, JobGrade

from . import selectors
from .models import TrainingDue, TrainingRule, fiscal_year, fiscal_year_start
from .selectors import STATUS_LABELS, STATUS_ORDER, Status


@dataclass
class Summary:
    cycle: int
    counts: Counter = field(default_factory=Counter)

    @property
    def assigned(self) -> int:
        return sum(self.counts.values())

    @property
    def completed_percent(self) -> float | None:
        counted = self.assigned - self.counts[Status.EXEMPT]
        return round(100 * self.counts[Status.COMPLETED] / counted, 1) if counted else None

    def items(self) -> list[tuple[str, str, int]]:
        return [(key, str(STATUS_LABELS[key]), self.counts[key]) for key in STATUS_ORDER]


@dataclass
class Report:
    summary: Summary
    departments: ReportTable
    people: ReportTable
    trend: ReportTable
    dues: list = field(default_factory=list)  # (due, progress, department) for the page's exempt buttons

    @property
    def people_count(self) -> int:
        return len(self.dues)


def rule_cycles(*, rule: TrainingRule, today: datetime.date) -> list[int]:
    """The cycles a rule has had up to today (one for a one-off rule)."""
    if not rule.every_year:
        return [rule.first_cycle]
    return list(range(rule.first_cycle, max(rule.first_cycle, fiscal_year(today)) + 1))


def rule_summaries(*, rules: list[TrainingRule], subtree_path: str, today: datetime.date) -> list[Summary]:
    """Each rule's current cycle and its people by status, in a fixed number of queries for any number of
    rules (the rule list)."""
    cycles = {rule.pk: rule_cycles(rule=rule, today=today)[-1] for rule in rules}
    dues = selectors.dues_of_rules(rules=rules, cycles=cycles, subtree_path=subtree_path, on=today)
    progress = selectors.due_progress([due for rows in dues.values() for due in rows], today=today)
    return [
        Summary(cycle=cycles[rule.pk], counts=Counter(progress[due.pk].status for due in dues[rule.pk]))
        for rule in rules
    ]


def _columns() -> list[str]:
    return [_("対象者"), *[str(STATUS_LABELS[s]) for s in STATUS_ORDER], _("修了率(%)")]


def _row(counts: Counter) -> list:
    summary = Summary(cycle=0, counts=counts)
    return [summary.assigned, *[counts[s] for s in STATUS_ORDER], summary.completed_percent]


def rule_report(*, rule: TrainingRule, cycle: int, subtree_path: str, today: datetime.date) -> Report:
    dues = selectors.rule_dues(rule=rule, cycle=cycle, subtree_path=subtree_path, on=today)
    progress = selectors.due_progress(dues, today=today)
    departments = list(  # (pk, path, depth, name) rows: the report builds no model instance per department
        Department.objects.filter(municipality_id=rule.municipality_id, path__startswith=subtree_path)
        .order_by("path")
        .values_list("pk", "path", "depth", "name", named=True)
    )
    by_id = {d.pk: d for d in departments}
    total = Counter()
    per_path: Counter = Counter()
    for due in dues:
        status = progress[due.pk].status
        total[status] += 1
        department = by_id.get(due.department_id)
        if department is None:
            continue
        for depth in range(1, department.depth + 1):  # the department and every ancestor
            per_path[(department.path[: Department.steplen * depth], status)] += 1
    scope_label = _("全体")
    department_rows = [[scope_label, *_row(total)]]
    for department in departments:
        counts = Counter({s: per_path[(department.path, s)] for s in STATUS_ORDER})
        if sum(counts.values()):
            indent = "　" * (department.depth - 1)
            department_rows.append([f"{indent}{department.name}", *_row(counts)])
    title = f"{rule.title}({cycle}年度)"
    page_rows = [(due, progress[due.pk], by_id.get(due.department_id)) for due in dues]

    def people_rows() -> list[list]:  # for the export only: the page shows ``page_rows``
        grades = {value: str(label) for value, label in JobGrade.choices}
        return [
            [
                due.staff.employee_number,
                due.staff.full_name,
                department.name if department else "",
                grades.get(due.staff.job_grade, due.staff.job_grade),
                due.due_on.isoformat(),
                p.label,
                _local_date(p.completed_at),
                due.exempt_reason,
            ]
            for due, p, department in page_rows
        ]

    return Report(
        summary=Summary(cycle=cycle, counts=total),
        departments=ReportTable(
            name="departments",
            title=title,
            columns=[_("所属"), *_columns()],
            rows=department_rows,
            note=_("所属は今日の所属です。上位の所属の行は配下を含みます。"),
        ),
        people=ReportTable(
            name="people",
            title=title,
            columns=[
                _("職員番号"),
                _("氏名"),
                _("所属"),
                _("役職"),
                _("期限"),
                _("状況"),
                _("修了日"),
                _("免除の理由"),
            ],
            rows=SimpleLazyObject(people_rows),
        ),
        trend=_trend(rule=rule, cycle=cycle, dues=dues, progress=progress, today=today, title=title),
        dues=page_rows,
    )


def _local_date(moment) -> str:
    from django.utils import timezone

    return timezone.localtime(moment).date().isoformat() if moment else ""


def _trend(*, rule, cycle, dues: list[selectors.DueRow], progress, today, title) -> ReportTable:
    """Cumulative completions at the end of each month of the cycle so far (of today's assigned people)."""
    from django.utils import timezone

    start = max(rule.starts_on, datetime.date(cycle, 4, 1)) if rule.every_year else rule.starts_on
    zone = timezone.get_current_timezone()
    done_days = sorted(
        timezone.localtime(p.completed_at, zone).date()
        for p in progress.values()
        if p.completed_at is not None
    )
    counted = sum(1 for p in progress.values() if p.status != Status.EXEMPT)
    rows = []
    month = datetime.date(start.year, start.month, 1)
    while month <= today and len(rows) < 24:
        following = datetime.date(month.year + month.month // 12, month.month % 12 + 1, 1)
        end = min(following - datetime.timedelta(days=1), today)
        done = sum(1 for day in done_days if day <= end)
        rows.append([end.isoformat(), done, round(100 * done / counted, 1) if counted else None])
        month = following
    return ReportTable(
        name="trend", title=title, columns=[_("時点"), _("修了者数"), _("修了率(%)")], rows=rows
    )


# --- The suppressed report (DX推進課: no personal data) ----------------------------------------------------
#
# One stack per rule and cycle, as /hr/ builds one (analytics.reports.published_stack, ADR 0012): every
# published day (the last day of each closed month of the cycle, oldest first) × every node of the
# department tree (frames.tree_nodes: a department with everything below it, its direct staff apart, the
# whole municipality at the root) × these columns, each the count of the people the rule counted that day
# (assigned, not exempt) in the department they were assigned to that day, by their status that day:
COUNTED, COMPLETED, ON_TIME, OVERDUE = range(4)  # 対象者, 修了, not overdue (修了 included), 期限切れ
STACK_COLUMNS = ("counted", "completed", "on_time", "overdue")
# The statuses are exclusive, so 修了 ⊂ not overdue ⊂ 対象者 are nested sets: the difference of any two
# (not completed, overdue, open and not yet due) is a count of people. One family compares every pair of
# them on a node (privacy rule 3 compares each cell with every earlier cell of its family, on its day
# and on every earlier day); 対象者 is decided first, so a department keeps its 対象者 and the cell
# nearest to it is the one hidden. 対象者 is compared across days too (unlike /hr/'s headcount): it moves
# with exemptions, which are not public. 期限切れ is compared with its own earlier months.
FAMILIES = ([COUNTED, COMPLETED, ON_TIME], [OVERDUE])
# 対象者 = not overdue + 期限切れ in every row: one of those hidden alone would be the total minus the
# other, so they hide together, and a hidden 対象者 hides both (privacy rule 4). 期限切れ is a column of its
# own (not 対象者 − not overdue) so that rule 2 protects it down the tree like any published count.
IMPLIED = ((ON_TIME, OVERDUE), (OVERDUE, ON_TIME), (COUNTED, OVERDUE))
TREND_MONTHS = 24


def published_days(*, rule: TrainingRule, cycle: int, today: datetime.date) -> list[datetime.date]:
    """The last day of each closed month of the cycle (before ``today``'s month), oldest first. A day of
    the current month is never published: two nights would be two days one person apart (ADR 0012)."""
    start = max(rule.starts_on, fiscal_year_start(cycle)) if rule.every_year else rule.starts_on
    last = today.replace(day=1) - datetime.timedelta(days=1)
    if rule.every_year:  # a yearly cycle ends on 31 March
        last = min(last, fiscal_year_start(cycle + 1) - datetime.timedelta(days=1))
    days = []
    month = start.replace(day=1)
    while True:
        following = datetime.date(month.year + month.month // 12, month.month % 12 + 1, 1)
        end = following - datetime.timedelta(days=1)
        if end > last:
            return days
        days.append(end)
        month = following


def _placed(spans: list[tuple], day: datetime.date) -> int | None:
    """The department of the assignment in force on ``day`` (``ends_on`` inclusive, open when null)."""
    for starts_on, ends_on, department_id in spans:
        if starts_on <= day and (ends_on is None or ends_on >= day):
            return department_id
    return None


def direct_counts(
    *,
    departments: pd.Index,
    days: list[datetime.date],
    dues: list[TrainingDue],
    progress: dict,
    placements: dict[int, list[tuple]],
) -> np.ndarray:
    """Departments × days × STACK_COLUMNS: the people each department held directly on each day.

    A due counts from its ``matched_on`` until the day before its ``left_on``; it is exempt from the day
    of its exemption (``exempted_at``); completed from the day of its completion in the cycle's window,
    overdue after its due date when not completed by then (as ``selectors.due_progress`` on that day)."""
    direct = np.zeros((len(departments), len(days), len(STACK_COLUMNS)), dtype="int64")
    row_of = {key: i for i, key in enumerate(departments)}
    for due in dues:
        completed_at = progress[due.pk].completed_at
        done = timezone.localtime(completed_at).date() if completed_at else None
        exempt_from = None
        if due.is_exempt:
            exempt_from = timezone.localtime(due.exempted_at).date() if due.exempted_at else datetime.date.min
        spans = placements.get(due.staff_id, [])
        for k, day in enumerate(days):
            if due.matched_on > day or (due.left_on is not None and due.left_on <= day):
                continue
            if exempt_from is not None and exempt_from <= day:
                continue
            row = row_of.get(_placed(spans, day))
            if row is None:
                continue
            cells = direct[row, k]
            cells[COUNTED] += 1
            if done is not None and done <= day:
                cells[COMPLETED] += 1
                cells[ON_TIME] += 1
            elif due.due_on < day:
                cells[OVERDUE] += 1
            else:
                cells[ON_TIME] += 1
    return direct


def suppressed_stack(nodes: pd.DataFrame, direct: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rolled-up values (days × nodes × STACK_COLUMNS) of ``direct`` (departments × days × columns,
    the departments in ``nodes``' order) and their privacy flags. Pure."""
    departments = nodes.index[nodes.index > 0]
    days = direct.shape[1]
    wide = pd.DataFrame(direct.reshape(len(departments), -1), index=departments)
    rolled = frames.tree_values(nodes, wide).to_numpy()
    values = rolled.reshape(len(nodes), days, len(STACK_COLUMNS)).transpose(1, 0, 2)
    flags = privacy.suppress_stack(
        values,
        privacy.tree_groups(nodes.index, nodes["parent"]),
        headcount=COUNTED,
        families=FAMILIES,
        implied=IMPLIED,
    )
    return values, flags


def _label(flag: int) -> str:
    return PRIMARY_LABEL if flag == privacy.PRIMARY else COMPLEMENTARY_LABEL


def published_cells(values: np.ndarray, flags: np.ndarray) -> list[Cell]:
    """What a node's row shows on one day (``values``/``flags``: that node's STACK_COLUMNS): 対象者, 修了,
    期限切れ and 修了率(%); a hidden count as ``<5`` or ``×``, a share where its count or 対象者 is hidden
    as that count's mark (the share and the other count would give it back)."""
    counted, completed, overdue = (int(values[c]) for c in (COUNTED, COMPLETED, OVERDUE))
    counted_flag, completed_flag = int(flags[COUNTED]), int(flags[COMPLETED])
    # rule 4 hides 期限切れ with 対象者 or not overdue; asked here too, so that no cell outlives its parts
    overdue_flag = int(flags[OVERDUE]) or int(flags[ON_TIME]) or counted_flag
    share_flag = completed_flag or counted_flag
    if share_flag:
        share: Cell = _label(share_flag)
    else:
        share = round(100 * completed / counted, 1) if counted else None
    return [
        _label(counted_flag) if counted_flag else counted,
        _label(completed_flag) if completed_flag else completed,
        _label(overdue_flag) if overdue_flag else overdue,
        share,
    ]


@dataclass
class PublishedReport:
    """The suppressed report of one rule and cycle: as of ``on`` (None before the first closed month)."""

    on: datetime.date | None
    summary: list[Cell]  # the whole municipality's 対象者, 修了, 期限切れ, 修了率(%) on ``on``
    departments: ReportTable
    trend: ReportTable

    def summary_items(self) -> list[tuple[str, Cell]]:
        labels = [_("対象者"), str(STATUS_LABELS[Status.COMPLETED]), str(STATUS_LABELS[Status.OVERDUE])]
        return list(zip([*labels, _("修了率(%)")], self.summary, strict=False))


def _node_name(nodes: pd.DataFrame, key: int) -> str:
    depth = int(nodes.at[key, "depth"])
    if nodes.at[key, "is_direct"]:
        return "　" * depth + _("%(name)s(直属)") % {"name": nodes.at[key, "name"]}
    return "　" * max(depth - 1, 0) + str(nodes.at[key, "name"])


def _published_report(
    *, rule: TrainingRule, cycle: int, days: list, nodes: pd.DataFrame, values, flags
) -> PublishedReport:
    title = f"{rule.title}({cycle}年度)"
    columns = [_("対象者"), str(STATUS_LABELS[Status.COMPLETED]), str(STATUS_LABELS[Status.OVERDUE])]
    suppressed = _("5人未満のセルは「<5」、差し引きで推定できないよう併せて伏せたセルは「×」。")
    departments = ReportTable(
        name="departments",
        title=title,
        columns=[_("所属"), *columns, _("修了率(%)")],
        note=_("前月までの各月末の受講状況を、その日の所属で集計しています。対象者は免除された人を除きます。")
        + suppressed,
    )
    trend = ReportTable(
        name="trend",
        title=title,
        columns=[_("時点"), _("修了者数"), _("修了率(%)")],
        note=_("組織全体の各月末の値です。") + suppressed,
    )
    if not days:
        for table in (departments, trend):
            table.note = _("公表できる月次の集計(前月末までの各月)がまだありません。")
        return PublishedReport(on=None, summary=[], departments=departments, trend=trend)
    last = len(days) - 1
    root = nodes.index.get_loc(frames.ALL)
    order = sorted(range(len(nodes)), key=lambda i: (nodes["path"].iat[i], bool(nodes["is_direct"].iat[i])))
    for i in order:
        if values[last, i, COUNTED] > 0 or i == root:
            name = _("全体") if i == root else _node_name(nodes, nodes.index[i])
            departments.rows.append([name, *published_cells(values[last, i], flags[last, i])])
    for k in range(max(0, len(days) - TREND_MONTHS), len(days)):
        _counted, completed, _overdue, share = published_cells(values[k, root], flags[k, root])
        trend.rows.append([days[k].isoformat(), completed, share])
    return PublishedReport(
        on=days[last],
        summary=published_cells(values[last, root], flags[last, root]),
        departments=departments,
        trend=trend,
    )


def published_reports(
    *, rules: list[TrainingRule], cycles: dict[int, int], today: datetime.date
) -> dict[int, PublishedReport]:
    """The suppressed report of each rule's cycle in ``cycles`` (rule id -> cycle), for the whole
    municipality, in a fixed number of queries whatever the number of rules (the rule list reads the
    root row of each): the departments, the dues and the assignments, and ``due_progress``'s."""
    days = {rule.pk: published_days(rule=rule, cycle=cycles[rule.pk], today=today) for rule in rules}
    reports: dict[int, PublishedReport] = {}
    with_days = [rule for rule in rules if days[rule.pk]]
    trees: dict[int, pd.DataFrame] = {}
    if with_days:
        for municipality_id in sorted({rule.municipality_id for rule in with_days}):  # one, from the views
            trees[municipality_id] = frames.tree_nodes(
                analytics_selectors.departments_rows(municipality_id=municipality_id), all_label=_("全体")
            )
        until = max(days[rule.pk][-1] for rule in with_days)
        dues, placements = selectors.dues_history(
            cycles={rule.pk: cycles[rule.pk] for rule in with_days}, until=until
        )
        progress = selectors.due_progress([d for rows in dues.values() for d in rows], today=today)
    for rule in rules:
        if not days[rule.pk]:
            empty = np.zeros((0, 0, len(STACK_COLUMNS)), dtype="int64")
            reports[rule.pk] = _published_report(
                rule=rule, cycle=cycles[rule.pk], days=[], nodes=None, values=empty, flags=empty
            )
            continue
        nodes = trees[rule.municipality_id]
        direct = direct_counts(
            departments=nodes.index[nodes.index > 0],
            days=days[rule.pk],
            dues=dues[rule.pk],
            progress=progress,
            placements=placements,
        )
        values, flags = suppressed_stack(nodes, direct)
        reports[rule.pk] = _published_report(
            rule=rule, cycle=cycles[rule.pk], days=days[rule.pk], nodes=nodes, values=values, flags=flags
        )
    return reports
