"""The draft's programmes and the default qualification map, loaded idempotently."""

import pytest
from django.core.management import CommandError, call_command

from assessments.certification import qualification_csv, services
from assessments.certification.models import CertificationProgram, Qualification, QualificationCompetency
from courses.competencies.models import CompetencyFramework

pytestmark = pytest.mark.django_db


def requirements(code: str) -> dict[str, int]:
    program = CertificationProgram.objects.get(code=code)
    return {r.competency.code: r.min_level for r in program.requirements.select_related("competency")}


def test_defaults_are_the_drafts_programmes(programs, leader_exam):
    assert programs.programs_created == ["DX_BASIC", "DX_LEADER", "DX_EXPERT"]
    assert requirements("DX_BASIC") == dict.fromkeys(["A1", "A4", "C1", "D1", "E1"], 2)
    assert requirements("DX_LEADER") == dict.fromkeys(["A2", "A4", "B1", "B2", "C1", "D1", "E1", "F1"], 3)
    leader = CertificationProgram.objects.get(code="DX_LEADER")
    assert (leader.breadth_min_level, leader.specialism_min_level) == (2, 3)
    assert (leader.requires_exam, leader.exam_pass_percent) == (True, 70)
    assert leader.requires_capstone and leader.requires_endorsement and not leader.requires_cross_project
    assert (leader.validity_years, leader.renewal_hours_per_year) == (3, 15)
    assert "改善の事例1件" in leader.renewal_requirement
    expert = CertificationProgram.objects.get(code="DX_EXPERT")
    assert expert.prerequisite == leader
    assert (expert.specialism_min_level, expert.requires_cross_project) == (4, True)
    assert requirements("DX_EXPERT") == {}


def test_the_leader_exam_is_linked_when_it_exists(framework, leader_exam):
    services.certification_defaults_load()
    assert CertificationProgram.objects.get(code="DX_LEADER").exam == leader_exam


def test_qualifications_come_from_the_fixture_map(programs):
    assert len(programs.qualifications_created) == 7
    it_passport = Qualification.objects.get(code="IP")
    assert it_passport.name == "ITパスポート試験"
    levels = dict(it_passport.mappings.values_list("competency__code", "level"))
    assert levels["E1"] == 2 and levels["A4"] == 2
    # Only the ITSS level 3 exam maps to level 3, and nothing maps above it.
    at_three = QualificationCompetency.objects.filter(level__gte=3)
    assert set(at_three.values_list("qualification__code", "level")) == {("AP", 3)}


def test_loading_again_changes_nothing_and_keeps_hr_edits(programs):
    CertificationProgram.objects.filter(code="DX_LEADER").update(exam_pass_percent=80)
    again = services.certification_defaults_load()
    assert again.as_dict() == {"programs": 0, "qualifications": 0}
    assert CertificationProgram.objects.get(code="DX_LEADER").exam_pass_percent == 80
    assert CertificationProgram.objects.count() == 3


def test_a_map_naming_an_unknown_competency_writes_nothing(framework):
    content = "コード,資格,実施団体,能力項目,レベル\nX,架空検定,架空協会,Z9,2\n".encode()
    with pytest.raises(services.DefaultsError, match="Z9"):
        services.certification_defaults_load(qualifications_csv=content)
    assert not CertificationProgram.objects.exists() and not Qualification.objects.exists()


def test_without_a_current_framework_nothing_is_loaded(db):
    CompetencyFramework.objects.update(is_current=False)
    with pytest.raises(services.DefaultsError, match="framework"):
        services.certification_defaults_load()


def test_the_map_parser_reports_every_problem_with_its_line():
    content = (
        "コード,資格,実施団体,能力項目,レベル\n"
        "ip,ITパスポート,IPA,A1,2\n"
        "IP,ITパスポート,IPA,A1,7\n"
        "IP,ITパスポート,IPA,A2,2\n"
        "IP,別名,IPA,A3,2\n"
        "IP,ITパスポート,IPA,A2,1\n"
    ).encode()
    with pytest.raises(qualification_csv.QualificationFileError) as caught:
        qualification_csv.parse(content)
    problems = caught.value.problems
    assert [p.split(":")[0] for p in problems] == ["line 2", "line 3", "line 5", "line 6"]
    with pytest.raises(qualification_csv.QualificationFileError, match="missing columns"):
        qualification_csv.parse("コード,資格\n".encode())


def test_command_loads_the_defaults(framework, capsys):
    call_command("load_certification_defaults")
    assert "DX_BASIC, DX_LEADER, DX_EXPERT" in capsys.readouterr().out
    call_command("load_certification_defaults")
    assert "programmes created: -" in capsys.readouterr().out
    CompetencyFramework.objects.update(is_current=False)
    with pytest.raises(CommandError):
        call_command("load_certification_defaults")
