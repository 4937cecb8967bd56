"""The report of a training rule at a fixed cost (issue 18): its queries do not grow with its people, on
either side of the point where their learning records are read by municipality rather than by ids; the
page reads nothing twice; and the people table, built in Python, writes what the template wrote, escaped.
"""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from courses.models import Enrollment
from training import selectors, services
from training.models import TrainingDue
from training.services import RuleSpec

from .conftest import person as staff_member
from .test_pages import rows_of

pytestmark = pytest.mark.django_db

DUE = datetime.date(2027, 3, 31)


def assign(city, course, title):
    return services.rule_create(
        spec=RuleSpec(title=title, course=course, due_on=DUE),
        municipality=city["municipality"],
        created_by=city["hr"].user,
    )[0]


def queries_of(client, url) -> tuple[list[str], str]:
    client.get(url)  # warm the session, permission and site-look caches
    with CaptureQueriesContext(connection) as captured:
        body = client.get(url).content.decode()
    return [q["sql"] for q in captured.captured_queries], body


def test_the_report_costs_the_same_queries_for_a_few_people_or_a_whole_city(
    client, city, curriculum, monkeypatch
):
    """6 people are read by id; past ``PEOPLE_BY_ID_AT_MOST`` (made 10 here: 100 in production) their
    enrolments are read by municipality, and a rule on 18 people costs exactly the queries of 6."""
    monkeypatch.setattr(selectors, "PEOPLE_BY_ID_AT_MOST", 10)
    client.force_login(city["hr"].user)
    few, _body = queries_of(client, f"/hr/training/{assign(city, curriculum['basics'], '六人').pk}/")
    for n in range(12):
        staff_member(f"y{n:03d}", city["departments"]["020200"])
    Enrollment.objects.create(
        user=city["shimin1"].user, course=curriculum["basics"], completed_at=timezone.now()
    )
    rule = assign(city, curriculum["basics"], "十八人")
    assert TrainingDue.objects.filter(rule=rule).count() == 18
    many, body = queries_of(client, f"/hr/training/{rule.pk}/")
    assert len(many) == len(few)
    assert len(rows_of(body)) == 18
    assert "対象者: 18" in body and "修了: 1" in body and "未着手: 17" in body


def test_the_page_reads_the_viewers_profiles_once(client, city, curriculum):
    """The viewer's municipality comes with the signed-in user (it was read twice more: for the scope and
    for the access log), and Wagtail's user profile is read once for the user bar (it was read twice)."""
    client.force_login(city["hr"].user)
    sql, _body = queries_of(client, f"/hr/training/{assign(city, curriculum['basics'], 'DX基礎').pk}/")
    assert [q for q in sql if q.startswith('SELECT "organisation_staffprofile"."municipality_id"')] == []
    assert len([q for q in sql if 'FROM "wagtailusers_userprofile"' in q]) <= 1


def test_names_and_reasons_in_the_people_table_are_escaped(client, city, curriculum):
    """A name imported with markup, or an exempt reason typed with it, is text on HR's page."""
    hoken = city["hoken"]
    hoken.family_name = "<b>保険</b>"
    hoken.save()
    rule = assign(city, curriculum["basics"], "DX基礎")
    due = TrainingDue.objects.get(rule=rule, staff=hoken)
    services.due_exempt(due=due, reason='<img src=x onerror="alert(1)">', by=city["hr"].user)
    client.force_login(city["hr"].user)
    body = client.get(f"/hr/training/{rule.pk}/").content.decode()
    assert "<b>保険</b>" not in body and "&lt;b&gt;保険&lt;/b&gt; 職員p001" in body
    assert "<img src=x" not in body and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in body
    assert 'name="withdraw" value="1"' in body  # HR may withdraw the exemption
    assert f'id="reason-{TrainingDue.objects.get(rule=rule, staff=city["shimin1"]).pk}"' in body


def test_a_reader_who_may_not_exempt_sees_the_reason_and_no_form(client, city, curriculum):
    """Someone who reads reports with names but may not exempt anyone gets the people table without its
    forms: the reason as text, no address to post to."""
    rule = assign(city, curriculum["basics"], "DX基礎")
    due = TrainingDue.objects.get(rule=rule, staff=city["hoken"])
    services.due_exempt(due=due, reason="育児休業中", by=city["hr"].user)
    reader = city["kenshu"].user
    for codename in ("view_organisation", "view_personal_data", "view_training_report"):
        reader.user_permissions.add(Permission.objects.get(codename=codename))
    client.force_login(reader)
    body = client.get(f"/hr/training/{rule.pk}/").content.decode()
    assert len(rows_of(body)) == 6 and "育児休業中" in body
    assert "/exempt/" not in body and 'name="reason"' not in body
