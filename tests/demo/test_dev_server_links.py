"""`make run` serves the demo on one port (PORT, 8000 by default) for both of its Wagtail sites, the
platform's (localhost) and みどり町's (midori.localhost). With two sites a page's ``url`` is a full URL
with its site's host name and port, so the town's links to the shared courses pointed at
http://localhost/ (port 80), which the development server does not answer. ``load_demo --port PORT``
(``make run`` passes it) gives the demo's *.localhost sites that port; a deployment's host names are left
as they are.
"""

import io
import re
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from wagtail.models import Site

from lms_site.home.demo import TOWN_HOSTNAME
from lms_site.home.services import municipality_site_ensure
from lms_site.organisation.models import Municipality
from tests.factories import MunicipalityFactory

pytestmark = pytest.mark.django_db

PORT = 8123
HREF = re.compile(r'href="(https?://[^"]+)"')


def absolute_links(host: str, path: str = "/courses/") -> list[str]:
    response = Client(HTTP_HOST=host).get(path)
    assert response.status_code == 200, (host, path)
    return HREF.findall(response.content.decode())


def test_without_the_port_the_town_s_links_to_shared_courses_miss_the_dev_server():
    """The failure this fixes: links on midori.localhost:PORT to the platform's site, on port 80."""
    links = [urlsplit(link) for link in absolute_links(f"{TOWN_HOSTNAME}:{PORT}")]
    assert any(link.hostname == "localhost" and link.port is None for link in links)


def test_with_the_port_every_link_between_the_demo_sites_reaches_the_served_port():
    outside = MunicipalityFactory(code="999881", name="遠方市", prefecture="遠方県")
    real = municipality_site_ensure(municipality=outside, hostname="city.example.lg.jp", port=443)
    out = io.StringIO()
    call_command("load_demo", "--allow-demo-passwords", "--port", str(PORT), stdout=out)

    local = Site.objects.filter(hostname__in=["localhost", TOWN_HOSTNAME])
    assert sorted(local.values_list("port", flat=True)) == [PORT, PORT]
    real.refresh_from_db()
    assert real.port == 443  # a deployment's site is never touched
    links = [urlsplit(link) for link in absolute_links(f"{TOWN_HOSTNAME}:{PORT}")]
    to_platform = [link for link in links if link.hostname == "localhost"]
    assert to_platform, "the town's catalogue links to the shared courses"
    for link in links:
        if link.hostname in ("localhost", TOWN_HOSTNAME):
            assert link.port == PORT, link.geturl()
    for link in to_platform:  # each resolves to a page the server serves on that host and port
        assert Client(HTTP_HOST=link.netloc).get(link.path).status_code == 200, link.geturl()
    # the platform's own pages stay relative on its own site
    assert not [
        link for link in absolute_links(f"localhost:{PORT}") if urlsplit(link).hostname == "localhost"
    ]


def test_a_second_load_with_the_same_port_changes_no_site():
    call_command("load_demo", "--allow-demo-passwords", "--port", str(PORT), stdout=io.StringIO())
    out = io.StringIO()
    call_command("load_demo", "--allow-demo-passwords", "--port", str(PORT), stdout=out)
    assert "now on port" not in out.getvalue()
    assert Municipality.objects.get(site__hostname=TOWN_HOSTNAME).site.port == PORT


def test_ensuring_a_municipality_s_site_again_keeps_its_port():
    """add_municipality run again (or the demo's town) keeps the port the site answers on (443 set by an
    operator, or the development server's), unless one is given."""
    outside = MunicipalityFactory(code="999881", name="遠方市", prefecture="遠方県")
    site = municipality_site_ensure(municipality=outside, hostname="city.example.lg.jp")
    assert site.port == 80
    site.port = 443
    site.save()
    again = municipality_site_ensure(municipality=outside, hostname="www.city.example.lg.jp")
    assert (again.pk, again.hostname, again.port) == (site.pk, "www.city.example.lg.jp", 443)
    moved = municipality_site_ensure(municipality=outside, hostname="www.city.example.lg.jp", port=80)
    assert moved.port == 80


def test_make_run_passes_its_port_to_load_demo():
    root = Path(__file__).resolve().parents[2]
    dry = subprocess.run(
        ["make", "-n", "run", f"PORT={PORT}"], cwd=root, capture_output=True, text=True, check=True
    ).stdout
    assert f"load_demo --port {PORT}" in dry
    assert f"runserver --demo-logins 127.0.0.1:{PORT}" in dry
