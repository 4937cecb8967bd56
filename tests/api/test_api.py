"""The REST API (issue 16, first part): a machine client of one municipality reads its organisation,
staff and completions and nothing of another municipality's; people read what their role shows on pages."""

import pytest
from django.core.management import call_command

from lms_site.organisation.models import PersonalDataAccess
from lms_site.organisation.roles import Role, role_group
from lms_site.organisation.tenancy import platform_wide
from tests.factories import StaffProfileFactory, UserFactory

from .conftest import token_for

pytestmark = pytest.mark.django_db


def get(client, path, token=None, **params):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.get(path, params, **headers)


def test_a_client_reads_its_own_municipality_only(client, world):
    token = token_for(client, world["town"])
    departments = get(client, "/api/v1/departments/", token).json()["results"]
    assert {d["code"] for d in departments} == {"010000", "010100"}
    assert {d["name"] for d in departments} == {"みどり町総務部", "みどり町人事課"}
    assert [d["parent_code"] for d in departments if d["code"] == "010100"] == ["010000"]
    staff = get(client, "/api/v1/staff/", token).json()["results"]
    assert [(s["employee_number"], s["department_code"]) for s in staff] == [("town01", "010100")]
    completions = get(client, "/api/v1/completions/", token).json()["results"]
    assert [c["employee_number"] for c in completions] == ["town01"]
    levels = get(client, "/api/v1/levels/", token).json()["results"]
    assert [(x["employee_number"], x["competency"], x["level"]) for x in levels] == [("town01", "A1", 2)]
    certificates = get(client, "/api/v1/certificates/", token).json()["results"]
    assert [(c["employee_number"], c["program"], c["status"]) for c in certificates] == [
        ("town01", "DX_BASIC", "valid")
    ]
    assert certificates[0]["verification_url"].endswith(f"/certificates/{world['town_certificate'].uuid}/")


KEYS = {
    "departments": "city_department",
    "staff": "city_staff",
    "completions": "city_enrollment",
    "levels": "city_level",
    "certificates": "city_certificate",
    "evidence": "city_evidence",
    "attempts": "city_attempt",
}


@pytest.mark.parametrize("resource", sorted(KEYS))
def test_another_municipality_s_rows_are_not_found(client, world, resource):
    token = token_for(client, world["town"])
    key = KEYS[resource]
    assert get(client, f"/api/v1/{resource}/{world[key].pk}/", token).status_code == 404
    assert (
        get(client, f"/api/v1/{resource}/{world[key.replace('city', 'town')].pk}/", token).status_code == 200
    )


def test_personal_data_read_by_a_client_is_in_the_access_log(client, world):
    token = token_for(client, world["city"])
    get(client, "/api/v1/staff/", token)
    with platform_wide():
        entry = PersonalDataAccess.objects.get(view="api_staff")
    assert entry.municipality_id == world["city"].pk and entry.rows == 1
    assert entry.viewer.username.startswith("api-999991-")


def test_updated_since_pulls_only_what_changed(client, world):
    token = token_for(client, world["city"])
    assert (
        len(
            get(client, "/api/v1/completions/", token, updated_since="2000-01-01T00:00:00+09:00").json()[
                "results"
            ]
        )
        == 1
    )
    assert (
        get(client, "/api/v1/completions/", token, updated_since="2999-01-01T00:00:00+09:00").json()[
            "results"
        ]
        == []
    )
    bad = get(client, "/api/v1/completions/", token, updated_since="yesterday")
    assert bad.status_code == 400 and "updated_since" in bad.json()["errors"]


@pytest.mark.parametrize("size", ["0", "501", "-1", "many"])
def test_a_page_size_out_of_range_is_refused(client, world, size):
    token = token_for(client, world["city"])
    response = get(client, "/api/v1/staff/", token, page_size=size)
    assert response.status_code == 400 and "page_size" in response.json()["errors"]


def test_without_a_token_or_with_a_foreign_or_revoked_one_nothing_is_read(client, world):
    assert get(client, "/api/v1/staff/").status_code in {401, 403}
    assert get(client, "/api/v1/staff/", "not-a-token").status_code == 401
    token = token_for(client, world["city"])
    call_command(
        "api_client", "revoke", "--municipality", "999991", "--name", "人事給与システム", stdout=None
    )
    assert get(client, "/api/v1/staff/", token).status_code == 401


def test_nothing_is_written_through_the_read_api(client, world):
    token = token_for(client, world["city"])
    response = client.post(
        "/api/v1/departments/", "{}", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 405  # no operation of this first part writes, whatever the scope


@pytest.mark.parametrize(
    ("role", "staff", "departments"),
    [(Role.HR, 200, 200), (Role.LEARNER, 403, 403), (Role.ADVISOR, 403, 403), (Role.REVIEWER, 403, 403)],
)
def test_people_read_what_their_role_shows_on_the_pages(client, world, role, staff, departments):
    user = UserFactory(username=f"person-{role.value}")
    StaffProfileFactory(user=user, municipality=world["city"])
    user.groups.set([role_group(role)])
    client.force_login(user)
    assert get(client, "/api/v1/staff/").status_code == staff
    assert get(client, "/api/v1/departments/").status_code == departments
    assert get(client, "/api/v1/competencies/").status_code == 200
    if staff == 200:
        numbers = {s["employee_number"] for s in get(client, "/api/v1/staff/").json()["results"]}
        assert "town01" not in numbers and "city01" in numbers


def test_the_schema_and_the_reference_page_are_served_from_the_site(client, world):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/staff/" in schema.content
    page = client.get("/api/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()


def test_the_command_prints_the_secret_once_and_lists_clients(world, capsys):
    import io

    out = io.StringIO()
    call_command(
        "api_client", "add", "--municipality", "999992", "--name", "DWH", "--scopes", "read", stdout=out
    )
    assert "client_secret:" in out.getvalue()
    listing = io.StringIO()
    call_command("api_client", "list", stdout=listing)
    assert "DWH" in listing.getvalue() and "client_secret" not in listing.getvalue()
    with pytest.raises(Exception, match="no municipality has the code"):
        call_command("api_client", "add", "--municipality", "000000", "--name", "x", stdout=io.StringIO())
    with pytest.raises(Exception, match="unknown scope"):
        call_command(
            "api_client",
            "add",
            "--municipality",
            "999992",
            "--name",
            "y",
            "--scopes",
            "admin",
            stdout=io.StringIO(),
        )


def test_what_schemathesis_found_on_postgresql_is_answered(client, world):
    """A NUL byte in an unknown parameter's name (the access log is JSON) and an offset of -20:49 (more than
    PostgreSQL takes) once gave 500 on PostgreSQL."""
    token = token_for(client, world["city"])
    response = client.get("/api/v1/certificates/?%00x%00=1", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    response = get(client, "/api/v1/completions/", token, updated_since="0695-04-14T01:57:27.641-20:49")
    assert response.status_code == 200
    # the first day of year 1 east of UTC has no UTC moment: refused by name, not a server error
    response = get(client, "/api/v1/completions/", token, updated_since="0001-01-01T00:00:00+09:00")
    assert response.status_code == 400 and "updated_since" in response.json()["errors"]


def test_completions_come_as_csv_for_a_spreadsheet_too(client, world):
    token = token_for(client, world["city"])
    response = get(client, "/api/v1/completions/", token, format="csv", page_size="1")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffid,employee_number,course,course_title,enrolled_at,completed_at")
    assert "city01,dx-basics,DXリテラシー基礎" in text and "town01" not in text


def test_the_competency_framework_comes_as_a_case_package(client, world):
    """The framework a client reads as rows is also given as 1EdTech CASE 1.0, which another system's CASE
    importer takes (the same package the admin exports; tests/fuzz checks our own importer takes it back)."""
    from courses.competencies import services

    token = token_for(client, world["city"])

    response = client.get("/api/v1/competencies/case/", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 200
    package = response.json()
    assert set(package) >= {"CFDocument", "CFItems", "CFAssociations"}
    codes = {item.get("humanCodingScheme") for item in package["CFItems"]}
    assert {"A1"} <= codes
    outcome = services.framework_import_case(content=response.content)
    # our CASE importer recognises it as the very framework it came from (identifiers kept, nothing new)
    assert (outcome.errors, outcome.created) == ([], False)
    assert outcome.framework == world["city_level"].competency.framework
