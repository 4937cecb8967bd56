"""The prefecture's view (issue 13, item 4), tried as the prefecture and as everyone who should not see it.

A prefecture sees the closed-month aggregates of its own municipalities: no names, no employee numbers, no
month still open, no municipality of another prefecture, and no count of 1–4 people, whether read from one
cell, from the total minus the others, from two months or from two levels.
"""

import datetime

import pytest
from django.contrib.auth.models import Group

from analytics.models import CoverageSnapshot, DepartmentSnapshot, DevelopmentTarget
from analytics.prefecture import prefecture_report
from lms_site.organisation.models import MunicipalityKind
from lms_site.organisation.roles import ROLES, Role
from tests.factories import DepartmentFactory, MunicipalityFactory, StaffProfileFactory, UserFactory

from .conftest import competencies  # noqa: F401 - re-exported fixture

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 12, 3)
HIDDEN = {"<5", "×"}


@pytest.fixture
def region(competencies):  # noqa: F811
    """架空県 with 中央市 (120 staff), 北町 (40) and 南村 (3); 別県's 東市 (80) outside it."""
    prefecture = MunicipalityFactory(
        code="990001", name="架空県", prefecture="架空県", kind=MunicipalityKind.PREFECTURE
    )
    towns = {
        "中央市": (MunicipalityFactory(code="990101", name="中央市", kind=MunicipalityKind.CITY), 120),
        "北町": (MunicipalityFactory(code="990102", name="北町", kind=MunicipalityKind.TOWN), 40),
        "南村": (MunicipalityFactory(code="990103", name="南村", kind=MunicipalityKind.VILLAGE), 3),
        "東市": (MunicipalityFactory(code="990201", name="東市", prefecture="別県"), 80),
    }
    a1 = competencies["A1"]
    for name, (municipality, staff) in towns.items():
        department = DepartmentFactory(municipality=municipality, name=f"{name}総務課")
        for taken_on, grown, one in (
            (datetime.date(2026, 10, 31), 0, 0),
            (datetime.date(2026, 11, 30), 6, 1),
        ):
            DepartmentSnapshot.objects.create(
                municipality=municipality,
                department=department,
                taken_on=taken_on,
                headcount=staff,
                leaders=staff // 20 + one,
                basic=staff // 2 + grown,
                enrolled=staff - 1,
                active=staff // 3,
                completed=staff // 4,
                certified=staff // 2,
            )
            CoverageSnapshot.objects.create(
                municipality=municipality,
                department=department,
                competency=a1,
                taken_on=taken_on,
                level=2,
                people=staff // 2 + grown,
            )
        # This month is still open: its snapshot must not be shown.
        DepartmentSnapshot.objects.create(
            municipality=municipality, department=department, taken_on=TODAY, headcount=staff + 1000
        )
        DevelopmentTarget.objects.create(department=department, fiscal_year=2026, leaders=staff // 10)
    return prefecture, {name: m for name, (m, _staff) in towns.items()}


def official(prefecture, *roles: Role):
    user = UserFactory(username="pref-official")
    StaffProfileFactory(user=user, municipality=prefecture, family_name="県職員")
    user.groups.add(*Group.objects.filter(name__in=[ROLES[role].group_name for role in roles]))
    return user


def rows(table) -> dict[str, list]:
    return {row[0]: row[1:] for row in table.rows}


def test_the_prefecture_sees_its_municipalities_closed_months_only(region):
    prefecture, _towns = region
    report = prefecture_report(prefecture=prefecture, today=TODAY)
    assert report.month == datetime.date(2026, 11, 1)
    overview = rows(report.tables["municipalities"])
    assert set(overview) == {"県内の合計", "中央市", "北町", "南村"}  # not 別県's 東市
    assert overview["中央市"][:5] == [120, 66, 55.0, 7, 12]  # headcount, basic, %, leaders, target
    assert overview["北町"][3] == "<5"  # 3 leaders
    # 北町's 40 staff are hidden too: with only 南村's 3 hidden, the total minus 中央市 would give them.
    assert overview["北町"][0] == "×"
    # 南村 has 3 staff: hidden whole, and the total cannot give it back by subtraction.
    assert all(cell in HIDDEN for cell in overview["南村"][:4])
    # The total minus the visible members leaves at least two hidden members, and five people or more.
    for column in range(len(overview["県内の合計"])):
        total = overview["県内の合計"][column]
        members = [cells[column] for name, cells in overview.items() if name != "県内の合計"]
        hidden = [cell for cell in members if cell in HIDDEN]
        if isinstance(total, int) and hidden and column != 4:  # column 4: the targets HR set, not counts
            assert len(hidden) >= 2
            assert total - sum(cell for cell in members if isinstance(cell, int)) >= 5
    assert [row[0] for row in report.tables["trend"].rows] == ["2026-10", "2026-11"]


def test_no_two_months_or_levels_give_back_a_small_count(region):
    prefecture, _towns = region
    report = prefecture_report(prefecture=prefecture, today=TODAY)
    october = prefecture_report(prefecture=prefecture, today=TODAY, month=datetime.date(2026, 10, 1))
    pairs = zip(report.tables["municipalities"].rows, october.tables["municipalities"].rows, strict=True)
    for now, before in pairs:
        for a, b in zip(now[1:], before[1:], strict=True):
            if isinstance(a, int) and isinstance(b, int):
                assert not 1 <= abs(a - b) <= 4, (now[0], a, b)


def test_the_competency_table_shows_shares_only_where_the_counts_are_shown(region):
    prefecture, _towns = region
    report = prefecture_report(prefecture=prefecture, today=TODAY, level=2)
    coverage = rows(report.tables["competencies"])
    assert coverage["中央市"][0] == 55.0
    assert coverage["南村"][0] in HIDDEN


def test_a_prefecture_with_no_municipality_on_the_platform_says_so(client, db):
    lonely = MunicipalityFactory(
        code="990301", name="無縁県", prefecture="無縁県", kind=MunicipalityKind.PREFECTURE
    )
    client.force_login(official(lonely, Role.PREFECTURE))
    response = client.get("/pref/")
    assert response.status_code == 200
    assert "まだこの基盤に登録されていません" in response.content.decode()


def test_the_page_and_its_exports_carry_no_personal_data(client, region):
    prefecture, towns = region
    for municipality in towns.values():
        StaffProfileFactory(municipality=municipality, family_name="個人名", employee_number="777001")
    client.force_login(official(prefecture, Role.PREFECTURE))
    page = client.get("/pref/")
    assert page.status_code == 200
    for fmt in ("csv", "xlsx"):
        for name in ("municipalities", "competencies", "trend"):
            response = client.get(f"/pref/export/{name}.{fmt}")
            assert response.status_code == 200, (name, fmt)
            assert response["Content-Disposition"].startswith(f'attachment; filename="pref-{name}-2026-11')
    html = page.content.decode()
    assert "中央市" in html and "東市" not in html
    assert "個人名" not in html and "777001" not in html
    csv = client.get("/pref/export/municipalities.csv").content.decode("utf-8-sig")
    assert "東市" not in csv and "個人名" not in csv


def test_a_bad_month_is_named_and_the_latest_month_shown(client, region):
    prefecture, _towns = region
    client.force_login(official(prefecture, Role.PREFECTURE))
    response = client.get("/pref/", {"month": "2026-13"})
    assert response.status_code == 200
    assert "年と月で入力してください" in response.content.decode()
    assert response.context["report"].month == datetime.date(2026, 11, 1)


@pytest.mark.parametrize("role", [Role.HR, Role.REVIEWER, Role.LEARNER, Role.ADVISOR, Role.MANAGER])
def test_other_roles_may_not_open_the_prefecture_view(client, region, role):
    _prefecture, towns = region
    user = UserFactory(username="someone")
    StaffProfileFactory(user=user, municipality=towns["中央市"])
    user.groups.add(Group.objects.get(name=ROLES[role].group_name))
    client.force_login(user)
    assert client.get("/pref/").status_code == 403
    assert client.get("/pref/export/municipalities.csv").status_code == 403


def test_the_prefecture_role_held_in_a_municipality_opens_nothing(client, region):
    """A grant by mistake to a city's employee does not make the city a prefecture."""
    _prefecture, towns = region
    user = official(towns["中央市"], Role.PREFECTURE)
    client.force_login(user)
    assert client.get("/pref/").status_code == 403


def test_the_prefecture_official_sees_no_municipality_page(client, region):
    prefecture, _towns = region
    client.force_login(official(prefecture, Role.PREFECTURE))
    for path in ("/hr/", "/hr/talent/", "/hr/evidence/", "/admin/staffprofile/"):
        assert client.get(path).status_code in {302, 403}, path


def test_an_unknown_export_is_not_found(client, region):
    prefecture, _towns = region
    client.force_login(official(prefecture, Role.PREFECTURE))
    assert client.get("/pref/export/people.csv").status_code == 404
    assert client.get("/pref/export/municipalities.pdf").status_code == 404


def test_hr_sees_its_own_shares_beside_the_prefecture_s_average(client, region):
    _prefecture, towns = region
    hr = UserFactory(username="hr-chuo")
    StaffProfileFactory(user=hr, municipality=towns["中央市"])
    hr.groups.add(Group.objects.get(name=ROLES[Role.HR].group_name))
    client.force_login(hr)
    comparison = client.get("/hr/").context["comparison"]
    assert comparison.columns[1:] == ["中央市", "県内の平均"]
    shares = {row[0]: row[1:] for row in comparison.rows}
    # 中央市: 66 of 120 hold DXベーシック; the prefecture: 66 + 26 + 7 of 163 (東市 is in another prefecture).
    assert shares["DXベーシック以上の認定"] == [55.0, round(100 * (66 + 26 + 7) / 163, 1)]
    # The others hold 2 + 0 leaders: fewer than 5, so the average, which would give them back, is hidden.
    assert shares["DX推進リーダーの認定"] == [5.8, "<5"]


def test_the_suppressed_summary_sees_the_average_only(client, region):
    _prefecture, towns = region
    reviewer = UserFactory(username="dx-office")
    StaffProfileFactory(user=reviewer, municipality=towns["北町"])
    reviewer.groups.add(Group.objects.get(name=ROLES[Role.REVIEWER].group_name))
    client.force_login(reviewer)
    comparison = client.get("/hr/").context["comparison"]
    assert comparison.columns[1:] == ["県内の平均"]


def test_a_municipality_alone_in_its_prefecture_gets_no_comparison(client, region):
    _prefecture, towns = region
    hr = UserFactory(username="hr-higashi")
    StaffProfileFactory(user=hr, municipality=towns["東市"])
    hr.groups.add(Group.objects.get(name=ROLES[Role.HR].group_name))
    client.force_login(hr)
    assert client.get("/hr/").context["comparison"] is None


def test_one_municipality_beside_the_total_and_one_outside_the_prefecture_named(client, region):
    prefecture, _towns = region
    client.force_login(official(prefecture, Role.PREFECTURE))
    response = client.get("/pref/", {"municipality": "990101"})
    assert [row[0] for row in response.context["report"].tables["municipalities"].rows] == [
        "県内の合計",
        "中央市",
    ]
    outside = client.get("/pref/", {"municipality": "990201"})  # 東市, in 別県
    html = outside.content.decode()
    assert "団体コード「990201」は、この都道府県の市町村ではありません。" in html
    assert "東市" not in html
    rows = [row[0] for row in outside.context["report"].tables["municipalities"].rows]
    assert rows == ["県内の合計", "中央市", "北町", "南村"]
