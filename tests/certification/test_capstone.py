"""The capstone workflow: plan → 所属長 → report → endorsement → advisor's rubric, with its audit log,
emails, task lists, and everyone else kept out."""

import datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.certification import selectors, services
from assessments.certification.models import (
    Capstone,
    CapstoneAction,
    CapstoneAttachment,
    CapstoneDecision,
    CapstoneStatus,
    RubricCriterion,
)
from assessments.models import Evidence, EvidenceSource, EvidenceStatus
from lms_site.organisation.roles import ROLES, Role
from tests.factories import AssignmentFactory, head_post

from .conftest import PDF, competency, person

S = CapstoneStatus
START = datetime.date(2025, 4, 1)


def placed(user, department, email=True):
    AssignmentFactory(staff=user.staff_profile, department=department, starts_on=START)
    if user.groups.filter(name=ROLES[Role.MANAGER].group_name).exists():
        head_post(user, department)
    if email:
        user.email = f"{user.username}@city.example.jp"
        user.save(update_fields=["email"])
    return user


@pytest.fixture
def team(municipality, departments, programs):
    shimin_ka, shimin_bu = departments["020100"], departments["020000"]
    return {
        "candidate": placed(person("candidate", municipality, Role.LEARNER), shimin_ka),
        "colleague": placed(person("colleague", municipality, Role.LEARNER), shimin_ka),
        "kacho": placed(person("kacho", municipality, Role.LEARNER, Role.MANAGER), shimin_ka),
        "bucho": placed(person("bucho", municipality, Role.LEARNER, Role.MANAGER), shimin_bu),
        "other_kacho": placed(person("other_kacho", municipality, Role.MANAGER), departments["010100"]),
        "advisor": placed(person("advisor", municipality, Role.ADVISOR), departments["010000"]),
        "hr": placed(person("hr_person", municipality, Role.LEARNER, Role.HR), departments["010100"]),
    }


PLAN = {
    "title": "窓口予約のオンライン化",
    "problem": "転入届の窓口で平均40分の待ち時間が出ている。",
    "plan": "オンライン予約と事前入力フォームを導入し、受付手順を見直す。",
    "target": "待ち時間を20分以下にする。受付票の時刻で測る。",
    "is_cross_department": False,
}
REPORT = {
    "report": "予約システムを3か月運用し、事前入力を受付で読み込めるようにした。",
    "measured_effect": "平均待ち時間は40分から18分に短縮した(受付票2,100件)。",
    "hours_saved_per_year": 320,
    "inclusion_check": "予約なしの来庁者用の窓口を残し、職員が入力を手伝う体制を作った。",
}


def plan_of(team, framework, **overrides):
    values = {**PLAN, **overrides}
    return services.capstone_save(
        user=team["candidate"],
        program="DX_LEADER",
        competencies=[competency(framework, "B1"), competency(framework, "C1")],
        **values,
    )


def to_assessment(team, framework) -> Capstone:
    capstone = plan_of(team, framework)
    services.capstone_submit_plan(capstone=capstone, actor=team["candidate"])
    services.capstone_review_plan(capstone=capstone, actor=team["kacho"], accept=True)
    services.capstone_submit_report(capstone=capstone, actor=team["candidate"], **REPORT)
    services.capstone_endorse(capstone=capstone, actor=team["kacho"], endorse=True, comment="推薦します。")
    return capstone


def full_scores(capstone, score=3):
    return {str(c.pk): score for c in RubricCriterion.objects.filter(program=capstone.program)}


def test_the_whole_workflow_records_each_decision_and_emails_the_next_person(
    team, framework, django_capture_on_commit_callbacks
):
    def committed(step, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return step(**kwargs)

    capstone = plan_of(team, framework)
    assert capstone.status == S.DRAFT and capstone.department.code == "020100"

    committed(services.capstone_submit_plan, capstone=capstone, actor=team["candidate"])
    assert [m.to for m in mail.outbox] == [["kacho@city.example.jp"]]  # the nearest head, not the 部長

    committed(
        services.capstone_review_plan,
        capstone=capstone,
        actor=team["kacho"],
        accept=True,
        comment="進めてください",
    )
    assert mail.outbox[-1].to == ["candidate@city.example.jp"]
    assert "進めてください" in mail.outbox[-1].body

    upload = SimpleUploadedFile("効果測定.pdf", PDF, content_type="application/pdf")
    committed(
        services.capstone_submit_report,
        capstone=capstone,
        actor=team["candidate"],
        attachments=[upload],
        **REPORT,
    )
    assert capstone.attachments.count() == 1 and mail.outbox[-1].to == ["kacho@city.example.jp"]

    committed(services.capstone_endorse, capstone=capstone, actor=team["kacho"], endorse=True)
    capstone.refresh_from_db()
    assert capstone.status == S.ASSESSMENT and capstone.advisor == team["advisor"]
    assert capstone.endorsed_by == team["kacho"]
    assert mail.outbox[-1].to == ["advisor@city.example.jp"]

    committed(
        services.capstone_assess,
        capstone=capstone,
        actor=team["advisor"],
        approve=True,
        scores=full_scores(capstone),
        comment="良い取組",
    )
    capstone.refresh_from_db()
    assert capstone.status == S.APPROVED and capstone.approved_by == team["advisor"]
    assert mail.outbox[-1].to == ["candidate@city.example.jp"]

    log = list(CapstoneDecision.objects.filter(capstone=capstone).values_list("action", "actor__username"))
    assert log == [
        (CapstoneAction.SUBMIT_PLAN, "candidate"),
        (CapstoneAction.ACCEPT_PLAN, "kacho"),
        (CapstoneAction.SUBMIT_REPORT, "candidate"),
        (CapstoneAction.ENDORSE, "kacho"),
        (CapstoneAction.APPROVE, "advisor"),
    ]
    practice = Evidence.objects.filter(user=team["candidate"], source=EvidenceSource.ADVISOR)
    assert sorted(practice.values_list("competency__code", "level", "status")) == [
        ("B1", 3, EvidenceStatus.VERIFIED),
        ("C1", 3, EvidenceStatus.VERIFIED),
    ]
    assert {row.reviewed_by for row in practice} == {team["advisor"]}


def test_only_the_heads_of_the_candidates_department_decide(team, framework):
    capstone = plan_of(team, framework)
    services.capstone_submit_plan(capstone=capstone, actor=team["candidate"])
    for outsider in ("bucho", "other_kacho", "colleague", "advisor", "hr"):
        with pytest.raises(services.CapstoneError):
            services.capstone_review_plan(capstone=capstone, actor=team[outsider], accept=True)
    capstone.refresh_from_db()
    assert capstone.status == S.PLAN_REVIEW
    assert CapstoneDecision.objects.filter(capstone=capstone).count() == 1


def test_the_department_head_above_decides_when_the_ka_has_no_manager(
    team, framework, django_capture_on_commit_callbacks
):
    team["kacho"].groups.clear()
    capstone = plan_of(team, framework)
    with django_capture_on_commit_callbacks(execute=True):
        services.capstone_submit_plan(capstone=capstone, actor=team["candidate"])
    assert mail.outbox[-1].to == ["bucho@city.example.jp"]
    services.capstone_review_plan(capstone=capstone, actor=team["bucho"], accept=True)
    assert Capstone.objects.get(pk=capstone.pk).status == S.IN_PROGRESS


def test_a_return_needs_a_comment_and_sends_the_plan_back_for_editing(team, framework):
    capstone = plan_of(team, framework)
    services.capstone_submit_plan(capstone=capstone, actor=team["candidate"])
    with pytest.raises(services.CapstoneError, match="コメント"):
        services.capstone_review_plan(capstone=capstone, actor=team["kacho"], accept=False, comment="  ")
    services.capstone_review_plan(
        capstone=capstone, actor=team["kacho"], accept=False, comment="目標を数値で"
    )
    capstone.refresh_from_db()
    assert capstone.status == S.DRAFT
    edited = services.capstone_save(
        user=team["candidate"],
        program="DX_LEADER",
        capstone=capstone,
        competencies=[competency(framework, "B1")],
        title="窓口予約のオンライン化(改訂)",
    )
    assert edited.title.endswith("(改訂)") and list(edited.competencies.values_list("code", flat=True)) == [
        "B1"
    ]
    services.capstone_submit_plan(capstone=edited, actor=team["candidate"])
    assert Capstone.objects.get(pk=capstone.pk).status == S.PLAN_REVIEW


def test_a_second_open_capstone_for_the_same_programme_is_refused(team, framework):
    plan_of(team, framework)
    with pytest.raises(services.CapstoneError, match="すでに"):
        plan_of(team, framework)
    assert Capstone.objects.count() == 1


def test_the_same_decision_twice_counts_once(team, framework):
    capstone = plan_of(team, framework)
    services.capstone_submit_plan(capstone=capstone, actor=team["candidate"])
    stale = Capstone.objects.get(pk=capstone.pk)
    services.capstone_review_plan(capstone=capstone, actor=team["kacho"], accept=True)
    with pytest.raises(services.CapstoneError, match="すでに処理"):
        services.capstone_review_plan(capstone=stale, actor=team["kacho"], accept=False, comment="やはり")
    assert CapstoneDecision.objects.filter(capstone=capstone).count() == 2
    assert Capstone.objects.get(pk=capstone.pk).status == S.IN_PROGRESS


def test_the_report_needs_effect_and_inclusion_and_bad_files_change_nothing(team, framework):
    capstone = plan_of(team, framework)
    services.capstone_submit_plan(capstone=capstone, actor=team["candidate"])
    services.capstone_review_plan(capstone=capstone, actor=team["kacho"], accept=True)
    with pytest.raises(services.CapstoneError, match="誰一人"):
        services.capstone_submit_report(
            capstone=capstone, actor=team["candidate"], **{**REPORT, "inclusion_check": ""}
        )
    good = SimpleUploadedFile("a.pdf", PDF)
    bad = SimpleUploadedFile("tool.exe", b"MZ\x90\x00" + b"\x00" * 100)
    with pytest.raises(services.CapstoneError, match=r"tool\.exe"):
        services.capstone_submit_report(
            capstone=capstone, actor=team["candidate"], attachments=[good, bad], **REPORT
        )
    capstone.refresh_from_db()
    assert capstone.status == S.IN_PROGRESS and capstone.report == ""
    assert not CapstoneAttachment.objects.exists()


def test_the_rubric_must_be_complete_and_at_its_minimum_to_approve(team, framework):
    capstone = to_assessment(team, framework)
    scores = full_scores(capstone)
    with pytest.raises(services.CapstoneError, match="すべての観点"):
        services.capstone_assess(
            capstone=capstone, actor=team["advisor"], approve=True, scores=dict(list(scores.items())[1:])
        )
    effect = RubricCriterion.objects.get(program=capstone.program, name="効果の測定")
    with pytest.raises(services.CapstoneError, match="効果の測定"):
        services.capstone_assess(
            capstone=capstone, actor=team["advisor"], approve=True, scores={**scores, str(effect.pk): 2}
        )
    services.capstone_assess(
        capstone=capstone,
        actor=team["advisor"],
        approve=False,
        scores={**scores, str(effect.pk): 2},
        comment="効果の測り方を前後で揃えてください。",
    )
    capstone.refresh_from_db()
    assert capstone.status == S.IN_PROGRESS
    assert not Evidence.objects.filter(source=EvidenceSource.ADVISOR).exists()


def test_only_the_assigned_advisor_assesses(team, framework, municipality, departments):
    capstone = to_assessment(team, framework)
    second = placed(person("advisor2", municipality, Role.ADVISOR), departments["010000"])
    for outsider in (second, team["kacho"], team["hr"], team["candidate"]):
        with pytest.raises(services.CapstoneError):
            services.capstone_assess(
                capstone=capstone, actor=outsider, approve=True, scores=full_scores(capstone)
            )
    assert Capstone.objects.get(pk=capstone.pk).status == S.ASSESSMENT


def test_endorsement_goes_to_the_least_busy_advisor(team, framework, municipality, departments):
    first = to_assessment(team, framework)
    assert first.advisor == team["advisor"]
    second = placed(person("advisor2", municipality, Role.ADVISOR), departments["010000"])
    assert services.capstone.advisor_least_busy(municipality.pk) == second


# --- pages ------------------------------------------------------------------------------------------


def test_the_candidate_plans_and_reports_on_their_page(client, team, framework):
    client.force_login(team["candidate"])
    url = reverse("certification:capstone_mine")
    assert client.get(url).status_code == 200
    b1, c1 = competency(framework, "B1"), competency(framework, "C1")
    data = {**PLAN, "competencies": [b1.pk, c1.pk], "step": "submit"}
    data.pop("is_cross_department")
    response = client.post(url, data)
    assert response.status_code == 302
    capstone = Capstone.objects.get(user=team["candidate"])
    assert capstone.status == S.PLAN_REVIEW
    services.capstone_review_plan(capstone=capstone, actor=team["kacho"], accept=True)
    upload = SimpleUploadedFile("効果.pdf", PDF, content_type="application/pdf")
    response = client.post(url, {**REPORT, "attachments": [upload], "step": "report"})
    assert response.status_code == 302
    capstone.refresh_from_db()
    assert capstone.status == S.ENDORSEMENT and capstone.attachments.count() == 1
    page = client.get(url).content.decode()
    assert "成果報告を提出" in page and "推薦待ち" in page


def test_a_forged_step_changes_nothing(client, team, framework):
    capstone = plan_of(team, framework)
    client.force_login(team["candidate"])
    response = client.post(reverse("certification:capstone_mine"), {**REPORT, "step": "report"})
    assert response.status_code == 302
    capstone.refresh_from_db()
    assert capstone.status == S.DRAFT and capstone.report == ""


def test_managers_and_advisors_decide_from_their_task_lists(client, team, framework):
    capstone = plan_of(team, framework)
    services.capstone_submit_plan(capstone=capstone, actor=team["candidate"])
    client.force_login(team["kacho"])
    tasks = client.get(reverse("certification:capstone_tasks"))
    assert capstone.title in tasks.content.decode()
    review = reverse("certification:capstone_review", args=[capstone.uuid])
    assert client.post(review, {"decision": "return"}).status_code == 400  # no comment
    assert client.post(review, {"decision": "accept"}).status_code == 302
    capstone.refresh_from_db()
    services.capstone_submit_report(capstone=capstone, actor=team["candidate"], **REPORT)
    assert client.post(review, {"decision": "accept", "comment": "推薦"}).status_code == 302

    client.force_login(team["advisor"])
    assert capstone.title in client.get(reverse("certification:capstone_tasks")).content.decode()
    data = {f"score_{pk}": v for pk, v in full_scores(capstone, 4).items()}
    assert client.post(review, {**data, "decision": "accept"}).status_code == 302
    assert Capstone.objects.get(pk=capstone.pk).status == S.APPROVED


def test_nobody_else_learns_that_a_capstone_exists(client, team, framework, other_city):
    capstone = plan_of(team, framework)
    upload = SimpleUploadedFile("a.pdf", PDF)
    services.capstone_submit_plan(capstone=capstone, actor=team["candidate"])
    services.capstone_review_plan(capstone=capstone, actor=team["kacho"], accept=True)
    services.capstone_submit_report(
        capstone=capstone, actor=team["candidate"], attachments=[upload], **REPORT
    )
    attachment = capstone.attachments.get()
    review = reverse("certification:capstone_review", args=[capstone.uuid])
    download = reverse("certification:capstone_attachment", args=[capstone.uuid, attachment.uuid])
    outsiders = [team["colleague"], team["other_kacho"], team["advisor"], person("hr2", other_city, Role.HR)]
    for outsider in outsiders:  # the advisor is not assigned yet
        client.force_login(outsider)
        assert client.get(review).status_code == 404, outsider
        assert client.get(download).status_code == 404, outsider
    for insider in (team["kacho"], team["hr"], team["candidate"]):
        client.force_login(insider)
        response = client.get(download)
        assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    client.force_login(team["colleague"])
    assert client.get(reverse("certification:capstone_tasks")).status_code == 403


def test_the_task_list_reads_a_fixed_number_of_queries(team, framework, django_assert_max_num_queries):
    for n in range(3):
        capstone = services.capstone_save(
            user=team[("candidate", "colleague", "hr")[n]],
            program="DX_LEADER",
            competencies=[competency(framework, "B1")],
            **{**PLAN, "title": f"課題{n}"},
        )
        if n < 2:
            services.capstone_submit_plan(capstone=capstone, actor=capstone.user)
    kacho = type(team["kacho"]).objects.get(pk=team["kacho"].pk)
    with django_assert_max_num_queries(14):
        tasks = selectors.capstone_tasks(user=kacho)
    assert sorted(c.title for c in tasks.to_decide) == ["課題0", "課題1"]


def test_steps_committed_together_each_email_the_person_of_their_step(
    team, framework, django_capture_on_commit_callbacks
):
    capstone = plan_of(team, framework)
    with django_capture_on_commit_callbacks(execute=True):
        services.capstone_submit_plan(capstone=capstone, actor=team["candidate"])
        services.capstone_review_plan(capstone=capstone, actor=team["kacho"], accept=True)
    assert [m.to for m in mail.outbox] == [["kacho@city.example.jp"], ["candidate@city.example.jp"]]
    assert "計画の確認待ち" in mail.outbox[0].body and "実施中" in mail.outbox[1].body
