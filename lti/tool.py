"""PyLTI1p3 over our tables: the tool configuration it asks for registrations, deployments and keys.

PyLTI1p3 does the protocol (OIDC login initiation, id_token checks against the platform's JWKS, deep
linking response JWTs, the OAuth 2.0 client-credentials grant and score posts); this module tells it which
LMS is registered, for which municipality, and which key the tool signs with (ADR 0023).
"""

from pylti1p3.contrib.django import DjangoCacheDataStorage, DjangoMessageLaunch, DjangoOIDCLogin
from pylti1p3.deployment import Deployment as LibraryDeployment
from pylti1p3.exception import LtiException
from pylti1p3.registration import Registration as LibraryRegistration
from pylti1p3.tool_config.abstract import ToolConfAbstract

from .keys import current_key, private_pem
from .models import Registration


def library_registration(registration: Registration) -> LibraryRegistration:
    key = current_key()
    return (
        LibraryRegistration()
        .set_issuer(registration.issuer)
        .set_client_id(registration.client_id)
        .set_auth_login_url(registration.auth_login_url)
        .set_auth_token_url(registration.auth_token_url)
        .set_auth_audience(registration.auth_audience or None)
        .set_key_set_url(registration.keyset_url)
        .set_tool_private_key(private_pem(key))
        .set_tool_public_key(key.public_key)
    )


class ToolConf(ToolConfAbstract):
    """Registrations are keyed on (issuer, client id): one LMS may register the tool more than once."""

    def __init__(self) -> None:
        super().__init__()
        self.found: Registration | None = None

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def registration(self, iss: str, client_id: str | None) -> Registration:
        found = Registration.objects.filter(issuer=iss, is_active=True).select_related("municipality")
        if client_id is not None:
            found = found.filter(client_id=client_id)
        registration = found.order_by("pk").first()
        if registration is None:
            raise LtiException(f"unknown registration: iss={iss} client_id={client_id}")
        self.found = registration
        return registration

    def find_registration_by_issuer(self, iss: str, *args, **kwargs) -> LibraryRegistration:
        return library_registration(self.registration(iss, None))

    def find_registration_by_params(self, iss: str, client_id: str, *args, **kwargs) -> LibraryRegistration:
        return library_registration(self.registration(iss, client_id))

    def find_deployment(self, iss: str, deployment_id: str):
        return None

    def find_deployment_by_params(self, iss: str, deployment_id: str, client_id: str, *args, **kwargs):
        registration = self.registration(iss, client_id)
        if not registration.deployments.filter(deployment_id=deployment_id).exists():
            return None
        return LibraryDeployment().set_deployment_id(deployment_id)


def storage() -> DjangoCacheDataStorage:
    """State, nonce and launch data in the cache, keyed by PyLTI1p3's own cookie (SameSite=None; Secure
    over HTTPS), not the site's session: the platform's form post into an iframe carries no Lax cookie."""
    return DjangoCacheDataStorage(cache_name="default")


def oidc_login(request, conf: ToolConf) -> DjangoOIDCLogin:
    return DjangoOIDCLogin(request, conf, launch_data_storage=storage())


def message_launch(request, conf: ToolConf) -> DjangoMessageLaunch:
    return DjangoMessageLaunch(request, conf, launch_data_storage=storage())


def restored_launch(launch_id: str, request, conf: ToolConf) -> DjangoMessageLaunch:
    return DjangoMessageLaunch.from_cache(launch_id, request, conf, launch_data_storage=storage())
