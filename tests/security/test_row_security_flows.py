"""Issue 13, ADR 0016: the application's own flows work under a role that row-level security binds.

The test suite connects as the owner of the tables, which PostgreSQL's policies do not bind; production
runs as a role they do. Each test here switches its connection to such a role (``SET ROLE``, undone with
the test's transaction) before it drives a flow over HTTP, so that a read the policies would hide or a
write they would refuse fails here instead of in production. The first such write found this way: a
passed quiz of an account with no staff record (an LMS user an LTI launch did not link to HR) inserted
evidence that belonged to no municipality, and the request ended in a 500.
"""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.urls import reverse

from assessments.certification.models import CompetencyLevel
from assessments.models import Evidence
from lms_site.organisation.models import ImportStatus, StaffImport, StaffProfile
from lms_site.organisation.roles import ROLES, Role
from lms_site.organisation.tenancy import platform_wide
from tests.assessments.conftest import framework, questions, quiz  # noqa: F401 - fixtures
from tests.assessments.test_attempts import answer_everything, start
from tests.conftest import APPLICATION_ROLE, application_role_grant
from tests.factories import MunicipalityFactory, StaffProfileFactory, UserFactory
from tests.organisation.test_admin_import import post_file
from tests.organisation.test_staff_import import GOOD_ROWS, csv_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def as_application_role(database_owner):
    """From here on, the test's connection is a role like the application's: no superuser, not the owner."""
    if connection.vendor != "postgresql":
        pytest.skip("row-level security is PostgreSQL's (DATABASE_URL=postgres://...)")
    with connection.cursor() as cursor:
        application_role_grant(cursor)  # the role the suite runs as (tests/conftest.py), also as the owner
        cursor.execute(f"SET ROLE {APPLICATION_ROLE}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == APPLICATION_ROLE  # nothing in the flow switched it back
        cursor.execute("RESET ROLE")


def test_a_staff_member_passes_a_quiz_and_their_evidence_and_levels_are_written(
    client,
    quiz,  # noqa: F811 - the fixture imported above
    django_capture_on_commit_callbacks,
    as_application_role,
):
    learner = StaffProfileFactory(user__username="rls-learner").user
    client.force_login(learner)
    attempt = start(client, quiz)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("assessments:attempt", args=[attempt.pk]), answer_everything(client, attempt, right=True)
        )
    assert response.status_code == 302
    assert client.get(reverse("courses:my_learning")).status_code == 200
    with platform_wide():
        assert Evidence.objects.filter(user=learner).count() == 4
        assert CompetencyLevel.objects.filter(user=learner).count() == 4


def test_an_account_without_a_staff_record_passes_a_quiz_without_an_error(
    client,
    quiz,  # noqa: F811 - the fixture imported above
    django_capture_on_commit_callbacks,
    as_application_role,
):
    outsider = UserFactory(username="rls-lms-user")
    client.force_login(outsider)
    attempt = start(client, quiz)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("assessments:attempt", args=[attempt.pk]), answer_everything(client, attempt, right=True)
        )
    assert response.status_code == 302
    assert client.get(response.url).status_code == 200
    with platform_wide():
        assert not Evidence.objects.filter(user=outsider).exists()


def test_hr_imports_staff_and_lists_only_their_municipality(client, departments, as_application_role):
    city = departments["010100"].municipality
    with platform_wide():
        other = StaffProfileFactory(municipality=MunicipalityFactory(code="999992", name="みどり町"))
        hr = StaffProfileFactory(municipality=city, employee_number="900001").user
        hr.groups.add(Group.objects.get(name=ROLES[Role.HR].group_name))
    client.force_login(hr)

    response = post_file(client, csv_bytes(*GOOD_ROWS, encoding="cp932"))

    assert response.status_code == 302
    with platform_wide():
        job = StaffImport.objects.get()
        assert job.status == ImportStatus.DONE and job.summary["created"] == 3
        assert set(StaffProfile.objects.values_list("municipality", flat=True)) == {
            city.pk,
            other.municipality_id,
        }
    listing = client.get("/admin/staffprofile/")
    assert listing.status_code == 200
    page = listing.content.decode()
    assert other.employee_number not in page and other.given_name not in page
    for row in GOOD_ROWS:
        assert row.split(",")[0] in page  # each imported employee number is listed
