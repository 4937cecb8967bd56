"""Issue 13: a capstone goes only to an advisor contracted by the candidate's municipality (or its
prefecture), never to another municipality's; an advisor acts only where a contract is in force."""

import datetime

import pytest
from django.utils import timezone

from assessments.certification import services
from assessments.certification.models import Capstone, CapstoneStatus
from lms_site.organisation.models import AdvisorContract, MunicipalityKind
from lms_site.organisation.roles import Role, role_group
from lms_site.organisation.tenancy import municipalities_of
from tests.factories import MunicipalityFactory, UserFactory

from .test_capstone import REPORT, plan_of, team  # noqa: F401 - the capstone team fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_city_advisor(team):  # noqa: F811
    """The team's own advisor (on the city's staff) gives up the role: only external advisors remain."""
    team["advisor"].groups.remove(role_group(Role.ADVISOR))
    return team


def external_advisor(username: str):
    user = UserFactory(username=username)
    user.groups.add(role_group(Role.ADVISOR))
    return user


def contract(advisor, municipality, *, starts=None, ends=None):
    return AdvisorContract.objects.create(
        advisor=advisor,
        municipality=municipality,
        starts_on=starts or timezone.localdate() - datetime.timedelta(days=30),
        ends_on=ends,
    )


def endorse(team, framework) -> Capstone:  # noqa: F811
    capstone = plan_of(team, framework)
    services.capstone_submit_plan(capstone=capstone, actor=team["candidate"])
    services.capstone_review_plan(capstone=capstone, actor=team["kacho"], accept=True)
    services.capstone_submit_report(capstone=capstone, actor=team["candidate"], **REPORT)
    services.capstone_endorse(capstone=capstone, actor=team["kacho"], endorse=True, comment="推薦します。")
    return Capstone.objects.get(pk=capstone.pk)


def test_an_advisor_of_another_municipality_never_gets_the_capstone(no_city_advisor, framework, other_city):
    contract(external_advisor("aoba-advisor"), other_city)

    with pytest.raises(services.CapstoneError, match="外部人材が登録されていません"):
        endorse(no_city_advisor, framework)

    assert Capstone.objects.get().status == CapstoneStatus.ENDORSEMENT


def test_a_contract_of_the_municipality_or_its_prefecture_routes_the_capstone(
    no_city_advisor, framework, municipality
):
    prefecture = MunicipalityFactory(
        code="990001",
        name=municipality.prefecture,
        prefecture=municipality.prefecture,
        kind=MunicipalityKind.PREFECTURE,
    )
    advisor = external_advisor("pref-advisor")
    contract(advisor, prefecture)

    capstone = endorse(no_city_advisor, framework)

    assert capstone.status == CapstoneStatus.ASSESSMENT and capstone.advisor == advisor
    assert set(municipalities_of(advisor)) == {prefecture.pk, municipality.pk}


def test_an_ended_or_future_contract_counts_for_nothing(no_city_advisor, framework, municipality):
    today = timezone.localdate()
    advisor = external_advisor("former-advisor")
    contract(
        advisor,
        municipality,
        starts=today - datetime.timedelta(days=400),
        ends=today - datetime.timedelta(days=1),
    )
    contract(advisor, municipality, starts=today + datetime.timedelta(days=10))

    assert municipalities_of(advisor) == []
    with pytest.raises(services.CapstoneError):
        endorse(no_city_advisor, framework)


def test_a_capstone_preassigned_to_another_municipalitys_advisor_is_refused(
    no_city_advisor, framework, municipality, other_city
):
    outsider = external_advisor("aoba-advisor")
    contract(outsider, other_city)
    contract(external_advisor("city-advisor"), municipality)
    capstone = plan_of(no_city_advisor, framework)
    services.capstone_submit_plan(capstone=capstone, actor=no_city_advisor["candidate"])
    services.capstone_review_plan(capstone=capstone, actor=no_city_advisor["kacho"], accept=True)
    services.capstone_submit_report(capstone=capstone, actor=no_city_advisor["candidate"], **REPORT)
    Capstone.objects.filter(pk=capstone.pk).update(advisor=outsider)
    capstone.refresh_from_db()

    with pytest.raises(services.CapstoneError, match="契約していない"):
        services.capstone_endorse(
            capstone=capstone, actor=no_city_advisor["kacho"], endorse=True, comment="推薦"
        )

    assert Capstone.objects.get(pk=capstone.pk).status == CapstoneStatus.ENDORSEMENT


def test_an_advisor_contracted_by_the_other_municipality_cannot_open_the_city_capstone(
    client,
    team,  # noqa: F811
    framework,
    other_city,
):
    capstone = endorse(team, framework)
    outsider = external_advisor("aoba-advisor")
    contract(outsider, other_city)
    client.force_login(outsider)

    response = client.get(f"/capstones/{capstone.uuid}/")

    assert response.status_code in (403, 404)
    assert capstone.title not in response.content.decode()


# --- manage.py advisor_contract ---------------------------------------------------------------------


@pytest.mark.scoped  # as on the command line: the command sets its own scope
def test_the_command_adds_lists_and_ends_a_contract(municipality):
    from io import StringIO

    from django.core.management import call_command

    from lms_site.organisation.tenancy import platform_wide

    with platform_wide():
        advisor = external_advisor("cio-hosa")
    out = StringIO()
    started = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
    call_command(
        "advisor_contract",
        "add",
        "--advisor",
        "cio-hosa",
        "--municipality",
        municipality.code,
        "--from",
        started,
        stdout=out,
    )
    assert municipalities_of(advisor) == [municipality.pk]

    call_command("advisor_contract", "list", stdout=out)
    assert f"{municipality.code} {municipality.name} | cio-hosa" in out.getvalue()

    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    call_command(
        "advisor_contract",
        "end",
        "--advisor",
        "cio-hosa",
        "--municipality",
        municipality.code,
        "--on",
        yesterday,
    )
    assert municipalities_of(advisor) == []


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--advisor", "nobody", "--municipality", "999991"], "no user is called 'nobody'"),
        (["--advisor", "not-advisor", "--municipality", "999991"], "does not hold the advisor role"),
        (["--advisor", "cio-hosa", "--municipality", "000000"], "no municipality has the code '000000'"),
        (
            ["--advisor", "cio-hosa", "--municipality", "999991", "--from", "2026-13-01"],
            "'2026-13-01' is not a date",
        ),
        (
            [
                "--advisor",
                "cio-hosa",
                "--municipality",
                "999991",
                "--from",
                "2026-04-01",
                "--until",
                "2026-03-31",
            ],
            "is before --from",
        ),
    ],
)
def test_bad_input_names_what_is_wrong_and_adds_nothing(municipality, arguments, message):
    from django.core.management import CommandError, call_command

    external_advisor("cio-hosa")
    UserFactory(username="not-advisor")

    with pytest.raises(CommandError, match=message):
        call_command("advisor_contract", "add", *arguments)

    assert not AdvisorContract.objects.exists()
