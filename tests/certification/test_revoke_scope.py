"""Who may revoke a certificate: HR of the issuing municipality, whatever has happened to its holder since,
or a superuser; read through the programme scope (ADR 0016, "One scope")."""

import pytest

from assessments.certification import services
from lms_site.organisation.roles import Role, role_group
from tests.factories import UserFactory

from .conftest import other_city, person  # noqa: F401 - re-exported fixture
from .test_certificates import TODAY, basic_holder  # noqa: F401 - re-exported fixture


def test_hr_of_the_issuing_city_revokes_after_the_holder_moved(basic_holder, municipality, other_city):  # noqa: F811
    certificate = services.certificates_issue_due(user=basic_holder, on=TODAY)[0]
    profile = basic_holder.staff_profile
    profile.municipality = other_city
    profile.save()

    with pytest.raises(services.CertificateError):  # the holder's new town's HR did not issue it
        services.certificate_revoke(
            certificate=certificate, actor=person("hr_new", other_city, Role.HR), reason="理由"
        )
    services.certificate_revoke(
        certificate=certificate, actor=person("hr", municipality, Role.HR), reason="理由"
    )

    certificate.refresh_from_db()
    assert certificate.revoked_at is not None


@pytest.mark.parametrize("with_staff_record", [False, True])
def test_a_superuser_revokes_in_any_city(basic_holder, other_city, with_staff_record):  # noqa: F811
    certificate = services.certificates_issue_due(user=basic_holder, on=TODAY)[0]
    root = person("root", other_city) if with_staff_record else UserFactory(username="root")
    root.is_superuser = True
    root.save()

    services.certificate_revoke(certificate=certificate, actor=root, reason="理由")

    certificate.refresh_from_db()
    assert certificate.revoked_at is not None


def test_hr_without_a_staff_record_is_refused(basic_holder):  # noqa: F811
    certificate = services.certificates_issue_due(user=basic_holder, on=TODAY)[0]
    hr = UserFactory(username="hr_nowhere")
    hr.groups.add(role_group(Role.HR))

    with pytest.raises(services.CertificateError):
        services.certificate_revoke(certificate=certificate, actor=hr, reason="理由")
    certificate.refresh_from_db()
    assert certificate.revoked_at is None
