"""The department master import: a valid tree or nothing."""

from lms_site.organisation import services
from lms_site.organisation.models import Department
from tests.conftest import DEPARTMENTS_CSV


def test_import_builds_the_tree_and_is_idempotent(municipality):
    first = services.department_import(municipality=municipality, content=DEPARTMENTS_CSV.encode())
    second = services.department_import(municipality=municipality, content=DEPARTMENTS_CSV.encode("cp932"))

    assert first.created == 6 and second.unchanged == 6 and second.created == 0
    kenshu = Department.objects.get(code="010101")
    assert [a.name for a in kenshu.get_ancestors()] == ["総務部", "人事課"]
    assert kenshu.kind == "kakari"


def test_renamed_department_is_updated_in_place(municipality):
    services.department_import(municipality=municipality, content=DEPARTMENTS_CSV.encode())
    renamed = DEPARTMENTS_CSV.replace("保険年金課,Insurance", "国保年金課,Insurance")

    outcome = services.department_import(municipality=municipality, content=renamed.encode())

    assert outcome.updated == 1
    assert Department.objects.get(code="020200").name == "国保年金課"


def test_a_broken_tree_is_refused_whole(municipality):
    broken = DEPARTMENTS_CSV + "030100,030000,課,環境政策課,\n" + "020101,020100,部,窓口係,\n"

    outcome = services.department_import(municipality=municipality, content=broken.encode())

    assert not outcome.ok
    assert any(e.startswith("8行目") and "030000" in e for e in outcome.errors)
    assert any(e.startswith("9行目") and "区分" in e for e in outcome.errors)
    assert not Department.objects.exists()


def test_wrong_header_is_refused(municipality):
    outcome = services.department_import(municipality=municipality, content=b"code,name\n1,x\n")
    assert not outcome.ok and "見出し行" in outcome.errors[0]
