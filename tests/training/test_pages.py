"""/hr/training/ and /me/ over HTTP, as each role and as みどり町's HR would try them (issue 15)."""

import datetime
import io
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from icalendar import Calendar
from openpyxl import load_workbook

from courses.models import Enrollment
from lms_site.organisation.models import PersonalDataAccess
from lms_site.organisation.roles import Role, role_group
from training import services
from training.models import TrainingDue, TrainingRule
from training.services import RuleSpec

from .conftest import person as staff_member

pytestmark = pytest.mark.django_db

DUE = datetime.date(2027, 3, 31)


@pytest.fixture
def rule(city, curriculum):
    """The whole city's basics course, due at the end of the fiscal year; 市民課's s001 has done it."""
    rule, _count = services.rule_create(
        spec=RuleSpec(title="DX基礎(全職員)", course=curriculum["basics"], due_on=DUE),
        municipality=city["municipality"],
        created_by=city["hr"].user,
    )
    Enrollment.objects.create(
        user=city["shimin1"].user, course=curriculum["basics"], completed_at=timezone.now()
    )
    return rule


def form_data(curriculum, **overrides):
    data = {
        "title": "データ活用入門(市民課)",
        "item": f"course:{curriculum['data'].pk}",
        "department": "",
        "due_on": (timezone.localdate() + datetime.timedelta(days=60)).isoformat(),
    }
    data.update(overrides)
    return data


def test_hr_assigns_from_the_page_and_reads_the_report(client, city, curriculum):
    client.force_login(city["hr"].user)
    page = client.get("/hr/training/new/")
    assert page.status_code == 200 and "市民課" in page.content.decode()
    response = client.post(
        "/hr/training/new/", form_data(curriculum, department=str(city["departments"]["020100"].pk))
    )
    rule = TrainingRule.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/hr/training/{rule.pk}/"
    assert sorted(TrainingDue.objects.filter(rule=rule).values_list("staff__employee_number", flat=True)) == [
        "k001",
        "s001",
        "s002",
    ]
    report = client.get(response["Location"]).content.decode()
    assert "データ活用入門(市民課)" in report and "若葉 職員s002" in report
    assert PersonalDataAccess.objects.filter(viewer=city["hr"].user, view="training_report").count() == 1


def test_a_bad_form_names_every_problem_and_writes_nothing(client, city, curriculum):
    client.force_login(city["hr"].user)
    response = client.post(
        "/hr/training/new/",
        form_data(curriculum, due_on="2020-04-01", job_grades=["bucho"], employee_numbers="zz99"),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "職員番号 zz99 の職員はいません。" in body
    response = client.post(
        "/hr/training/new/", form_data(curriculum, due_on="2020-04-01", job_grades=["bucho"])
    )
    body = response.content.decode()
    assert "期限 2020-04-01 は過ぎています" in body and "何も保存していません" in body
    assert not TrainingRule.objects.exists() and not TrainingDue.objects.exists()


def test_department_report_rolls_up_and_exports(client, city, rule):
    client.force_login(city["hr"].user)
    csv = client.get(f"/hr/training/{rule.pk}/export/departments.csv")
    assert csv.status_code == 200 and csv.content.startswith("\ufeff".encode())
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "所属,対象者,修了,受講中,未着手,期限切れ,免除,修了率(%)"
    assert lines[1] == "全体,6,1,0,5,0,0,16.7"
    assert "市民部,4,1,0,3,0,0,25.0" in lines
    assert "　市民課,3,1,0,2,0,0,33.3" in lines
    xlsx = client.get(f"/hr/training/{rule.pk}/export/people.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:3] == ("職員番号", "氏名", "所属") and len(rows) == 2 + 6
    assert {r[0]: r[5] for r in rows[2:]}["s001"] == "修了"
    assert client.get(f"/hr/training/{rule.pk}/export/people.pdf").status_code == 404


def test_the_report_page_costs_a_fixed_number_of_queries(client, city, rule, django_assert_num_queries):
    client.force_login(city["hr"].user)
    client.get(f"/hr/training/{rule.pk}/")  # warm the session and permission caches
    # With Redis (REDIS_URL), the session and the permission set come from the cache: three reads fewer.
    # One is the header's count of unread notifications, one Wagtail's profile for its user bar (read once:
    # it comes with nothing else); the viewer's municipality comes with the signed-in user (issue 18).
    expected = 12 if settings.REDIS_URL else 15
    with django_assert_num_queries(expected):
        assert client.get(f"/hr/training/{rule.pk}/").status_code == 200


def test_the_rule_list_costs_the_same_queries_for_one_rule_or_many(
    client, city, curriculum, rule, django_assert_num_queries
):
    client.force_login(city["hr"].user)
    client.get("/hr/training/")  # warm the session and permission caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one_rule:
        client.get("/hr/training/")
    for title, course in (("データ活用入門", curriculum["data"]), ("実践演習", curriculum["practice"])):
        services.rule_create(
            spec=RuleSpec(title=title, course=course, due_on=DUE, every_year=True),
            municipality=city["municipality"],
            created_by=city["hr"].user,
        )

    with django_assert_num_queries(len(one_rule.captured_queries)):
        listing = client.get("/hr/training/").content.decode()

    assert "データ活用入門" in listing and "実践演習" in listing


def test_a_manager_sees_and_assigns_only_their_subtree(client, city, curriculum, rule):
    client.force_login(city["kacho"].user)
    listing = client.get("/hr/training/").content.decode()
    assert "DX基礎(全職員)" not in listing  # the whole city's rule is HR's
    assert client.get(f"/hr/training/{rule.pk}/").status_code == 404
    outside = form_data(curriculum, department=str(city["departments"]["020200"].pk))
    response = client.post("/hr/training/new/", outside)
    assert response.status_code == 200 and not TrainingRule.objects.exclude(pk=rule.pk).exists()
    named = form_data(curriculum, employee_numbers="p001", department="")
    body = client.post("/hr/training/new/", named).content.decode()
    assert "配下にいない職員" in body
    assert not TrainingRule.objects.exclude(pk=rule.pk).exists()
    response = client.post("/hr/training/new/", form_data(curriculum))
    own = TrainingRule.objects.exclude(pk=rule.pk).get()
    assert own.department == city["departments"]["020100"]
    assert sorted(TrainingDue.objects.filter(rule=own).values_list("staff__employee_number", flat=True)) == [
        "k001",
        "s001",
        "s002",
    ]
    body = client.get(f"/hr/training/{own.pk}/").content.decode()
    assert "若葉 職員s001" in body and "若葉 職員p001" not in body


def test_other_roles_and_other_municipalities_get_nothing(client, city, town, rule):
    due = TrainingDue.objects.get(rule=rule, staff=city["hoken"])
    client.force_login(town["hr"].user)  # HR of みどり町
    assert client.get("/hr/training/").content.decode().count("DX基礎") == 0
    for url in (f"/hr/training/{rule.pk}/", f"/hr/training/{rule.pk}/export/people.csv"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/hr/training/{rule.pk}/dues/{due.pk}/exempt/", {"reason": "x"}).status_code == 404
    assert client.post(f"/hr/training/{rule.pk}/withdraw/").status_code == 404
    for person in (city["shimin1"], town["staff"]):  # learners of either municipality
        client.force_login(person.user)
        for url in ("/hr/training/", "/hr/training/new/", f"/hr/training/{rule.pk}/"):
            assert client.get(url).status_code == 403, url
        assert (
            client.post(f"/hr/training/{rule.pk}/dues/{due.pk}/exempt/", {"reason": "x"}).status_code == 403
        )
    reviewer = city["kenshu"].user
    reviewer.groups.add(role_group(Role.REVIEWER))
    client.force_login(reviewer)  # DX推進課 reads the suppressed aggregates only (test_suppressed_report.py)
    assert "若葉 職員p001" not in client.get(f"/hr/training/{rule.pk}/").content.decode()
    assert client.get(f"/hr/training/{rule.pk}/export/people.csv").status_code == 403
    assert client.post(f"/hr/training/{rule.pk}/dues/{due.pk}/exempt/", {"reason": "x"}).status_code == 403
    due.refresh_from_db()
    rule.refresh_from_db()
    assert due.exempt_reason == "" and rule.withdrawn_at is None


def test_hr_exempts_and_the_manager_cannot_exempt_outside_their_subtree(client, city, rule):
    hoken = TrainingDue.objects.get(rule=rule, staff=city["hoken"])
    own_rule, _count = services.rule_create(
        spec=RuleSpec(
            title="市民課", course=rule.course, department=city["departments"]["020100"], due_on=DUE
        ),
        municipality=city["municipality"],
    )
    TrainingDue.objects.create(
        rule=own_rule, staff=city["hoken"], cycle=own_rule.first_cycle, matched_on=DUE, due_on=DUE
    )
    forged = TrainingDue.objects.get(rule=own_rule, staff=city["hoken"])
    client.force_login(city["kacho"].user)
    assert (
        client.post(f"/hr/training/{own_rule.pk}/dues/{forged.pk}/exempt/", {"reason": "x"}).status_code
        == 404
    )
    client.force_login(city["hr"].user)
    response = client.post(f"/hr/training/{rule.pk}/dues/{hoken.pk}/exempt/", {"reason": ""})
    assert response.status_code == 302
    hoken.refresh_from_db()
    assert hoken.exempt_reason == ""
    client.post(f"/hr/training/{rule.pk}/dues/{hoken.pk}/exempt/", {"reason": "育児休業中"})
    hoken.refresh_from_db()
    assert (hoken.exempt_reason, hoken.exempted_by) == ("育児休業中", city["hr"].user)


def test_the_learner_sees_their_todo_first_and_a_calendar(client, city, rule):
    client.force_login(city["shimin2"].user)
    body = client.get("/me/").content.decode()
    assert body.index("やること") < body.index("受講中のコース")
    assert "DX基礎(全職員)" in body and "未着手" in body
    response = client.get("/me/training.ics")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert [(str(e["summary"]), e["dtstart"].dt) for e in events] == [("期限: DX基礎(全職員)", DUE)]
    assert str(events[0]["url"]).endswith(rule.course.url)
    client.force_login(city["shimin1"].user)  # done: listed as done, not as a task
    assert "todo-item--completed" in client.get("/me/").content.decode()


def rows_of(page: str) -> list[str]:
    """The employee numbers in the people table, in order."""
    body = (
        page.split('id="table-people"', 1)[1].split("</table>", 1)[0] if 'id="table-people"' in page else ""
    )
    return re.findall(r"<tr>\s*<td>([^<]+)</td>", body)


def test_the_people_table_pages_and_filters_by_status_at_a_fixed_cost(
    client, city, curriculum, django_assert_num_queries
):
    """A rule on a whole city lists its people 50 a page, filtered by status (HR's usual question: who
    is overdue?); the summary counts everyone; the access log records the rows shown; a page costs the
    same queries for 6 people or 66."""
    client.force_login(city["hr"].user)
    past = timezone.localdate() - datetime.timedelta(days=1)

    def assign(title):
        return services.rule_create(
            spec=RuleSpec(title=title, course=curriculum["basics"], due_on=DUE),
            municipality=city["municipality"],
            created_by=city["hr"].user,
        )[0]

    small = assign("DX基礎(全職員・前年度)")
    client.get(f"/hr/training/{small.pk}/")  # warm the session and permission caches
    with CaptureQueriesContext(connection) as few:
        assert len(rows_of(client.get(f"/hr/training/{small.pk}/").content.decode())) == 6
    for n in range(60):
        staff_member(f"x{n:03d}", city["departments"]["020200"])
    rule = assign("DX基礎(全職員)")
    url = f"/hr/training/{rule.pk}/"
    dues = TrainingDue.objects.filter(rule=rule)
    assert dues.count() == 66
    dues.filter(staff__employee_number__startswith="x0").update(due_on=past)  # x000–x059: 60 overdue
    Enrollment.objects.create(
        user=city["shimin1"].user, course=curriculum["basics"], completed_at=timezone.now()
    )

    client.get(url)  # warm again: the new people's groups made every cached permission set stale
    with CaptureQueriesContext(connection) as many:
        first = client.get(url).content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(rows_of(first)) == 50 and "1 / 2 ページ" in first
    assert rows_of(first)[:3] == ["h001", "k001", "p001"]  # by employee number
    second = client.get(url, {"cycle": rule.first_cycle, "page": 2}).content.decode()
    assert len(rows_of(second)) == 16 and "2 / 2 ページ" in second
    assert set(rows_of(first)).isdisjoint(rows_of(second))

    overdue = client.get(url, {"cycle": rule.first_cycle, "status": "overdue"}).content.decode()
    assert rows_of(overdue)[:1] == ["x000"] and len(rows_of(overdue)) == 50
    assert "期限切れ (60)" in overdue and "修了 (1)" in overdue  # the filters show everyone's counts
    completed = client.get(url, {"status": "completed"}).content.decode()
    assert rows_of(completed) == ["s001"]
    assert len(rows_of(client.get(url, {"status": "nonsense"}).content.decode())) == 50  # everyone
    assert len(rows_of(client.get(url, {"page": "999"}).content.decode())) == 16  # the last page
    log = PersonalDataAccess.objects.filter(view="training_report").order_by("-pk").first()
    assert log.rows == 16

    # exempting someone on page 2 of the overdue people comes back to page 2 of the overdue people
    due = dues.get(staff__employee_number="x055")
    response = client.post(
        f"/hr/training/{rule.pk}/dues/{due.pk}/exempt/",
        {"reason": "育児休業中", "status": "overdue", "page": "2"},
    )
    assert response["Location"] == f"{url}?cycle={rule.first_cycle}&status=overdue&page=2#people"
    response = client.post(
        f"/hr/training/{rule.pk}/dues/{due.pk}/exempt/",
        {"withdraw": "1", "status": "https://evil.example/", "page": "../x"},
    )
    assert response["Location"] == f"{url}?cycle={rule.first_cycle}#people"
