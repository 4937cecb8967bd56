"""Writes of assigned training: issue a rule (validated whole, nothing written on any problem), evaluate
rules against today's staff data, exempt a person."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lms_site.organisation.api import (
    Department,
    JobCategory,
    JobGrade,
    Municipality,
    StaffProfile,
    offered_to,
    staff_in_department,
)

from .models import TrainingDue, TrainingRule

logger = logging.getLogger(__name__)

REASON_MAX = 200


@dataclass
class RuleSpec:
    """What someone asks for when assigning training: every field as submitted (not yet checked)."""

    title: str
    course: object | None = None  # a live CoursePage
    quiz: object | None = None  # a live Quiz
    department: Department | None = None
    job_grades: list[str] = field(default_factory=list)
    job_categories: list[str] = field(default_factory=list)
    hire_year_from: int | None = None
    hire_year_to: int | None = None
    people: list[StaffProfile] = field(default_factory=list)
    due_on: datetime.date | None = None
    due_within_days: int | None = None
    every_year: bool = False


@dataclass
class Evaluation:
    added: int = 0
    left: int = 0
    returned: int = 0


def matching_staff(rule: TrainingRule, *, on: datetime.date):
    """The staff a rule applies to on ``on``: in service, matching every condition set, or named."""
    staff = StaffProfile.objects.filter(municipality_id=rule.municipality_id, is_active=True)
    conditions = Q()
    if rule.department_id:
        placed = staff_in_department(department=rule.department, on=on, subtree=True)
        conditions &= Q(pk__in=placed.values("pk"))
    if rule.job_grades:
        conditions &= Q(job_grade__in=rule.job_grades)
    if rule.job_categories:
        conditions &= Q(job_category__in=rule.job_categories)
    if rule.hire_year_from:
        conditions &= Q(hire_year__gte=rule.hire_year_from)
    if rule.hire_year_to:
        conditions &= Q(hire_year__lte=rule.hire_year_to)
    named = rule.people.exists() if rule.pk else False
    if not conditions:  # nothing but names: those people; nothing at all: everyone
        return staff.filter(pk__in=rule.people.values("pk")) if named else staff
    if named:
        conditions |= Q(pk__in=rule.people.values("pk"))
    return staff.filter(conditions)


def offered_to_municipality(item, *, municipality: Municipality) -> bool:
    """Whether a course or quiz is offered to ``municipality`` (ADR 0024: shared, its prefecture's or its
    own): the services' own check, whatever their callers checked. A query only for an item of another
    owner (a prefecture's, or another municipality's)."""
    if item.municipality_id is None or item.municipality_id == municipality.pk:
        return True
    return type(item)._base_manager.filter(offered_to(municipality), pk=item.pk).exists()


def _spec_problems(
    spec: RuleSpec, *, municipality: Municipality, subtree: Department | None, today: datetime.date
) -> list[str]:
    problems = []
    if not spec.title.strip():
        problems.append(_("名称を入力してください。"))
    if (spec.course is None) == (spec.quiz is None):
        problems.append(_("コースか小テストのどちらか一つを選んでください。"))
    elif spec.course is not None and not spec.course.live:
        problems.append(_("コース「%(title)s」は公開されていません。") % {"title": spec.course.title})
    elif spec.quiz is not None and not spec.quiz.live:
        problems.append(_("小テスト「%(title)s」は公開されていません。") % {"title": spec.quiz.title})
    elif spec.course is not None and not offered_to_municipality(spec.course, municipality=municipality):
        problems.append(
            _("コース「%(title)s」はこの自治体に提供されていません。") % {"title": spec.course.title}
        )
    elif spec.quiz is not None and not offered_to_municipality(spec.quiz, municipality=municipality):
        problems.append(
            _("小テスト「%(title)s」はこの自治体に提供されていません。") % {"title": spec.quiz.title}
        )
    if (spec.due_on is None) == (spec.due_within_days is None):
        problems.append(_("期限は、日付か「対象になってからの日数」のどちらか一つで指定してください。"))
    elif spec.due_on is not None and spec.due_on < today:
        problems.append(
            _("期限 %(due)s は過ぎています。今日(%(today)s)以降の日付にしてください。")
            % {"due": spec.due_on.isoformat(), "today": today.isoformat()}
        )
    elif spec.due_within_days is not None and not 1 <= spec.due_within_days <= 730:
        problems.append(_("対象になってからの日数は1〜730日にしてください。"))
    problems += [
        _("役職「%(value)s」はありません。") % {"value": g}
        for g in spec.job_grades
        if g not in JobGrade.values
    ]
    problems += [
        _("職種「%(value)s」はありません。") % {"value": c}
        for c in spec.job_categories
        if c not in JobCategory.values
    ]
    if spec.hire_year_from and spec.hire_year_to and spec.hire_year_from > spec.hire_year_to:
        problems.append(
            _("採用年度の範囲が逆です(%(a)s〜%(b)s)。") % {"a": spec.hire_year_from, "b": spec.hire_year_to}
        )
    if spec.department is not None:
        if spec.department.municipality_id != municipality.pk:
            problems.append(
                _("所属「%(name)s」はこの自治体の所属ではありません。") % {"name": spec.department.name}
            )
        elif subtree is not None and not spec.department.path.startswith(subtree.path):
            problems.append(
                _("所属「%(name)s」はあなたが所属長を務める所属の配下ではありません。")
                % {"name": spec.department.name}
            )
    problems += [
        _("職員番号 %(number)s の在職中の職員はいません。") % {"number": person.employee_number}
        for person in spec.people
        if person.municipality_id != municipality.pk or not person.is_active
    ]
    return problems


@transaction.atomic
def rule_create(
    *,
    spec: RuleSpec,
    municipality: Municipality,
    created_by=None,
    subtree: Department | None = None,
    today: datetime.date | None = None,
) -> tuple[TrainingRule, int]:
    """Issue a rule and assign it to everyone it matches today; returns the rule and how many people.

    ``subtree``: the department a 所属長 heads; the rule is then limited to it (its department defaults to
    it, and people outside it cannot be named or matched). Every problem is reported at once as a
    ``ValidationError`` and nothing is written, including a rule that matches nobody.
    """
    today = today or timezone.localdate()
    if subtree is not None and spec.department is None:
        spec.department = subtree
    problems = _spec_problems(spec, municipality=municipality, subtree=subtree, today=today)
    if problems:
        raise ValidationError(problems)
    rule = TrainingRule.objects.create(
        municipality=municipality,
        title=spec.title.strip(),
        course=spec.course,
        quiz=spec.quiz,
        department=spec.department,
        job_grades=sorted(set(spec.job_grades)),
        job_categories=sorted(set(spec.job_categories)),
        hire_year_from=spec.hire_year_from,
        hire_year_to=spec.hire_year_to,
        due_on=spec.due_on,
        due_within_days=spec.due_within_days,
        every_year=spec.every_year,
        starts_on=today,
        created_by=created_by,
    )
    rule.people.set(spec.people)
    if subtree is not None:
        outside = matching_staff(rule, on=today).exclude(
            pk__in=staff_in_department(department=subtree, on=today, subtree=True).values("pk")
        )
        if outside.exists():
            raise ValidationError(_("あなたが所属長を務める所属の配下にいない職員は指定できません。"))
    outcome = rule_evaluate(rule, on=today)
    if outcome.added == 0:
        raise ValidationError(_("この条件に当てはまる在職中の職員がいません。条件を見直してください。"))
    logger.info("training rule %s issued: %s people", rule.pk, outcome.added)
    return rule, outcome.added


@transaction.atomic
def rule_evaluate(rule: TrainingRule, *, on: datetime.date) -> Evaluation:
    """Bring a rule's dues in line with the staff data of ``on``: a person who now matches is assigned
    (due from today), a person who no longer does leaves (kept as history), one who matches again returns.
    Running it twice on the same day changes nothing."""
    outcome = Evaluation()
    if rule.withdrawn_at is not None or on < rule.starts_on:
        return outcome
    cycle = rule.cycle_of(on)
    matching = set(matching_staff(rule, on=on).values_list("pk", flat=True))
    existing = dict(TrainingDue.objects.filter(rule=rule, cycle=cycle).values_list("staff_id", "left_on"))
    new = [
        TrainingDue(
            rule=rule,
            staff_id=staff_id,
            cycle=cycle,
            matched_on=on,
            due_on=rule.due_date(cycle=cycle, matched_on=on),
        )
        for staff_id in sorted(matching - existing.keys())
    ]
    TrainingDue.objects.bulk_create(new, ignore_conflicts=True)  # a concurrent run added the same: fine
    outcome.added = len(new)
    leaving = [
        staff_id for staff_id, left_on in existing.items() if left_on is None and staff_id not in matching
    ]
    returning = [
        staff_id for staff_id, left_on in existing.items() if left_on is not None and staff_id in matching
    ]
    if leaving:
        outcome.left = TrainingDue.objects.filter(rule=rule, cycle=cycle, staff_id__in=leaving).update(
            left_on=on
        )
    if returning:
        outcome.returned = TrainingDue.objects.filter(rule=rule, cycle=cycle, staff_id__in=returning).update(
            left_on=None
        )
    return outcome


def municipality_evaluate(*, municipality_id: int, on: datetime.date) -> Evaluation:
    """Evaluate every rule of a municipality in force (after an HR import, and each night)."""
    total = Evaluation()
    for rule in TrainingRule.objects.filter(municipality_id=municipality_id, withdrawn_at__isnull=True):
        outcome = rule_evaluate(rule, on=on)
        total.added += outcome.added
        total.left += outcome.left
        total.returned += outcome.returned
    return total


@transaction.atomic
def due_exempt(*, due: TrainingDue, reason: str, by) -> TrainingDue:
    """Exempt one person from one cycle of a rule (長期休業, 同等の研修を受講済み …); a reason is required."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("免除の理由を入力してください。"))
    if len(reason) > REASON_MAX:
        raise ValidationError(_("免除の理由は%(max)s文字以内にしてください。") % {"max": REASON_MAX})
    due.exempt_reason, due.exempted_by, due.exempted_at = reason, by, timezone.now()
    due.save(update_fields=["exempt_reason", "exempted_by", "exempted_at"])
    return due


@transaction.atomic
def due_exemption_withdraw(*, due: TrainingDue) -> TrainingDue:
    due.exempt_reason, due.exempted_by, due.exempted_at = "", None, None
    due.save(update_fields=["exempt_reason", "exempted_by", "exempted_at"])
    return due


def rule_withdraw(*, rule: TrainingRule) -> None:
    """Stop a rule: nobody is assigned any more; its dues stay as history."""
    TrainingRule.objects.filter(pk=rule.pk, withdrawn_at__isnull=True).update(withdrawn_at=timezone.now())
