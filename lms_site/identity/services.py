"""Who a provider's account is: the HR record it links to, or why it may not sign in (ADR 0020).

The HR record is the authority: a provider's account signs in as the staff member of the provider's
municipality whose employee number the provider states (the configured claim), or, where the municipality
allows it, whose e-mail address the provider states as verified. Nobody else: no account is ever created
here, and nobody outside the municipality's staff, or who has left it, gets in.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.utils.translation import gettext as _

from lms_site.organisation.leavers import has_left
from lms_site.organisation.models import StaffProfile
from lms_site.organisation.tenancy import municipality_scope

from .models import IdentityProvider

logger = logging.getLogger("lms_site.identity")


@dataclass(frozen=True)
class Refusal:
    """Why a sign-in was refused: ``code`` for the log and tests, ``message`` for the person."""

    code: str
    message: str


def claims_of(extra_data: dict) -> dict:
    """One dictionary of claims from allauth's record of an OpenID Connect response: the UserInfo answer
    over the ID token's claims."""
    claims = dict(extra_data.get("id_token") or {})
    claims.update(extra_data.get("userinfo") or {})
    return claims


def staff_for_sign_in(
    provider: IdentityProvider, claims: dict, *, linked_user=None
) -> StaffProfile | Refusal:
    """The staff record the account signs in as, or a ``Refusal``.

    ``linked_user``: the user an earlier sign-in linked this account to (then the account is not matched
    again, but the person must still be staff of this provider's municipality, in service).
    """
    municipality = provider.municipality
    contact = _("{municipality}の人事課にお問い合わせください。").format(municipality=municipality.name)
    with municipality_scope(municipality):
        staff_records = StaffProfile.objects.select_related("user")
        if linked_user is not None:
            staff = staff_records.filter(user=linked_user).first()
            if staff is None:
                return Refusal(
                    "other_municipality",
                    _("このアカウントは{municipality}の職員として登録されていません。").format(
                        municipality=municipality.name
                    )
                    + contact,
                )
        else:
            staff = _match(provider, claims, staff_records)
            if isinstance(staff, Refusal):
                return Refusal(staff.code, staff.message + contact)
        if not (staff.is_active and staff.user.is_active) or has_left(staff.user):
            return Refusal("left", _("退職などにより、このアカウントではサインインできません。") + contact)
    return staff


def _match(provider: IdentityProvider, claims: dict, staff_records) -> StaffProfile | Refusal:
    number = claims.get(provider.employee_number_claim)
    if isinstance(number, int) and not isinstance(number, bool):
        number = str(number)
    if isinstance(number, str) and number.strip():
        staff = staff_records.filter(employee_number=number.strip()).first()
        if staff is not None:
            return staff
        return Refusal(
            "no_record",
            _("{municipality}の人事データに、職員番号 {number} の職員がいません。").format(
                municipality=provider.municipality.name, number=number.strip()
            ),
        )
    email = claims.get("email")
    if provider.email_fallback and claims.get("email_verified") is True and isinstance(email, str) and email:
        matches = list(staff_records.filter(user__email__iexact=email)[:2])
        if len(matches) == 1:
            return matches[0]
        return Refusal(
            "no_record",
            _("{municipality}の人事データで、メールアドレス {email} の職員を一人に特定できません。").format(
                municipality=provider.municipality.name, email=email
            ),
        )
    return Refusal(
        "no_employee_number",
        _("サインインの情報に職員番号(項目「{claim}」)がありませんでした。").format(
            claim=provider.employee_number_claim
        ),
    )


def log_refusal(provider: IdentityProvider | None, subject: str, refusal: Refusal) -> None:
    logger.warning(
        "sign-in refused (%s): provider=%s subject=%s",
        refusal.code,
        provider.slug if provider else "-",
        subject,
        extra={"refusal": refusal.code},
    )


# --- registering a provider (the command and the admin's system administrator) ------------------------

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
SLUG_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-")


def callback_path(slug: str) -> str:
    from django.urls import reverse

    return reverse("openid_connect_callback", kwargs={"provider_id": slug})


def oidc_provider_add(
    *,
    municipality,
    issuer: str,
    client_id: str,
    client_secret: str,
    name: str = "",
    slug: str = "",
    employee_number_claim: str = "employee_number",
    scopes: list[str] | None = None,
    email_fallback: bool = False,
) -> IdentityProvider:
    """Register a municipality's OpenID Connect provider, after asking its discovery document.

    Every problem is reported at once (``ValidationError`` by field); nothing is written unless all is
    well. The discovery document must name exactly the issuer given (OpenID Connect Discovery 1.0, 4.3),
    offer the authorisation-code flow, and S256 for PKCE where it lists methods.
    """
    from urllib.parse import urlsplit

    from allauth.socialaccount.models import SocialApp
    from django.core.exceptions import ValidationError
    from django.db import transaction

    errors: dict[str, list[str]] = {}

    def error(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    issuer = issuer.strip().rstrip("/")
    parts = urlsplit(issuer)
    if parts.scheme not in {"https", "http"} or not parts.hostname:
        message = _("発行者(issuer)は https:// で始まる URL にしてください: {value}")
        error("issuer", message.format(value=issuer))
    elif parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
        error("issuer", _("発行者(issuer)は https にしてください(http はこのサーバー内のテスト用のみ)。"))
    elif parts.query or parts.fragment:
        error("issuer", _("発行者(issuer)の URL に ? や # は使えません。"))
    if not client_id.strip():
        error("client_id", _("クライアント ID を入力してください。"))
    if not client_secret.strip():
        error("client_secret", _("クライアントシークレットを入力してください。"))
    claim = employee_number_claim.strip()
    if not claim or any(c.isspace() for c in claim):
        error("employee_number_claim", _("職員番号のクレーム名を空白なしで入力してください。"))
    slug = slug.strip() or f"{municipality.code}-oidc"
    if not set(slug) <= SLUG_CHARS:
        error("slug", _("識別名は半角英小文字・数字・ハイフンで入力してください: {value}").format(value=slug))
    elif SocialApp.objects.filter(provider_id=slug).exists():
        error("slug", _("識別名「{value}」はすでに使われています。").format(value=slug))
    scopes = scopes or ["openid", "profile", "email"]
    if "openid" not in scopes:
        error("scopes", _("スコープに openid を含めてください。"))
    if "issuer" not in errors:
        for message in _discovery_problems(issuer):
            error("issuer", message)
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        app = SocialApp.objects.create(
            provider="openid_connect",
            provider_id=slug,
            name=name.strip() or _("{municipality}の職員アカウント").format(municipality=municipality.name),
            client_id=client_id.strip(),
            secret=client_secret.strip(),
            settings={"server_url": issuer, "scope": scopes, "oauth_pkce_enabled": True},
        )
        return IdentityProvider.objects.create(
            municipality=municipality,
            app=app,
            employee_number_claim=claim,
            email_fallback=email_fallback,
        )


def _discovery_problems(issuer: str) -> list[str]:
    from allauth.socialaccount.adapter import get_adapter

    url = f"{issuer}/.well-known/openid-configuration"
    try:
        with get_adapter().get_requests_session() as session:
            response = session.get(url)
        response.raise_for_status()
        document = response.json()
    except Exception as exc:  # any failure to read it (network, status, not JSON) is reported alike
        return [_("発行者の設定情報 {url} を読めませんでした: {error}").format(url=url, error=exc)]
    if not isinstance(document, dict):
        return [_("発行者の設定情報 {url} が JSON オブジェクトではありません。").format(url=url)]
    problems = []
    if document.get("issuer") != issuer:
        problems.append(
            _("設定情報の issuer「{found}」が、登録しようとした発行者「{issuer}」と一致しません。").format(
                found=document.get("issuer"), issuer=issuer
            )
        )
    problems.extend(
        _("設定情報に {key} がありません。").format(key=key)
        for key in ("authorization_endpoint", "token_endpoint", "jwks_uri")
        if not isinstance(document.get(key), str)
    )
    if "code" not in (document.get("response_types_supported") or []):
        problems.append(_("認可コードフロー(response_type=code)に対応していません。"))
    methods = document.get("code_challenge_methods_supported")
    if methods is not None and "S256" not in methods:
        problems.append(_("PKCE の S256 に対応していません。"))
    return problems
