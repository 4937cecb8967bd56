"""The certification demo in the demo city: a programme in motion (leaders certified through the real
workflow, capstones at every stage, a revoked and an expired certificate, pending claims with PDF proofs);
a second load adds nothing."""

import datetime
import io

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from assessments.certification import proofs
from assessments.certification.models import Capstone, CapstoneAction, CapstoneStatus, Certificate
from assessments.certification.selectors import (
    capstone_tasks,
    certification_path,
    exam_best_attempt,
    pending_submissions,
)
from assessments.models import Evidence, EvidenceStatus
from lms_site.organisation.models import Assignment, DepartmentKind
from lms_site.organisation.selectors import department_heads, department_of

A = CapstoneAction


def all_row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


@pytest.fixture(scope="module")
def city_demo(demo_loaded, django_db_blocker):
    """The row counts after the package's load of the demo and after a second load (run in a savepoint
    rolled back at once), and the private media root the proofs went to."""
    with django_db_blocker.unblock(), transaction.atomic():
        before = all_row_counts()
        call_command("load_demo", "--allow-demo-passwords", stdout=io.StringIO())
        after = all_row_counts()
        transaction.set_rollback(True)
    return {"before": before, "after": after, "private": demo_loaded}


@pytest.fixture
def leaders(city_demo):
    return list(
        Certificate.objects.filter(program__code="DX_LEADER")
        .select_related("user__staff_profile")
        .order_by("issued_on")
    )


def user(username: str):
    return get_user_model().objects.get(username=username)


def bu_of(department):
    return department if department.kind == DepartmentKind.BU else department.get_ancestors().get(kind="bu")


def test_a_second_load_adds_nothing(city_demo):
    assert city_demo["after"] == city_demo["before"]


def test_valid_leaders_in_most_bu_one_to_three_each(leaders):
    today = timezone.localdate()
    per_bu: dict[str, int] = {}
    for certificate in leaders:
        if certificate.status_on(today) == "valid":
            department = department_of(staff=certificate.user.staff_profile, on=today)
            name = bu_of(department).name
            per_bu[name] = per_bu.get(name, 0) + 1
    assert len(per_bu) >= 14
    assert max(per_bu.values()) <= 3


def test_every_leader_met_the_rules_through_the_workflow(leaders):
    assert len(leaders) >= 16
    for certificate in leaders:
        holder = certificate.user
        assert certification_path(user=holder, program_code="DX_LEADER").eligible, holder
        capstone = Capstone.objects.get(user=holder, status=CapstoneStatus.APPROVED)
        steps = list(capstone.decisions.order_by("created_at", "pk"))
        actions = [step.action for step in steps if step.action not in (A.RETURN_PLAN,)]
        assert actions[-4:] == [A.ACCEPT_PLAN, A.SUBMIT_REPORT, A.ENDORSE, A.APPROVE]
        assert steps[-1].actor.username == "demo-advisor"
        assert capstone.endorsed_by == steps[-2].actor and capstone.endorsed_at == steps[-2].created_at
        assert capstone.approved_at.date() <= certificate.issued_on
        exam = exam_best_attempt(user=holder, program=certificate.program)
        assert exam.percent >= 70 and exam.finished_at.date() <= certificate.issued_on
        practice = Evidence.objects.filter(user=holder, source="ojt", status=EvidenceStatus.VERIFIED)
        assert practice.exists() and {row.reviewed_by.username for row in practice} == {"demo-hr"}


def test_each_decision_was_taken_by_the_candidates_head_on_the_day(leaders, city_demo):
    first_day = Assignment.objects.order_by("starts_on").values_list("starts_on", flat=True).first()
    checked = 0
    for capstone in Capstone.objects.select_related("user__staff_profile"):
        for step in capstone.decisions.filter(action__in=[A.ACCEPT_PLAN, A.RETURN_PLAN, A.ENDORSE]):
            day = step.created_at.astimezone(timezone.get_current_timezone()).date()
            if day < first_day:  # the expired certificate's history is older than the assignment records
                continue
            department = department_of(staff=capstone.user.staff_profile, on=day)
            assert step.actor in department_heads(department=department, on=day), (capstone, step)
            checked += 1
    assert checked >= 30


def test_issue_dates_spread_over_the_past_two_years(leaders):
    today = timezone.localdate()
    valid_or_revoked = [c.issued_on for c in leaders if c.status_on(today) != "expired"]
    assert min(valid_or_revoked) <= today - datetime.timedelta(days=365)
    assert max(valid_or_revoked) >= today - datetime.timedelta(days=90)
    assert all(today - datetime.timedelta(days=731) <= day < today for day in valid_or_revoked)


def test_exactly_one_revoked_and_an_expired_certificate(leaders):
    today = timezone.localdate()
    revoked = [c for c in leaders if c.status_on(today) == "revoked"]
    assert len(revoked) == 1 and revoked[0].revocation_reason and revoked[0].revoked_by.username == "demo-hr"
    assert Certificate.objects.filter(revoked_at__isnull=False).count() == 1
    expired = [c for c in leaders if c.status_on(today) == "expired"]
    assert expired and all(c.issued_on < today.replace(year=today.year - 3) for c in expired)


def test_capstones_wait_at_every_stage_and_in_the_demo_logins_task_lists(city_demo):
    stages = set(Capstone.objects.values_list("status", flat=True))
    assert stages == set(CapstoneStatus.values)
    manager_tasks = {c.status for c in capstone_tasks(user=user("demo-manager")).to_decide}
    assert {CapstoneStatus.PLAN_REVIEW, CapstoneStatus.ENDORSEMENT} <= manager_tasks
    advisor_tasks = capstone_tasks(user=user("demo-advisor")).to_decide
    assert advisor_tasks and {c.status for c in advisor_tasks} == {CapstoneStatus.ASSESSMENT}
    mine = Capstone.objects.get(user__username="demo-learner")
    assert mine.status in (CapstoneStatus.DRAFT, CapstoneStatus.IN_PROGRESS)
    assert capstone_tasks(user=user("demo-hr")).in_programme


def test_hr_has_pending_evidence_with_readable_pdf_proofs(city_demo):
    submissions = pending_submissions(reviewer=user("demo-hr"))
    claims = [s.claim for s in submissions if s.claim is not None]
    assert len(claims) >= 5 and any(s.claim is None for s in submissions)  # an OJT record too
    for (
        claim
    ) in claims:  # stored where the module's load put them (tests elsewhere have their own proof root)
        content = (city_demo["private"] / "evidence-proofs" / claim.proof.name).read_bytes()
        assert proofs.sniff(content[:8]) == ("application/pdf", "pdf")


def test_many_staff_hold_dxbasic_and_each_meets_it(city_demo):
    holders = Certificate.objects.filter(program__code="DX_BASIC").select_related("user")
    assert holders.count() >= 30
    for certificate in holders:
        assert certification_path(user=certificate.user, program_code="DX_BASIC").eligible
        assert certificate.issued_on <= timezone.localdate()
