"""The level table: recomputed from verified evidence, idempotently, and queued on commit when evidence
changes (one task per person per transaction)."""

from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.certification import services, tasks
from assessments.certification.models import CompetencyLevel
from assessments.evidence import evidence_delete, evidence_review_record
from assessments.models import Evidence, EvidenceStatus
from tests.factories import StaffProfileFactory, UserFactory

from .conftest import competency
from .factories import EvidenceFactory

pytestmark = pytest.mark.django_db


def table(user) -> dict[str, int]:
    return dict(CompetencyLevel.objects.filter(user=user).values_list("competency__code", "level"))


@pytest.fixture
def user(db):
    return StaffProfileFactory(user__username="taro").user  # levels are a staff member's


def evidence(user, framework, code, level, source="quiz", **kwargs):
    return EvidenceFactory(
        user=user, competency=competency(framework, code), level=level, source=source, **kwargs
    )


def test_recompute_writes_the_levels_the_rule_gives(user, framework):
    evidence(user, framework, "A1", 2)
    evidence(user, framework, "C1", 4, "quiz")
    evidence(user, framework, "C1", 3, "qualification")
    evidence(user, framework, "E1", 4, "ojt", status=EvidenceStatus.PENDING)
    evidence(user, framework, "F1", 4, "advisor", status=EvidenceStatus.REJECTED)
    outcome = services.levels_recompute(user=user)
    assert table(user) == {"A1": 2, "C1": 3}
    assert outcome.as_dict() == {"users": 1, "created": 2, "updated": 0, "deleted": 0, "unchanged": 0}


def test_a_second_recompute_writes_nothing(user, framework, django_assert_max_num_queries):
    evidence(user, framework, "A1", 2)
    services.levels_recompute(user=user)
    stamp = CompetencyLevel.objects.get(user=user).updated_at
    with django_assert_max_num_queries(5):  # savepoint, lock, evidence, existing rows, release
        outcome = services.levels_recompute(user=user)
    assert outcome.unchanged == 1 and outcome.created == outcome.updated == outcome.deleted == 0
    assert CompetencyLevel.objects.get(user=user).updated_at == stamp


def test_recompute_updates_only_changed_rows_and_deletes_unsupported_ones(user, framework):
    evidence(user, framework, "A1", 2)
    c1 = evidence(user, framework, "C1", 2)
    gone = evidence(user, framework, "D1", 1)
    services.levels_recompute(user=user)
    a1_stamp = CompetencyLevel.objects.get(user=user, competency__code="A1").updated_at
    evidence(user, framework, "C1", 3, "ojt")
    gone.delete()
    c1.delete()
    outcome = services.levels_recompute(user=user)
    assert table(user) == {"A1": 2, "C1": 3}
    assert (outcome.updated, outcome.deleted, outcome.unchanged) == (1, 1, 1)
    assert CompetencyLevel.objects.get(user=user, competency__code="A1").updated_at == a1_stamp


def test_recompute_many_handles_a_batch_in_a_fixed_number_of_queries(
    framework, django_assert_max_num_queries
):
    users = [UserFactory() for _ in range(6)]
    for n, person in enumerate(users):
        evidence(person, framework, "A1", 1 + n % 2)
        evidence(person, framework, "B1", 3, "ojt")
    with django_assert_max_num_queries(7):
        outcome = services.levels_recompute_many(user_ids=[u.pk for u in users])
    assert outcome.created == 12
    assert table(users[1]) == {"A1": 2, "B1": 3}


def test_reviewing_evidence_recomputes_on_commit(user, framework, django_capture_on_commit_callbacks):
    row = evidence(user, framework, "B1", 3, "ojt", status=EvidenceStatus.PENDING)
    assert table(user) == {}
    with django_capture_on_commit_callbacks(execute=True):
        evidence_review_record(evidence=[row], status=EvidenceStatus.VERIFIED, reviewer=UserFactory())
    assert table(user) == {"B1": 3}


def test_deleting_verified_evidence_recomputes_on_commit(user, framework, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        row = evidence(user, framework, "B1", 3, "ojt")
    assert table(user) == {"B1": 3}
    with django_capture_on_commit_callbacks(execute=True):
        assert evidence_delete(evidence=user.evidence.filter(pk=row.pk)) == 1
    assert table(user) == {}


def test_one_task_per_person_per_transaction(framework, django_capture_on_commit_callbacks):
    taro, hanako = UserFactory(), UserFactory()
    with (
        mock.patch.object(tasks.recompute_levels, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        for code in ("A1", "A2", "A3"):
            evidence(taro, framework, code, 2)
        evidence(hanako, framework, "A1", 1)
    assert sorted(call.args for call in delay.call_args_list) == sorted([(taro.pk,), (hanako.pk,)])


def test_new_pending_evidence_queues_nothing(user, framework, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        evidence(user, framework, "A1", 2, status=EvidenceStatus.PENDING)
    assert callbacks == []


def test_a_rolled_back_change_does_not_block_the_next_one(
    user, framework, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                evidence(user, framework, "A1", 2)
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        evidence(user, framework, "C1", 2)
    assert table(user) == {"C1": 2}


@pytest.mark.django_db(transaction=True)
def test_a_failing_recompute_after_commit_is_logged_and_keeps_the_change(framework, caplog):
    """A failing subscriber is logged with the person, and the committed evidence stays."""
    taro = UserFactory()
    with (
        mock.patch.object(tasks.recompute_levels, "delay", side_effect=RuntimeError("pool closed")),
        caplog.at_level("ERROR", logger="assessments.evidence"),
        transaction.atomic(),
    ):
        evidence(taro, framework, "A1", 2)
    assert taro.evidence.filter(competency__code="A1").exists()
    assert f"evidence_changed(user_id={taro.pk}) failed in levels_recompute_queue" in caplog.text


def test_the_task_is_idempotent_and_ignores_deleted_users(user, framework):
    evidence(user, framework, "A1", 2)
    assert tasks.recompute_levels.delay(user.pk).get()["created"] == 1
    assert tasks.recompute_levels.delay(user.pk).get()["unchanged"] == 1
    assert tasks.recompute_levels.delay(999_999).get() == {}


def test_command_recomputes_everyone_in_batches_with_progress(framework, capsys):
    users = [UserFactory() for _ in range(5)]
    for person in users:
        evidence(person, framework, "A1", 2)
    stale = UserFactory()
    CompetencyLevel.objects.create(user=stale, competency=competency(framework, "F1"), level=4)
    call_command("recompute_levels", "--batch-size", "2")
    out = capsys.readouterr().out
    assert "2/6 people" in out and "6/6 people" in out
    assert "'created': 5" in out and "'deleted': 1" in out
    assert CompetencyLevel.objects.count() == 5


def test_command_for_one_user(user, framework, capsys):
    evidence(user, framework, "A1", 2)
    call_command("recompute_levels", "--user", "taro")
    assert "'created': 1" in capsys.readouterr().out
    with pytest.raises(CommandError, match="no user"):
        call_command("recompute_levels", "--user", "nobody")


SOURCES = (
    "quiz",
    "course",
    "ojt",
    "advisor",
    "qualification",
    "self",
)  # "self": a source the rule does not know
FACTS = st.lists(
    st.tuples(
        st.sampled_from(["A1", "B2", "C1"]),
        st.integers(min_value=1, max_value=5),
        st.sampled_from(SOURCES),
        st.sampled_from([EvidenceStatus.VERIFIED, EvidenceStatus.PENDING, EvidenceStatus.REJECTED]),
    ),
    max_size=8,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(facts=FACTS)
def test_the_table_holds_what_the_pure_rule_gives_for_any_evidence(user, framework, facts):
    """The recompute runs the rule in the database (one aggregate query); the rule's pure form
    (``levels.competency_levels``) is the specification it must agree with, fact for fact."""
    from assessments.certification import levels

    Evidence.objects.filter(user=user).delete()
    for code, level, source, status in facts:
        evidence(user, framework, code, level, source, status=status)

    services.levels_recompute(user=user)

    expected = levels.competency_levels(
        levels.EvidenceFact(competency=code, level=level, source=source, status=status)
        for code, level, source, status in facts
    )
    assert table(user) == expected
