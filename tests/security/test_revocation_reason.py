"""Issue 12, item 11: HR's revocation reason (it may name a disciplinary measure) is never published.

The attack: HR revokes a certificate with a reason; anyone then reads it on the public verification page
or in the OB 2.0 assertion. Now both say only that the certificate was revoked and when; HR's list still
shows the reason, and the form says it stays internal.
"""

import pytest
from django.urls import reverse

from assessments.certification import services
from lms_site.organisation.roles import Role
from tests.certification.conftest import framework, framework_csv, other_city, person, programs  # noqa: F401
from tests.certification.test_certificates import TODAY, basic_holder  # noqa: F401

REASON = "懲戒処分(停職3か月)のため"


@pytest.fixture
def revoked(client, basic_holder, municipality):  # noqa: F811
    """A certificate HR revoked over HTTP, with a reason; the client is signed in as that HR user."""
    certificate = services.certificates_issue_due(user=basic_holder, on=TODAY)[0]
    client.force_login(person("hr", municipality, Role.HR))
    response = client.post(
        reverse("certification:hr_certificate_revoke", args=[certificate.uuid]), {"reason": REASON}
    )
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None and certificate.revocation_reason == REASON
    return certificate


def test_anonymous_visitors_do_not_see_the_revocation_reason(client, revoked):
    client.logout()

    page = client.get(reverse("certification:certificate", args=[revoked.uuid]))
    assertion = client.get(reverse("certification:certificate_assertion", args=[revoked.uuid]))

    assert page.status_code == 200
    text = page.content.decode()
    assert "取り消されました" in text and revoked.revoked_at.astimezone().strftime("%Y-%m-%d") in text
    assert REASON not in text and "懲戒" not in text and "取消の理由" not in text
    assert assertion.status_code == 410
    body = assertion.json()
    assert body["revoked"] is True and "revocationReason" not in body
    assert REASON not in assertion.content.decode("utf-8")


def test_hr_still_sees_the_reason_in_their_list(client, revoked):
    page = client.get(reverse("certification:hr_certificates")).content.decode()

    assert REASON in page


def test_the_revocation_form_warns_that_the_reason_is_not_published(client, basic_holder, municipality):  # noqa: F811
    services.certificates_issue_due(user=basic_holder, on=TODAY)
    client.force_login(person("hr", municipality, Role.HR))

    page = client.get(reverse("certification:hr_certificates")).content.decode()

    assert "理由は人事課の記録にだけ残ります" in page
    assert 'aria-describedby="reason-' in page
