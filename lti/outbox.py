"""Scores owed to the platforms, sent with retries (ADR 0023).

A graded quiz attempt, a completed lesson, or a course's progress or completion, of a learner who came from
an LMS with a line item for it becomes a ``Score`` row (``lti.signals``); ``send_due`` posts the rows whose
time has come, each under a lease (a conditional UPDATE of its next try), so two workers never send one
row at once, and only to a line item on the registration's platform. A failure is recorded and tried again
after 1, 2, 4 … minutes (at most a day) until ``LTI_SCORE_MAX_TRIES``. The platform keeps the latest
score by its timestamp, so a score sent twice after a lost answer does no harm.
"""

import datetime
import logging

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.grade import Grade
from pylti1p3.service_connector import ServiceConnector
from requests import RequestException

from .models import Score, ScoreStatus
from .services import on_platform
from .tool import library_registration

logger = logging.getLogger("lti")

LEASE = datetime.timedelta(minutes=5)
BATCH = 200


def backoff(tries: int) -> datetime.timedelta:
    return min(datetime.timedelta(minutes=2 ** max(tries - 1, 0)), datetime.timedelta(days=1))


def grade_of(score: Score) -> Grade:
    return (
        Grade()
        .set_user_id(score.link.subject)
        .set_score_given(float(score.score_given))
        .set_score_maximum(float(score.score_maximum))
        .set_timestamp(score.timestamp.isoformat())
        .set_activity_progress(score.activity_progress)
        .set_grading_progress(score.grading_progress)
    )


def _error_text(error: Exception) -> str:
    if isinstance(error, LtiServiceException) and getattr(error, "args", None):
        response = error.args[0]
        status = getattr(response, "status_code", None)
        if status is not None:
            return f"HTTP {status}: {getattr(response, 'text', '')[:500]}"
    return f"{type(error).__name__}: {error}"[:2000]


def send_due(now: datetime.datetime | None = None) -> int:
    """Post every due score; the number sent. Never raises for one row's sake."""
    now = now or timezone.now()
    due = list(
        Score.objects.filter(status=ScoreStatus.PENDING, next_try_at__lte=now)
        .select_related("link__registration")
        .order_by("next_try_at", "pk")[:BATCH]
    )
    connectors: dict[int, ServiceConnector] = {}
    sent = 0
    for score in due:
        leased = Score.objects.filter(
            Q(pk=score.pk), status=ScoreStatus.PENDING, next_try_at=score.next_try_at
        ).update(next_try_at=now + LEASE)
        if not leased:
            continue
        registration = score.link.registration
        try:
            if not on_platform(registration, score.link.lineitem_url):  # never our token off its platform
                raise ValueError("the line item is not on the registration's platform")
            connector = connectors.get(registration.pk)
            if connector is None:
                connector = connectors[registration.pk] = ServiceConnector(library_registration(registration))
            service = AssignmentsGradesService(
                connector, {"scope": score.link.scopes, "lineitem": score.link.lineitem_url}
            )
            service.put_grade(grade_of(score))
        except (LtiException, RequestException, ValueError, KeyError) as error:
            score.tries += 1
            score.last_error = _error_text(error)
            score.status = (
                ScoreStatus.FAILED if score.tries >= settings.LTI_SCORE_MAX_TRIES else ScoreStatus.PENDING
            )
            score.next_try_at = now + backoff(score.tries)
            score.save(update_fields=["tries", "last_error", "status", "next_try_at"])
            logger.warning("LTI score %s not taken (try %s): %s", score.pk, score.tries, score.last_error)
            connectors.pop(registration.pk, None)
            continue
        score.tries += 1
        score.status, score.sent_at, score.last_error = ScoreStatus.SENT, timezone.now(), ""
        score.save(update_fields=["tries", "status", "sent_at", "last_error"])
        sent += 1
    return sent
