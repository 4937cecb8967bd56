"""Two concurrent submissions of one attempt, on two real PostgreSQL connections, grade it once."""

import threading

import pytest
from django.db import connection, connections
from dx_assessment import grading

from assessments import attempts
from assessments.models import Attempt, AttemptStatus, Evidence
from lms_site.organisation.tenancy import acting_as
from tests.factories import StaffProfileFactory

pytestmark = pytest.mark.postgres


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_submissions_produce_one_graded_result(quiz):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...): row locking is what is under test")
    learner = StaffProfileFactory(user__username="racer").user  # evidence is a staff member's
    attempt = attempts.attempt_start(user=learner, quiz=quiz)
    for item in attempt.items.select_related("version"):
        question = grading.Question.from_dict(item.version.definition)
        attempts.attempt_answer(
            attempt=attempt, position=item.position, response=grading.correct_response(question)
        )

    barrier = threading.Barrier(2)
    results, errors = [], []

    def submit() -> None:
        try:
            barrier.wait(timeout=10)
            with acting_as(learner):  # the scope of the learner's request (row-level security needs it)
                mine = Attempt.objects.get(pk=attempt.pk)  # each thread has its own connection
                results.append(attempts.attempt_submit(attempt=mine))
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.percent == 100
    assert {r.finished_at for r in results} == {attempt.finished_at}
    assert Evidence.objects.filter(user=learner).count() == 4  # recorded once, not twice
