"""Reads of the capstone workflow: the candidate's own, the task lists, and who may see which capstone.

A capstone is visible to its candidate, to the 所属長 who head the candidate's department (they decide on
it), to the advisor assigned to assess it, and to reviewers (人事課) of the candidate's municipality, who
run the programme. Nobody else learns that it exists: the views answer 404.
"""

import datetime
import uuid
from dataclasses import dataclass, field
from enum import StrEnum

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from lms_site.organisation.api import (
    Assignment,
    Purpose,
    department_heads,
    department_of,
    profile_of,
    scope_for,
)

from ..models import Capstone, CapstoneDecision, CapstoneStatus
from .evidence import in_reviewer_scope, is_reviewer, reviewer_scope

S = CapstoneStatus


def today() -> datetime.date:
    return timezone.localdate()


def heads_of_candidate(capstone: Capstone) -> list:
    """The 所属長 of the candidate's department today (the department of the capstone if they moved on)."""
    profile = profile_of(capstone.user)
    department = department_of(staff=profile, on=today()) if profile else None
    department = department or capstone.department
    if department is None:
        return []
    return [head for head in department_heads(department=department, on=today()) if head != capstone.user]


def is_head_of_candidate(user, capstone: Capstone) -> bool:
    return any(head.pk == user.pk for head in heads_of_candidate(capstone))


class Viewer(StrEnum):
    CANDIDATE = "candidate"
    HEAD = "head"
    ADVISOR = "advisor"
    HR = "hr"


def _with_details(queryset: QuerySet[Capstone]) -> QuerySet[Capstone]:
    decisions = CapstoneDecision.objects.select_related("actor__staff_profile").order_by("created_at", "pk")
    return queryset.select_related(
        "program", "department", "advisor", "user__staff_profile", "endorsed_by", "approved_by"
    ).prefetch_related("competencies", "attachments", Prefetch("decisions", queryset=decisions))


def capstone_mine(*, user, program) -> Capstone | None:
    """The candidate's open capstone for ``program``, else their latest approved one."""
    return (
        _with_details(Capstone.objects.filter(user=user, program=program))
        .order_by(
            # open first (approved last), newest first
            "approved_at",
            "-created_at",
        )
        .first()
    )


def capstone_viewer(*, user, capstone: Capstone) -> Viewer | None:
    """In which capacity ``user`` may see ``capstone`` (the first that applies), or None."""
    if capstone.user_id == user.pk:
        return Viewer.CANDIDATE
    if capstone.advisor_id == user.pk and user.has_perm("certification.assess_capstone"):
        return Viewer.ADVISOR
    if user.has_perm("organisation.view_department_reports") and is_head_of_candidate(user, capstone):
        return Viewer.HEAD
    if is_reviewer(user) and in_reviewer_scope(reviewer=user, owner=capstone.user):
        return Viewer.HR
    return None


def capstone_for(*, user, capstone_uuid: uuid.UUID) -> tuple[Capstone, Viewer] | None:
    capstone = _with_details(Capstone.objects.filter(uuid=capstone_uuid)).first()
    if capstone is None:
        return None
    viewer = capstone_viewer(user=user, capstone=capstone)
    return (capstone, viewer) if viewer else None


@dataclass
class TaskList:
    """What waits for ``user``: decisions to take now, and (for HR) every open capstone."""

    to_decide: list[Capstone] = field(default_factory=list)
    in_programme: list[Capstone] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.to_decide or self.in_programme)


def capstone_tasks(*, user) -> TaskList:
    """The task list: plans and reports waiting for this 所属長, assessments assigned to this advisor,
    and for HR the capstones of their municipality still open. A fixed number of queries per distinct
    department of a waiting candidate (a 所属長 sees a handful).
    """
    tasks = TaskList()
    if user.has_perm("certification.assess_capstone"):
        tasks.to_decide += list(
            _with_details(Capstone.objects.filter(advisor=user, status=S.ASSESSMENT)).order_by("updated_at")
        )
    if user.has_perm("organisation.view_department_reports"):
        today = timezone.localdate()
        headed = scope_for(user, on=today, purpose=Purpose.HEADED)
        in_subtree = headed.q("user__staff_profile") if headed is not None else Q(pk__in=[])
        waiting = list(
            _with_details(
                Capstone.objects.filter(in_subtree, status__in=[S.PLAN_REVIEW, S.ENDORSEMENT])
            ).order_by("updated_at")
        )
        departments = {
            a.staff.user_id: a.department
            for a in Assignment.objects.on(today)
            .filter(staff__user_id__in=[c.user_id for c in waiting])
            .select_related("department", "staff")
        }
        heads: dict[int, set[int]] = {}
        for capstone in waiting:
            department = departments.get(capstone.user_id)
            if department is None:
                continue
            if department.pk not in heads:
                heads[department.pk] = {h.pk for h in department_heads(department=department, on=today)}
            if user.pk in heads[department.pk] and capstone.user_id != user.pk:
                tasks.to_decide.append(capstone)
    if is_reviewer(user):
        open_ones = Capstone.objects.filter(reviewer_scope(reviewer=user)).exclude(status=S.APPROVED)
        tasks.in_programme = list(_with_details(open_ones).order_by("status", "updated_at"))
    return tasks
