"""Where a municipality's certificates are published: on its own host name, never on another's (issue 13,
ADR 0016).

A municipality with its own Wagtail Site (``Municipality.site``, made by ``add_municipality --domain``)
publishes what it issues from then on under that site's host name: the credential's id, its status list,
its badge class and issuer profile. One without (a deployment of one municipality, the demo, the tests
on ``testserver``) publishes under the platform's address, ``WAGTAILADMIN_BASE_URL``, as every
certificate did before its municipality had a site. A status list records which of the two it was
created under (``StatusList.base_url``, empty for the platform's), and its certificates are published
under the same: what a signed credential names never moves.

A request is answered only on the right host. On a municipality's own host (its site's host name or its
``domain``), only that municipality's documents; on any other host (the platform's own, or one no
municipality claims, which Wagtail answers with the default site), only documents published under the
platform's address. So the town's site cannot present the city's certificates, and a city's
certificates issued on its own host are not served on the platform's either.
"""

from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest

from lms_site.organisation.api import Municipality

PLATFORM = ""  # the base of a document published under the platform's address


def platform_origin() -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


def origin(base: str) -> str:
    """The absolute origin of ``base`` (``PLATFORM``: the platform's address)."""
    return base.rstrip("/") if base else platform_origin()


def municipality_base(municipality: Municipality) -> str:
    """Where ``municipality`` publishes what it issues now: its own site's origin, or ``PLATFORM``.

    The scheme is the platform's (TLS ends in front of every site alike); a port is named only when it is
    neither 80 nor 443."""
    site = municipality.site
    if site is None:
        return PLATFORM
    scheme = urlsplit(platform_origin()).scheme or "https"
    port = "" if site.port in (80, 443) else f":{site.port}"
    return f"{scheme}://{site.hostname.lower()}{port}"


def _request_hostname(request: HttpRequest) -> str:
    return urlsplit(f"//{request.get_host()}").hostname or ""


def host_owner(request: HttpRequest) -> int | None:
    """The municipality whose own host the request came on (its site's host name or its ``domain``), or
    None on any other host."""
    if not hasattr(request, "_certificate_host_owner"):
        hostname = _request_hostname(request)
        request._certificate_host_owner = (
            Municipality.objects.filter(Q(site__hostname__iexact=hostname) | Q(domain__iexact=hostname))
            .order_by("pk")
            .values_list("pk", flat=True)
            .first()
            if hostname
            else None
        )
    return request._certificate_host_owner


def request_serves(request: HttpRequest, *, municipality_id: int, bases: Iterable[str]) -> bool:
    """May ``request`` be answered with a document of ``municipality_id`` published under ``bases``?

    On a municipality's own host: only if it is the issuer's. On any other host: only if the document
    is published under the platform's address."""
    owner = host_owner(request)
    if owner is not None:
        return owner == municipality_id
    return PLATFORM in set(bases)


def serving_base(request: HttpRequest, municipality: Municipality) -> str:
    """The base of an issuer's documents built for this request (the issuer profile, a badge class):
    its own site's, when asked on its own host and it has one; else the platform's."""
    base = municipality_base(municipality)
    return base if base and host_owner(request) == municipality.pk else PLATFORM
