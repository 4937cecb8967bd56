"""CASE export then import gives the identical framework; a broken package is refused and changes nothing."""

import copy
import json

import pytest

from courses.competencies import services
from courses.competencies.models import CompetencyFramework

from .conftest import framework_row_counts
from .helpers import framework_content, identifiers_of
from .test_case_io import break_package


def as_bytes(package: dict) -> bytes:
    return json.dumps(package, ensure_ascii=False, indent=2).encode()


@pytest.mark.parametrize("fixture", ["framework", "hand_made_framework"])
def test_export_then_import_into_an_empty_database_gives_the_identical_framework(request, fixture):
    original = request.getfixturevalue(fixture)
    before = framework_content(original)
    package = services.framework_export_case(framework=original)
    original.delete()
    assert not CompetencyFramework.objects.exists()

    outcome = services.framework_import_case(content=as_bytes(package))

    assert outcome.ok and outcome.created and outcome.notices == []
    assert framework_content(outcome.framework) == before  # every field, identifiers included


def test_import_under_another_version_keeps_the_content_with_new_identifiers(framework):
    package = services.framework_export_case(framework=framework)
    package["CFDocument"]["version"] = "1.1"

    outcome = services.framework_import_case(content=as_bytes(package))

    assert outcome.ok and outcome.created
    assert "新しい識別子を付けました" in outcome.summary()
    expected = framework_content(framework, identifiers=False)
    expected["framework"]["version"] = "1.1"
    assert framework_content(outcome.framework, identifiers=False) == expected
    assert not identifiers_of(framework) & identifiers_of(outcome.framework)


def test_import_under_another_title_keeps_english_names_descriptions_and_core_marks(framework):
    package = services.framework_export_case(framework=framework)
    package["CFDocument"]["title"] = "別の自治体のフレームワーク"

    outcome = services.framework_import_case(content=as_bytes(package))

    copied = outcome.framework.competencies.get(code="E1")
    assert copied.is_core and copied.name_en.startswith("Information security basics")
    assert copied.description_en and copied.source_mapping == "計画 重点⑤; DSS-L How セキュリティ"
    assert outcome.framework.levels.get(level=4).descriptor_en.startswith("Leads projects")
    assert outcome.framework.title_en == "Municipal DX Talent Competency Framework"


def test_importing_the_export_of_a_registered_version_changes_nothing(framework):
    before = framework_row_counts()
    outcome = services.framework_import_case(
        content=as_bytes(services.framework_export_case(framework=framework))
    )
    assert outcome.ok and not outcome.created and outcome.framework == framework
    assert framework_row_counts() == before


def test_the_export_of_one_framework_is_stable(framework):
    first = services.framework_export_case(framework=framework)
    assert services.framework_export_case(framework=framework) == first
    assert first["CFDocument"]["identifier"] == str(framework.identifier)
    assert first["CFDocument"]["lastChangeDateTime"] == framework.updated_at.isoformat(timespec="seconds")


@pytest.mark.parametrize(
    "how",
    ["missing creator", "dangling destination", "dangling origin", "duplicate code", "duplicate identifier"],
)
@pytest.mark.parametrize("database", ["empty", "with the framework"])
def test_a_broken_package_is_refused_and_changes_nothing(framework, how, database):
    package = services.framework_export_case(framework=framework)
    package["CFDocument"]["version"] = "9.9"
    if database == "empty":
        framework.delete()
    before = framework_row_counts()

    outcome = services.framework_import_case(content=as_bytes(break_package(package, how)), make_current=True)

    assert not outcome.ok and outcome.framework is None
    assert all(
        error.split(":")[0].startswith(("CFDocument", "CFItems[", "CFAssociations["))
        for error in outcome.errors
    )
    assert framework_row_counts() == before


@pytest.mark.parametrize("content", [b"{", b'{"CFDocument": 1}', b"\x00\x01"])
def test_a_file_that_is_not_a_package_changes_nothing(framework, content):
    before = framework_row_counts()
    outcome = services.framework_import_case(content=content)
    assert not outcome.ok and outcome.errors
    assert framework_row_counts() == before


def test_a_plain_case_package_without_our_extensions_imports(framework):
    """Only English descriptions, mappings and core marks live in extensions; CASE's own fields suffice."""
    package = copy.deepcopy(services.framework_export_case(framework=framework))
    package["CFDocument"].pop("extensions")
    package["CFDocument"]["title"] = "素のCASE"
    package.pop("CFDefinitions")
    for part in package["CFItems"] + package["CFAssociations"]:
        part.pop("extensions", None)
        part.pop("CFDocumentURI")
        part.pop("CFItemTypeURI", None)

    outcome = services.framework_import_case(content=as_bytes(package))

    assert outcome.ok, outcome.errors
    a1 = outcome.framework.competencies.get(code="A1")
    assert a1.name_en.startswith("Understanding the DX context") and a1.description
    assert (a1.description_en, a1.source_mapping, a1.is_core) == ("", "", False)
    assert outcome.framework.levels.get(level=1).name == "知る"
