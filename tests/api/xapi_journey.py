"""A scripted learner journey for the xAPI tests: what 若葉市's city01 does, in order, two hours ago.

Used by ``test_xapi.py`` (sent to Ralph and read back) and ``test_xapi_validation.py`` (checked by
Learning Locker's validator). ``first()``: two lessons of the basics course completed, then the course; the
world's quiz attempt passed (its duration 6 min 30.25 s), a second attempt failed; competency A1 reached
at level 2; the programme's certificate earned. ``second()``: A1 reached at level 3; the certificate
revoked. Nine statements in all: completed ×3, passed, failed, achieved ×2, earned, voided.
"""

import datetime

import pytest
from django.utils import timezone

from api import xapi
from api.services import lrs_endpoint_add
from assessments.certification.models import Certificate, CompetencyLevel
from assessments.models import Attempt, AttemptStatus
from courses.models import Enrollment, LessonCompletion, LessonPage
from lms_site.organisation.tenancy import municipality_scope

FIRST = ["completed", "completed", "completed", "passed", "failed", "achieved", "earned"]  # in time order
SECOND = ["achieved", "voided"]


class Journey:
    def __init__(self, world, curriculum) -> None:
        self.world = world
        self.user = world["city_staff"].user
        self.course = curriculum["basics"]
        self.lessons = list(LessonPage.objects.child_of(self.course).order_by("path"))
        self.start = (timezone.now() - datetime.timedelta(hours=2)).replace(microsecond=0)
        self.passed = world["city_attempt"]
        self.failed = None
        self.level = world["city_level"]
        self.certificate = world["city_certificate"]

    def at(self, minutes: float) -> datetime.datetime:
        return self.start + datetime.timedelta(minutes=minutes)

    def first(self) -> None:
        for n, lesson in enumerate(self.lessons[:2], start=1):
            LessonCompletion.objects.create(user=self.user, lesson=lesson, completed_at=self.at(n))
        Enrollment.objects.filter(pk=self.world["city_enrollment"].pk).update(completed_at=self.at(3))
        Attempt.objects.filter(pk=self.passed.pk).update(
            started_at=self.at(4), finished_at=self.at(4) + datetime.timedelta(minutes=6, seconds=30.25)
        )
        self.passed.refresh_from_db()
        self.failed = Attempt.objects.create(
            user=self.user,
            quiz=self.passed.quiz,
            number=self.passed.number + 1,
            status=AttemptStatus.SUBMITTED,
            started_at=self.at(11),
            finished_at=self.at(12),
            seed=1,
            points=0,
            max_points=self.passed.max_points,
            percent=0,
            passed=False,
        )
        CompetencyLevel.objects.filter(pk=self.level.pk).update(level=2, updated_at=self.at(13))
        Certificate.objects.filter(pk=self.certificate.pk).update(created_at=self.at(14))

    def second(self) -> None:
        CompetencyLevel.objects.filter(pk=self.level.pk).update(level=3, updated_at=self.at(20))
        Certificate.objects.filter(pk=self.certificate.pk).update(
            revoked_at=self.at(21), revocation_reason="誤って発行"
        )

    def endpoint(
        self, url: str = "http://127.0.0.1:9/xAPI/statements/", key: str = "city", secret: str = "x"
    ):
        return lrs_endpoint_add(
            municipality=self.world["city"], name="県LRS", statements_url=url, key=key, secret=secret
        )

    def statements(self) -> list[dict]:
        """The journey's nine statements as ``pending_records`` builds them, without an LRS: the first
        part's, the mark moved past them (in memory only), then the second part's."""
        endpoint = self.endpoint()
        with municipality_scope(endpoint.municipality):
            self.first()
            records = xapi.pending_records(endpoint)
            endpoint.sent_until, endpoint.sent_until_key = records[-1].time, records[-1].key
            self.second()
            records += xapi.pending_records(endpoint)
        return [record.statement for record in records]


@pytest.fixture
def journey(world, curriculum):
    return Journey(world, curriculum)


def verb_of(statement: dict) -> str:
    return statement["verb"]["id"].rsplit("/", 1)[1]
