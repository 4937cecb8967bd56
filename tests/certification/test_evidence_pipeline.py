"""Evidence → levels → certificates as one pipeline (ADR 0026): every write goes through
``assessments.evidence``, which notifies ``evidence_changed`` once per person and transaction after the
commit; nothing listens to model signals, and a rolled-back transaction notifies no one."""

import inspect
from collections import Counter

import pytest
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail import hooks

from assessments import evidence as evidence_door
from assessments.certification.models import CompetencyLevel
from assessments.certification.services import level_table
from assessments.evidence import (
    EVIDENCE_CHANGED,
    evidence_changed_pending,
    evidence_delete,
    evidence_from_course_completion,
    evidence_record,
    evidence_review_record,
)
from assessments.models import Evidence, EvidenceSource, EvidenceStatus
from courses.services import COURSE_COMPLETED
from tests.factories import StaffProfileFactory

from .conftest import competency

pytestmark = pytest.mark.django_db


def staff():
    return StaffProfileFactory().user  # levels are a staff member's (and row-level security needs one)


def table(user) -> dict[str, int]:
    return dict(CompetencyLevel.objects.filter(user=user).values_list("competency__code", "level"))


def record(user, framework, code, level, *, status=EvidenceStatus.VERIFIED, key=None):
    row, _ = evidence_record(
        user=user,
        competency=competency(framework, code),
        level=level,
        source=EvidenceSource.OJT,
        source_key=key or f"test:{code}",
        status=status,
    )
    return row


class Notified:
    """A temporary ``evidence_changed`` subscriber that counts whom it was told about."""

    def __init__(self):
        self.calls: Counter[int] = Counter()

    def __call__(self, user_id: int) -> None:
        self.calls[user_id] += 1


def receivers(signal, sender) -> set:
    sync, asynchronous = signal._live_receivers(sender)
    return {*sync, *asynchronous}


def test_no_model_signal_listens_to_evidence():
    """Only receivers for every model (the navigation cache's) remain: none connected for Evidence."""

    class Unrelated:
        pass

    for signal in (post_save, post_delete):
        assert receivers(signal, Evidence) == receivers(signal, Unrelated)


def test_certification_subscribes_once_and_courses_reach_evidence_through_the_same_hooks():
    assert hooks.get_hooks(EVIDENCE_CHANGED).count(level_table.levels_recompute_queue) == 1
    assert hooks.get_hooks(COURSE_COMPLETED).count(evidence_from_course_completion) == 1


def test_coalescing_reads_no_private_django_state():
    for module in (evidence_door, level_table):
        assert "run_on_commit" not in inspect.getsource(module)


def test_a_bulk_review_through_the_door_recomputes_every_owners_levels(
    framework, django_capture_on_commit_callbacks
):
    """One UPDATE for many rows sends no model signal; the door notifies the owners all the same."""
    taro, hanako, hr = staff(), staff(), staff()
    rows = [
        record(taro, framework, "B1", 3, status=EvidenceStatus.PENDING),
        record(hanako, framework, "C1", 3, status=EvidenceStatus.PENDING),
    ]
    assert table(taro) == table(hanako) == {}
    with django_capture_on_commit_callbacks(execute=True):
        assert evidence_review_record(evidence=rows, status=EvidenceStatus.VERIFIED, reviewer=hr) == 2
    assert table(taro) == {"B1": 3}
    assert table(hanako) == {"C1": 3}


def test_one_notification_per_person_per_transaction_whatever_the_writes(
    framework, django_capture_on_commit_callbacks
):
    taro, hanako, hr = staff(), staff(), staff()
    notified = Notified()
    with hooks.register_temporarily(EVIDENCE_CHANGED, notified):
        with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
            for code in ("A1", "A2", "A3"):
                record(taro, framework, code, 2)
            pending = record(taro, framework, "B1", 3, status=EvidenceStatus.PENDING)
            evidence_review_record(evidence=[pending], status=EvidenceStatus.VERIFIED, reviewer=hr)
            evidence_delete(evidence=taro.evidence.filter(competency__code="A3"))
            record(hanako, framework, "A1", 1)
            assert evidence_changed_pending() == {taro.pk, hanako.pk}
        assert len(callbacks) == 1  # one on-commit callback for the whole transaction
    assert notified.calls == {taro.pk: 1, hanako.pk: 1}
    assert table(taro) == {"A1": 2, "A2": 2, "B1": 3}
    assert evidence_changed_pending() == frozenset()


def test_each_transaction_gets_its_own_notification(framework, django_capture_on_commit_callbacks):
    taro = staff()
    notified = Notified()
    with hooks.register_temporarily(EVIDENCE_CHANGED, notified):
        with django_capture_on_commit_callbacks(execute=True):
            record(taro, framework, "A1", 2)
        with django_capture_on_commit_callbacks(execute=True):
            record(taro, framework, "A2", 2)
    assert notified.calls == {taro.pk: 2}


def test_new_pending_evidence_and_a_repeated_record_notify_no_one(
    framework, django_capture_on_commit_callbacks
):
    taro = staff()
    record(taro, framework, "A1", 2)
    notified = Notified()
    with (
        hooks.register_temporarily(EVIDENCE_CHANGED, notified),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        record(taro, framework, "A1", 2)  # the same source again: nothing changes
        record(taro, framework, "B1", 3, status=EvidenceStatus.PENDING)
    assert callbacks == [] and not notified.calls


def test_a_rolled_back_savepoint_notifies_no_one_and_leaves_nothing_pending(
    framework, django_capture_on_commit_callbacks
):
    taro, hanako = staff(), staff()
    notified = Notified()
    with (
        hooks.register_temporarily(EVIDENCE_CHANGED, notified),
        django_capture_on_commit_callbacks(execute=True),
    ):
        with pytest.raises(RuntimeError), transaction.atomic():
            record(taro, framework, "A1", 2)
            assert evidence_changed_pending() == {taro.pk}
            raise RuntimeError("rolled back")
        assert evidence_changed_pending() == frozenset()
        record(hanako, framework, "C1", 2)
        assert evidence_changed_pending() == {hanako.pk}
    assert notified.calls == {hanako.pk: 1}
    assert table(taro) == {} and table(hanako) == {"C1": 2}


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_notifies_no_one_and_the_next_one_starts_clean(framework):
    taro, hanako = staff(), staff()
    notified = Notified()
    with hooks.register_temporarily(EVIDENCE_CHANGED, notified):
        with pytest.raises(RuntimeError), transaction.atomic():
            record(taro, framework, "A1", 2)
            raise RuntimeError("rolled back")
        assert notified.calls == {}
        assert evidence_changed_pending() == frozenset()
        with transaction.atomic():
            record(hanako, framework, "C1", 2)
        assert notified.calls == {hanako.pk: 1}  # taro's rolled-back change is not carried over
    assert not Evidence.objects.filter(user=taro).exists()
    assert table(hanako) == {"C1": 2} and table(taro) == {}


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_notification_is_sent_at_once(framework):
    taro = staff()
    notified = Notified()
    with hooks.register_temporarily(EVIDENCE_CHANGED, notified):
        record(taro, framework, "A1", 2)  # autocommit: the row is committed as it is written
    assert notified.calls == {taro.pk: 1}
    assert table(taro) == {"A1": 2}


def test_a_failing_subscriber_does_not_stop_the_others(framework, caplog):
    taro = staff()
    notified = Notified()

    def broken(user_id):
        raise RuntimeError("down")

    with (
        hooks.register_temporarily(EVIDENCE_CHANGED, broken, order=-1),
        hooks.register_temporarily(EVIDENCE_CHANGED, notified),
        caplog.at_level("ERROR", logger="assessments.evidence"),
    ):
        evidence_door.evidence_changed_send(user_ids=[taro.pk])
    assert notified.calls == {taro.pk: 1}
    assert f"evidence_changed(user_id={taro.pk}) failed in " in caplog.text
