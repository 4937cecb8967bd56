"""The CASE 1.0 provider, the rest of the REST binding (ADR 0021, issue 17): the list's ``sort``, ``orderBy``,
``filter`` and ``fields``; ``CFItemTypes``, ``CFConcepts``, ``CFSubjects``, ``CFLicenses`` and
``CFAssociationGroupings``; both bases (``/ims/case/v1p0`` and ``/api/ims/case/v1p0``); and that nothing of a
municipality (a course's alignment to a reference item) comes out through it."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings

from courses.competencies import services
from courses.competencies.case_io.build import timestamp
from courses.competencies.case_io.query import MAX_FILTER_LENGTH
from courses.competencies.case_io.vocabulary import CREATOR, item_type_identifier
from courses.competencies.models import CompetencyFramework, CompetencyMapping
from courses.models import CourseReferenceAlignment
from tests.factories import MunicipalityFactory

from .conftest import token_for
from .test_case_provider import BASE, imported, signed_in_reader, three_frameworks, valid

pytestmark = pytest.mark.django_db

ROOT = "/ims/case/v1p0"
CASE_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "case"
NEW = ("CFItemTypes", "CFConcepts", "CFSubjects", "CFLicenses", "CFAssociationGroupings")
UTC = datetime.UTC


@pytest.fixture
def reader(db, client):
    return signed_in_reader(client)


@pytest.fixture
def dated(db):
    """The three frameworks with known times of last change: the reference first, then 1.0, then 2.0 (half a
    second into its second: the served time is to the second)."""
    frameworks = three_frameworks()
    times = {
        "reference": datetime.datetime(2026, 1, 1, 9, 0, 0, tzinfo=UTC),
        "earlier": datetime.datetime(2026, 2, 1, 9, 0, 0, 500000, tzinfo=UTC),
        "current": datetime.datetime(2026, 3, 1, 9, 0, 0, tzinfo=UTC),
    }
    for key, moment in times.items():
        CompetencyFramework.objects.filter(pk=frameworks[key].pk).update(updated_at=moment)
    return frameworks


def listed(client, base=BASE, **params) -> tuple[int, list[dict]]:
    response = client.get(f"{base}/CFDocuments", params)
    assert response.status_code == 200, (params, response.content[:500])
    return int(response["X-Total-Count"]), response.json()["CFDocuments"]


def ids(documents) -> list[str]:
    return [d["identifier"] for d in documents]


def ids_of(*frameworks) -> list[str]:
    return [str(f.identifier) for f in frameworks]


def refused(client, minor: str, parameter: str, base=BASE, **params) -> dict:
    response = client.get(f"{base}/CFDocuments", params)
    assert response.status_code == 400, (params, response.status_code)
    body = valid("imsx_StatusInfo", response.json())
    assert (body["imsx_codeMajor"], body["imsx_severity"]) == ("failure", "error")
    assert body["imsx_codeMinor"]["imsx_codeMinorField"] == [
        {"imsx_codeMinorFieldName": parameter, "imsx_codeMinorFieldValue": minor}
    ], params
    assert body["imsx_description"]
    return body


# --- sort and orderBy -------------------------------------------------------------------------------------


def test_the_list_is_sorted_by_a_field_in_either_order(reader, dated):
    reference, earlier, current = (dated[key] for key in ("reference", "earlier", "current"))

    for sort in ("lastChangeDateTime", "version"):
        _, ascending = listed(reader, sort=sort)
        _, descending = listed(reader, sort=sort, orderBy="desc")
        _, explicit = listed(reader, sort=sort, orderBy="asc")
        values = [d.get(sort, "") for d in ascending]
        assert values == sorted(values), sort
        assert [d.get(sort, "") for d in descending] == sorted(values, reverse=True), sort
        assert explicit == ascending
        valid("CFDocuments", {"CFDocuments": ascending})
    _, by_time = listed(reader, sort="lastChangeDateTime")
    assert ids(by_time) == ids_of(reference, earlier, current)
    _, by_identifier = listed(reader, sort="identifier", orderBy="desc")
    assert ids(by_identifier) == sorted(ids(by_identifier), reverse=True)
    # without sort, orderBy leaves the provider's order: ours (current first), then the reference
    assert ids(listed(reader, orderBy="desc")[1]) == ids_of(current, earlier, reference)


def test_sorting_and_paging_go_together(reader, dated):
    total, page = listed(reader, sort="lastChangeDateTime", orderBy="desc", limit=1, offset=1)

    assert total == 3 and ids(page) == ids_of(dated["earlier"])


# --- filter -----------------------------------------------------------------------------------------------


def test_the_filter_selects_by_each_kind_of_field_and_the_total_counts_what_it_selected(reader, dated):
    reference, earlier, current = (dated[key] for key in ("reference", "earlier", "current"))
    cases = {
        "version='2.0'": [current],
        "version!='2.0'": [earlier, reference],
        "version>='1.0' AND version<'2.0'": [earlier],
        f"title~'{current.title[1:4]}'": [current, earlier],  # contains
        f"title~'{reference.title[:6].lower()}'": [reference],  # ignoring case
        "language='ja'": [current, earlier],  # a reference framework's language is not kept
        f"creator='{CREATOR}' AND version='1.0'": [earlier],
        "version='1.0' OR version='2.0'": [current, earlier],
        "version = '1.0'  or  version = '2.0'": [current, earlier],  # spaces, and the logical in any case
        f"identifier='{reference.identifier}'": [reference],
        f"identifier!='{reference.identifier}'": [current, earlier],
        f"uri='urn:uuid:{earlier.identifier}'": [earlier],
        "identifier='not-a-uuid'": [],
        "uri='https://example.org/x'": [],
        "title='it''s'": [],  # a quote in a value is written twice
        "version=2.0": [current],  # a value without spaces may go without quotes
        # the served time is to the second: 2.0's is 09:00:00, 1.0's 09:00:00 (stored .5 s later)
        "lastChangeDateTime='2026-02-01T09:00:00Z'": [earlier],
        "lastChangeDateTime='2026-02-01T09:00:00.500000+00:00'": [],
        "lastChangeDateTime>'2026-02-01T09:00:00Z'": [current],
        "lastChangeDateTime>='2026-02-01T09:00:00Z'": [current, earlier],
        "lastChangeDateTime<'2026-02-01T09:00:00Z'": [reference],
        "lastChangeDateTime<='2026-02-01T18:00:00+09:00'": [earlier, reference],  # any offset
        "lastChangeDateTime>'2026-01-01T09:00:00'": [current, earlier],  # no offset: UTC
        "lastChangeDateTime!='2026-03-01T09:00:00Z'": [earlier, reference],
    }
    for expression, expected in cases.items():
        total, documents = listed(reader, filter=expression)
        assert ids(documents) == ids_of(*expected), expression
        assert total == len(expected), expression

    total, page = listed(reader, filter="version='1.0' OR version='2.0'", limit=1, offset=1)
    assert (total, ids(page)) == (2, ids_of(earlier))


def test_the_filter_sees_a_reference_framework_s_publisher_as_its_creator(reader, dated):
    reference = dated["reference"]
    served = reader.get(f"{BASE}/CFDocuments/{reference.identifier}").json()

    _, documents = listed(reader, filter=f"creator='{served['creator'].replace(chr(39), chr(39) * 2)}'")

    assert served["creator"] != CREATOR and ids(documents) == ids_of(reference)


# --- fields -----------------------------------------------------------------------------------------------


def test_fields_keeps_only_those_fields_of_each_record(reader, dated):
    _, documents = listed(reader, fields="identifier,title")
    _, whole = listed(reader)

    assert [set(d) for d in documents] == [{"identifier", "title"}] * 3
    assert documents == [{"identifier": d["identifier"], "title": d["title"]} for d in whole]
    _, links = listed(reader, fields=" CFPackageURI , identifier,identifier")
    assert [d["CFPackageURI"] for d in links] == [d["CFPackageURI"] for d in whole]
    # a field of CASE's CFDocument no framework here has: asked for, absent
    assert listed(reader, fields="publisher,version")[1] == [{"version": d["version"]} for d in whole]


# --- bad parameters: the binding's error, naming the parameter, nothing served ---------------------------


@pytest.mark.parametrize(
    ("params", "parameter", "minor"),
    [
        ({"sort": "colour"}, "sort", "invalid_sort_field"),
        ({"sort": "CFPackageURI"}, "sort", "invalid_sort_field"),  # an object
        ({"sort": "publisher"}, "sort", "invalid_sort_field"),  # never served
        ({"sort": "title", "orderBy": "up"}, "orderBy", "invalid_sort_field"),
        ({"orderBy": "DESC"}, "orderBy", "invalid_sort_field"),
        ({"fields": "identifier,colour"}, "fields", "invalid_selection_field"),
        ({"filter": "title"}, "filter", "invalid_selection_field"),
        ({"filter": "title="}, "filter", "invalid_selection_field"),
        ({"filter": "title='DX"}, "filter", "invalid_selection_field"),
        ({"filter": "title=='DX'"}, "filter", "invalid_selection_field"),
        ({"filter": "colour='red'"}, "filter", "invalid_selection_field"),
        ({"filter": "publisher='ACT'"}, "filter", "invalid_selection_field"),
        ({"filter": "extensions='x'"}, "filter", "invalid_selection_field"),
        ({"filter": "identifier~'1'"}, "filter", "invalid_selection_field"),
        ({"filter": "uri>'urn'"}, "filter", "invalid_selection_field"),
        ({"filter": "lastChangeDateTime~'2026'"}, "filter", "invalid_selection_field"),
        ({"filter": "lastChangeDateTime>'yesterday'"}, "filter", "invalid_selection_field"),
        ({"filter": "lastChangeDateTime>'9999-12-31T23:59:59'"}, "filter", "invalid_selection_field"),
        ({"filter": "lastChangeDateTime<'0001-01-01T00:00:00+01:00'"}, "filter", "invalid_selection_field"),
        ({"filter": "title='a\x00b'"}, "filter", "invalid_selection_field"),
        ({"filter": "title='a' AND"}, "filter", "invalid_selection_field"),
        ({"filter": "title='a' version='b'"}, "filter", "invalid_selection_field"),
        ({"filter": "title='a' XOR version='b'"}, "filter", "invalid_selection_field"),
        ({"filter": "title='a' AND version='b' OR notes='c'"}, "filter", "invalid_selection_field"),
        ({"filter": " AND ".join(["version='1.0'"] * 11)}, "filter", "invalid_selection_field"),
        ({"filter": "title='" + "x" * MAX_FILTER_LENGTH + "'"}, "filter", "invalid_selection_field"),
        ({"filter": "title='a'; DROP TABLE x"}, "filter", "invalid_selection_field"),
        ({"limit": "0"}, "TargetEndSystem", "invalid_selection_field"),
    ],
)
def test_a_bad_list_parameter_is_400_naming_it_with_the_binding_s_code(
    reader, dated, params, parameter, minor
):
    for base in (BASE, ROOT):
        refused(reader, minor, parameter, base=base, **params)
    assert CompetencyFramework.objects.count() == 3


# --- the binding's other paths ----------------------------------------------------------------------------


def test_our_two_item_types_are_served_as_in_our_packages(reader, dated):
    package = reader.get(f"{BASE}/CFPackages/{dated['current'].identifier}").json()
    definitions = package["CFDefinitions"]["CFItemTypes"]
    assert [d["title"] for d in definitions] == ["領域", "能力"]
    latest = max(f.updated_at for f in CompetencyFramework.objects.filter(is_reference=False))

    for definition in definitions:
        for base in (BASE, ROOT):
            response = reader.get(f"{base}/CFItemTypes/{definition['identifier']}")
            assert response.status_code == 200
            served = valid("CFItemTypes", response.json())["CFItemTypes"]
            assert served == [{**definition, "lastChangeDateTime": timestamp(latest)}]
    # every item of ours points at a type that is served
    for item in package["CFItems"]:
        assert (
            reader.get(item["CFItemTypeURI"]["uri"].replace("urn:uuid:", f"{BASE}/CFItemTypes/")).status_code
            == 200
        )


def test_with_no_version_of_ours_there_is_no_item_type_and_a_reference_item_has_none(reader):
    reference = imported((CASE_DIR / "opensalt-item-type-test.json").read_bytes())
    package = reader.get(f"{BASE}/CFPackages/{reference.identifier}").json()

    assert "CFItemType" not in package["CFItems"][0] and not package["CFDefinitions"]["CFItemTypes"]
    for name in ("領域", "能力"):
        assert reader.get(f"{BASE}/CFItemTypes/{item_type_identifier(name)}").status_code == 404


@pytest.mark.parametrize("resource", NEW)
def test_what_no_package_here_has_is_404_with_the_binding_s_status(reader, dated, resource):
    current = dated["current"]
    candidates = [current.identifier, current.competencies.first().identifier, "not-a-uuid", "%00", "1" * 300]
    if resource != "CFItemTypes":
        candidates.append(item_type_identifier("領域"))
    for base in (BASE, ROOT):
        for sourced_id in candidates:
            response = reader.get(f"{base}/{resource}/{sourced_id}")
            assert response.status_code == 404, (base, resource, sourced_id)
            body = valid("imsx_StatusInfo", response.json())
            assert body["imsx_codeMinor"]["imsx_codeMinorField"] == [
                {"imsx_codeMinorFieldName": "sourcedId", "imsx_codeMinorFieldValue": "unknownobject"}
            ]


# --- both bases, one set of views; who ---------------------------------------------------------------------


def every_new_path(frameworks) -> list[str]:
    current = frameworks["current"]
    paths = [
        "CFDocuments?sort=title&orderBy=desc&filter=version%3D%272.0%27&fields=identifier",
        f"CFDocuments/{current.identifier}",
        f"CFPackages/{current.identifier}",
        f"CFItemTypes/{item_type_identifier('能力')}",
        *(f"{resource}/{current.identifier}" for resource in NEW[1:]),
    ]
    return [f"{base}/{path}" for base in (ROOT, BASE) for path in paths]


def test_the_site_root_serves_the_same_as_api(reader, dated):
    current = dated["current"]
    for path in (
        "CFDocuments",
        "CFDocuments?filter=version%3D%272.0%27",
        f"CFDocuments/{current.identifier}",
        f"CFPackages/{current.identifier}",
        f"CFItems/{current.competencies.first().identifier}",
        f"CFItemTypes/{item_type_identifier('領域')}",
    ):
        at_root, at_api = reader.get(f"{ROOT}/{path}"), reader.get(f"{BASE}/{path}")
        assert at_root.status_code == at_api.status_code == 200, path
        # the same, but for the links to the package, which name the base they were read from
        root_links = at_root.content.replace(f"testserver{ROOT}/".encode(), f"testserver{BASE}/".encode())
        assert root_links == at_api.content, path
    document = reader.get(f"{ROOT}/CFDocuments/{current.identifier}").json()
    assert document["CFPackageURI"]["uri"] == f"http://testserver{ROOT}/CFPackages/{current.identifier}"


def test_an_anonymous_caller_is_refused_on_every_new_path_and_base(client, dated):
    for path in every_new_path(dated):
        response = client.get(path)
        assert response.status_code == 401, path
        assert response["WWW-Authenticate"].startswith("Bearer")
        body = valid("imsx_StatusInfo", response.json())
        assert (
            body["imsx_codeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"]
            == "unauthorisedrequest"
        )
        assert b"CFDocuments" not in response.content and b"CFItemTypes" not in response.content


def test_a_client_without_the_read_scope_is_refused_and_one_with_it_of_any_municipality_reads(client, dated):
    town = MunicipalityFactory(code="999992", name="みどり町")
    write_only = token_for(client, town, scopes=("write",), name="書くだけ")
    reading = token_for(client, town, name="読む")
    for path in every_new_path(dated):
        assert client.get(path, HTTP_AUTHORIZATION=f"Bearer {write_only}").status_code == 403, path
        expected = 404 if any(f"/{resource}/" in path for resource in NEW[1:]) else 200
        assert client.get(path, HTTP_AUTHORIZATION=f"Bearer {reading}").status_code == expected, path


def test_only_get_is_served_on_the_new_paths(reader, dated):
    for path in every_new_path(dated):
        for method in (reader.post, reader.put, reader.patch, reader.delete):
            response = method(path, {}, content_type="application/json")
            assert response.status_code == 405, (method, path)
            valid("imsx_StatusInfo", response.json())


# --- nothing of a municipality comes out --------------------------------------------------------------------


def test_a_course_s_alignment_to_a_reference_item_is_not_served(reader, curriculum, framework):
    reference = imported((CASE_DIR / "act-holistic-framework-math.json").read_bytes())
    item = reference.competencies.order_by("sort_order").first()
    CompetencyMapping.objects.create(
        competency=framework.competencies.first(), reference=item, relation="isRelatedTo"
    )
    course = curriculum["basics"]
    course.reference_alignments = [CourseReferenceAlignment(reference=item)]
    course.save_revision().publish()
    alignment = CourseReferenceAlignment.objects.get(course=course)

    served = [
        reader.get(f"{base}/{path}").content.decode()
        for base in (BASE, ROOT)
        for path in (
            "CFDocuments",
            f"CFPackages/{reference.identifier}",
            f"CFPackages/{framework.identifier}",
            f"CFItems/{item.identifier}",
            f"CFItemAssociations/{item.identifier}",
        )
    ]

    for body in served:
        for trace in (course.title, course.slug, course.url_path):
            assert trace not in body, trace
    associations = reader.get(f"{BASE}/CFItemAssociations/{item.identifier}").json()["CFAssociations"]
    assert sorted(a["associationType"] for a in associations) == ["isChildOf", "isRelatedTo"]  # no course
    assert reader.get(f"{BASE}/CFAssociations/{alignment.pk}").status_code == 404


# --- cost ---------------------------------------------------------------------------------------------------


def test_the_list_costs_the_same_queries_whatever_it_is_asked_and_however_many_frameworks(
    reader, dated, django_assert_num_queries
):
    from_cache = 1 if settings.REDIS_URL else 0  # with Redis, the session is read from the cache
    # the session and its user (2), the count, the page and the page's levels
    queries = 5 - from_cache
    asks = (
        {},
        {"sort": "title", "orderBy": "desc"},
        {"filter": "version='1.0' OR title~'DX'", "fields": "identifier,title", "limit": 2, "offset": 1},
        {"filter": "lastChangeDateTime>'2026-01-01T00:00:00Z' AND creator~'a'", "sort": "lastChangeDateTime"},
    )
    reader.get(f"{ROOT}/CFDocuments")  # with Redis, the first request puts the session in the cache
    for params in asks:
        with django_assert_num_queries(queries):
            assert reader.get(f"{ROOT}/CFDocuments", params).status_code == 200, params
    for index in range(3):
        services.framework_new_version(framework=dated["current"], version=f"3.{index}")
    for params in asks:
        with django_assert_num_queries(queries):
            assert reader.get(f"{BASE}/CFDocuments", params).status_code == 200, params
    with django_assert_num_queries(2 - from_cache):  # refused before the database is read
        assert reader.get(f"{BASE}/CFDocuments", {"filter": "colour='red'"}).status_code == 400
    with django_assert_num_queries(3 - from_cache):  # the session, its user, the latest version of ours
        assert reader.get(f"{ROOT}/CFItemTypes/{item_type_identifier('能力')}").status_code == 200
    # a 404 reads nothing of ours; Wagtail's redirects (the site, then its redirects) look at every 404
    with django_assert_num_queries(4 - from_cache):
        assert reader.get(f"{ROOT}/CFLicenses/{dated['current'].identifier}").status_code == 404
