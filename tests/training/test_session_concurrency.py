"""Two cancellations of one full session at the same moment, on two real PostgreSQL connections, promote
two different people from the waiting list and never seat more than the capacity."""

import threading

import pytest
from django.db import connection, connections

from lms_site.organisation.tenancy import platform_wide
from training import sessions
from training.models import RegistrationStatus, SessionRegistration

from .test_sessions import make_session

pytestmark = pytest.mark.postgres


@pytest.fixture(autouse=True)
def _postgres_only():
    """Skips before any other fixture runs (they would write to a database the test cannot use)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...): row locking is what is under test")


@pytest.fixture
def course(transactional_db):
    """One live course under the home page. An earlier transactional test (the broker's, say) flushes
    every table when it ends, the page tree the migrations made included, so it is made again if missing
    (the shared ``curriculum`` fixture needs more of what the migrations made)."""
    from django.conf import settings
    from wagtail.models import Locale, Page

    from courses.models import CoursePage
    from lms_site.home.models import HomePage

    home = HomePage.objects.first()
    if home is None:
        Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
        root = Page.get_first_root_node() or Page.add_root(title="Root", slug="root")
        home = root.add_child(instance=HomePage(title="ホーム", slug="home"))
    return home.add_child(
        instance=CoursePage(title="業務改革(BPR)", slug="bpr-race", summary="集合研修", estimated_hours=3)
    )


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_cancellations_promote_two_distinct_people(city, course):
    session = make_session(city, {"basics": course}, capacity=2)
    people = [city[key] for key in ("shimin1", "shimin2", "hoken", "kenshu", "kacho")]
    leaving = [sessions.session_register(session=session, staff=p) for p in people[:2]]
    waiting = [sessions.session_register(session=session, staff=p) for p in people[2:]]
    assert {r.status for r in waiting} == {RegistrationStatus.WAITLISTED}

    barrier = threading.Barrier(2)
    promoted, errors = [], []

    def cancel(registration_id: int) -> None:
        try:
            with platform_wide():
                barrier.wait(timeout=10)
                mine = SessionRegistration.objects.select_related("session").get(pk=registration_id)
                promoted.extend(sessions.registration_cancel(registration=mine))
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=cancel, args=(r.pk,)) for r in leaving]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(r.pk for r in promoted) == [waiting[0].pk, waiting[1].pk]  # two distinct, in order
    seated = SessionRegistration.objects.filter(session=session, status=RegistrationStatus.REGISTERED)
    assert sorted(seated.values_list("pk", flat=True)) == [waiting[0].pk, waiting[1].pk]
    waiting[2].refresh_from_db()
    assert waiting[2].status == RegistrationStatus.WAITLISTED
