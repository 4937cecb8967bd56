"""Programmes and qualifications are data 人事課 edits in the Wagtail admin; the rules follow the data."""

import json

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from assessments.certification.models import CertificationProgram, Qualification
from assessments.certification.selectors import certification_path
from assessments.models import EvidenceSource
from lms_site.organisation.roles import ROLES, Role

from .conftest import competency, person
from .factories import EvidenceFactory


@pytest.fixture
def hr_client(client, hr):
    client.force_login(hr)
    return client


@pytest.fixture
def own_programs(programs, municipality):
    """The city has made the default programmes its own (as copies would be): its HR changes them."""
    CertificationProgram.objects.update(municipality=municipality)
    return programs


def refused(response) -> bool:
    return response.status_code == 403 or (
        response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    )


def group_permissions(role: Role) -> set[str]:
    group = Group.objects.get(name=ROLES[role].group_name)
    return {
        f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")
    }


def program_form(program: CertificationProgram, requirements: list[dict], **changes) -> dict:
    fields = {
        "code": program.code,
        "municipality": program.municipality_id or "",
        "name": program.name,
        "description": program.description,
        "sort_order": program.sort_order,
        "prerequisite": program.prerequisite_id or "",
        "breadth_min_level": program.breadth_min_level or "",
        "specialism_min_level": program.specialism_min_level or "",
        "exam": program.exam_id or "",
        "exam_pass_percent": program.exam_pass_percent,
        "validity_years": program.validity_years or "",
        "renewal_hours_per_year": program.renewal_hours_per_year or "",
        "renewal_requirement": program.renewal_requirement,
    }
    for flag in (
        "is_active",
        "requires_exam",
        "requires_capstone",
        "requires_cross_project",
        "requires_endorsement",
    ):
        if getattr(program, flag):
            fields[flag] = "on"
    fields.update(changes)
    initial = sum(1 for row in requirements if row.get("id"))
    rubric = [
        {"id": c.pk, "name": c.name, "description": c.description, "min_score": c.min_score, "ORDER": n}
        for n, c in enumerate(program.rubric.all())
        if program.pk
    ]
    return nested_form_data(
        {
            **fields,
            "requirements": inline_formset(requirements, initial=initial),
            "rubric": inline_formset(rubric, initial=len(rubric)),
        }
    )


def requirements_of(program: CertificationProgram) -> dict[str, int]:
    return dict(program.requirements.values_list("competency__code", "min_level"))


def rows_of(program: CertificationProgram, **levels) -> list[dict]:
    return [
        {
            "id": r.pk,
            "competency": r.competency_id,
            "min_level": levels.get(r.competency.code, r.min_level),
            "ORDER": n,
        }
        for n, r in enumerate(program.requirements.select_related("competency").order_by("sort_order"))
    ]


@pytest.mark.django_db
def test_hr_holds_the_certification_permissions_and_others_do_not():
    hr = group_permissions(Role.HR)
    assert {
        "certification.verify_evidence",
        "certification.change_certificationprogram",
        "certification.add_qualification",
        "certification.revoke_certificate",
    } <= hr
    assert "certification.assess_capstone" not in hr
    assert {p for p in group_permissions(Role.ADVISOR) if p.startswith("certification.")} == {
        "certification.assess_capstone"
    }
    for role in (Role.LEARNER, Role.MANAGER, Role.REVIEWER):
        assert not {p for p in group_permissions(role) if p.startswith("certification.")}


def test_hr_sees_the_menu_and_the_shared_programmes_which_it_copies_but_does_not_change(hr_client, programs):
    home = hr_client.get(reverse("wagtailadmin_home")).text
    assert json.dumps("認定制度") in home and json.dumps("実績の確認") in home
    assert json.dumps("修了課題") in home and json.dumps("認定証の管理") in home
    listing = hr_client.get(reverse("certificationprogram:index")).text
    assert all(name in listing for name in ("DXベーシック", "DX推進リーダー", "DXエキスパート"))
    leader = CertificationProgram.objects.get(code="DX_LEADER")
    assert refused(hr_client.get(reverse("certificationprogram:edit", args=[leader.pk])))
    assert refused(hr_client.post(reverse("certificationprogram:delete", args=[leader.pk])))
    copy = hr_client.get(reverse("certificationprogram:copy", args=[leader.pk]))
    assert copy.status_code == 200 and "能力項目ごとの要件" in copy.text


def test_a_copy_is_what_the_municipalitys_staff_are_held_to_and_nobody_elses(
    hr_client, learner, framework, programs, municipality
):
    """ADR 0024: the city copies DX_BASIC and asks E1 at Lv1; its learner qualifies, みどり町's learner
    with the same evidence is still held to the shared default."""
    from tests.factories import MunicipalityFactory

    town_learner = person("town-learner", MunicipalityFactory(code="999992", name="みどり町"), Role.LEARNER)
    for who in (learner, town_learner):
        for code in ("A1", "A4", "C1", "D1"):
            EvidenceFactory(user=who, competency=competency(framework, code), level=2)
        EvidenceFactory(user=who, competency=competency(framework, "E1"), level=1)
    basic = CertificationProgram.objects.get(code="DX_BASIC")
    default_requirements = requirements_of(basic)
    assert default_requirements["E1"] != 1
    assert not certification_path(user=learner, program_code="DX_BASIC").eligible
    copied = [{**row, "id": ""} for row in rows_of(basic, E1=1)]
    response = hr_client.post(
        reverse("certificationprogram:add"), program_form(basic, copied, municipality=municipality.pk)
    )
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    own = CertificationProgram.objects.get(code="DX_BASIC", municipality=municipality)
    assert own.requirements.count() == basic.requirements.count()
    assert certification_path(user=learner, program_code="DX_BASIC").program == own
    assert certification_path(user=learner, program_code="DX_BASIC").eligible
    assert not certification_path(user=town_learner, program_code="DX_BASIC").eligible  # the default
    basic.refresh_from_db()  # the shared default is as it was
    assert basic.municipality is None and requirements_of(basic) == default_requirements
    # switching its copy off leaves the city without the programme (not back on the default)
    CertificationProgram.objects.filter(pk=own.pk).update(is_active=False)
    assert certification_path(user=learner, program_code="DX_BASIC") is None


def test_another_municipalitys_programme_is_no_prerequisite_to_choose(hr_client, programs):
    from tests.factories import MunicipalityFactory

    town = MunicipalityFactory(code="999992", name="みどり町")
    CertificationProgram.objects.create(code="TOWN_ONLY", name="みどり町だけの認定", municipality=town)
    leader = CertificationProgram.objects.get(code="DX_LEADER")
    form = hr_client.get(reverse("certificationprogram:copy", args=[leader.pk])).text
    assert "DXベーシック" in form and "みどり町だけの認定" not in form


def test_editing_a_requirement_row_in_the_admin_changes_who_qualifies(
    hr_client, learner, framework, own_programs
):
    for code in ("A1", "A4", "C1", "D1"):
        EvidenceFactory(user=learner, competency=competency(framework, code), level=2)
    EvidenceFactory(user=learner, competency=competency(framework, "E1"), level=1)
    basic = CertificationProgram.objects.get(code="DX_BASIC")
    assert not certification_path(user=learner, program_code="DX_BASIC").eligible
    response = hr_client.post(
        reverse("certificationprogram:edit", args=[basic.pk]), program_form(basic, rows_of(basic, E1=1))
    )
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    assert certification_path(user=learner, program_code="DX_BASIC").eligible


def test_hr_creates_a_programme_with_requirement_rows(hr_client, learner, framework, programs, municipality):
    draft = CertificationProgram(
        code="DX_DATA",
        name="データ活用リーダー",
        exam_pass_percent=70,
        is_active=True,
        municipality=municipality,
    )
    rows = [
        {"competency": competency(framework, "C1").pk, "min_level": 3, "ORDER": 0},
        {"competency": competency(framework, "C2").pk, "min_level": 2, "ORDER": 1},
    ]
    response = hr_client.post(reverse("certificationprogram:add"), program_form(draft, rows))
    assert response.status_code == 302
    EvidenceFactory(user=learner, competency=competency(framework, "C1"), level=3, source=EvidenceSource.OJT)
    EvidenceFactory(user=learner, competency=competency(framework, "C2"), level=2)
    assert certification_path(user=learner, program_code="DX_DATA").eligible


def test_the_admin_refuses_a_prerequisite_cycle_and_a_duplicate_row(hr_client, framework, own_programs):
    leader = CertificationProgram.objects.get(code="DX_LEADER")
    expert = CertificationProgram.objects.get(code="DX_EXPERT")
    response = hr_client.post(
        reverse("certificationprogram:edit", args=[leader.pk]),
        program_form(leader, rows_of(leader), prerequisite=expert.pk),
    )
    assert response.status_code == 200 and "循環" in response.text
    duplicate = [*rows_of(leader), {"competency": competency(framework, "C1").pk, "min_level": 4, "ORDER": 9}]
    response = hr_client.post(
        reverse("certificationprogram:edit", args=[leader.pk]), program_form(leader, duplicate)
    )
    assert response.status_code == 200
    leader.refresh_from_db()
    assert leader.prerequisite is None and leader.requirements.count() == 8


def test_hr_edits_the_qualification_map(hr_client, framework, programs):
    ds = Qualification.objects.get(code="DS")
    rows = [
        {"id": m.pk, "competency": m.competency_id, "level": m.level, "ORDER": n}
        for n, m in enumerate(ds.mappings.order_by("sort_order"))
    ]
    rows.append({"competency": competency(framework, "B4").pk, "level": 1, "ORDER": len(rows)})
    data = nested_form_data(
        {
            "code": "DS",
            "name": ds.name,
            "issuer": ds.issuer,
            "description": "",
            "is_active": "on",
            "mappings": inline_formset(rows, initial=len(rows) - 1),
        }
    )
    response = hr_client.post(reverse("qualification:edit", args=[ds.pk]), data)
    assert response.status_code == 302
    assert dict(ds.mappings.values_list("competency__code", "level"))["B4"] == 1


@pytest.mark.parametrize("roles", [(Role.LEARNER,), (Role.ADVISOR,), (Role.LEARNER, Role.MANAGER)])
def test_other_roles_cannot_edit_programmes(client, municipality, programs, roles):
    client.force_login(person("someone", municipality, *roles))
    response = client.get(reverse("certificationprogram:index"))
    assert response.status_code in (302, 403)
