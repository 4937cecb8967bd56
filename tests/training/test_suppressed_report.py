"""Issue 15, item 5: DX推進課 (no personal data) reads every rule's completion report of its municipality as
suppressed aggregates — the last day of each closed month, small cells hidden as /hr/ hides them (ADR 0012),
no names, no people, no access-log row — over HTTP, and over random small trees (Hypothesis).

The checker (``revealed``) is written independently of ``analytics.privacy``: it only looks at what the
viewer is shown (the numbers, and which cells are hidden) and at the true values.
"""

import csv
import datetime
import io
import itertools
import random
import re

import numpy as np
import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from analytics import frames, privacy
from courses.models import Enrollment
from lms_site.organisation.models import PersonalDataAccess
from lms_site.organisation.roles import Role
from training import reports
from training.models import TrainingDue, TrainingRule

from .conftest import person

THRESHOLD = 5
SINCE = datetime.date(2020, 4, 1)
HIDDEN = ("<5", "×")


# --- the checker -----------------------------------------------------------------------------------------


def shown_number(cell):
    """A published cell as a number, or None when it is hidden (``<5``, ``×``) or empty."""
    if cell in HIDDEN or cell in (None, "", "—"):
        return None
    return float(cell) if "." in str(cell) else int(cell)


def revealed(days: list[dict], groups: list[tuple]) -> list[str]:
    """Every count of 1–4 people that subtraction of visible cells gives, over everything a viewer holds.

    ``days``: per published day, oldest first, node -> (対象者, 修了, 期限切れ) as shown (None: hidden).
    ``groups``: (total, members) of the department tree; a member missing from a day holds nobody.
    Not-overdue people are 対象者 − 期限切れ where both are visible (the statuses are exclusive), so
    修了 ⊂ not overdue ⊂ 対象者 are nested sets.
    """
    problems = []

    def derived(cells):
        counted, completed, overdue = cells
        on_time = counted - overdue if counted is not None and overdue is not None else None
        return {"counted": counted, "completed": completed, "overdue": overdue, "on_time": on_time}

    views = [{node: derived(cells) for node, cells in day.items()} for day in days]
    for d, view in enumerate(views):
        for node, cells in view.items():
            for name, value in cells.items():
                if value is not None and 0 < value < THRESHOLD:
                    problems.append(f"day {d} {node} {name} shows {value}")
        for total, members in groups:  # parent − visible members
            for name in ("counted", "completed", "overdue", "on_time"):
                if total not in view:
                    continue
                hidden = [m for m in members if m in view and view[m][name] is None]
                if view[total][name] is not None and hidden:
                    rest = view[total][name] - sum(
                        view[m][name] for m in members if m in view and m not in hidden
                    )
                    if len(hidden) == 1 or 0 < rest < THRESHOLD:
                        problems.append(f"day {d} {name}: {total} − visible members pins {hidden} ({rest})")
                if view[total][name] is None and not hidden:
                    problems.append(f"day {d} {name}: hidden {total} is the sum of its visible members")
    nodes = set().union(*(view.keys() for view in views)) if views else set()
    for node in nodes:  # one status minus another, one month minus another, on one node
        nested = [
            view[node][name]
            for view in views
            if node in view
            for name in ("counted", "completed", "on_time")
            if view[node][name] is not None
        ]
        overdue = [
            view[node]["overdue"] for view in views if node in view and view[node]["overdue"] is not None
        ]
        for family in (nested, overdue):
            for a, b in itertools.combinations(family, 2):
                if 0 < abs(a - b) < THRESHOLD:
                    problems.append(f"{node}: {a} − {b}")
    return problems


# --- over random small trees ------------------------------------------------------------------------------


def tree(shape: list[list[int]]) -> list[dict]:
    """部 with 課 with 係: ``shape[i][j]`` is the number of 係 of the j-th 課 of the i-th 部."""
    rows, ids = [], itertools.count(1)
    for i, divisions in enumerate(shape):
        bu = next(ids)
        rows.append(
            {"id": bu, "path": f"{i + 1:04d}", "depth": 1, "name": f"部{bu}", "code": "", "kind": "bu"}
        )
        for j, sections in enumerate(divisions):
            ka, path = next(ids), f"{i + 1:04d}{j + 1:04d}"
            rows.append({"id": ka, "path": path, "depth": 2, "name": f"課{ka}", "code": "", "kind": "ka"})
            rows.extend(
                {
                    "id": next(ids),
                    "path": f"{path}{k + 1:04d}",
                    "depth": 3,
                    "name": "係",
                    "code": "",
                    "kind": "",
                }
                for k in range(sections)
            )
    return rows


def simulate(departments: list[dict], months: int, rng: random.Random) -> np.ndarray:
    """Direct counts (departments × months × stack columns) of random people: each joins the rule in some
    month, may be exempted, complete, or pass their due date (written apart from ``direct_counts``)."""
    direct = np.zeros((len(departments), months, len(reports.STACK_COLUMNS)), dtype="int64")
    never = months + 1
    for row in range(len(departments)):
        for _ in range(rng.choice((0, 0, 1, 2, 3, 5, 8, 12))):
            joins = rng.randrange(months)
            done = rng.choice((never, rng.randrange(months)))
            late = rng.choice((never, rng.randrange(months)))
            exempt = rng.choice((never, never, never, rng.randrange(months)))
            for month in range(joins, months):
                if month >= exempt:
                    continue
                cells = direct[row, month]
                cells[reports.COUNTED] += 1
                if month >= done:
                    cells[reports.COMPLETED] += 1
                    cells[reports.ON_TIME] += 1
                elif month >= late:
                    cells[reports.OVERDUE] += 1
                else:
                    cells[reports.ON_TIME] += 1
    return direct


shapes = st.lists(st.lists(st.integers(0, 2), min_size=0, max_size=3), min_size=1, max_size=3)


@settings(max_examples=50, deadline=None)
@given(shape=shapes, seed=st.integers(0, 2**32 - 1), months=st.integers(1, 4))
def test_no_subtraction_of_what_dx_sees_gives_fewer_than_five_people(shape, seed, months):
    departments = tree(shape)
    nodes = frames.tree_nodes(departments, all_label="全体")
    direct = simulate(departments, months, random.Random(seed))
    order = {d["id"]: i for i, d in enumerate(departments)}
    direct = direct[[order[k] for k in nodes.index[nodes.index > 0]]]
    values, flags = reports.suppressed_stack(nodes, direct)

    days = shown_days(nodes, values, flags)
    groups = [
        (total, list(members))
        for total, members in nodes["parent"].dropna().groupby(nodes["parent"].dropna()).groups.items()
    ]
    assert revealed(days, groups) == []
    hidden = np.array([[cells[2] is None for cells in day.values()] for day in days])
    assert (hidden == (flags[:, :, reports.OVERDUE] != privacy.SHOWN)).all()  # rule 2 saw what is hidden
    for d, n in zip(*np.nonzero((values[:, :, 0] > 0) & (values[:, :, 0] < THRESHOLD)), strict=True):
        assert days[d][nodes.index[n]] == (None, None, None)  # a row of 1–4 people shows nothing
    if months > 1:  # a month closing never changes what the earlier months showed
        _values, earlier = reports.suppressed_stack(nodes, direct[:, :-1])
        assert (flags[:-1] == earlier).all()


def test_the_checker_finds_what_suppressing_each_cell_alone_lets_through():
    """With primary suppression only: 課 of three hidden but its 部 minus its sibling; 期限切れ 2 in a
    row of 対象者 20 where 修了 is hidden; a month later two more completions."""
    days = [
        {"部": (23, 10, 0), "課A": (20, 10, 0), "課B": (None, None, 0)},
        {"部": (23, 12, 0), "課A": (20, 12, 2), "課B": (None, None, 0)},
    ]
    problems = revealed(days, [("部", ["課A", "課B"])])
    assert any("pins ['課B'] (3)" in p for p in problems)
    assert "課A: 10 − 12" in problems and "課A: 20 − 18" in problems


def shown_days(nodes, values, flags) -> list[dict]:
    return [
        {
            key: tuple(shown_number(c) for c in reports.published_cells(values[d, n], flags[d, n])[:3])
            for n, key in enumerate(nodes.index)
        }
        for d in range(values.shape[0])
    ]


def test_a_hidden_not_overdue_count_hides_its_overdue_for_rule_2_too(monkeypatch):
    """課A: 12 people, 3 not yet due, 9 overdue; 課B: 10, none overdue. 課A's 3 hides its 9 overdue (else
    12 − 9 = 3), and rule 2 must know: it hides another member's 期限切れ, so that the 部's 9 minus the
    visible members does not give 課A's back. Without rule 4 the routine would count 課A's as visible."""
    departments = tree([[0, 0]])
    nodes = frames.tree_nodes(departments, all_label="全体")
    direct = np.zeros((len(departments), 1, len(reports.STACK_COLUMNS)), dtype="int64")
    direct[1, 0] = [12, 0, 3, 9]
    direct[2, 0] = [10, 0, 10, 0]
    a, b, direct_staff = (nodes.index.get_loc(k) for k in (2, 3, -1))

    values, flags = reports.suppressed_stack(nodes, direct)
    overdue = flags[0, :, reports.OVERDUE]
    assert overdue[a] == privacy.COMPLEMENTARY and (overdue[b] or overdue[direct_staff])
    assert shown_days(nodes, values, flags)[0][2] == (12, 0, None)
    monkeypatch.setattr(reports, "IMPLIED", ())
    _values, flags = reports.suppressed_stack(nodes, direct)
    assert flags[0, a, reports.OVERDUE] == privacy.SHOWN  # what the page hides, rule 2 would not know


def test_a_hidden_part_of_a_row_hides_the_other_part_and_a_hidden_total_both():
    """privacy rule 4 (``implied``): 対象者 = not overdue + 期限切れ."""
    values = np.array([[[20, 10, 18, 2], [12, 6, 12, 0], [32, 16, 30, 2]]])
    groups = [(2, np.array([0, 1]))]
    flags = privacy.suppress_stack(values, groups, headcount=0, implied=reports.IMPLIED)
    assert flags[0, 0, reports.OVERDUE] == privacy.PRIMARY
    assert flags[0, 0, reports.ON_TIME] == privacy.COMPLEMENTARY  # else 20 − 18 = 2
    without = privacy.suppress_stack(values, groups, headcount=0)
    assert without[0, 0, reports.ON_TIME] == privacy.SHOWN


# --- over HTTP --------------------------------------------------------------------------------------------


def month_ends(today: datetime.date, count: int) -> list[datetime.date]:
    """The last days of the ``count`` closed months before today's, oldest first."""
    ends, day = [], today.replace(day=1) - datetime.timedelta(days=1)
    for _ in range(count):
        ends.append(day)
        day = day.replace(day=1) - datetime.timedelta(days=1)
    return ends[::-1]


def noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def middle(day: datetime.date) -> datetime.date:
    return day.replace(day=15)


@pytest.fixture
def dx(city):
    return person("x001", city["departments"]["010100"], roles=(Role.LEARNER, Role.REVIEWER))


@pytest.fixture
def world(city, curriculum):
    """A rule for the whole city that began four months ago, with people in four departments (numbers
    Q-7001…): 研修係 12, 人事課 directly 8, 市民課 12 (and one exempt), 保険年金課 3. Completions: 10 in the
    second month, 2 in the third, 5 in the fourth; two of 研修係 passed their due date in the fourth."""
    today = timezone.localdate()
    d1, d2, d3, d4 = month_ends(today, 4)
    start = d1.replace(day=1)
    later = d4 + datetime.timedelta(days=400)
    rule = TrainingRule.objects.create(
        municipality=city["municipality"],
        title="情報セキュリティ研修",
        course=curriculum["basics"],
        due_on=later,
        starts_on=start,
    )
    departments = city["departments"]
    numbers = itertools.count(7001)
    # department: [(completed in month n or None, due date)]
    plan = {
        "010101": [(2, later)] * 4 + [(3, later)] * 2 + [(None, d3)] * 2 + [(None, later)] * 4,
        "010100": [(2, later)] * 3 + [(4, later)] + [(None, later)] * 4,
        "020100": [(2, later)] * 3 + [(4, later)] * 3 + [(None, later)] * 6,
        "020200": [(4, later), (None, later), (None, later)],
    }
    month_of = {2: middle(d2), 3: middle(d3), 4: middle(d4)}
    people = []
    for code, dues in plan.items():
        for done, due_on in dues:
            profile = person(f"Q-{next(numbers)}", departments[code], since=SINCE)
            people.append(profile)
            TrainingDue.objects.create(
                rule=rule, staff=profile, cycle=rule.first_cycle, matched_on=start, due_on=due_on
            )
            if done:
                Enrollment.objects.create(
                    user=profile.user, course=rule.course, completed_at=noon(month_of[done])
                )
    exempt = person(f"Q-{next(numbers)}", departments["020100"], since=SINCE)
    people.append(exempt)
    TrainingDue.objects.create(
        rule=rule,
        staff=exempt,
        cycle=rule.first_cycle,
        matched_on=start,
        due_on=later,
        exempt_reason="育児休業中",
        exempted_at=noon(start),
    )
    return {"rule": rule, "people": people, "days": [d1, d2, d3, d4]}


def table(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def by_name(rows: list[list[str]]) -> dict[str, list[str]]:
    """Data rows by their header (indent removed); the note below the table is left out."""
    return {row[0].strip("　"): row[1:] for row in rows[1:] if len(row) > 1}


CITY_GROUPS = [
    ("全体", ["総務部", "市民部"]),
    ("総務部", ["総務部(直属)", "人事課"]),
    ("人事課", ["人事課(直属)", "研修係"]),
    ("市民部", ["市民部(直属)", "市民課", "保険年金課"]),
]


def test_dx_reads_the_report_suppressed_without_anyone_s_name(client, city, dx, world):
    rule, (d1, d2, d3, d4) = world["rule"], world["days"]
    client.force_login(dx.user)
    logged = PersonalDataAccess.objects.count()

    page = client.get(f"/hr/training/{rule.pk}/")
    departments = client.get(f"/hr/training/{rule.pk}/export/departments.csv")
    trend = client.get(f"/hr/training/{rule.pk}/export/trend.csv")
    workbook = client.get(f"/hr/training/{rule.pk}/export/departments.xlsx")

    assert [r.status_code for r in (page, departments, trend, workbook)] == [200, 200, 200, 200]
    body = page.content.decode()
    assert "情報セキュリティ研修" in body and d4.isoformat() in body
    assert (
        "職員ごとの受講状況" not in body and "免除する" not in body and "この受講指示を取り消す" not in body
    )
    for response in (page, departments, trend, workbook):  # nobody's number or name, nor the reason
        assert b"Q-7" not in response.content and "育児休業".encode() not in response.content
    assert "Q-7" not in str(
        list(load_workbook(io.BytesIO(workbook.content)).active.iter_rows(values_only=True))
    )
    assert PersonalDataAccess.objects.count() == logged  # nothing personal was read

    rows = by_name(table(departments))
    # 対象者 (exempt left out), 修了, 期限切れ, 修了率 of the whole city: 35 counted, 17 done, 2 overdue
    assert rows["全体"] == ["35", "17", "<5", "48.6"]
    assert rows["保険年金課"] == ["<5", "<5", "<5", "<5"]  # three people: the row hides whole
    assert rows["市民課"][0] == "×"  # else 市民部 − 市民課 would give 保険年金課 back
    assert rows["市民部"][0] == "15"
    assert rows["研修係"][2] in HIDDEN  # two overdue: not shown, nor 対象者 − not overdue anywhere
    shown = {name: tuple(shown_number(c) for c in cells[:3]) for name, cells in rows.items()}
    assert revealed([shown], CITY_GROUPS) == []

    months = by_name(table(trend))
    assert list(months) == [d.isoformat() for d in (d1, d2, d3, d4)]
    # 12 in the third month is 10 + 2: hidden. (Nobody had completed in the first: 保険年金課's row of three
    # hides its zero, and rule 2 carries hidden zeros up to the whole city, as on /hr/.)
    assert [months[d.isoformat()][0] for d in (d1, d2, d3, d4)] == ["×", "10", "×", "17"]


def test_dx_is_refused_the_people_and_every_write(client, city, dx, world):
    rule = world["rule"]
    due = TrainingDue.objects.filter(rule=rule).first()
    client.force_login(dx.user)
    for fmt in ("csv", "xlsx"):
        assert client.get(f"/hr/training/{rule.pk}/export/people.{fmt}").status_code == 403
    assert client.get("/hr/training/new/").status_code == 403
    assert client.post(f"/hr/training/{rule.pk}/dues/{due.pk}/exempt/", {"reason": "x"}).status_code == 403
    assert client.post(f"/hr/training/{rule.pk}/withdraw/").status_code == 403
    assert client.get("/hr/training/sessions/").status_code == 403
    due.refresh_from_db()
    rule.refresh_from_db()
    assert due.exempt_reason == "" and rule.withdrawn_at is None


def test_the_api_stays_closed_to_dx_though_it_reads_the_report(client, dx, world):
    assert dx.user.has_perm("training.view_training_report")
    client.force_login(dx.user)
    for path in (
        "/api/v1/training-rules/",
        "/api/v1/training-dues/",
        f"/api/v1/training-rules/{world['rule'].pk}/",
    ):
        assert client.get(path).status_code == 403, path


def test_the_rule_list_shows_dx_only_the_city_s_suppressed_row(client, city, dx, world, curriculum):
    (d1, _d2, _d3, d4) = world["days"]
    small = TrainingRule.objects.create(
        municipality=city["municipality"],
        title="少人数の研修",
        course=curriculum["data"],
        due_on=d4 + datetime.timedelta(days=400),
        starts_on=d1,
    )
    for profile in world["people"][-4:-1]:  # the three of 保険年金課, one done
        TrainingDue.objects.create(
            rule=small, staff=profile, cycle=small.first_cycle, matched_on=d1, due_on=small.due_on
        )
    Enrollment.objects.create(user=world["people"][-2].user, course=curriculum["data"], completed_at=noon(d1))
    client.force_login(dx.user)

    body = client.get("/hr/training/").content.decode()

    def cells(title):
        row = re.search(rf"<tr>(?:(?!</tr>).)*?{title}(?:(?!</tr>).)*</tr>", body, re.S).group(0)
        return [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)][1:]

    assert cells("少人数の研修") == ["&lt;5"] * 4
    assert cells("情報セキュリティ研修") == ["35", "17", "&lt;5", "48.6"]
    assert "受講を指示する" not in body and "Q-7" not in body


def test_hr_and_the_manager_still_read_exact_numbers_and_names(client, city, dx, world, curriculum):
    rule = world["rule"]
    client.force_login(city["hr"].user)
    page = client.get(f"/hr/training/{rule.pk}/").content.decode()
    assert "若葉 職員Q-7001" in page and "免除する" in page
    rows = by_name(table(client.get(f"/hr/training/{rule.pk}/export/departments.csv")))
    assert rows["保険年金課"] == ["3", "1", "0", "2", "0", "0", "33.3"]
    assert rows["研修係"][:5] == ["12", "6", "0", "4", "2"]
    assert PersonalDataAccess.objects.filter(viewer=city["hr"].user).count() == 2
    trend = table(client.get(f"/hr/training/{rule.pk}/export/trend.csv"))  # HR's: today's people, exact
    assert trend[-1][1:] == ["17", "48.6"]

    own = TrainingRule.objects.create(
        municipality=city["municipality"],
        title="市民課の研修",
        course=curriculum["practice"],
        department=city["departments"]["020100"],
        due_on=world["days"][-1] + datetime.timedelta(days=400),
    )
    TrainingDue.objects.create(
        rule=own, staff=city["shimin1"], cycle=own.first_cycle, matched_on=own.starts_on, due_on=own.due_on
    )
    client.force_login(city["kacho"].user)
    page = client.get(f"/hr/training/{own.pk}/").content.decode()
    assert "若葉 職員s001" in page and "<td>1</td>" in page
    assert client.get(f"/hr/training/{rule.pk}/").status_code == 404  # the city's rule is HR's


def test_another_municipality_s_dx_gets_nothing_of_the_city(client, city, town, world):
    rule = world["rule"]
    town_dx = person("tx01", town["department"], roles=(Role.LEARNER, Role.REVIEWER))
    client.force_login(town_dx.user)
    assert "情報セキュリティ研修" not in client.get("/hr/training/").content.decode()
    for url in (f"/hr/training/{rule.pk}/", f"/hr/training/{rule.pk}/export/departments.csv"):
        assert client.get(url).status_code == 404, url


def test_a_rule_begun_this_month_shows_dx_nothing_yet(client, city, dx, curriculum):
    today = timezone.localdate()
    rule = TrainingRule.objects.create(
        municipality=city["municipality"],
        title="今月の研修",
        course=curriculum["basics"],
        due_on=today + datetime.timedelta(days=30),
        starts_on=today.replace(day=1),
    )
    TrainingDue.objects.create(
        rule=rule, staff=city["shimin1"], cycle=rule.first_cycle, matched_on=today, due_on=rule.due_on
    )
    client.force_login(dx.user)
    body = client.get(f"/hr/training/{rule.pk}/").content.decode()
    assert "公表できる月次の集計" in body and "若葉 職員s001" not in body
    assert len(table(client.get(f"/hr/training/{rule.pk}/export/departments.csv"))) <= 3


def test_the_suppressed_report_costs_a_fixed_number_of_queries(client, dx, world, django_assert_num_queries):
    client.force_login(dx.user)
    url = f"/hr/training/{world['rule'].pk}/"
    client.get(url)  # warm the session and permission caches
    # The session, the user (with their municipality), the permissions (2), the rule, the departments, the
    # dues, their assignments, the enrolments and retakes, the user bar's profile, the header's unread
    # count, and the transaction's savepoint (2). With Redis the session and permissions are cached: three
    # fewer.
    with django_assert_num_queries(11 if django_settings.REDIS_URL else 14):
        assert client.get(url).status_code == 200
