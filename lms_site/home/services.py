"""The site's page tree root: Wagtail's root page, the home page and the default site; and each
municipality's own site (its home page on its own host name, issue 13)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import DomainNameValidator
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.models import Collection, Locale, Page, Site

from .models import HomePage


@transaction.atomic
def site_root_ensure() -> HomePage:
    """Create whatever is missing of locale, root collection, root page, home page, site (after a flush).

    A fresh database gets these from the migrations; this repairs a database emptied since.
    """
    locale, _ = Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    home = site.root_page.specific if site is not None else None
    if not isinstance(home, HomePage):  # the shared home: never a municipality's own
        home = HomePage.objects.filter(depth=2).exclude(sites_rooted_here__municipality__isnull=False).first()
    if home is None:
        home = root.add_child(instance=HomePage(title="ホーム", slug="home", locale=locale))
        home.save_revision().publish()
    if site is None:
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=home,
            is_default_site=True,
            site_name=settings.WAGTAIL_SITE_NAME,
        )
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.save(update_fields=["root_page"])
    return home


HOSTNAME = DomainNameValidator(
    accept_idna=False, message=gettext_lazy("ホスト名の形式が正しくありません(例: city.example.jp)。")
)


class SiteProblem(ValueError):
    """The host name cannot be the municipality's (its message says why, in the reader's language)."""


@transaction.atomic
def municipality_site_ensure(*, municipality, hostname: str, port: int | None = None) -> Site:
    """The municipality's own Wagtail Site on ``hostname``: its root is a home page titled with the
    municipality's name, and the site is recorded on the municipality (``Municipality.site``). Idempotent:
    what exists is kept (a changed host name moves the site to it), what is missing is created. Then every
    ``municipality_site_ensure`` hook (``fn(municipality=, home=)``) puts under the home page what its app
    needs (courses: the municipality's own curriculum index, its editors' permissions and workflow).

    The default site (the platform's shared home) is never a municipality's; a host name that another
    site already answers is refused (``SiteProblem``). With no ``port``, a site keeps the port it has (one
    set in the admin, 443, or by ``local_sites_port_set``); a new one answers on 80."""
    hostname = (hostname or "").strip().lower().rstrip(".")
    try:
        HOSTNAME(hostname)
    except ValidationError as error:
        raise SiteProblem(" ".join(error.messages)) from error
    root = site_root_ensure().get_parent()
    site = Site.objects.select_related("root_page").filter(pk=municipality.site_id).first()
    if port is None:
        port = site.port if site is not None else 80
    taken = Site.objects.filter(hostname=hostname, port=port).exclude(pk=getattr(site, "pk", None)).first()
    if taken is not None:
        raise SiteProblem(
            _("ホスト名 %(hostname)s はすでに別のサイト(%(site)s)で使われています。")
            % {"hostname": hostname, "site": taken.site_name or taken.hostname}
        )
    home = site.root_page.specific if site is not None else None
    if not isinstance(home, HomePage):
        home = HomePage(title=municipality.name, slug=f"municipality-{municipality.code}", locale=root.locale)
        root.add_child(instance=home)
        home.save_revision().publish()
    if site is None:
        site = Site.objects.create(
            hostname=hostname, port=port, root_page=home, site_name=municipality.name, is_default_site=False
        )
        municipality.site = site
        municipality.save(update_fields=["site"])
    elif (site.hostname, site.port, site.root_page_id) != (hostname, port, home.pk):
        site.hostname, site.port, site.root_page = hostname, port, home
        site.save()
    for fn in hooks.get_hooks("municipality_site_ensure"):
        fn(municipality=municipality, home=home)
    return site


@transaction.atomic
def local_sites_port_set(*, port: int) -> list[Site]:
    """Give the sites on this machine's host names (``localhost`` and ``*.localhost``, which browsers send
    here) the port the development server serves, so that a link from one site to another's page (its
    ``Page.url`` is a full URL with the other site's host name and port) reaches that server; the sites
    changed. Sites on any other host name (a deployment's, on 80 or 443) are never touched. Saved one by
    one, so that Wagtail's site paths and the site look's cache follow."""
    changed = []
    for site in Site.objects.filter(Q(hostname="localhost") | Q(hostname__endswith=".localhost")).exclude(
        port=port
    ):
        site.port = port
        site.save(update_fields=["port"])
        changed.append(site)
    return changed
