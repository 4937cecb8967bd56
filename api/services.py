"""Registering and revoking API clients (``manage.py api_client``)."""

import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from oauth2_provider.models import get_application_model

from lms_site.organisation.api import Municipality

from .models import SCOPES, ApiClient


class ApiClientError(Exception):
    pass


@transaction.atomic
def api_client_create(*, municipality: Municipality, name: str, scopes: list[str]) -> tuple[ApiClient, str]:
    """A new client and its secret, which is stored only hashed: the caller shows it once."""
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown or not scopes:
        raise ApiClientError(f"unknown scope(s): {', '.join(unknown) or '(none)'}; use read or read,write")
    if "write" in scopes and "read" not in scopes:
        scopes = ["read", *scopes]
    if ApiClient._base_manager.filter(municipality=municipality, name=name).exists():
        raise ApiClientError(f"{municipality.name} already has a client named {name!r}")
    user = get_user_model().objects.create(username=f"api-{municipality.code}-{secrets.token_hex(4)}")
    user.set_unusable_password()
    user.save(update_fields=["password"])
    secret = secrets.token_urlsafe(32)
    application = get_application_model().objects.create(
        name=f"{municipality.code} {name}",
        user=user,
        client_type="confidential",
        authorization_grant_type="client-credentials",
        client_secret=secret,
    )
    client = ApiClient._base_manager.create(
        municipality=municipality,
        name=name,
        application=application,
        service_user=user,
        scopes=" ".join(s for s in SCOPES if s in scopes),
    )
    return client, secret


@transaction.atomic
def api_client_revoke(*, client: ApiClient) -> None:
    """No new token, and every token issued is void at once."""
    client.revoked_at = timezone.now()
    client.save(update_fields=["revoked_at"])
    client.application.accesstoken_set.all().delete()
    client.service_user.is_active = False
    client.service_user.save(update_fields=["is_active"])


class LrsEndpointError(Exception):
    """Every problem of the input at once (``problems``); nothing was written."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def lrs_endpoint_add(
    *, municipality: Municipality | None, name: str, statements_url: str, key: str, secret: str
):
    """Register a municipality's LRS; raises ``LrsEndpointError`` listing every problem, writing nothing.
    ``municipality`` None means the code given matched none (reported with the rest)."""
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator
    from django.utils.translation import gettext as _

    from .models import LrsEndpoint
    from .xapi import endpoint_problem

    problems = []
    if municipality is None:
        problems.append(_("その団体コードの自治体はありません"))
    name = name.strip()
    if not name:
        problems.append(_("名称を入力してください"))
    elif municipality and LrsEndpoint._base_manager.filter(municipality=municipality, name=name).exists():
        problems.append(_("%(name)s という名称の LRS は既に登録されています") % {"name": name})
    try:
        URLValidator(schemes=["http", "https"])(statements_url)
        problem = endpoint_problem(statements_url)
    except ValidationError:
        problem = _("URL の形式が正しくありません")
    if problem:
        problems.append(_("エンドポイント: %(problem)s") % {"problem": problem})
    if not key or ":" in key or any(c.isspace() for c in key):
        problems.append(_("キーを入力してください(コロンと空白は使えません)"))
    if not secret:
        problems.append(_("シークレットを入力してください"))
    if problems:
        raise LrsEndpointError(problems)
    endpoint = LrsEndpoint(municipality=municipality, name=name, statements_url=statements_url, key=key)
    endpoint.secret = secret
    endpoint.save()
    return endpoint
