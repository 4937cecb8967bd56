"""Issue 13 (ADR 0024): a site's look (logo, colours) is changed only by its own municipality's 人事課,
tried over HTTP against Wagtail's settings URLs as another municipality's HR and the other roles would.

The world: 若葉市 (city.example.jp) and みどり町 (town.example.jp), each with its own site and look, and
the platform's default site; 別村 has no site of its own. The roles are groups every municipality shares,
so the 人事課 group's permission alone would reach every site: the policy must hold.
"""

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from wagtail.models import GroupSitePermission, Site

from lms_site.home.models import SiteLook
from lms_site.home.services import municipality_site_ensure
from lms_site.organisation.models import MunicipalityKind
from lms_site.organisation.roles import ROLES, Role
from tests.factories import MunicipalityFactory, StaffProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

HOSTS = {"city": "city.example.jp", "town": "town.example.jp"}
CITY_GREEN = "#1b6e3a"


@pytest.fixture
def world():
    city = MunicipalityFactory(code="999991", name="若葉市")
    town = MunicipalityFactory(code="999992", name="みどり町", kind=MunicipalityKind.TOWN)
    village = MunicipalityFactory(code="999993", name="別村", kind=MunicipalityKind.VILLAGE)
    sites = {
        key: municipality_site_ensure(municipality=m, hostname=HOSTS[key])
        for key, m in (
            ("city", city),
            ("town", town),
        )
    }
    SiteLook.objects.create(site=sites["city"], accent_colour=CITY_GREEN)
    people = {}
    for key, municipality in (("city", city), ("town", town), ("village", village)):
        for role in (Role.LEARNER, Role.HR, Role.REVIEWER, Role.ADVISOR):
            user = UserFactory(username=f"{key}-{role}")
            StaffProfileFactory(user=user, municipality=municipality)
            user.groups.add(Group.objects.get(name=ROLES[role].group_name))
            people[(key, role)] = user
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    return {
        "sites": sites,
        "people": people,
        "admin": admin,
        "default": Site.objects.get(is_default_site=True),
    }


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def edit_url(site) -> str:
    return f"/admin/settings/home/sitelook/{site.pk}/"


def refused(response) -> bool:
    """Wagtail's admin answers a PermissionDenied with its refusal: back to the admin home, with its
    message (``wagtail.admin.auth.permission_denied``); 403 where a view answers it itself."""
    return response.status_code == 403 or (response.status_code == 302 and response["Location"] == "/admin/")


def look_post(**fields) -> dict:
    return {
        "logo": "",
        "logo_alt": "",
        "accent_colour": "",
        "header_colour": "",
        "header_text_colour": "",
        **fields,
    }


def looks() -> dict:
    return {
        row.site_id: (row.accent_colour, row.header_colour, row.header_text_colour)
        for row in SiteLook.objects.all()
    }


def test_hr_opens_and_changes_its_own_site_s_look_only(world):
    hr = client_for(world["people"][("town", Role.HR)])
    town, city = world["sites"]["town"], world["sites"]["city"]
    # the settings menu's address opens the town's own site, whatever host the admin is on
    response = hr.get("/admin/settings/home/sitelook/")
    assert response.status_code == 302 and response["Location"] == edit_url(town)
    page = hr.get(edit_url(town))
    assert page.status_code == 200
    html = page.content.decode()
    # no site switcher offering the city's (or the platform's) look
    assert edit_url(city) not in html and edit_url(world["default"]) not in html
    assert HOSTS["city"] not in html
    response = hr.post(edit_url(town), look_post(accent_colour="#1B6E3A"))
    assert response.status_code == 302
    assert SiteLook.objects.get(site=town).accent_colour == "#1b6e3a"  # stored as the stylesheet writes it


@pytest.mark.parametrize("attacker, victim", [("town", "city"), ("city", "town")])
def test_another_municipality_s_hr_may_not_open_or_change_the_look(world, attacker, victim):
    hr = client_for(world["people"][(attacker, Role.HR)])
    site = world["sites"][victim]
    before = looks()
    assert refused(hr.get(edit_url(site)))
    followed = hr.get(edit_url(site), follow=True).content.decode()  # the refusal's page shows nothing of it
    assert CITY_GREEN not in followed.lower() and 'name="accent_colour"' not in followed
    assert refused(hr.post(edit_url(site), look_post(accent_colour="#000000")))
    # the preview URL refuses too, and opening it makes no row for the victim's site
    assert refused(hr.get(f"{edit_url(site)}preview/"))
    assert refused(hr.post(f"{edit_url(site)}preview/", look_post(accent_colour="#000000")))
    assert looks() == before


def test_nobody_but_the_platform_changes_the_platform_s_default_look(world):
    default = world["default"]
    for key in ("city", "town"):
        hr = client_for(world["people"][(key, Role.HR)])
        assert refused(hr.get(edit_url(default)))
        assert refused(hr.post(edit_url(default), look_post(accent_colour="#000000")))
    assert not SiteLook.objects.filter(site=default).exists()
    admin = client_for(world["admin"])
    assert admin.get(edit_url(default)).status_code == 200
    html = admin.get(edit_url(world["sites"]["town"])).content.decode()
    assert edit_url(world["sites"]["city"]) in html  # the administrator's switcher offers every site


@pytest.mark.parametrize("role", [Role.LEARNER, Role.REVIEWER, Role.ADVISOR])
def test_the_town_s_other_roles_may_not_change_its_look(world, role):
    client = client_for(world["people"][("town", role)])
    town = world["sites"]["town"]
    response = client.post(edit_url(town), look_post(accent_colour="#000000"))
    assert response.status_code in (302, 403)
    assert (
        response.status_code == 403 or "/login/" in response["Location"] or response["Location"] == "/admin/"
    )
    assert not SiteLook.objects.filter(site=town).exists()


def test_a_site_grant_to_the_shared_hr_group_reaches_only_its_own_municipality(world):
    """A Wagtail site permission given to the 人事課 group for the city's site (the group every
    municipality's HR is in) still lets only the city's HR change it."""
    permission = Permission.objects.get(content_type__app_label="home", codename="change_sitelook")
    GroupSitePermission.objects.create(
        group=Group.objects.get(name=ROLES[Role.HR].group_name),
        site=world["sites"]["city"],
        permission=permission,
    )
    town_hr = client_for(world["people"][("town", Role.HR)])
    assert refused(town_hr.get(edit_url(world["sites"]["city"])))
    assert (
        client_for(world["people"][("city", Role.HR)]).get(edit_url(world["sites"]["city"])).status_code
        == 200
    )


def test_hr_of_a_municipality_without_a_site_is_offered_no_look(world):
    hr = client_for(world["people"][("village", Role.HR)])
    assert "/admin/settings/home/sitelook/" not in hr.get("/admin/").content.decode()
    assert refused(hr.get("/admin/settings/home/sitelook/"))
    for site in (*world["sites"].values(), world["default"]):
        assert refused(hr.get(edit_url(site)))
    town_hr = client_for(world["people"][("town", Role.HR)])
    assert "/admin/settings/home/sitelook/" in town_hr.get("/admin/").content.decode()
