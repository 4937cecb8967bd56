"""The admin screen of Learning Record Stores (issue 16): HR registers and keeps its own municipality's
LRS; the secret is written once and never shown; bad input names the problem and saves nothing; another
municipality's HR neither sees nor changes it; a learner is refused."""

import pytest

from api.models import LrsEndpoint
from lms_site.organisation.roles import Role, role_group
from lms_site.organisation.tenancy import platform_wide
from tests.factories import MunicipalityFactory, StaffProfileFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "/admin/lrs_endpoints/"
SECRET = "s3cret-value-never-shown"


@pytest.fixture
def cities():
    return MunicipalityFactory(code="999991", name="若葉市"), MunicipalityFactory(
        code="999992", name="みどり町"
    )


def person(municipality, username, role=Role.HR):
    user = UserFactory(username=username)
    StaffProfileFactory(user=user, municipality=municipality)
    user.groups.add(role_group(role))
    return user


def form(municipality, **changes):
    data = {
        "municipality": municipality.pk,
        "name": "県の学習記録ストア",
        "statements_url": "https://lrs.pref.example.lg.jp/xAPI/statements",
        "key": "wakaba",
        "secret": SECRET,
        "enabled": "on",
    }
    return {**data, **changes}


def endpoints():
    with platform_wide():
        return list(LrsEndpoint.objects.order_by("pk"))


def test_hr_registers_its_lrs_and_the_secret_is_sealed_and_never_shown(client, cities):
    city, _town = cities
    client.force_login(person(city, "hr-city"))
    assert client.get(URL + "new/").status_code == 200
    response = client.post(URL + "new/", form(city))
    assert response.status_code == 302
    (endpoint,) = endpoints()
    assert endpoint.municipality_id == city.pk and endpoint.key == "wakaba"
    assert SECRET not in endpoint.sealed_secret and endpoint.secret == SECRET
    for page in (f"{URL}edit/{endpoint.pk}/", f"{URL}inspect/{endpoint.pk}/", URL):
        body = client.get(page).content.decode()
        assert "県の学習記録ストア" in body and SECRET not in body and endpoint.sealed_secret not in body

    # a change without a secret keeps it; "resend all" moves the mark back to the start
    with platform_wide():
        LrsEndpoint.objects.filter(pk=endpoint.pk).update(
            sent_until="2026-11-30T00:00:00Z",
            sent_until_key="enrollment:000000000009",
            last_error="LRS が 503 を返しました",
        )
    assert "LRS が 503 を返しました" in client.get(f"{URL}inspect/{endpoint.pk}/").content.decode()
    changed = form(city, secret="", name="県LRS", resend_all="on")
    assert client.post(f"{URL}edit/{endpoint.pk}/", changed).status_code == 302
    (endpoint,) = endpoints()
    assert endpoint.name == "県LRS" and endpoint.secret == SECRET
    assert (endpoint.sent_until, endpoint.sent_until_key) == (None, "")


def test_bad_input_names_each_problem_and_saves_nothing(client, cities):
    city, _town = cities
    client.force_login(person(city, "hr-city"))
    bad = form(city, statements_url="http://lrs.example.jp/xAPI/statements", key="a:b", secret="")
    response = client.post(URL + "new/", bad)
    body = response.content.decode()
    assert response.status_code == 200
    assert "http はループバックアドレスにのみ使えます" in body
    assert "キーにはコロン(:)と空白は使えません" in body
    assert body.count("この項目は必須です") == 1  # the secret, on registration
    assert endpoints() == []


def test_another_municipality_neither_sees_nor_changes_it(client, cities):
    city, town = cities
    client.force_login(person(city, "hr-city"))
    client.post(URL + "new/", form(city))
    (endpoint,) = endpoints()

    client.force_login(person(town, "hr-town"))
    listed = client.get(URL)
    assert listed.status_code == 200 and list(listed.context["object_list"]) == []
    for page in (f"{URL}edit/{endpoint.pk}/", f"{URL}inspect/{endpoint.pk}/", f"{URL}delete/{endpoint.pk}/"):
        assert client.get(page).status_code == 404, page
    assert client.post(f"{URL}edit/{endpoint.pk}/", form(town, name="乗っ取り")).status_code == 404
    assert client.post(f"{URL}delete/{endpoint.pk}/").status_code == 404
    # nor registers one for the city
    refused = client.post(URL + "new/", form(city, name="なりすまし"))
    assert refused.status_code == 200 and "正しく選択してください" in refused.content.decode()
    assert [(e.name, e.municipality_id) for e in endpoints()] == [("県の学習記録ストア", city.pk)]


def test_a_learner_and_the_dx_office_are_refused(client, cities):
    city, _town = cities
    for role in (Role.LEARNER, Role.REVIEWER):
        client.force_login(person(city, f"p-{role}", role=role))
        response = client.get(URL)
        assert response.status_code in (302, 403), role
        assert client.post(URL + "new/", form(city)).status_code in (302, 403)
    assert endpoints() == []
