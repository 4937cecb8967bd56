"""Issue 13, item 3: each municipality has its own Wagtail Site (its home page, its name) on its own host
name, made by ``add_municipality --domain``; the default site stays the platform's shared one."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from wagtail.models import Page, Site

from courses.models import CurriculumIndexPage
from lms_site.home.models import HomePage
from lms_site.home.services import site_root_ensure
from lms_site.organisation.models import Municipality

pytestmark = pytest.mark.django_db

TOWN = ("--code", "999992", "--name", "みどり町", "--prefecture", "架空県", "--kind", "town")
CITY = ("--code", "999991", "--name", "若葉市", "--prefecture", "架空県")


def add(*args) -> str:
    out = io.StringIO()
    call_command("add_municipality", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def shared_home():
    return site_root_ensure()


def test_domain_makes_the_municipality_s_own_site_with_its_home_page(shared_home):
    out = add(*TOWN, "--domain", "Town.Example.JP")
    town = Municipality.objects.select_related("site__root_page").get(code="999992")
    site = town.site
    assert (site.hostname, site.port, site.site_name, site.is_default_site) == (
        "town.example.jp",
        80,
        "みどり町",
        False,
    )
    home = site.root_page.specific
    assert isinstance(home, HomePage) and home.live
    assert (home.title, home.depth) == ("みどり町", 2)  # beside the shared home, not under it
    assert home.pk != shared_home.pk
    assert town.domain == "town.example.jp"
    # its own curriculum index, where its own courses are written
    index = CurriculumIndexPage.objects.child_of(home).get()
    assert index.live
    assert "http://town.example.jp/" in out
    # the default site is still the platform's shared home
    default = Site.objects.get(is_default_site=True)
    assert default.root_page_id == shared_home.pk
    assert not hasattr(default, "municipality") or default.municipality is None


def test_the_host_name_serves_the_municipality_s_home_and_other_hosts_the_shared_one(shared_home):
    add(*TOWN, "--domain", "town.example.jp")
    add(*CITY, "--domain", "city.example.jp")
    town_page = Client(HTTP_HOST="town.example.jp").get("/")
    city_page = Client(HTTP_HOST="city.example.jp").get("/")
    default_page = Client(HTTP_HOST="localhost").get("/")
    unknown_page = Client(HTTP_HOST="elsewhere.example.jp").get("/")
    assert town_page.status_code == city_page.status_code == default_page.status_code == 200
    assert town_page.context["page"].title == "みどり町"
    assert city_page.context["page"].title == "若葉市"
    assert default_page.context["page"].pk == shared_home.pk
    assert unknown_page.context["page"].pk == shared_home.pk  # the default site answers unknown hosts
    # the municipality's curriculum index, on its host
    courses = Client(HTTP_HOST="town.example.jp").get("/courses/")
    assert courses.status_code == 200
    assert courses.context["page"].get_parent().title == "みどり町"


def test_running_it_again_with_the_domain_changes_nothing(shared_home):
    add(*TOWN, "--domain", "town.example.jp")
    pages, sites = Page.objects.count(), Site.objects.count()
    out = add(*TOWN, "--domain", "town.example.jp")
    assert "すでに登録されています" in out
    assert (Page.objects.count(), Site.objects.count()) == (pages, sites)
    assert Municipality.objects.filter(code="999992").count() == 1


def test_a_registered_municipality_gets_its_site_later_and_can_move_host(shared_home):
    add(*TOWN)
    assert Municipality.objects.get(code="999992").site is None
    add(*TOWN, "--domain", "town.example.jp")
    site = Municipality.objects.get(code="999992").site
    add(*TOWN, "--domain", "midori.example.jp")
    town = Municipality.objects.select_related("site").get(code="999992")
    assert town.site.pk == site.pk and town.site.hostname == "midori.example.jp"
    assert town.domain == "midori.example.jp"
    assert HomePage.objects.filter(title="みどり町").count() == 1


def test_a_host_name_already_served_is_refused_and_nothing_is_written(shared_home):
    add(*CITY, "--domain", "city.example.jp")
    pages = Page.objects.count()
    with pytest.raises(CommandError, match=r"city\.example\.jp はすでに別のサイト"):
        add(*TOWN, "--domain", "city.example.jp")
    assert not Municipality.objects.filter(code="999992").exists()
    assert Page.objects.count() == pages
    Site.objects.filter(is_default_site=True).update(hostname="dx.example.jp")
    with pytest.raises(CommandError, match="すでに別のサイト"):
        add(*TOWN, "--domain", "dx.example.jp")  # the shared site's host
    assert not Municipality.objects.filter(code="999992").exists()


@pytest.mark.parametrize("domain", ["http://town.example.jp", "town.example.jp:8000", "町.jp", "localhost"])
def test_a_malformed_host_name_is_refused_before_anything_is_written(shared_home, domain):
    with pytest.raises(CommandError):
        add(*TOWN, "--domain", domain)
    assert not Municipality.objects.filter(code="999992").exists()


def test_the_same_code_with_another_name_is_still_refused_with_a_domain(shared_home):
    add(*TOWN, "--domain", "town.example.jp")
    with pytest.raises(CommandError, match="団体コード 999992 はすでに登録されています"):
        add("--code", "999992", "--name", "みどり村", "--prefecture", "架空県", "--domain", "x.example.jp")


def test_the_shared_home_is_found_again_beside_municipalities_homes(shared_home):
    add(*TOWN, "--domain", "town.example.jp")
    assert site_root_ensure().pk == shared_home.pk
