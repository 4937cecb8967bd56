"""The morning notification job in a real worker on the real broker, against a real SMTP server: the task
delivered again (a retry, or beat firing twice) sends nothing a second time (issue 15)."""

import datetime

import pytest

from lms_site.notifications.models import EmailStatus, Notification
from lms_site.notifications.tasks import notifications_send_task
from tests.assessments.conftest import questions, quiz  # noqa: F401 - fixtures of tests.training
from tests.courses.conftest import framework  # noqa: F401 - fixture
from tests.smtp import smtp_server  # noqa: F401 - fixture
from tests.training.conftest import city  # noqa: F401 - fixture
from training import services
from training.services import RuleSpec

pytestmark = pytest.mark.broker


@pytest.fixture
def worker_after_smtp(smtp_server, request):  # noqa: F811
    """The worker starts after the SMTP server, so that it inherits the server's address."""
    return request.getfixturevalue("celery_worker")


def test_a_redelivered_morning_job_sends_nothing_twice(
    transactional_db,  # committed rows, which the worker process can read
    city,  # noqa: F811
    quiz,  # noqa: F811 - a quiz, not a course: pages need the home page, which transactional tests flush
    smtp_server,  # noqa: F811
    worker_after_smtp,
):
    for key in ("shimin1", "hoken"):
        city[key].user.email = f"{key}@city.wakaba.example.jp"
        city[key].user.save(update_fields=["email"])
    services.rule_create(
        spec=RuleSpec(title="DX基礎", quiz=quiz, due_on=datetime.date(2026, 5, 14)),
        municipality=city["municipality"],
        today=datetime.date(2026, 4, 20),
    )
    assert notifications_send_task.delay("2026-05-11").get(timeout=60) == 2
    assert notifications_send_task.delay("2026-05-11").get(timeout=60) == 0
    assert smtp_server.pairs() == [
        ("hoken@city.wakaba.example.jp", "[DX推進リーダー育成] 研修「DX基礎」の期限は2026-05-14です"),
        ("shimin1@city.wakaba.example.jp", "[DX推進リーダー育成] 研修「DX基礎」の期限は2026-05-14です"),
    ]
    assert set(Notification.objects.values_list("email_status", flat=True)) == {
        EmailStatus.SENT,
        EmailStatus.NOT_SENT,  # the others have no e-mail address: in the app only
    }
