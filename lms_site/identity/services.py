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

from lms_site.organisation.api import StaffProfile, has_left, municipality_scope

from .models import IdentityProvider, Protocol

logger = logging.getLogger("lms_site.identity")


@dataclass(frozen=True)
class Refusal:
    """Why a sign-in was refused: ``code`` for the log and tests, ``message`` for the person."""

    code: str
    message: str


# Where a SAML assertion carries the e-mail address (eduPerson/LDAP ``mail``; AD FS and Entra ID's claim).
SAML_EMAIL_ATTRIBUTES = (
    "urn:oid:0.9.2342.19200300.100.1.3",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
    "mail",
    "email",
)


def claims_of(extra_data: dict, protocol: str = Protocol.OIDC) -> dict:
    """One dictionary of claims from allauth's record of a provider's response.

    OpenID Connect: the UserInfo answer over the ID token's claims. SAML 2.0: the assertion's attributes
    (allauth keeps each as a list of values; the first counts), and its e-mail attribute as ``email``: the
    assertion is signed by the municipality's directory, so an address in it counts as verified.
    """
    if protocol == Protocol.SAML:
        claims = {
            name: (values[0] if values else None) if isinstance(values, list) else values
            for name, values in (extra_data or {}).items()
        }
        email = next((claims[a] for a in SAML_EMAIL_ATTRIBUTES if isinstance(claims.get(a), str)), None)
        if email:
            claims.update(email=email, email_verified=True)
        return claims
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


def saml_refusal(reason: str) -> Refusal:
    """A SAML response that python3-saml rejected, by its reason (its messages are fixed English text)."""
    text = reason.lower()
    if "not signed" in text or "no signature" in text:
        code = "unsigned"
    elif "signature" in text or "digest" in text:
        code = "bad_signature"
    elif "audience" in text:
        code = "wrong_audience"
    else:
        code = "invalid_response"
    messages = {
        "unsigned": _("認証プロバイダからの応答(アサーション)に署名がないため、受け付けられません。"),
        "bad_signature": _(
            "認証プロバイダからの応答の署名を確認できませんでした(改ざんされたか、証明書が違います)。"
        ),
        "wrong_audience": _("認証プロバイダからの応答が、このサイトあてではありません(対象者が違います)。"),
        "invalid_response": _("認証プロバイダからの応答を確認できませんでした。"),
    }
    contact = _("続くときは情報システム担当課にお知らせください。")
    return Refusal(code, messages[code] + contact)


def saml_name_id_refusal(name_id_format: str | None) -> Refusal:
    return Refusal(
        "not_persistent",
        _(
            "認証プロバイダが永続的な識別子(persistent NameID)ではなく「{format}」で応答しました。"
            "情報システム担当課にお知らせください(IdP の設定で NameID を persistent にします)。"
        ).format(format=name_id_format or "-"),
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


def saml_paths(slug: str) -> dict[str, str]:
    """Our SAML service provider's URLs for a provider: ``acs`` (assertion consumer service, HTTP-POST),
    ``metadata`` (also the SP's entity id, as an absolute URL), ``login`` and ``sls``."""
    from django.urls import reverse

    return {
        name: reverse(f"saml_{name}", kwargs={"organization_slug": slug})
        for name in ("acs", "metadata", "login", "sls")
    }


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


def discovery_url(issuer: str) -> str:
    return f"{issuer}/.well-known/openid-configuration"


def discovery_document(issuer: str):
    """The provider's OpenID Connect discovery document (parsed JSON); raises when it cannot be read."""
    from allauth.socialaccount.adapter import get_adapter

    with get_adapter().get_requests_session() as session:
        response = session.get(discovery_url(issuer))
    response.raise_for_status()
    return response.json()


def _discovery_problems(issuer: str) -> list[str]:
    url = discovery_url(issuer)
    try:
        document = discovery_document(issuer)
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


SAML_NAMEID_PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
SAML_BINDING_REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
SAML_BINDING_POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"


def saml_provider_add(
    *,
    municipality,
    metadata_xml: str | bytes,
    employee_number_attribute: str = "employee_number",
    name: str = "",
    slug: str = "",
    email_fallback: bool = False,
) -> IdentityProvider:
    """Register a municipality's SAML 2.0 identity provider from its metadata (the IdP's XML file).

    Every problem is reported at once (``ValidationError`` by field); nothing is written unless all is
    well. The metadata must describe one IdP (``IDPSSODescriptor``) with a single sign-on service for the
    HTTP-Redirect binding (our requests go that way) and a signing certificate. Assertions must then be
    signed with it (SHA-256 or better), be for our SP's entity id, and name the person with a persistent
    NameID (the account's uid); the employee number comes from the attribute given.
    """
    from allauth.socialaccount.models import SocialApp
    from django.core.exceptions import ValidationError
    from django.db import transaction

    errors: dict[str, list[str]] = {}

    def error(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    attribute = employee_number_attribute.strip()
    if not attribute or any(c.isspace() for c in attribute):
        error("employee_number_attribute", _("職員番号の属性名を空白なしで入力してください。"))
    slug = slug.strip() or f"{municipality.code}-saml"
    if not set(slug) <= SLUG_CHARS:
        error("slug", _("識別名は半角英小文字・数字・ハイフンで入力してください: {value}").format(value=slug))
    elif (
        SocialApp.objects.filter(provider_id=slug).exists()
        or SocialApp.objects.filter(client_id=slug).exists()
    ):
        error("slug", _("識別名「{value}」はすでに使われています。").format(value=slug))
    idp, problems = parse_idp_metadata(metadata_xml)
    for message in problems:
        error("metadata", message)
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        app = SocialApp.objects.create(
            provider="saml",
            provider_id=slug,
            # allauth's SAML URLs name the app by its client_id (``organization_slug``): the same slug.
            client_id=slug,
            name=name.strip() or _("{municipality}の職員アカウント").format(municipality=municipality.name),
            settings=saml_app_settings(idp, attribute, sp_key=saml_sp_key_pair(slug)),
        )
        return IdentityProvider.objects.create(
            municipality=municipality,
            app=app,
            protocol=Protocol.SAML,
            employee_number_claim=attribute,
            email_fallback=email_fallback,
        )


def saml_provider_update_metadata(provider: IdentityProvider, *, metadata_xml: str | bytes) -> dict:
    """Take the IdP's new metadata (a new signing certificate at rollover, a moved sign-on or logout URL):
    checked whole as at registration, and of the same IdP (its entity id); our own key, the attribute
    mapping and the accounts stay. Returns the IdP settings before and after; nothing is written unless all
    is well (``ValidationError`` with every problem)."""
    from django.core.exceptions import ValidationError
    from django.db import transaction

    idp, problems = parse_idp_metadata(metadata_xml)
    app = provider.app
    before = dict(app.settings.get("idp", {}))
    if not problems and idp["entity_id"] != before.get("entity_id"):
        problems.append(
            _("別の IdP のメタデータです(エンティティ ID {new}、登録済みは {old})。").format(
                new=idp["entity_id"], old=before.get("entity_id")
            )
        )
    if problems:
        raise ValidationError({"metadata": problems})
    advanced = dict(app.settings.get("advanced", {}))
    signs_logout = bool(advanced.get("sealed_private_key")) and bool(idp.get("slo_url"))
    advanced["logout_request_signed"] = advanced["logout_response_signed"] = signs_logout
    with transaction.atomic():
        app.settings = {**app.settings, "idp": idp, "advanced": advanced}
        app.save(update_fields=["settings"])
    logger.info("SAML IdP metadata updated: provider=%s", provider.slug)
    return {"before": before, "after": idp}


SAML_SP_KEY_PURPOSE = b"saml-sp-key"


def saml_sp_key_pair(slug: str) -> dict:
    """Our service provider's signing key for one IdP: a new RSA key and a self-signed certificate (ten
    years; IdPs trust the certificate in our metadata, not a CA), the key sealed at rest. It signs our
    logout requests and responses, so that the IdP ends a session only when we ask."""
    import base64
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    from lms_site import sealing

    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"dx-lms saml {slug}")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    der = certificate.public_bytes(serialization.Encoding.DER)
    return {
        "x509cert": base64.b64encode(der).decode(),
        "sealed_private_key": sealing.seal(pem, purpose=SAML_SP_KEY_PURPOSE),
    }


def saml_app_settings(idp: dict, employee_number_attribute: str, *, sp_key: dict | None = None) -> dict:
    """allauth's ``SocialApp.settings`` for a SAML provider: the IdP, what the assertion must be, and the
    attributes read from it. The account's uid is the persistent NameID (no ``uid`` in the mapping).

    With ``sp_key`` (``saml_sp_key_pair``) and an IdP that has a single logout service, single logout is
    on: our logout requests and responses are signed, and the IdP's must be (``saml.sls``)."""
    signs_logout = bool(sp_key) and bool(idp.get("slo_url"))
    return {
        "idp": idp,
        "attribute_mapping": {
            "employee_number": [employee_number_attribute],
            "email": list(SAML_EMAIL_ATTRIBUTES),
        },
        "advanced": {
            "strict": True,
            # The assertion itself must be signed by the IdP's certificate; a signed Response around an
            # unsigned assertion is not enough (AD FS and Entra ID sign the assertion by default).
            "want_assertion_signed": True,
            "want_message_signed": False,
            "reject_deprecated_algorithm": True,
            "want_name_id": True,
            "name_id_format": SAML_NAMEID_PERSISTENT,
            "want_attribute_statement": True,
            "reject_idp_initiated_sso": True,
            "authn_request_signed": False,
            "logout_request_signed": signs_logout,
            "logout_response_signed": signs_logout,
            # the certificate goes into our metadata; the key is unsealed only when a message is signed
            **(sp_key or {}),
        },
    }


def parse_idp_metadata(metadata_xml: str | bytes) -> tuple[dict, list[str]]:
    """The IdP's entity id, HTTP-Redirect sign-on URL and signing certificate from its metadata, and every
    problem found (an empty list when all is well)."""
    import base64
    import datetime

    from cryptography import x509
    from onelogin.saml2.xml_utils import OneLogin_Saml2_XML

    ns = {"md": "urn:oasis:names:tc:SAML:2.0:metadata", "ds": "http://www.w3.org/2000/09/xmldsig#"}
    if isinstance(metadata_xml, str):
        metadata_xml = metadata_xml.encode()
    try:
        root = OneLogin_Saml2_XML.to_etree(metadata_xml)
    except Exception as exc:  # not XML, or XML that the safe parser refuses (DTDs, entities)
        return {}, [_("メタデータを XML として読めませんでした: {error}").format(error=exc)]
    descriptors = root.xpath("//md:IDPSSODescriptor", namespaces=ns)
    if not descriptors:
        return {}, [_("メタデータに IdP の記述(IDPSSODescriptor)がありません。")]
    if len(descriptors) > 1:
        return {}, [_("メタデータに IdP が複数あります。1 つの IdP のメタデータを指定してください。")]
    descriptor = descriptors[0]
    entity = descriptor.getparent()
    problems = []
    entity_id = (entity.get("entityID") or "").strip()
    if not entity_id:
        problems.append(_("メタデータに IdP のエンティティ ID(entityID)がありません。"))
    services = {
        service.get("Binding"): (service.get("Location") or "").strip()
        for service in descriptor.xpath("md:SingleSignOnService", namespaces=ns)
    }
    sso_url = services.get(SAML_BINDING_REDIRECT, "")
    if not sso_url:
        if services.get(SAML_BINDING_POST):
            problems.append(
                _(
                    "シングルサインオンのサービスが HTTP-POST バインディングだけです。"
                    "HTTP-Redirect バインディングを有効にしてください。"
                )
            )
        else:
            problems.append(_("メタデータにシングルサインオンのサービス(SingleSignOnService)がありません。"))
    elif not sso_url.startswith(("https://", "http://")):
        problems.append(_("シングルサインオンの URL が正しくありません: {value}").format(value=sso_url))
    certificates = [
        "".join((node.text or "").split())
        for key in descriptor.xpath("md:KeyDescriptor", namespaces=ns)
        if key.get("use") in (None, "", "signing")
        for node in key.xpath(".//ds:X509Certificate", namespaces=ns)
    ]
    certificate = ""
    if not certificates:
        problems.append(_('メタデータに署名用の証明書(KeyDescriptor use="signing")がありません。'))
    else:
        certificate = certificates[0]
        try:
            parsed = x509.load_der_x509_certificate(base64.b64decode(certificate, validate=True))
        except Exception:  # not base64, or not a certificate
            problems.append(_("メタデータの署名用証明書を読めませんでした。"))
        else:
            if parsed.not_valid_after_utc < datetime.datetime.now(datetime.UTC):
                problems.append(
                    _("署名用証明書の有効期限が切れています({date})。").format(
                        date=parsed.not_valid_after_utc.date().isoformat()
                    )
                )
    idp = {"entity_id": entity_id, "sso_url": sso_url, "x509cert": certificate}
    logout_services = {
        service.get("Binding"): (service.get("Location") or "").strip()
        for service in descriptor.xpath("md:SingleLogoutService", namespaces=ns)
    }
    slo_url = logout_services.get(SAML_BINDING_REDIRECT, "")
    if slo_url.startswith(("https://", "http://")):  # optional: without it, signing out ends our session only
        idp["slo_url"] = slo_url
    elif slo_url:
        problems.append(_("シングルログアウトの URL が正しくありません: {value}").format(value=slo_url))
    return idp, problems
