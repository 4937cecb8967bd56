"""Two workers checking the same person at the same moment, on two real PostgreSQL connections, issue one
certificate: the (user, programme, period) constraint decides, and the loser returns nothing."""

import datetime
import threading

import pytest
from django.db import connection, connections

from assessments.certification import services
from assessments.certification.models import Certificate
from assessments.models import Evidence
from lms_site.organisation.roles import Role
from lms_site.organisation.tenancy import acting_as

from .conftest import competency, person
from .factories import EvidenceFactory

pytestmark = pytest.mark.postgres


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_checks_issue_one_certificate(municipality, framework, programs):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...): concurrent transactions are under test")
    holder = person("racer", municipality, Role.LEARNER)
    # bulk_create sends no signal, so no recompute task issues the certificate before the race
    Evidence.objects.bulk_create(
        EvidenceFactory.build(user=holder, competency=competency(framework, code), level=2)
        for code in ("A1", "A4", "C1", "D1", "E1")
    )
    assert not Certificate.objects.exists()
    barrier = threading.Barrier(2)
    issued, errors = [], []

    def check() -> None:
        try:
            barrier.wait(timeout=10)
            with acting_as(holder):  # as the task runs it (and row-level security requires)
                issued.extend(services.certificates_issue_due(user=holder, on=datetime.date(2026, 11, 28)))
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=check) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert Certificate.objects.filter(user=holder).count() == 1
    assert len(issued) == 1
