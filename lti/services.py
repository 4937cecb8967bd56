"""What a launch from a municipality's LMS does here (ADR 0023), and registering an LMS.

A launch is refused, with a message naming what is wrong and nothing written, unless every check passes:
the issuer and client id are registered (and active), the deployment is the registration's, the id_token
is signed by a key in the platform's JWKS and not expired, its nonce is one this browser was given and is
used for the first time, and its target is live content. Then, in one transaction: the nonce is spent,
the person is found or made (``launched_user``), and the line item for grades back is remembered.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import jwt
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from pylti1p3.exception import LtiException

from lms_site.identity.services import Refusal, staff_for_sign_in

from .models import Deployment, GradeLink, LtiIdentity, Registration, UsedNonce

logger = logging.getLogger("lti")

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
DEPLOYMENT_CLAIM = CLAIM + "deployment_id"
CUSTOM_CLAIM = CLAIM + "custom"
LIS_CLAIM = CLAIM + "lis"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
RESOURCE_LINK_CLAIM = CLAIM + "resource_link"
TARGET = re.compile(r"(course|lesson|quiz):([1-9][0-9]{0,17})")
# The session of a person who came in through a launch: the platform's origin (CSP frame-ancestors).
SESSION_KEY = "lti"


def log_refusal(code: str, detail: str) -> None:
    logger.warning("LTI launch refused (%s): %s", code, detail, extra={"refusal": code})


def refusal(code: str) -> Refusal:
    contact = _("続くときは、LMS の管理者にこのメッセージをお知らせください。")
    messages = {
        "malformed": _("LMS からの起動情報(id_token)を読み取れませんでした。"),
        "unknown_issuer": _("この LMS(発行者)は、このサイトに登録されていません。"),
        "wrong_audience": _("LMS からの起動情報が、このサイトあてではありません(対象者 aud が違います)。"),
        "unknown_deployment": _("この LMS のデプロイメント ID は、このサイトに登録されていません。"),
        "expired": _("LMS からの起動情報の有効期限が切れています。LMS からもう一度開いてください。"),
        "bad_signature": _("LMS からの起動情報の署名を確認できませんでした(改ざんされたか、鍵が違います)。"),
        "replayed": _("この起動情報はすでに使われています。LMS からもう一度開いてください。"),
        "bad_state": _(
            "起動の手順を確認できませんでした(ブラウザがこのサイトの Cookie を受け付けていない可能性が"
            "あります)。LMS からもう一度開いてください。"
        ),
        "unknown_target": _("起動先のコース、レッスンまたは小テストが見つかりません(公開されていません)。"),
        "no_subject": _("LMS からの起動情報に利用者 ID(sub)がありません。"),
        "invalid": _("LMS からの起動情報を確認できませんでした。"),
        "no_members_service": _("この起動には、LMS のコース参加者を読む権限(NRPS)がありません。"),
        "not_instructor": _("コースの参加者は、LMS で講師または管理者の方だけが見られます。"),
        "other_registration": _("この参加者一覧は、起動した LMS の登録のものではありません。"),
        "members_unavailable": _("LMS からコースの参加者を読み取れませんでした。"),
    }
    return Refusal(code, messages[code] + contact)


def library_refusal(error: LtiException) -> Refusal:
    """A launch PyLTI1p3 rejected, by its reason (fixed English text)."""
    text = str(error).lower()
    if "expired" in text:
        code = "expired"
    elif "signature" in text or "public key" in text or "kid" in text:
        code = "bad_signature"
    elif "deployment" in text:
        code = "unknown_deployment"
    elif "nonce" in text:
        code = "replayed"
    elif "state" in text:
        code = "bad_state"
    elif "unknown registration" in text or "client id" in text:
        code = "wrong_audience"
    else:
        code = "invalid"
    return refusal(code)


def unverified_claims(id_token: str) -> dict | Refusal:
    """The id_token's claims before any check, to name the registration in a refusal."""
    try:
        claims = jwt.decode(id_token, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        return refusal("malformed")
    return claims if isinstance(claims, dict) else refusal("malformed")


def registration_refusal(claims: dict) -> Refusal | None:
    """Unknown issuer, or a known issuer and a client id it did not register with us."""
    issuer = claims.get("iss")
    registrations = (
        Registration.objects.filter(issuer=issuer, is_active=True) if isinstance(issuer, str) else None
    )
    if not registrations or not registrations.exists():
        return refusal("unknown_issuer")
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if not registrations.filter(client_id__in=[a for a in audiences if isinstance(a, str)]).exists():
        return refusal("wrong_audience")
    return None


@dataclass(frozen=True)
class Target:
    kind: str
    pk: int
    url: str
    title: str


def target_of(value, registration: Registration) -> Target | None:
    """Live content named by ``course:ID``, ``lesson:ID`` or ``quiz:ID`` and offered to the registration's
    municipality (ADR 0024: shared, its prefecture's or its own); None for anything else, including
    another municipality's own content (a launch, a deep linking answer)."""
    from django.urls import reverse

    from assessments.api import Quiz
    from courses.api import CoursePage, LessonPage
    from lms_site.organisation.api import offered_to

    match = TARGET.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return None
    kind, pk = match[1], int(match[2])
    offered = offered_to(registration.municipality_id)
    if kind == "quiz":
        quiz = Quiz._base_manager.filter(offered, pk=pk, live=True).first()
        return quiz and Target(kind, pk, reverse("assessments:quiz", args=[pk]), quiz.title)
    model = CoursePage if kind == "course" else LessonPage
    page = model.objects.live().filter(offered, pk=pk).first()
    return page and Target(kind, pk, page.url, page.title)


def employee_number(claims: dict, name: str):
    """The claim ``name``: the id_token's own, a custom parameter, or the ``lis`` claim's."""
    for source in (claims, claims.get(CUSTOM_CLAIM) or {}, claims.get(LIS_CLAIM) or {}):
        if isinstance(source, dict) and name in source:
            return source[name]
    return None


def launched_user(registration: Registration, claims: dict):
    """The user who signs in for this launch, or a ``Refusal``; writes only when it returns a user.

    A registration trusted for it (``match_staff``) signs in the staff member of its municipality whose
    employee number the launch states, by the rule of the municipality's own sign-in (ADR 0020), and no
    one else. Otherwise the LMS's user becomes a user of its own, linked to no HR record.
    """
    from django.contrib.auth import get_user_model

    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject.strip() or len(subject) > 255:
        return refusal("no_subject")
    identity = (
        LtiIdentity.objects.filter(registration=registration, subject=subject).select_related("user").first()
    )
    if registration.match_staff:
        number = employee_number(claims, registration.employee_number_claim)
        linked = identity.user if identity is not None and identity.is_staff_match else None
        staff = staff_for_sign_in(
            registration, {registration.employee_number_claim: number}, linked_user=linked
        )
        if isinstance(staff, Refusal):
            return staff
        if identity is None:
            LtiIdentity.objects.create(
                registration=registration, subject=subject, user=staff.user, is_staff_match=True
            )
        return staff.user
    if identity is not None:
        return identity.user
    user = get_user_model()(
        username=f"lti-{registration.pk}-{get_random_string(12).lower()}",
        first_name=str(claims.get("name") or "")[:150],
        is_active=True,
    )
    user.set_unusable_password()
    user.save()
    LtiIdentity.objects.create(registration=registration, subject=subject, user=user)
    return user


def nonce_spend(registration: Registration, claims: dict) -> Refusal | None:
    """Spend the id_token's nonce (each is accepted once, for any kind of launch); a ``Refusal`` if it was
    spent before."""
    try:
        with transaction.atomic():
            UsedNonce.objects.create(registration=registration, nonce=str(claims.get("nonce"))[:255])
    except IntegrityError:
        return refusal("replayed")
    return None


@transaction.atomic
def launch_accept(registration: Registration, claims: dict, target: Target):
    """Spend the nonce, find or make the user, remember the line item and the launching course (its
    memberships URL): the user, or a ``Refusal``."""
    if (replayed := nonce_spend(registration, claims)) is not None:
        return replayed
    user = launched_user(registration, claims)
    if isinstance(user, Refusal):
        transaction.set_rollback(True)
        return user
    if (lineitem := ags_lineitem(registration, claims)) is not None:
        grade_link_remember(registration=registration, user=user, claims=claims, target=target, url=lineitem)
    from .nrps import context_remember  # nrps builds on this module

    context_remember(registration=registration, claims=claims, target=target)  # for HR's members list
    return user


def ags_scopes(claims: dict) -> list[str]:
    endpoint = claims.get(AGS_CLAIM)
    scopes = endpoint.get("scope") if isinstance(endpoint, dict) else None
    return [s for s in scopes if isinstance(s, str)] if isinstance(scopes, list) else []


def on_platform(registration: Registration, url) -> bool:
    """Whether ``url`` is an http(s) URL at the registration's own platform: the only place a score, a
    line item request or our signed assertion is ever sent (as for the NRPS memberships URL)."""
    from lms_site.security import origin_of

    return (
        isinstance(url, str)
        and len(url) <= 500
        and urlsplit(url).scheme in ("http", "https")
        and origin_of(url) == registration.platform_origin
    )


def ags_lineitem(registration: Registration, claims: dict) -> str | None:
    """The line item the launch names for the target's grade, where the platform takes scores from us and
    the line item is on its own host (a line item elsewhere is ignored, and logged)."""
    endpoint = claims.get(AGS_CLAIM)
    lineitem = endpoint.get("lineitem") if isinstance(endpoint, dict) else None
    if not isinstance(lineitem, str) or SCORE_SCOPE not in ags_scopes(claims):
        return None
    if not on_platform(registration, lineitem):
        logger.warning(
            "LTI line item off the platform ignored: registration=%s %s", registration.pk, lineitem[:200]
        )
        return None
    return lineitem


def grade_link_remember(*, registration: Registration, user, claims: dict, target: Target, url: str) -> None:
    """The learner's grades for the target go to the line item ``url`` (one row per user, target, URL)."""
    GradeLink.objects.update_or_create(
        registration=registration,
        user=user,
        lineitem_url=url,
        **{f"{target.kind}_id": target.pk},
        defaults={"subject": claims["sub"], "scopes": ags_scopes(claims)},
    )


# --- registering an LMS (the command and the system administrator's admin) ------------------------------


def _https_or_loopback(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "https" or (
        parts.scheme == "http" and parts.hostname in {"127.0.0.1", "localhost", "::1"}
    )


@transaction.atomic
def registration_add(
    *,
    municipality,
    issuer: str,
    client_id: str,
    auth_login_url: str,
    auth_token_url: str,
    keyset_url: str,
    deployment_ids: list[str],
    name: str = "",
    auth_audience: str = "",
    match_staff: bool = False,
    employee_number_claim: str = "person_sourcedid",
) -> Registration:
    """Register a municipality's LMS with its deployments; ``ValidationError`` naming every bad field."""
    errors: dict[str, list[str]] = {}

    def error(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for field, url in (
        ("auth_login_url", auth_login_url),
        ("auth_token_url", auth_token_url),
        ("keyset_url", keyset_url),
    ):
        if not _https_or_loopback(url or ""):
            error(field, _("https:// で始まる URL を入力してください。"))
    if not (issuer or "").strip():
        error("issuer", _("発行者(issuer)を入力してください。"))
    if not (client_id or "").strip():
        error("client_id", _("クライアント ID を入力してください。"))
    deployment_ids = [d.strip() for d in deployment_ids if d.strip()]
    if not deployment_ids:
        error("deployment_id", _("デプロイメント ID を一つ以上入力してください。"))
    if Registration.objects.filter(
        issuer=(issuer or "").strip(), client_id=(client_id or "").strip()
    ).exists():
        error("client_id", _("この発行者とクライアント ID の組はすでに登録されています。"))
    if errors:
        raise ValidationError(errors)
    registration = Registration.objects.create(
        municipality=municipality,
        name=name or _("{municipality}の LMS").format(municipality=municipality.name),
        issuer=issuer.strip(),
        client_id=client_id.strip(),
        auth_login_url=auth_login_url,
        auth_token_url=auth_token_url,
        auth_audience=auth_audience,
        keyset_url=keyset_url,
        match_staff=match_staff,
        employee_number_claim=employee_number_claim.strip() or "person_sourcedid",
    )
    Deployment.objects.bulk_create(
        Deployment(registration=registration, deployment_id=d) for d in dict.fromkeys(deployment_ids)
    )
    return registration


def tool_urls(base_url: str) -> dict[str, str]:
    """The tool's URLs to enter at the platform (Moodle: Site administration > Plugins > External tool >
    Manage tools > configure a tool manually)."""
    from django.urls import reverse

    base = base_url.rstrip("/")
    return {
        "login": base + reverse("lti:login"),
        "launch": base + reverse("lti:launch"),
        "jwks": base + reverse("lti:jwks"),
        "deep_linking": base + reverse("lti:launch"),
    }
