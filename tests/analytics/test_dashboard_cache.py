"""/hr/ as shown, in the shared cache (issue 18, ADR 0025 "What /hr/ shows"): kept per municipality, per
top of the viewer's subtree and per side of suppression, so that no viewer is ever served what another
scope sees; equal to a fresh build; replaced by a new snapshot, target or department name; never kept
when computed live."""

import datetime

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from analytics import access, frames, reports, services
from lms_site.organisation.roles import Role
from tests.factories import DepartmentFactory, MunicipalityFactory

from .conftest import person
from .factories import TargetFactory, levels, people

ON = datetime.date(2026, 6, 1)
MAY_END = datetime.date(2026, 5, 31)
HIDDEN = ("<5", "×")

pytestmark = pytest.mark.usefixtures("programs")


@pytest.fixture(autouse=True)
def _shared_cache(settings):
    settings.ANALYTICS_CACHE_SECONDS = 3600  # as with Redis (the SQLite leg's cache is in-process)


@pytest.fixture
def city(departments, competencies):
    """市民課: 4 people at A1 Lv3; 保険年金課: 6; 人事課: 5 (2 at Lv2); a closed month's snapshot."""
    levels(people(departments["020100"], 4), competencies["A1"], 3)
    levels(people(departments["020200"], 6), competencies["A1"], 3)
    jinji = people(departments["010100"], 5)
    levels(jinji[:2], competencies["A1"], 2)
    TargetFactory(department=departments["020100"], fiscal_year=2026, leaders=3)
    services.snapshot_take(municipality_id=departments["020100"].municipality_id, on=MAY_END)
    return departments


def page(client, user, **params):
    client.force_login(user)
    response = client.get("/hr/", {"on": ON.isoformat(), "level": 3, **params})
    assert response.status_code == 200
    return response


def rows(response, table: str = "coverage") -> dict[str, list]:
    return {row[0]: row for row in response.context["dashboard"].tables[table].rows}


def shown(board: reports.Dashboard) -> tuple:
    return (
        {name: (t.title, t.columns, t.rows, t.links, t.note) for name, t in board.tables.items()},
        board.figures,
        board.figure_scripts,
        board.breadcrumb,
        (board.node, board.top, board.suppressed, board.published, board.people_on, board.fiscal_year),
        (board.coverage.taken_on, board.coverage.codes),
    )


@pytest.mark.parametrize("role", ["hr", "manager", "reviewer"])
def test_the_cached_page_is_the_fresh_build(client, city, role, request):
    user = request.getfixturevalue(role)
    params = {"dept": city["020000"].pk} if role != "manager" else {}
    with override_settings(ANALYTICS_CACHE_SECONDS=0):
        fresh = page(client, user, **params).context["dashboard"]
    first = page(client, user, **params).context["dashboard"]
    again = page(client, user, **params).context["dashboard"]
    assert shown(first) == shown(fresh) == shown(again)
    assert again is first  # the second view read the kept one


def test_a_warmed_page_reads_no_snapshot_and_no_person(client, city, hr):
    """Served from the cache: the department, competency and target rows (the key) and the page's own
    reads, none of the snapshot tables, the staff or their levels."""
    page(client, hr)
    with CaptureQueriesContext(connection) as queries:
        page(client, hr)
    tables = " ".join(q["sql"] for q in queries.captured_queries)
    for table in ("analytics_coveragesnapshot", "analytics_departmentsnapshot", "competencylevel"):
        assert table not in tables


def test_the_towns_hr_never_gets_the_citys_tables(client, city, hr, competencies):
    """The town's HR asks for the same day, level and department id as the city's HR just did: the
    town's own tables, never the city's (the municipality is in the key)."""
    town = MunicipalityFactory(code="999993")
    office = DepartmentFactory(municipality=town, code="010000", name="総務課")
    levels(people(office, 5), competencies["A1"], 3)
    town_hr = person("town-hr", office, Role.LEARNER, Role.HR)
    services.snapshot_take(municipality_id=town.pk, on=MAY_END)
    city_rows = rows(page(client, hr, dept=city["020000"].pk))
    assert city_rows["市民課"][1] == 4
    town_page = page(client, town_hr, dept=city["020000"].pk)  # the city's id: not in the town's tree
    town_rows = rows(town_page)
    content = town_page.content.decode()
    assert "市民課" not in town_rows and "市民課" not in content and "保険年金課" not in content
    assert town_rows["組織全体"][1] == 6  # the town's five and its HR
    assert rows(page(client, hr, dept=city["020000"].pk)) == city_rows  # and the city's still its own


def test_a_manager_never_gets_another_managers_subtree(client, city, manager):
    """Two 課長 ask for the same page with the same department in the query: each sees their own 課."""
    other = person("manager-hoken", city["020200"], Role.LEARNER, Role.MANAGER)
    for asked in (city["020200"].pk, city["020100"].pk, None):
        params = {"dept": asked} if asked else {}
        own = page(client, manager, **params)
        theirs = page(client, other, **params)
        assert own.context["dashboard"].top == own.context["dashboard"].node == city["020100"].pk
        assert theirs.context["dashboard"].top == theirs.context["dashboard"].node == city["020200"].pk
        assert next(iter(rows(own))) == "市民課" and rows(own)["市民課"][1] == 4  # May's snapshot
        assert next(iter(rows(theirs))) == "保険年金課" and rows(theirs)["保険年金課"][1] == 6
        assert "保険年金課" not in own.content.decode() and "市民課" not in theirs.content.decode()


@pytest.mark.parametrize("first", ["exact", "suppressed"])
def test_the_suppressed_view_never_gets_the_exact_tables(client, city, hr, reviewer, first):
    """Whichever was cached first, DX推進課 (and HR's 公表用 view) get the suppressed tables, HR the exact."""
    params = {"dept": city["020000"].pk}
    if first == "exact":
        page(client, hr, **params)
    else:
        page(client, reviewer, **params)
    exact = rows(page(client, hr, **params))
    suppressed = rows(page(client, reviewer, **params))
    published = rows(page(client, hr, publish="on", **params))
    assert exact["市民課"][1] == 4 and exact["市民課"][2] == 100.0
    for table in (suppressed, published):
        assert table["市民課"][1] in HIDDEN and table["市民課"][2] in HIDDEN
        assert table["保険年金課"][1] in HIDDEN  # else 市民部 − 保険年金課 gives 市民課's four back
    funnel = page(client, reviewer, **params).context["dashboard"].tables["funnel"].rows
    assert all(row[1] in HIDDEN or row[1] >= 5 for row in funnel)


def test_a_new_snapshot_target_or_name_gives_a_fresh_page(client, city, hr, competencies):
    params = {"dept": city["020000"].pk}
    assert rows(page(client, hr, **params))["市民課"][1] == 4
    levels(people(city["020100"], 2), competencies["A1"], 3)
    services.snapshot_take(municipality_id=city["020100"].municipality_id, on=MAY_END)
    assert rows(page(client, hr, **params))["市民課"][1] == 6

    assert "保険年金課" not in rows(page(client, hr), "leaders")
    TargetFactory(department=city["020200"], fiscal_year=2026, leaders=4)  # no snapshot taken since
    assert rows(page(client, hr), "leaders")["保険年金課"][1] == 4

    department = city["020100"]
    department.name = "市民生活課"
    department.save()
    renamed = rows(page(client, hr, **params))
    assert "市民生活課" in renamed and "市民課" not in renamed


def test_live_counts_are_never_kept(client, city, hr, competencies):
    """``source=live``, and a day with no snapshot yet (the snapshot view falls back to live counts): a
    change shows on the next view."""
    params = {"dept": city["020000"].pk, "source": "live"}
    assert rows(page(client, hr, **params))["市民課"][1] == 4
    early = {"dept": city["020000"].pk, "on": "2026-05-01"}  # before the first snapshot
    assert rows(page(client, hr, **early))["市民課"][1] == 4
    levels(people(city["020100"], 1), competencies["A1"], 3)
    assert rows(page(client, hr, **params))["市民課"][1] == 5
    assert rows(page(client, hr, **early))["市民課"][1] == 5


def test_the_language_is_in_the_key(city):
    viewer = access.Viewer(
        municipality_id=city["020100"].municipality_id,
        top=frames.ALL,
        top_path="",
        personal_data=True,
        can_edit_targets=False,
        can_run_snapshot=False,
    )
    filters = {"on": ON, "level": 3, "dept": None, "source": "snapshot", "publish": False}
    with translation.override("ja"):
        japanese = reports.dashboard_for(viewer, filters).tables["coverage"].columns[0]
    with translation.override("en"):
        english = reports.dashboard_for(viewer, filters).tables["coverage"].columns[0]
    assert japanese == "所属" and english != japanese


def test_the_figures_scripts_are_what_the_template_filter_gave(client, city, reviewer):
    """The page's figure elements are built once with the dashboard: the same markup as
    ``{{ figure|json_script:name }}`` for each figure, in order."""
    from django.template import Context, Template

    board = page(client, reviewer, dept=city["020000"].pk).context["dashboard"]
    template = Template("{% for name, figure in figures.items %}{{ figure|json_script:name }}{% endfor %}")
    expected = template.render(Context({"figures": board.figures}))
    assert board.figure_scripts == expected and 'id="trend" type="application/json"' in expected
    assert expected in page(client, reviewer, dept=city["020000"].pk).content.decode()


def test_the_structure_signature_changes_with_every_row_it_stands_for(city, competencies):
    """On PostgreSQL the key names one digest of the department, competency and target rows instead of
    the rows: a rename, a move, a reordered or renamed competency and a changed target each give another;
    another municipality's is its own."""
    from django.db import connection

    from analytics import selectors
    from analytics.models import DevelopmentTarget

    if connection.vendor != "postgresql":
        pytest.skip("computed by PostgreSQL; elsewhere the key names the rows themselves")
    municipality = city["020100"].municipality_id

    def signature() -> str:
        return selectors.structure_signature(municipality_id=municipality, fiscal_year=2026)

    seen = [signature()]
    assert signature() == seen[0]
    department = city["020200"]
    department.name = "保険課"
    department.save()
    seen.append(signature())
    department.move(city["010000"], pos="sorted-child")
    seen.append(signature())
    competency = competencies["A1"]
    competency.sort_order += 100
    competency.save()
    seen.append(signature())
    competency.name = "新しい名称"
    competency.save()
    seen.append(signature())
    DevelopmentTarget.objects.filter(department=city["020100"]).update(leaders=9)
    seen.append(signature())
    assert len(set(seen)) == len(seen)
    town = MunicipalityFactory(code="999993")
    DepartmentFactory(municipality=town, code="010000", name="総務部")
    assert selectors.structure_signature(municipality_id=town.pk, fiscal_year=2026) not in seen
