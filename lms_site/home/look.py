"""Each site's look (``SiteLook``): who may change it, and how pages read it without a query.

**Changed by the municipality's own people.** The roles are groups shared by every municipality (ADR
0016), so the 人事課's permission to change a site's look (``home.change_sitelook``), like a Wagtail
``GroupSitePermission`` given to the group, would reach every municipality's site.
``OwnSitePermissionPolicy`` is Wagtail's site permission policy with one rule more: a site counts only
if it is the own site of a municipality the person acts in (``municipalities_of``); platform-wide (the
system administrator), every site, the platform's default site included. Wagtail's settings views ask
it for everything: the menu item, the redirect to "my" site, the edit view (403 for another's site), the
preview, and the site switcher (which lists only the sites it allows).

**Read from the shared cache.** Every page's base template shows the look of the site its host name
belongs to (``site_look``): one cache read per request, keyed by host name and port, and no query
until the look changes; any change of a look, a site, a municipality or an image replaces the version
token (``LOOKS``), so every cached look is read again once. Without a shared cache (no Redis) each
process keeps a look at most ``SITE_LOOK_CACHE_SECONDS`` (60 s by default): the process that saved sees
the change at once, the others within that time.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.db.models.signals import post_delete, post_save
from django.http.request import split_domain_port
from wagtail.images import get_image_model
from wagtail.models import Site
from wagtail.permission_policies.sites import SitePermissionPolicy

from lms_site.cache import VersionToken
from lms_site.organisation.api import Municipality, municipalities_of
from lms_site.request_memo import memoized

from .contrast import darker, is_hex_colour

logger = logging.getLogger(__name__)

LOOKS = VersionToken("site-look:version")
# The logo's rendition: at most 96 px high (48 px shown, sharp on high-density screens), 480 px wide.
LOGO_FILTER = "max-480x96"


class OwnSitePermissionPolicy(SitePermissionPolicy):
    """Wagtail's site permission policy, limited to the own sites of the municipalities one acts in."""

    def own_site_ids(self, user) -> set[int] | None:
        """The sites of the municipalities ``user`` acts in; None: every site (platform-wide)."""
        ids = municipalities_of(user)
        if ids is None:
            return None
        return memoized(
            ("own-site-ids", user.pk),
            lambda: set(
                Municipality.objects.filter(pk__in=ids, site__isnull=False).values_list("site_id", flat=True)
            ),
        )

    def user_has_any_permission(self, user, actions):
        if not super().user_has_any_permission(user, actions):
            return False
        own = self.own_site_ids(user)
        return own is None or bool(own)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        if not super().user_has_any_permission_for_instance(user, actions, instance):
            return False
        own = self.own_site_ids(user)
        site_id = instance.pk if isinstance(instance, Site) else getattr(instance, self.site_fk_field_name)
        return own is None or site_id in own

    def sites_user_has_any_permission_for(self, user, actions):
        sites = super().sites_user_has_any_permission_for(user, actions)
        own = self.own_site_ids(user)
        return sites if own is None else sites.filter(pk__in=own)


@dataclass(frozen=True)
class Look:
    """What the base template needs of a site's look; empty strings keep the platform's."""

    accent: str = ""
    accent_dark: str = ""
    header: str = ""
    header_text: str = ""
    logo_url: str = ""
    logo_width: int = 0
    logo_height: int = 0
    logo_alt: str = ""

    @property
    def css(self) -> str:
        """The stylesheet's custom properties this look replaces (``:root{…}``), or "" for none. Only
        well-formed colours: the model refuses others, and this is written into a ``<style>``."""
        declarations = [
            f"--color-{name}:{value}"
            for name, value in (
                ("primary", self.accent),
                ("primary-dark", self.accent_dark),
                ("header-bg", self.header),
                ("header-text", self.header_text),
            )
            if is_hex_colour(value)
        ]
        return ":root{" + ";".join(declarations) + "}" if declarations else ""


def site_look(request) -> Look:
    """The look of the site ``request``'s host name belongs to (Wagtail's site routing): from the shared
    cache while nothing has changed, else read (and cached)."""
    if request is None:
        return Look()
    look = getattr(request, "_dx_site_look", None)
    if look is not None:
        return look
    seconds = getattr(settings, "SITE_LOOK_CACHE_SECONDS", 0)
    hostname = split_domain_port(request._get_raw_host())[0][:253]
    key = f"site-look:{hostname}:{request.get_port()}"
    token, look = LOOKS.read(key) if seconds else ("", None)
    if look is None:
        try:
            look = look_read(Site.find_for_request(request))
        except (OperationalError, InterfaceError):  # the database unreachable: the pages that need no
            # database (the sign-in page) still serve, in the standard look; nothing is cached
            logger.warning("The site's look could not be read; the standard look is shown", exc_info=True)
            request._dx_site_look = Look()
            return request._dx_site_look
        if seconds:
            LOOKS.write(key, token, look, timeout=seconds)
    request._dx_site_look = look
    return look


def look_read(site: Site | None) -> Look:
    """The site's look from the database (one query, and the logo's rendition: one more, or its making)."""
    from .models import SiteLook

    if site is None:
        return Look()
    row = SiteLook.objects.filter(site=site).select_related("logo", "site__municipality").first()
    if row is None:
        return Look()
    logo = {}
    if row.logo is not None:
        try:
            rendition = row.logo.get_rendition(LOGO_FILTER)
        except Exception:  # a missing or unreadable source file: the page without the logo, not an error
            logger.warning("The logo of site %s could not be rendered", site.pk, exc_info=True)
        else:
            municipality = getattr(row.site, "municipality", None)
            logo = {
                "logo_url": rendition.url,
                "logo_width": rendition.width,
                "logo_height": rendition.height,
                "logo_alt": row.logo_alt or (municipality.name if municipality else site.site_name),
            }
    return Look(
        accent=row.accent_colour,
        accent_dark=darker(row.accent_colour) if row.accent_colour else "",
        header=row.header_colour,
        header_text=row.header_text_colour,
        **logo,
    )


def looks_changed(sender=None, **kwargs) -> None:
    """Make every cached look stale (a look, a site, a municipality's name or an image changed)."""
    LOOKS.replace_now_and_on_commit()


def connect_signals() -> None:
    """From the app's ready(). A rendition's deletion counts (its file goes), not its creation: pages
    make renditions of their images all the time, and a look's own is made while it is read."""
    from .models import SiteLook

    image = get_image_model()
    for model in (SiteLook, Site, Municipality, image):
        for name, signal in (("saved", post_save), ("deleted", post_delete)):
            uid = f"site-look-{model._meta.label_lower}-{name}"
            signal.connect(looks_changed, sender=model, dispatch_uid=uid)
    post_delete.connect(looks_changed, sender=image.get_rendition_model(), dispatch_uid="site-look-rendition")
