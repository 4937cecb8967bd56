"""The path to a certification: each requirement met or missing, with the evidence behind it."""

import pytest

from assessments.certification.models import CertificationProgram, ProgramRequirement
from assessments.certification.selectors import certification_path
from assessments.models import Attempt, AttemptStatus, EvidenceSource, EvidenceStatus

from .conftest import competency
from .factories import EvidenceFactory

pytestmark = pytest.mark.django_db
LEADER_KINDS = ["competency"] * 8 + ["breadth", "specialism", "exam", "capstone", "endorsement"]


def evidence(user, framework, code, level, source=EvidenceSource.QUIZ, **kwargs):
    return EvidenceFactory(
        user=user, competency=competency(framework, code), level=level, source=source, **kwargs
    )


def requirement(path, kind, subject=None):
    return next(r for r in path.requirements if r.result.kind == kind and subject in (None, r.result.subject))


def test_a_newcomer_sees_every_leader_requirement_missing(learner, programs):
    path = certification_path(user=learner)
    assert path.program.code == "DX_LEADER"
    assert [r.result.kind for r in path.requirements] == LEADER_KINDS
    assert not path.eligible and not any(r.met for r in path.requirements)
    assert requirement(path, "competency", "C1").result.missing == "C1: Lv0 → Lv3"
    assert len(requirement(path, "breadth").result.shortfalls) == 24


def test_each_requirement_carries_the_evidence_behind_it(learner, framework, programs):
    quiz = evidence(learner, framework, "C1", 2)
    qualification = evidence(learner, framework, "C1", 3, EvidenceSource.QUALIFICATION)
    pending = evidence(learner, framework, "C1", 4, EvidenceSource.OJT, status=EvidenceStatus.PENDING)
    evidence(learner, framework, "A2", 3, EvidenceSource.ADVISOR, status=EvidenceStatus.REJECTED)
    a2_quiz = evidence(learner, framework, "A2", 3)
    path = certification_path(user=learner)
    c1 = requirement(path, "competency", "C1")
    assert c1.met and c1.evidence == (qualification,) and c1.pending == (pending,)
    assert quiz not in c1.evidence
    a2 = requirement(path, "competency", "A2")
    assert not a2.met and a2.result.missing == "A2: Lv2 → Lv3" and a2.evidence == (a2_quiz,)
    assert [c.code for c in c1.competencies] == ["C1"]
    assert path.levels == {"C1": 3, "A2": 2}


def test_the_specialism_names_its_area_and_its_evidence(learner, framework, programs):
    rows = [evidence(learner, framework, f"E{n}", 3, EvidenceSource.OJT) for n in range(1, 5)]
    specialism = requirement(certification_path(user=learner), "specialism")
    assert specialism.met and specialism.area.code == "E"
    assert set(specialism.evidence) == set(rows)


def test_the_exam_counts_the_best_graded_attempt(learner, programs, leader_exam):
    def attempt(number, percent, status=AttemptStatus.SUBMITTED):
        return Attempt.objects.create(
            user=learner, quiz=leader_exam, number=number, seed=1, status=status, percent=percent
        )

    attempt(1, 65)
    exam = requirement(certification_path(user=learner), "exam")
    assert not exam.met and exam.result.missing == "65% → 70%"
    best = attempt(2, 72, AttemptStatus.EXPIRED)
    attempt(3, None, AttemptStatus.IN_PROGRESS)
    exam = requirement(certification_path(user=learner), "exam")
    assert exam.met and exam.attempt == best


def test_changing_a_rule_row_changes_who_qualifies(learner, framework, programs):
    for code in ("A1", "A4", "C1", "D1"):
        evidence(learner, framework, code, 2)
    evidence(learner, framework, "E1", 1)
    assert not certification_path(user=learner, program_code="DX_BASIC").eligible
    ProgramRequirement.objects.filter(program__code="DX_BASIC", competency__code="E1").update(min_level=1)
    assert certification_path(user=learner, program_code="DX_BASIC").eligible
    CertificationProgram.objects.filter(code="DX_BASIC").update(breadth_min_level=1)
    path = certification_path(user=learner, program_code="DX_BASIC")
    assert not path.eligible and requirement(path, "breadth").result.shortfalls[0].competency == "A2"


def test_an_unknown_or_inactive_programme_has_no_path(learner, programs):
    assert certification_path(user=learner, program_code="NOPE") is None
    CertificationProgram.objects.filter(code="DX_LEADER").update(is_active=False)
    assert certification_path(user=learner) is None


def test_the_path_runs_a_fixed_number_of_queries(learner, framework, programs, django_assert_num_queries):
    for code in ("A1", "A2", "B1", "C1", "E1", "E2", "E3", "E4"):
        evidence(learner, framework, code, 3, EvidenceSource.OJT)
        evidence(learner, framework, code, 2)
    with django_assert_num_queries(8):  # + held certificates, + the approved capstone
        path = certification_path(user=learner)
        [r.evidence for r in path.requirements]
