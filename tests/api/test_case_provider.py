"""The CASE 1.0 provider (/api/ims/case/v1p0/, ADR 0021): every framework the platform holds, ours and the
reference frameworks, by the REST binding's paths; every response checked against the CASE 1.0 schema the
project keeps (case_io.schema: the CFPackage schema and its parts, imsx_StatusInfo for errors)."""

import json
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from api.models import ApiClient
from api.services import api_client_revoke
from courses.competencies import services
from courses.competencies.case_io.build import rubric_identifier
from courses.competencies.case_io.schema import rest_validator
from courses.competencies.models import Competency, CompetencyFramework, CompetencyMapping
from lms_site.organisation.roles import Role, role_group
from tests.competencies.conftest import FRAMEWORK_CSV
from tests.competencies.helpers import framework_content
from tests.competencies.test_case_reference import _with_rubric
from tests.factories import MunicipalityFactory, StaffProfileFactory, UserFactory

from .conftest import token_for

pytestmark = pytest.mark.django_db

CASE_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "case"
PACKAGES = [
    "act-holistic-framework-math.json",
    "opensalt-ordering-sample.json",
    "opensalt-smartlevel-test.json",
    "opensalt-item-type-test.json",
]
DEMO_REFERENCE = CASE_DIR.parent / "demo" / "reference" / "dx-literacy-standard.json"
BASE = "/api/ims/case/v1p0"
DETAIL = ("CFDocuments", "CFPackages", "CFItems", "CFAssociations", "CFItemAssociations", "CFRubrics")


def valid(kind: str, body: dict) -> dict:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in rest_validator(kind).iter_errors(body)]
    assert not errors, (kind, errors[:5])
    return body


def imported(content: bytes) -> CompetencyFramework:
    outcome = services.framework_import_case(content=content)
    assert outcome.ok, outcome.errors
    return outcome.framework


@pytest.fixture
def reader(db, client):
    return signed_in_reader(client)


def signed_in_reader(client):
    """A signed-in learner: the least any person may be."""
    user = UserFactory(username="reader")
    StaffProfileFactory(user=user)
    user.groups.set([role_group(Role.LEARNER)])
    client.force_login(user)
    return client


@pytest.fixture
def frameworks(db):
    return three_frameworks()


def three_frameworks() -> dict:
    """Our framework in two versions (2.0 current, 1.0 earlier), a reference framework (ACT's, as published),
    and mappings of ours to two of its items (copied to 2.0 with the version)."""
    earlier = services.framework_import_csv(content=FRAMEWORK_CSV.read_bytes(), make_current=True).framework
    reference = imported((CASE_DIR / "act-holistic-framework-math.json").read_bytes())
    first, second = Competency.objects.filter(framework=reference).order_by("sort_order")[:2]
    ours = Competency.objects.filter(framework=earlier).order_by("sort_order")
    CompetencyMapping.objects.create(competency=ours[0], reference=first, relation="exactMatchOf")
    CompetencyMapping.objects.create(competency=ours[1], reference=second, relation="isRelatedTo")
    current = services.framework_new_version(framework=earlier, version="2.0")
    services.framework_set_current(framework=current)
    earlier.refresh_from_db()
    return {"current": current, "earlier": earlier, "reference": reference, "mapped": first}


# --- what is served ---------------------------------------------------------------------------------------


def test_every_framework_is_a_cf_document_whose_package_is_the_exporter_s(reader, frameworks):
    response = reader.get(f"{BASE}/CFDocuments")

    assert response.status_code == 200 and response["X-Total-Count"] == "3"
    documents = valid("CFDocuments", response.json())["CFDocuments"]
    expected = [frameworks[key] for key in ("current", "earlier", "reference")]  # ours, current first
    assert [d["identifier"] for d in documents] == [str(f.identifier) for f in expected]
    for document, framework in zip(documents, expected, strict=True):
        assert (
            valid("CFDocument", reader.get(f"{BASE}/CFDocuments/{framework.identifier}").json()) == document
        )
        package_url = document["CFPackageURI"]["uri"]
        assert package_url == f"http://testserver{BASE}/CFPackages/{framework.identifier}"
        package = valid("CFPackage", reader.get(package_url).json())
        exported = json.loads(json.dumps(services.framework_export_case(framework=framework)))
        assert package == exported  # one exporter: the admin's export, /api/v1/competencies/case/ and this
        assert package["CFDocument"] == {k: v for k, v in document.items() if k != "CFPackageURI"}


def test_our_packages_carry_the_mappings_and_a_reference_item_lists_them(reader, frameworks):
    mapped = frameworks["mapped"]
    package = reader.get(f"{BASE}/CFPackages/{frameworks['current'].identifier}").json()
    mappings = [a for a in package["CFAssociations"] if a["associationType"] != "isChildOf"]
    assert {a["associationType"] for a in mappings} == {"exactMatchOf", "isRelatedTo"}
    exact = next(a for a in mappings if a["associationType"] == "exactMatchOf")
    assert exact["destinationNodeURI"]["identifier"] == str(mapped.identifier)
    assert exact["destinationNodeURI"]["uri"] == mapped.uri  # the publisher's own URI of the item

    response = reader.get(f"{BASE}/CFItemAssociations/{mapped.identifier}")

    body = valid("CFItemAssociations", response.json())
    assert body["CFItem"] == valid("CFItem", reader.get(f"{BASE}/CFItems/{mapped.identifier}").json())
    kinds = sorted(a["associationType"] for a in body["CFAssociations"])
    assert kinds == ["exactMatchOf", "exactMatchOf", "isChildOf"]  # from 1.0 and from 2.0, and its parent
    from_current = next(
        a
        for a in body["CFAssociations"]
        if a["CFDocumentURI"]["identifier"] == str(frameworks["current"].identifier)
    )
    assert from_current == exact  # the same association as in our package, read from either end
    assert valid("CFAssociation", reader.get(f"{BASE}/CFAssociations/{exact['identifier']}").json()) == exact


@pytest.mark.parametrize(
    "path", [CASE_DIR / name for name in PACKAGES] + [DEMO_REFERENCE], ids=lambda p: p.name
)
def test_a_reference_framework_served_re_imports_to_the_same_rows(reader, path):
    framework = imported(path.read_bytes())
    before = framework_content(framework)

    response = reader.get(f"{BASE}/CFPackages/{framework.identifier}")

    package = valid("CFPackage", response.json())
    for item in package["CFItems"]:
        assert valid("CFItem", reader.get(f"{BASE}/CFItems/{item['identifier']}").json()) == item
        around = valid(
            "CFItemAssociations", reader.get(f"{BASE}/CFItemAssociations/{item['identifier']}").json()
        )
        assert around["CFItem"] == item and around["CFAssociations"]
    for association in package["CFAssociations"]:
        served = reader.get(f"{BASE}/CFAssociations/{association['identifier']}").json()
        assert valid("CFAssociation", served) == association
    for rubric in package["CFRubrics"]:
        assert valid("CFRubric", reader.get(f"{BASE}/CFRubrics/{rubric['identifier']}").json()) == rubric
    # into this platform again: the very framework it came from, nothing new
    again = services.framework_import_case(content=response.content)
    assert (again.errors, again.created, again.framework) == ([], 0, framework)
    # into a platform that does not have it: the same rows, identifiers, codes, order and levels
    CompetencyFramework.objects.all().delete()
    assert framework_content(imported(response.content)) == before


def test_a_reference_framework_s_own_rubric_comes_back_as_its_levels(reader):
    package = _with_rubric(
        [("Novice", 1), ("Beginner", 2), ("Proficient", 3), ("Advanced", 4), ("Expert", 5)]
    )
    framework = imported(json.dumps(package).encode())
    before = framework_content(framework)

    served = valid("CFPackage", reader.get(f"{BASE}/CFPackages/{framework.identifier}").json())

    levels = served["CFRubrics"][0]["CFRubricCriteria"][0]["CFRubricCriterionLevels"]
    assert [level["quality"] for level in levels] == [
        "Novice",
        "Beginner",
        "Proficient",
        "Advanced",
        "Expert",
    ]
    CompetencyFramework.objects.all().delete()
    assert framework_content(imported(json.dumps(served).encode())) == before


def test_an_earlier_version_of_ours_is_served_and_re_imports_as_ours(reader, frameworks):
    earlier = frameworks["earlier"]
    before = framework_content(earlier)
    content = reader.get(f"{BASE}/CFPackages/{earlier.identifier}").content

    CompetencyFramework.objects.filter(pk=earlier.pk).delete()
    outcome = services.framework_import_case(content=content)

    assert outcome.ok and not outcome.framework.is_reference, outcome.errors
    assert framework_content(outcome.framework) == before


def test_the_list_is_paged_by_limit_and_offset(reader, frameworks):
    page = reader.get(f"{BASE}/CFDocuments", {"limit": 1, "offset": 2})

    assert page["X-Total-Count"] == "3"
    assert [d["identifier"] for d in valid("CFDocuments", page.json())["CFDocuments"]] == [
        str(frameworks["reference"].identifier)
    ]
    for bad in ({"limit": 0}, {"limit": "x"}, {"offset": -1}, {"limit": 1001}):
        response = reader.get(f"{BASE}/CFDocuments", bad)
        assert response.status_code == 400, bad
        assert (
            valid("imsx_StatusInfo", response.json())["imsx_codeMinor"]["imsx_codeMinorField"][0][
                "imsx_codeMinorFieldValue"
            ]
            == "invalid_selection_field"
        )


# --- what is not ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("resource", DETAIL)
@pytest.mark.parametrize("sourced_id", [str(uuid.uuid4()), "not-a-uuid", "%00", "1" * 300])
def test_an_unknown_sourced_id_is_404_with_the_case_status(reader, frameworks, resource, sourced_id):
    response = reader.get(f"{BASE}/{resource}/{sourced_id}")

    assert response.status_code == 404
    body = valid("imsx_StatusInfo", response.json())
    assert (body["imsx_codeMajor"], body["imsx_severity"]) == ("failure", "error")
    assert body["imsx_codeMinor"]["imsx_codeMinorField"] == [
        {"imsx_codeMinorFieldName": "sourcedId", "imsx_codeMinorFieldValue": "unknownobject"}
    ]


def test_an_identifier_of_another_kind_is_not_found_under_this_one(reader, frameworks):
    """A document's identifier is no item, an item's no association, a level's nothing served alone."""
    current = frameworks["current"]
    level = current.levels.first()
    competency = current.competencies.first()
    for path in (
        f"CFItems/{current.identifier}",
        f"CFAssociations/{competency.identifier}",
        f"CFDocuments/{competency.identifier}",
        f"CFPackages/{competency.identifier}",
        f"CFItems/{level.identifier}",
        f"CFRubrics/{current.identifier}",
        f"CFItems/{rubric_identifier(current.identifier)}",
    ):
        assert reader.get(f"{BASE}/{path}").status_code == 404, path


def every_path(frameworks) -> list[str]:
    current, mapped = frameworks["current"], frameworks["mapped"]
    association = CompetencyMapping.objects.filter(competency__framework=current).first()
    return [
        f"{BASE}/CFDocuments",
        f"{BASE}/CFDocuments/{current.identifier}",
        f"{BASE}/CFPackages/{frameworks['reference'].identifier}",
        f"{BASE}/CFItems/{mapped.identifier}",
        f"{BASE}/CFAssociations/{association.identifier}",
        f"{BASE}/CFItemAssociations/{mapped.identifier}",
        f"{BASE}/CFRubrics/{rubric_identifier(current.identifier)}",
    ]


def test_an_anonymous_caller_is_refused_with_the_case_status(client, frameworks):
    for path in every_path(frameworks):
        response = client.get(path)
        assert response.status_code == 401, path
        assert response["WWW-Authenticate"].startswith("Bearer")
        body = valid("imsx_StatusInfo", response.json())
        assert (
            body["imsx_codeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"]
            == "unauthorisedrequest"
        )
        assert "CFItems" not in response.content.decode()


def test_any_municipality_s_client_with_the_read_scope_reads_every_framework(client, frameworks):
    token = token_for(client, MunicipalityFactory(code="999992", name="みどり町"))
    for path in every_path(frameworks):
        assert client.get(path, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200, path


def test_a_token_without_the_read_scope_a_revoked_client_and_a_made_up_token_are_refused(client, frameworks):
    town = MunicipalityFactory(code="999992", name="みどり町")
    write_only = token_for(client, town, scopes=("write",), name="書くだけ")
    revoked = token_for(client, town, name="解約済み")
    api_client_revoke(client=ApiClient._base_manager.get(name="解約済み"))
    for path in every_path(frameworks):
        response = client.get(path, HTTP_AUTHORIZATION=f"Bearer {write_only}")
        assert response.status_code == 403, path
        assert (
            valid("imsx_StatusInfo", response.json())["imsx_codeMinor"]["imsx_codeMinorField"][0][
                "imsx_codeMinorFieldValue"
            ]
            == "forbidden"
        )
        for token in (revoked, "made-up"):
            assert client.get(path, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401, path


def test_only_get_is_served(reader, frameworks):
    for path in every_path(frameworks):
        for method in (reader.post, reader.put, reader.delete):
            response = method(path, {}, content_type="application/json")
            assert response.status_code == 405, (method, path)
            valid("imsx_StatusInfo", response.json())
    assert CompetencyFramework.objects.count() == 3


def test_the_old_case_endpoint_still_serves_the_current_framework(reader, frameworks):
    response = reader.get("/api/v1/competencies/case/")

    assert response.status_code == 200
    assert response.json() == reader.get(f"{BASE}/CFPackages/{frameworks['current'].identifier}").json()


# --- cost -------------------------------------------------------------------------------------------------


def test_a_package_an_item_and_an_association_cost_the_same_queries_whatever_the_size(
    reader, django_assert_num_queries
):
    from_cache = 1 if settings.REDIS_URL else 0  # with Redis, the session is read from the cache
    small = imported((CASE_DIR / "opensalt-item-type-test.json").read_bytes())  # 1 item
    large = imported((CASE_DIR / "opensalt-ordering-sample.json").read_bytes())  # 65 items
    for framework in (small, large):
        item = framework.competencies.order_by("-sort_order").first()
        package = reader.get(f"{BASE}/CFPackages/{framework.identifier}").json()
        child_of = next(
            a for a in package["CFAssociations"] if a["originNodeURI"]["identifier"] == str(item.identifier)
        )
        for path, queries in (
            # the session and its user (2), the framework or item (1), its levels, areas and competencies (3)
            (f"CFPackages/{framework.identifier}", 6),
            (f"CFDocuments/{framework.identifier}", 4),  # the framework and its levels
            (f"CFItems/{item.identifier}", 6),
            (f"CFItemAssociations/{item.identifier}", 7),  # and the mappings to the item
            # the mapping, then every area's and competency's identifier, then the framework
            (f"CFAssociations/{child_of['identifier']}", 9),
            (f"CFRubrics/{rubric_identifier(framework.identifier)}", 7),  # every framework's identifier
        ):
            with django_assert_num_queries(queries - from_cache):
                assert reader.get(f"{BASE}/{path}").status_code == 200, path
    with django_assert_num_queries(5 - from_cache):  # the session (2), the count, the page and its levels
        reader.get(f"{BASE}/CFDocuments")
