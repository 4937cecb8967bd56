"""Names and Role Provisioning (NRPS 2.0): who is in the launching LMS course, and for the launched
resource who came in through it and the score they got (ADR 0023).

Asked only for a launch by the course's instructor or administrator, of the registration the launch was
validated against, at the memberships URL on that registration's own platform; PyLTI1p3 gets the service
token (contextmembership.readonly) and follows the Link rel="next" pages. Nothing is stored: the roster is
built for the page and dropped. A member is named as a staff profile only through an identity the launch
rule matched to one (a trusted registration); everyone else is the LMS's own id and name.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Max
from pylti1p3.exception import LtiException
from pylti1p3.names_roles import NamesRolesProvisioningService
from pylti1p3.service_connector import ServiceConnector
from requests import RequestException

from lms_site.identity.services import Refusal
from lms_site.security import origin_of

from .models import GradeLink, LtiIdentity, Registration, Score, ScoreStatus
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
    service = NamesRolesProvisioningService(
        ServiceConnector(library_registration(registration)),
        {"context_memberships_url": claims[NRPS_CLAIM]["context_memberships_url"]},
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
    subjects = [str(m.get("user_id", "")) for m in fetched]
    identities = {
        i.subject: i
        for i in LtiIdentity.objects.filter(registration=registration, subject__in=subjects).select_related(
            "user__staff_profile"
        )
    }
    scores = _scores(registration, subjects, (claims.get(CUSTOM_CLAIM) or {}).get("target"))
    members = []
    for member, subject in zip(fetched, subjects, strict=True):
        identity = identities.get(subject)
        profile = (
            getattr(identity.user, "staff_profile", None) if identity and identity.is_staff_match else None
        )
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
        .annotate(best=Max("score_given"))
        .values_list("link__subject", "best")
    )
