"""Names and Role Provisioning (NRPS 2.0): who is in the launching LMS course, and for the launched
resource who came in through it and the score they got (ADR 0023).

Asked only for a launch by the course's instructor or administrator, of the registration the launch was
validated against, at the memberships URL on that registration's own platform; PyLTI1p3 gets the service
token (contextmembership.readonly) and follows the Link rel="next" pages. Nothing is stored: the roster is
built for the page and dropped. A member is named as a staff profile only through an identity the launch
rule matched to one (a trusted registration); everyone else is the LMS's own id and name.

The municipality's HR asks from the admin for a course seen in launches (``LaunchContext``: its id, title and
memberships URL, remembered on each launch that carries the NRPS claim; no person): ``context_members``,
the same fetch, with who is linked to staff and their progress in the content launched from the course.
"""

from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlsplit

from django.db.models import Case, DecimalField, ExpressionWrapper, F, Max, When
from django.utils import timezone
from django.utils.translation import gettext as _
from pylti1p3.exception import LtiException
from pylti1p3.names_roles import NamesRolesProvisioningService
from pylti1p3.service_connector import ServiceConnector
from requests import RequestException

from lms_site.identity.services import Refusal
from lms_site.security import origin_of

from .models import GradeLink, LaunchContext, LtiIdentity, Registration, Score, ScoreStatus
from .services import CUSTOM_CLAIM, TARGET, refusal
from .tool import library_registration

NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
ROLES_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/roles"
# LTI 1.3 role URIs (context and institution) of people who may see the course's members.
TEACHING_ROLES = (
    "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor",
    "http://purl.imsglobal.org/vocab/lis/v2/membership#Administrator",
    "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator",
)


@dataclass(frozen=True)
class Member:
    user_id: str
    name: str
    roles: tuple[str, ...]
    launched: bool
    score: Decimal | None
    employee_number: str = ""  # only for an identity matched to a staff profile


@dataclass(frozen=True)
class Roster:
    members: list[Member]
    pages: int


def may_see_members(claims: dict) -> bool:
    roles = claims.get(ROLES_CLAIM) or []
    return isinstance(roles, list) and any(role in TEACHING_ROLES for role in roles)


def members_refusal(*, registration: Registration, claims: dict) -> Refusal | None:
    """Why this validated launch may not list its course's members (None: it may)."""
    service = claims.get(NRPS_CLAIM)
    if not isinstance(service, dict) or not isinstance(service.get("context_memberships_url"), str):
        return refusal("no_members_service")
    if not may_see_members(claims):
        return refusal("not_instructor")
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if claims.get("iss") != registration.issuer or registration.client_id not in audiences:
        return refusal("other_registration")
    if origin_of(service["context_memberships_url"]) != registration.platform_origin:
        return refusal("other_registration")
    return None


def course_members(*, registration: Registration, claims: dict) -> Roster | Refusal:
    """The launching course's members, with launched / score for the launched quiz or course."""
    problem = members_refusal(registration=registration, claims=claims)
    if problem is not None:
        return problem
    fetched = _fetch(registration, claims[NRPS_CLAIM]["context_memberships_url"])
    if isinstance(fetched, Refusal):
        return fetched
    fetched, pages = fetched
    subjects, identities = _identities(registration, fetched)
    scores = _scores(registration, subjects, (claims.get(CUSTOM_CLAIM) or {}).get("target"))
    members = []
    for member, subject in zip(fetched, subjects, strict=True):
        identity = identities.get(subject)
        profile = _staff_of(identity)
        members.append(
            Member(
                user_id=subject,
                name=str(member.get("name") or ""),
                roles=tuple(member.get("roles") or ()),
                launched=identity is not None,
                score=scores.get(subject),
                employee_number=getattr(profile, "employee_number", "") or "",
            )
        )
    return Roster(members=members, pages=pages)


def _identities(registration: Registration, fetched: list[dict]) -> tuple[list[str], dict[str, LtiIdentity]]:
    """The members' LMS subjects in the LMS's order, and those of them who came in through this
    registration, with their accounts and staff records (one query)."""
    subjects = [str(m.get("user_id", "")) for m in fetched]
    identities = LtiIdentity.objects.filter(registration=registration, subject__in=subjects)
    return subjects, {i.subject: i for i in identities.select_related("user__staff_profile")}


def _staff_of(identity: LtiIdentity | None):
    """The staff record of a launched member, only where the registration links launches to staff."""
    if identity is None or not identity.is_staff_match:
        return None
    return getattr(identity.user, "staff_profile", None)


def _fetch(registration: Registration, memberships_url: str) -> tuple[list[dict], int] | Refusal:
    """Every member the LMS lists at ``memberships_url`` (pages followed) and the number of pages, asked
    with the tool's service token (client credentials, ``contextmembership.readonly``)."""
    service = NamesRolesProvisioningService(
        ServiceConnector(library_registration(registration)),
        {"context_memberships_url": memberships_url},
    )
    fetched, pages, url = [], 0, None
    try:
        while True:
            page, url = service.get_members_page(url)
            fetched.extend(page)
            pages += 1
            if not url:
                break
    except (LtiException, RequestException, ValueError, KeyError) as error:
        failure = refusal("members_unavailable")
        return Refusal(failure.code, f"{failure.message} [{str(error)[:300]}]")
    return fetched, pages


PERCENT = DecimalField(max_digits=9, decimal_places=3)


def _scores(registration: Registration, subjects: list[str], target) -> dict[str, Decimal]:
    match = TARGET.fullmatch(target) if isinstance(target, str) else None
    if match is None or match[1] == "lesson":
        return {}
    links = GradeLink.objects.filter(registration=registration, subject__in=subjects)
    links = (
        links.filter(quiz_id=int(match[2])) if match[1] == "quiz" else links.filter(course_id=int(match[2]))
    )
    return dict(
        Score.objects.filter(link__in=links)
        .exclude(status=ScoreStatus.FAILED)
        .values("link__subject")
        # Quizzes are scored in points since 2026-12-06, courses out of 100: the best as a percentage.
        .annotate(
            best=Max(ExpressionWrapper(F("score_given") * 100 / F("score_maximum"), output_field=PERCENT))
        )
        .values_list("link__subject", "best")
    )


# --- the municipality's HR, from the admin: a course seen in launches (ADR 0023) -------------------------

CONTEXT_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/context"
MAX_TARGETS = 20  # content remembered per course, the newest kept


def context_remember(*, registration: Registration, claims: dict, target) -> LaunchContext | None:
    """Remember the launching course and its memberships URL (no person), for HR's members list.

    Only a memberships URL on the registration's own platform is kept: the tool's signed assertion is
    only ever sent there. Without a context claim, the memberships URL names the course."""
    service = claims.get(NRPS_CLAIM)
    url = service.get("context_memberships_url") if isinstance(service, dict) else None
    if not isinstance(url, str) or len(url) > 500 or urlsplit(url).scheme not in ("http", "https"):
        return None
    if origin_of(url) != registration.platform_origin:
        return None
    context = claims.get(CONTEXT_CLAIM)
    context = context if isinstance(context, dict) else {}
    context_id = context.get("id") if isinstance(context.get("id"), str) and context["id"].strip() else url
    names = [context.get(k) for k in ("title", "label")]
    title = next((n for n in names if isinstance(n, str) and n.strip()), "")
    row, _created = LaunchContext.objects.get_or_create(
        registration=registration, context_id=context_id[:255], defaults={"memberships_url": url}
    )
    key = f"{target.kind}:{target.pk}"
    row.targets = [*[t for t in row.targets if t != key][-(MAX_TARGETS - 1) :], key]
    row.title, row.memberships_url, row.last_launch_at = title[:255], url, timezone.now()
    row.save(update_fields=["targets", "title", "memberships_url", "last_launch_at"])
    return row


ROLE_LABELS = {
    "Instructor": _("講師"),
    "Learner": _("受講者"),
    "Administrator": _("管理者"),
    "ContentDeveloper": _("教材作成者"),
    "Mentor": _("メンター"),
    "TeachingAssistant": _("ティーチングアシスタント"),
}


@dataclass(frozen=True)
class Progress:
    title: str
    status: str
    done: bool


@dataclass(frozen=True)
class ContextMember:
    user_id: str
    name: str
    roles: tuple[str, ...]
    launched: bool
    staff_name: str = ""  # only for an identity matched to a staff profile (a trusted registration)
    employee_number: str = ""
    progress: tuple[Progress, ...] = ()


@dataclass(frozen=True)
class ContextRoster:
    members: list[ContextMember]
    pages: int


def role_labels(roles) -> tuple[str, ...]:
    labels = []
    for role in roles or ():
        name = str(role).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        label = str(ROLE_LABELS.get(name, name))
        if label not in labels:
            labels.append(label)
    return tuple(labels)


def context_members(*, registration: Registration, context: LaunchContext) -> ContextRoster | Refusal:
    """The course's members as the LMS lists them now, for the municipality's HR: who came in through
    this registration, who is linked to our staff (a trusted registration), and their progress in the
    content launched from this course. Nothing of it is stored."""
    if context.registration_id != registration.pk:
        return refusal("other_registration")
    if origin_of(context.memberships_url) != registration.platform_origin:
        return refusal("other_registration")  # the registration's platform moved: not sent elsewhere
    fetched = _fetch(registration, context.memberships_url)
    if isinstance(fetched, Refusal):
        return fetched
    fetched, pages = fetched
    subjects, identities = _identities(registration, fetched)
    progress = _progress([i.user_id for i in identities.values()], context.targets)
    members = []
    for member, subject in zip(fetched, subjects, strict=True):
        identity = identities.get(subject)
        profile = _staff_of(identity)
        members.append(
            ContextMember(
                user_id=subject,
                name=str(member.get("name") or ""),
                roles=role_labels(member.get("roles")),
                launched=identity is not None,
                staff_name=profile.full_name if profile else "",
                employee_number=profile.employee_number if profile else "",
                progress=tuple(progress.get(identity.user_id, ())) if identity else (),
            )
        )
    return ContextRoster(members=members, pages=pages)


def _progress(user_ids: list[int], targets: list) -> dict[int, list[Progress]]:
    """Each user's state in each launched course (修了), lesson (完了) and quiz (合格, best score)."""
    from assessments.api import Attempt, AttemptStatus, Quiz
    from courses.api import CoursePage, CourseRetake, Enrollment, LessonCompletion, LessonPage

    wanted = [(m[1], int(m[2])) for t in targets if isinstance(t, str) and (m := TARGET.fullmatch(t))]
    if not user_ids or not wanted:
        return {}
    ids = {kind: [pk for k, pk in wanted if k == kind] for kind in ("course", "lesson", "quiz")}
    titles = {
        **{("course", p.pk): p.title for p in CoursePage.objects.filter(pk__in=ids["course"])},
        **{("lesson", p.pk): p.title for p in LessonPage.objects.filter(pk__in=ids["lesson"])},
        **{("quiz", q.pk): q.title for q in Quiz._base_manager.filter(pk__in=ids["quiz"])},
    }
    states: dict[tuple, tuple[str, bool]] = {}  # (user, kind, pk) -> (status text, done)
    for user_id, course_id, completed in Enrollment.objects.filter(
        user_id__in=user_ids, course_id__in=ids["course"]
    ).values_list("user_id", "course_id", "completed_at"):
        states[(user_id, "course", course_id)] = (
            (_("修了 {date}").format(date=_day(completed)), True) if completed else (_("受講中"), False)
        )
    for user_id, course_id, completed in CourseRetake.objects.filter(
        user_id__in=user_ids, course_id__in=ids["course"]
    ).values_list("user_id", "course_id", "completed_at"):  # done before, started again this year
        if not states.get((user_id, "course", course_id), ("", False))[1]:
            states[(user_id, "course", course_id)] = (_("修了 {date}").format(date=_day(completed)), True)
    for user_id, lesson_id, completed in LessonCompletion.objects.filter(
        user_id__in=user_ids, lesson_id__in=ids["lesson"]
    ).values_list("user_id", "lesson_id", "completed_at"):
        states[(user_id, "lesson", lesson_id)] = (_("完了 {date}").format(date=_day(completed)), True)
    attempts = (
        Attempt.objects.filter(user_id__in=user_ids, quiz_id__in=ids["quiz"])
        .exclude(status=AttemptStatus.IN_PROGRESS)
        .values("user_id", "quiz_id")
        .annotate(best=Max("percent"), passed=Max(Case(When(passed=True, then=1), default=0)))
    )
    for row in attempts:
        score = f"{row['best']:.0f}%" if row["best"] is not None else "—"
        states[(row["user_id"], "quiz", row["quiz_id"])] = (
            (_("合格 {score}").format(score=score), True)
            if row["passed"]
            else (_("不合格 {score}").format(score=score), False)
        )
    not_yet = {"course": _("未受講"), "lesson": _("未完了"), "quiz": _("未受験")}
    return {
        user_id: [
            Progress(titles[(kind, pk)], *states.get((user_id, kind, pk), (not_yet[kind], False)))
            for kind, pk in wanted
            if (kind, pk) in titles
        ]
        for user_id in user_ids
    }


def _day(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d")
