"""load_demo gives みどり町 its own site (midori.localhost) with a look of its own: a green accent and a
logo drawn by the loader; the platform's site keeps the default look, and a second run adds nothing."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from wagtail.images import get_image_model

from lms_site.home.demo import TOWN_ACCENT, TOWN_HOSTNAME
from lms_site.home.models import SiteLook
from lms_site.organisation.demo import TOWN_CODE
from lms_site.organisation.models import Municipality

pytestmark = pytest.mark.django_db


def test_the_town_s_site_has_its_own_colour_and_logo():
    town = Municipality.objects.get(code=TOWN_CODE)
    assert town.site is not None and town.site.hostname == TOWN_HOSTNAME
    look = SiteLook.objects.get(site=town.site)
    assert look.accent_colour == TOWN_ACCENT and look.logo is not None
    assert look.logo.collection_id == town.collection_id  # the town's own image (ADR 0024)
    look.full_clean()  # the demo's colour passes the contrast rule
    html = Client(HTTP_HOST=f"{TOWN_HOSTNAME}:8000").get("/").content.decode()
    assert f"--color-primary:{TOWN_ACCENT}" in html
    assert 'class="site-logo"' in html and 'alt="みどり町"' in html
    platform = Client().get("/").content.decode()
    assert "--color-primary" not in platform and 'class="site-logo"' not in platform


def test_the_demo_logins_name_the_town_s_site():
    out = io.StringIO()
    call_command("demo_logins", "--port", "8000", stdout=out)
    assert f"http://{TOWN_HOSTNAME}:8000/" in out.getvalue()


def test_a_second_load_adds_no_look_or_logo():
    before = (SiteLook.objects.count(), get_image_model().objects.count())
    call_command("load_demo", "--allow-demo-passwords", stdout=io.StringIO())
    assert (SiteLook.objects.count(), get_image_model().objects.count()) == before
