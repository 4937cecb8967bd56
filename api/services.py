"""Registering and revoking API clients (``manage.py api_client``)."""

import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from oauth2_provider.models import get_application_model

from lms_site.organisation.models import Municipality

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
