"""Issue 13 (ADR 0024): each municipality's site has its own look, its logo and colours, on every page its
host name serves; a colour below WCAG 2.1 AA contrast is refused with a message naming it, and nothing
changes; pages read the look from the cache, not the database."""

import re

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file

from lms_site.home.contrast import contrast_ratio, darker, relative_luminance
from lms_site.home.models import SiteLook
from lms_site.home.services import municipality_site_ensure
from lms_site.organisation.models import MunicipalityKind
from lms_site.organisation.roles import ROLES, Role
from tests.factories import MunicipalityFactory, StaffProfileFactory, UserFactory

HOSTS = {"city": "city.example.jp", "town": "town.example.jp"}
TOWN_GREEN = "#1b6e3a"
CITY_PURPLE = "#5b2a86"


# WCAG 2.1's relative luminance and contrast ratio, against the values its definition gives.


def test_contrast_ratio_follows_wcag_2_1():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#777777") == pytest.approx(1.0)
    assert relative_luminance("#ffffff") == pytest.approx(1.0)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the lightest AA grey
    assert contrast_ratio("#777777", "#ffffff") < 4.5
    assert contrast_ratio("#0B4F8A", "#ffffff") == pytest.approx(contrast_ratio("#ffffff", "#0b4f8a"))
    assert darker("#0b4f8a") == "#083a65"
    with pytest.raises(ValueError):
        contrast_ratio("red", "#ffffff")


# The look on the pages of each site.


@pytest.fixture
def world(db):
    city = MunicipalityFactory(code="999991", name="若葉市")
    town = MunicipalityFactory(code="999992", name="みどり町", kind=MunicipalityKind.TOWN)
    sites = {
        "city": municipality_site_ensure(municipality=city, hostname=HOSTS["city"]),
        "town": municipality_site_ensure(municipality=town, hostname=HOSTS["town"]),
    }
    logo = get_image_model().objects.create(
        title="みどり町のロゴ", file=get_test_image_file("midori.png", colour="green", size=(800, 400))
    )
    SiteLook.objects.create(site=sites["town"], accent_colour=TOWN_GREEN, logo=logo)
    SiteLook.objects.create(site=sites["city"], accent_colour=CITY_PURPLE, header_text_colour="#ffffff")
    hr = UserFactory(username="town-hr")
    StaffProfileFactory(user=hr, municipality=town)
    hr.groups.add(Group.objects.get(name=ROLES[Role.HR].group_name))
    return {"sites": sites, "hr": hr, "logo": logo}


def home(host: str) -> tuple[str, str]:
    response = Client(HTTP_HOST=host).get("/")
    assert response.status_code == 200
    return response.content.decode(), response["Content-Security-Policy"]


def style_of(html: str) -> str:
    found = re.search(r'<style nonce="[^"]+">(.*?)</style>', html)
    return found.group(1) if found else ""


def test_each_site_s_pages_show_its_own_colours_and_logo(world):
    town, policy = home(HOSTS["town"])
    assert (
        style_of(town) == f":root{{--color-primary:{TOWN_GREEN};--color-primary-dark:{darker(TOWN_GREEN)}}}"
    )
    nonce = re.search(r'<style nonce="([^"]+)">', town).group(1)
    assert (
        f"'nonce-{nonce}'" in policy
    )  # the request's own nonce, should the policy ever drop 'unsafe-inline'
    logo = re.search(
        r'<img class="site-logo" src="([^"]+)" width="(\d+)" height="(\d+)" alt="([^"]*)">', town
    )
    assert logo is not None
    src, width, height, alt = logo.groups()
    assert src.startswith("/media/images/") and "midori" in src  # a rendition served from our host
    assert (int(width), int(height)) == (192, 96)  # 800×400 bounded to 480×96
    assert alt == "みどり町"  # no alt text given: the municipality's name

    city, _ = home(HOSTS["city"])
    purple = f"--color-primary:{CITY_PURPLE};--color-primary-dark:{darker(CITY_PURPLE)}"
    assert style_of(city) == f":root{{{purple};--color-header-text:#ffffff}}"
    assert TOWN_GREEN not in city and 'class="site-logo"' not in city


def test_a_site_without_a_look_keeps_the_platform_s(world):
    html, _ = home("localhost")  # the platform's default site
    assert "<style" not in html and 'class="site-logo"' not in html
    SiteLook.objects.filter(site=world["sites"]["city"]).delete()
    html, _ = home(HOSTS["city"])
    assert "<style" not in html and TOWN_GREEN not in html


def test_the_look_costs_no_query_once_cached_and_a_save_shows_at_once(world):
    client = Client(HTTP_HOST=HOSTS["town"])
    client.get("/")  # warm
    with CaptureQueriesContext(connection) as captured:
        assert TOWN_GREEN in client.get("/").content.decode()
    touched = [
        q["sql"]
        for q in captured.captured_queries
        if "home_sitelook" in q["sql"] or "wagtailimages" in q["sql"]
    ]
    assert touched == []
    look = SiteLook.objects.get(site=world["sites"]["town"])
    look.accent_colour = "#00695c"
    look.save()
    html = client.get("/").content.decode()
    assert "#00695c" in html and TOWN_GREEN not in style_of(html)
    world["logo"].delete()  # the logo's image deleted: no broken image
    assert 'class="site-logo"' not in client.get("/").content.decode()


# Validation: bad input is refused with a message naming the field, and nothing changes.


def admin_post(world, **fields):
    client = Client()
    client.force_login(world["hr"])
    data = {"logo": "", "logo_alt": "", "accent_colour": "", "header_colour": "", "header_text_colour": ""}
    return client.post(f"/admin/settings/home/sitelook/{world['sites']['town'].pk}/", {**data, **fields})


@pytest.mark.parametrize(
    "fields, named",
    [
        ({"accent_colour": "#7fb3d5"}, "アクセント色 #7FB3D5 と白"),  # 2.25:1 with the white text on it
        (
            {"accent_colour": "#b35c00"},
            "アクセント色 #B35C00 と淡い灰色の背景",
        ),  # 4.72 on white, 4.32 on grey
        (
            {"header_text_colour": "#000000"},
            "ヘッダーの文字色 #000000 と背景色 #0B4F8A",
        ),  # on the default blue
        (
            {"accent_colour": TOWN_GREEN, "header_colour": "#ffe066"},
            "ヘッダーの文字色 #FFFFFF と背景色 #FFE066",
        ),
        ({"accent_colour": "green"}, "「アクセント色」は #RRGGBB の形式"),
        ({"header_colour": "#12345"}, "「ヘッダーの背景色」は #RRGGBB の形式"),
    ],
)
def test_a_colour_without_aa_contrast_or_not_hex_is_refused_naming_it(world, fields, named):
    before = list(
        SiteLook.objects.values_list("accent_colour", "header_colour", "header_text_colour", "logo_id")
    )
    response = admin_post(world, **fields)
    assert response.status_code == 200
    html = response.content.decode()
    assert named in html, html[html.find("error") - 200 : html.find("error") + 400]
    assert "4.5:1" in html or "#RRGGBB" in html
    after = list(
        SiteLook.objects.values_list("accent_colour", "header_colour", "header_text_colour", "logo_id")
    )
    assert after == before


def test_a_dark_header_text_on_a_light_header_is_accepted(world):
    response = admin_post(
        world, accent_colour=TOWN_GREEN, header_colour="#ffe066", header_text_colour="#1a1a1a"
    )
    assert response.status_code == 302
    html, _ = home(HOSTS["town"])
    assert "--color-header-bg:#ffe066;--color-header-text:#1a1a1a" in style_of(html)


def test_the_database_refuses_a_colour_that_is_not_hex(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        SiteLook.objects.filter(site=world["sites"]["city"]).update(accent_colour="#GGGGGG")
