"""The 所属長's weekly summary covers the subtree their scope says they head that day (``Purpose.HEADED``,
ADR 0016 "One scope"): the head of the department beside sees only their own, and a manager-role holder
who heads nothing gets none."""

import datetime

import pytest

from lms_site.notifications.models import Kind, Notification
from lms_site.organisation.models import JobGrade
from lms_site.organisation.roles import Role
from training import reminders, services
from training.services import RuleSpec

from .conftest import person

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 5, 11)


def test_each_head_sees_only_their_subtree_and_a_head_of_nothing_gets_none(city, curriculum):
    hoken_kacho = person("k002", city["departments"]["020200"], grade=JobGrade.KACHO, roles=(Role.MANAGER,))
    heads_nothing = person("m001", city["departments"]["020100"], roles=(Role.MANAGER,))  # a 主事: no post
    services.rule_create(
        spec=RuleSpec(
            title="DX基礎",
            course=curriculum["basics"],
            department=city["departments"]["020000"],
            due_on=datetime.date(2026, 5, 8),
        ),
        municipality=city["municipality"],
        today=datetime.date(2026, 4, 20),
    )

    reminders.team_digests(municipality_id=city["municipality"].pk, today=MONDAY)

    digests = {n.recipient_id: n.body for n in Notification.objects.filter(kind=Kind.TEAM_DIGEST)}
    assert set(digests) == {city["kacho"].user_id, hoken_kacho.user_id}
    hoken = digests[hoken_kacho.user_id]
    assert "期限を過ぎている人(2人)" in hoken  # the 課長 and p001 of 保険年金課
    assert "職員p001" in hoken and "職員s001" not in hoken and "職員k001" not in hoken
    shimin = digests[city["kacho"].user_id]
    assert "職員s001" in shimin and "職員p001" not in shimin and "職員k002" not in shimin
    assert heads_nothing.user_id not in digests
