"""Reads of the organisation: who was where, when; and who may see whom."""

import datetime

from django.db.models import QuerySet

from .models import Assignment, Department, StaffProfile
from .roles import ROLES, Role


def department_of(*, staff: StaffProfile, on: datetime.date) -> Department | None:
    """The department ``staff`` belonged to on ``on`` (one query)."""
    assignment = Assignment.objects.on(on).filter(staff=staff).select_related("department").first()
    return assignment.department if assignment else None


def staff_in_department(
    *, department: Department, on: datetime.date, subtree: bool = False
) -> QuerySet[StaffProfile]:
    """The people in ``department`` (and, with ``subtree``, everything below it) on ``on`` (one query)."""
    assignments = Assignment.objects.on(on)
    if subtree:
        assignments = assignments.filter(
            department__path__startswith=department.path, department__depth__gte=department.depth
        )
    else:
        assignments = assignments.filter(department=department)
    return StaffProfile.objects.filter(pk__in=assignments.values("staff_id")).order_by("employee_number")


def assignment_history(*, staff: StaffProfile) -> QuerySet[Assignment]:
    return staff.assignments.select_related("department").order_by("starts_on")


def managed_departments(*, user, on: datetime.date) -> QuerySet[Department]:
    """The subtree a manager (所属長) may see: the department they head on ``on`` and all below it."""
    profile = getattr(user, "staff_profile", None)
    if profile is None:
        return Department.objects.none()
    department = department_of(staff=profile, on=on)
    if department is None:
        return Department.objects.none()
    return Department.objects.subtree_of(department)


def department_tree(*, municipality_id: int) -> QuerySet[Department]:
    return Department.objects.filter(municipality_id=municipality_id).order_by("path")


def department_heads(*, department: Department, on: datetime.date) -> list:
    """The 所属長 responsible for ``department`` on ``on``: the users holding the manager role assigned to
    the nearest of the department and its ancestors that has any (one query). Empty when nobody does.
    """
    paths = [department.path[: department.steplen * depth] for depth in range(1, department.depth + 1)]
    assignments = list(
        Assignment.objects.on(on)
        .filter(
            department__path__in=paths,
            staff__user__groups__name=ROLES[Role.MANAGER].group_name,
            staff__user__is_active=True,
        )
        .select_related("staff__user", "department")
    )
    if not assignments:
        return []
    nearest = max(a.department.depth for a in assignments)
    return [a.staff.user for a in assignments if a.department.depth == nearest]
