"""The API role matrix (issue 16), enumerated from the OpenAPI document: every operation as every role of
the town and as the town's machine client, against the city's rows. A new operation fails
``test_every_operation_is_in_the_matrix`` until it is given its rule here."""

import pytest

from courses.competencies.case_io.build import child_of_identifier, rubric_identifier
from courses.competencies.case_io.vocabulary import item_type_identifier
from lms_site.organisation.roles import Role, role_group
from tests.factories import StaffProfileFactory, UserFactory

from .conftest import token_for

pytestmark = pytest.mark.django_db

# resource -> (the world key of the city's row, who may read it: "personal" or "departments" or "anyone")
RULES = {
    "departments": ("city_department", "departments"),
    "staff": ("city_staff", "personal"),
    "completions": ("city_enrollment", "personal"),
    "levels": ("city_level", "personal"),
    "certificates": ("city_certificate", "personal"),
    "evidence": ("city_evidence", "personal"),
    "attempts": ("city_attempt", "personal"),
    "competencies": (None, "anyone"),
    "coverage": (None, "summary"),  # aggregates: suppressed for a role without personal data
    "training-rules": ("city_rule", "training"),
    "training-dues": ("city_due", "training"),
}
ALLOWED = {
    Role.HR: {"personal", "departments", "anyone", "summary", "training"},
    Role.MANAGER: {"anyone"},  # the coverage of the subtree they head: this one heads none
    Role.LEARNER: {"anyone"},
    Role.ADVISOR: {"anyone"},
    Role.REVIEWER: {"anyone", "summary"},
    Role.PREFECTURE: {"anyone"},
}


def operations(client) -> list[tuple[str, str]]:
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    return [(path, method) for path, item in schema["paths"].items() for method in item]


def resource_of(path: str) -> str:
    return path.removeprefix("/api/v1/").split("/")[0]


def test_every_operation_is_in_the_matrix(client, world):
    found = operations(client)
    assert {method for _path, method in found} == {"get", "post"}
    assert {path for path, method in found if method == "post"} == {"/api/v1/training-rules/"}
    assert {resource_of(path) for path, _method in found} == set(RULES)


@pytest.mark.parametrize("role", sorted(ALLOWED, key=lambda r: r.value), ids=lambda r: r.value)
def test_each_role_of_the_town_reads_what_its_role_allows_and_nothing_of_the_city(client, world, role):
    paths = [path for path, _method in operations(client)]
    user = UserFactory(username=f"town-{role.value}")
    StaffProfileFactory(user=user, municipality=world["town"])
    user.groups.set([role_group(role)])
    client.force_login(user)
    for path in paths:
        key, rule = RULES[resource_of(path)]
        victim = world[key].pk if key else 424242
        response = client.get(path.replace("{id}", str(victim)))
        if rule not in ALLOWED[role]:
            assert response.status_code == 403, (role, path)
        elif "{id}" in path:
            assert response.status_code == 404, (role, path)  # the city's row does not exist for the town
        else:
            assert response.status_code == 200, (role, path)
            assert "city" not in response.content.decode(), (role, path)


def test_the_town_s_client_reads_nothing_of_the_city(client, world):
    token = token_for(client, world["town"])
    for path, _method in operations(client):
        key, _rule = RULES[resource_of(path)]
        victim = world[key].pk if key else 424242
        response = client.get(path.replace("{id}", str(victim)), HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == (404 if "{id}" in path else 200), path
        assert "city" not in response.content.decode() and "若葉市" not in response.content.decode(), path


# --- The CASE 1.0 provider (/ims/case/v1p0/ and /api/ims/case/v1p0/, ADR 0021): not in the OpenAPI
# document (1EdTech's describes it), so its operations are listed here. The frameworks are the platform's,
# with no personal data: every role and any municipality's client reads them; nobody anonymous.


def case_operations(world) -> list[str]:
    framework = world["city_level"].competency.framework
    competency = world["city_level"].competency
    child_of = child_of_identifier(competency.identifier, competency.area.identifier)
    return [
        f"{base}/{path}"
        for base in ("/api/ims/case/v1p0", "/ims/case/v1p0")  # one set of views at both bases
        for path in (
            "CFDocuments",
            "CFDocuments?sort=version&orderBy=desc&filter=version%3D%271.0%27&fields=identifier",
            f"CFDocuments/{framework.identifier}",
            f"CFPackages/{framework.identifier}",
            f"CFItems/{competency.identifier}",
            f"CFAssociations/{child_of}",
            f"CFItemAssociations/{competency.identifier}",
            f"CFRubrics/{rubric_identifier(framework.identifier)}",
            f"CFItemTypes/{item_type_identifier('能力')}",
        )
    ]


@pytest.mark.parametrize("role", sorted(ALLOWED, key=lambda r: r.value), ids=lambda r: r.value)
def test_each_role_of_the_town_reads_the_case_provider_and_nothing_of_the_city(client, world, role):
    user = UserFactory(username=f"town-{role.value}")
    StaffProfileFactory(user=user, municipality=world["town"])
    user.groups.set([role_group(role)])
    client.force_login(user)
    for path in case_operations(world):
        response = client.get(path)
        assert response.status_code == 200, (role, path)
        assert "city" not in response.content.decode() and "若葉市" not in response.content.decode(), path


def test_the_case_provider_serves_any_municipality_s_client_and_no_anonymous_caller(client, world):
    token = token_for(client, world["town"])
    for path in case_operations(world):
        assert client.get(path, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200, path
        assert client.get(path).status_code == 401, path
