"""The completion report of a rule: counts per department (rolled up the tree), the people, a trend.
Only roles with personal-data permission read it (HR, 所属長 for their subtree), so counts are exact."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from analytics.tables import ReportTable
from lms_site.organisation.models import Department, JobGrade

from . import selectors
from .models import TrainingDue, TrainingRule, fiscal_year
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
    dues = selectors.dues_of_rules(cycles=cycles, subtree_path=subtree_path, on=today)
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
    departments = list(
        Department.objects.filter(
            municipality_id=rule.municipality_id, path__startswith=subtree_path
        ).order_by("path")
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
            per_path[(department.path[: department.steplen * depth], status)] += 1
    scope_label = _("全体")
    department_rows = [[scope_label, *_row(total)]]
    for department in departments:
        counts = Counter({s: per_path[(department.path, s)] for s in STATUS_ORDER})
        if sum(counts.values()):
            indent = "　" * (department.depth - 1)
            department_rows.append([f"{indent}{department.name}", *_row(counts)])
    title = f"{rule.title}({cycle}年度)"
    grades = dict(JobGrade.choices)
    people_rows, page_rows = [], []
    for due in dues:
        department = by_id.get(due.department_id)
        p = progress[due.pk]
        page_rows.append((due, p, department))
        people_rows.append(
            [
                due.staff.employee_number,
                due.staff.full_name,
                department.name if department else "",
                str(grades.get(due.staff.job_grade, due.staff.job_grade)),
                due.due_on.isoformat(),
                p.label,
                _local_date(p.completed_at),
                due.exempt_reason,
            ]
        )
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
            rows=people_rows,
        ),
        trend=_trend(rule=rule, cycle=cycle, dues=dues, progress=progress, today=today, title=title),
        dues=page_rows,
    )


def _local_date(moment) -> str:
    from django.utils import timezone

    return timezone.localtime(moment).date().isoformat() if moment else ""


def _trend(*, rule, cycle, dues: list[TrainingDue], progress, today, title) -> ReportTable:
    """Cumulative completions at the end of each month of the cycle so far (of today's assigned people)."""
    from django.utils import timezone

    start = max(rule.starts_on, datetime.date(cycle, 4, 1)) if rule.every_year else rule.starts_on
    done_days = sorted(
        timezone.localtime(p.completed_at).date() for p in progress.values() if p.completed_at is not None
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
