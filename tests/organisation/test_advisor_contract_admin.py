"""The admin screen of advisor contracts (issue 13): HR records its own municipality's contracts with
people holding the 外部人材 role, and sees, edits and deletes no other municipality's."""

import datetime

import pytest

from lms_site.organisation.models import AdvisorContract
from lms_site.organisation.roles import Role, role_group
from lms_site.organisation.tenancy import platform_wide
from tests.factories import MunicipalityFactory, StaffProfileFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "/admin/advisorcontract/"


@pytest.fixture
def cities():
    return MunicipalityFactory(code="999991", name="若葉市"), MunicipalityFactory(
        code="999992", name="みどり町"
    )


def hr_of(municipality, username):
    user = UserFactory(username=username)
    StaffProfileFactory(user=user, municipality=municipality)
    user.groups.add(role_group(Role.HR))
    return user


def advisor(username):
    user = UserFactory(username=username)
    user.groups.add(role_group(Role.ADVISOR))
    return user


def contract(who, municipality, starts=datetime.date(2026, 4, 1), ends=None):
    return AdvisorContract.objects.create(
        advisor=who, municipality=municipality, starts_on=starts, ends_on=ends
    )


def form(who, municipality, starts="2026-04-01", ends=""):
    return {
        "advisor": who.pk,
        "municipality": municipality.pk,
        "starts_on": starts,
        "ends_on": ends,
        "note": "",
    }


def test_hr_lists_and_adds_its_own_municipality_s_contracts_only(client, cities):
    city, town = cities
    mine = contract(advisor("cio-city"), city)
    theirs = contract(advisor("cio-town"), town)
    client.force_login(hr_of(city, "hr-city"))
    listed = client.get(URL)
    assert listed.status_code == 200
    assert {c.pk for c in listed.context["object_list"]} == {mine.pk}
    new = client.get(f"{URL}new/")
    assert list(new.context["form"].fields["municipality"].queryset) == [city]
    assert set(new.context["form"].fields["advisor"].queryset.values_list("username", flat=True)) == {
        "cio-city",
        "cio-town",
    }
    response = client.post(f"{URL}new/", form(theirs.advisor, city))
    assert response.status_code == 302
    with platform_wide():
        assert AdvisorContract.objects.filter(advisor=theirs.advisor, municipality=city).count() == 1


def test_hr_cannot_record_a_contract_for_another_municipality_or_with_a_non_advisor(client, cities):
    city, town = cities
    client.force_login(hr_of(city, "hr-city"))
    response = client.post(f"{URL}new/", form(advisor("cio"), town))
    assert response.status_code == 200
    assert "municipality" in response.context["form"].errors
    learner = UserFactory(username="just-a-learner")
    response = client.post(f"{URL}new/", form(learner, city))
    assert "advisor" in response.context["form"].errors
    with platform_wide():
        assert not AdvisorContract.objects.exists()


def test_an_end_before_the_start_and_an_overlap_are_named(client, cities):
    city, _town = cities
    cio = advisor("cio")
    client.force_login(hr_of(city, "hr-city"))
    response = client.post(f"{URL}new/", form(cio, city, starts="2026-04-01", ends="2026-03-31"))
    assert "契約終了日は契約開始日以降の日付にしてください。" in response.content.decode()
    contract(cio, city, starts=datetime.date(2026, 4, 1), ends=datetime.date(2027, 3, 31))
    response = client.post(f"{URL}new/", form(cio, city, starts="2026-10-01"))
    assert response.status_code == 200
    assert "同じ期間にすでにあります" in response.content.decode()
    with platform_wide():
        assert AdvisorContract.objects.count() == 1


def test_another_municipality_s_contract_cannot_be_opened_edited_or_deleted(client, cities):
    city, town = cities
    theirs = contract(advisor("cio-town"), town)
    client.force_login(hr_of(city, "hr-city"))
    assert client.get(f"{URL}edit/{theirs.pk}/").status_code == 404
    assert client.post(f"{URL}edit/{theirs.pk}/", form(theirs.advisor, city)).status_code == 404
    assert client.post(f"{URL}delete/{theirs.pk}/").status_code == 404
    with platform_wide():
        assert AdvisorContract.objects.get(pk=theirs.pk).municipality == town


def test_a_learner_or_an_advisor_may_not_manage_contracts(client, cities):
    _city, _town = cities
    for user in (advisor("cio"), UserFactory(username="learner")):
        client.force_login(user)
        assert client.get(URL).status_code in {302, 403}
