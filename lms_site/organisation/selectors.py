"""Reads of the organisation: who was where, when; and who may see whom."""

import datetime

from django.db.models import Q, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Assignment, Department, DepartmentKind, JobGrade, PersonalDataAccess, StaffProfile
from .roles import ROLES, Role


def profile_of(user) -> StaffProfile | None:
    """The staff record of ``user`` (None for ``None``, anonymous visitors and accounts without one). The
    signed-in user is loaded with it (no query); another user costs one query the first time."""
    return getattr(user, "staff_profile", None) if user is not None else None


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


# The 役職 that heads each kind of department: a 所属長's rights need the 所属長 role *and* this post in the
# assignment in force on the day (ADR 0013), so that a move or a demotion ends them that day.
HEAD_GRADES = {DepartmentKind.BU: JobGrade.BUCHO, DepartmentKind.KA: JobGrade.KACHO}


def _heads_post() -> Q:
    """On assignments: the person holds the post that heads the assignment's department."""
    query = Q(pk__in=[])
    for kind, grade in HEAD_GRADES.items():
        query |= Q(department__kind=kind, staff__job_grade=grade)
    return query


def department_headed(*, user, on: datetime.date) -> Department | None:
    """The department a 所属長 heads on ``on``: their assignment that day, in the post that heads it (one
    query; none without a staff record). ``scope.scope_for`` starts a 所属長's subtree here."""
    profile = profile_of(user)
    if profile is None:
        return None
    assignment = (
        Assignment.objects.on(on).filter(_heads_post(), staff=profile).select_related("department").first()
    )
    return assignment.department if assignment is not None else None


def managed_departments(*, user, on: datetime.date) -> QuerySet[Department]:
    """The subtree a manager (所属長) may see: the department they head on ``on`` and all below it; nothing
    if they are not heading one that day."""
    head = department_headed(user=user, on=on)
    return Department.objects.subtree_of(head) if head is not None else Department.objects.none()


def department_tree(*, municipality_id: int) -> QuerySet[Department]:
    return Department.objects.filter(municipality_id=municipality_id).order_by("path")


def department_heads(*, department: Department, on: datetime.date) -> list:
    """The 所属長 responsible for ``department`` on ``on``: the users holding the manager role assigned to
    the nearest of the department and its ancestors that has any, in the post that heads it (one query).
    Empty when nobody does.
    """
    paths = [department.path[: department.steplen * depth] for depth in range(1, department.depth + 1)]
    assignments = list(
        Assignment.objects.on(on)
        .filter(
            _heads_post(),
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


ACCESS_VIEW_LABELS = {
    "hr_dashboard": _("人材育成の分析"),
    "hr_export": _("人材育成の分析の表の出力"),
    "hr_talent": _("人材の検索"),
    "hr_audit": _("個人データの閲覧記録"),
    "proof": _("資格の証明書類"),
    "capstone": _("修了課題"),
    "capstone_attachment": _("修了課題の添付ファイル"),
    "admin_staff_list": _("管理画面の職員一覧"),
    "admin_staff_inspect": _("管理画面の職員の詳細"),
}
EXPORT_SUFFIXES = ("_csv", "_xlsx")


def access_view_label(view: str) -> str:
    """A reader's name for a logged view code, "(出力)" added for exports; the code itself if unknown."""
    base, export = view, view.endswith(EXPORT_SUFFIXES)
    if export:
        base = view.rsplit("_", 1)[0]
    if base.startswith("hr_export_"):
        base, export = "hr_export", False
    label = ACCESS_VIEW_LABELS.get(base)
    if label is None:
        return view
    return gettext("%(view)s(出力)") % {"view": label} if export else str(label)


def _person_matches(*, user: str, profile: str, term: str) -> Q:
    """Each word of ``term`` matches the login name, the 職員番号 or a part of the name (paths: ``user``
    to the User, ``profile`` to its StaffProfile)."""
    query = Q()
    for word in term.split():
        query &= (
            Q(**{f"{user}username__iexact": word})
            | Q(**{f"{profile}employee_number__iexact": word})
            | Q(**{f"{profile}family_name__icontains": word})
            | Q(**{f"{profile}given_name__icontains": word})
            | Q(**{f"{profile}family_name_kana__icontains": word})
            | Q(**{f"{profile}given_name_kana__icontains": word})
        )
    return query


def personal_data_access_rows(
    *,
    municipality_id: int | None,
    viewer: str = "",
    person: str = "",
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> QuerySet[PersonalDataAccess]:
    """The access log of one municipality (every one for ``None``: administrators), newest first,
    filtered by viewer and person (login name, 職員番号 or name) and by local date, both ends inclusive."""
    rows = PersonalDataAccess.objects.select_related("viewer__staff_profile", "subject")
    if municipality_id is not None:
        rows = rows.filter(municipality_id=municipality_id)
    if viewer.strip():
        rows = rows.filter(_person_matches(user="viewer__", profile="viewer__staff_profile__", term=viewer))
    if person.strip():
        rows = rows.filter(_person_matches(user="subject__user__", profile="subject__", term=person))
    if since is not None:
        rows = rows.filter(at__date__gte=since)
    if until is not None:
        rows = rows.filter(at__date__lte=until)
    return rows.order_by("-at", "-pk")
