"""A job whose task the broker cannot take (nothing listens on its port) is marked failed at once, with a
message saying to try again later, instead of staying "queued" forever or failing the request.

Nothing needs to be started (the broker's port is simply closed), so these run in both test legs.
"""

import pytest
from django.urls import reverse

from analytics.models import SnapshotRun, SnapshotStatus
from lms_site.organisation.models import ImportStatus, StaffImport, StaffProfile
from tests.analytics.conftest import hr  # noqa: F401 - fixture
from tests.faults.conftest import celery_using, free_port
from tests.organisation.test_admin_import import hr_client, post_file  # noqa: F401 - fixture
from tests.organisation.test_staff_import import GOOD_ROWS, csv_bytes

pytestmark = [
    pytest.mark.faults,
    # Celery's AsyncResult objects unsubscribe from Redis when garbage-collected; with no Redis that fails
    # inside __del__, which pytest reports as an unraisable exception. Nothing of ours is involved.
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]


@pytest.fixture
def broker_down(transactional_db):
    """Celery sends to a Redis port where nothing listens; the database commits as in production, so
    ``on_commit`` work runs during the request."""
    with celery_using(f"redis://127.0.0.1:{free_port()}/0"):
        yield


def test_a_large_staff_import_that_cannot_be_queued_fails_with_a_message_and_imports_nothing(
    broker_down,
    hr_client,  # noqa: F811 - the fixture imported above
    settings,
):
    settings.STAFF_IMPORT_ASYNC_ROWS = 2

    response = post_file(hr_client, csv_bytes(*GOOD_ROWS))

    job = StaffImport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("organisation_admin:staff_import_detail", args=[job.pk])
    assert job.status == ImportStatus.FAILED and job.finished_at is not None
    assert job.errors == [
        "バックグラウンド処理のサービスに接続できなかったため、取込を開始していません。"
        "しばらくしてから、もう一度取り込んでください。"
    ]
    assert not StaffProfile.objects.exclude(employee_number="900001").exists()  # only the HR person's own
    page = hr_client.get(response.url).content.decode()
    assert "取込を開始していません" in page and "import-progress" not in page
    progress = hr_client.get(reverse("organisation_admin:staff_import_progress", args=[job.pk])).json()
    assert progress["status"] == "failed" and progress["finished"] is True


def test_recompute_now_that_cannot_be_queued_fails_and_says_to_try_again_later(
    broker_down,
    client,
    hr,  # noqa: F811 - the fixture imported above
):
    client.force_login(hr)

    response = client.post(reverse("analytics:snapshot_run"))

    run = SnapshotRun.objects.get()
    assert response.url == reverse("analytics:snapshot_status", args=[run.pk])
    assert run.status == SnapshotStatus.FAILED and run.finished_at is not None
    assert "集計を開始していません" in run.error
    page = client.get(response.url).content.decode()
    assert "集計を開始していません" in page  # the reason, once, as a message
    assert "集計に失敗しました" in page
    state = client.get(response.url, {"format": "json"}).json()
    assert state["status"] == "failed" and state["done"] is True


def test_the_import_command_says_when_it_could_not_queue(broker_down, municipality, tmp_path):
    from django.core.management import CommandError, call_command

    path = tmp_path / "staff.csv"
    path.write_bytes(csv_bytes(*GOOD_ROWS))
    with pytest.raises(CommandError, match="was not queued: バックグラウンド処理のサービス"):
        call_command("import_staff", str(path), "--async")
    assert StaffImport.objects.get().status == ImportStatus.FAILED
    assert not StaffProfile.objects.exists()
