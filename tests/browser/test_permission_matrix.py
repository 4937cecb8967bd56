"""Every URL the project defines, for anonymous visitors and each role, with the status it must answer.

The URLs are enumerated from the resolver (every pattern whose view lives in our packages), so a new URL
without a row in ``MATRIX`` fails ``test_every_url_of_ours_has_a_row``. The requests run against the demo
city (shared with the browser tests) with Django's test client: GET, as a person guessing addresses
would. Object URLs use real objects of the demo that belong to someone else than most viewers, so the
object-level rules show: a learner's attempt, claim proof and capstone are 404 to other learners.

Columns: anonymous, 職員 (demo-learner), 所属長 (demo-manager), 人事課 (demo-hr), 外部人材 (demo-advisor),
DX推進課 (demo-reviewer), システム管理者 (demo-admin), then the attackers from elsewhere: みどり町's 人事
(demo-hr-town), whose object URLs carry 若葉市's objects, and 架空県's 都道府県 (demo-pref), who may read
aggregates only. ``L`` is a redirect to the login page.
"""

import datetime

import pytest
from django.test import Client
from django.urls import NoReverseMatch, get_resolver, reverse
from django.urls.resolvers import URLPattern, URLResolver

pytestmark = pytest.mark.browser  # runs last, with the shared demo (tests/conftest.py)

OURS = ("lms_site", "courses", "assessments", "analytics", "training", "lti")
ROLES = (
    "anonymous",
    "demo-learner",
    "demo-manager",
    "demo-hr",
    "demo-advisor",
    "demo-reviewer",
    "demo-admin",
    "demo-hr-town",
    "demo-pref",
)
L = "login"


def _walk(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern):
            view = getattr(pattern.callback, "view_class", pattern.callback)
            if view.__module__.split(".")[0] in OURS and pattern.name:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def project_url_names() -> set[str]:
    return set(_walk(get_resolver().url_patterns))


# name: statuses in ROLES order — anonymous, 職員, 所属長, 人事課, 外部人材, DX推進課, システム管理者,
# みどり町の人事, 架空県.
# 405: the URL only takes POST (its POST rules are in POSTS). Object URLs point at other people's objects.
MATRIX: dict[str, tuple] = {
    "analytics:access_log": (L, 403, 403, 200, 403, 403, 200, 200, 403),
    "analytics:dashboard": (L, 403, 200, 200, 403, 200, 200, 200, 403),
    "analytics:export": (L, 403, 200, 200, 403, 200, 200, 200, 403),
    "analytics:prefecture": (L, 403, 403, 403, 403, 403, 403, 403, 200),  # the 都道府県 role only
    "analytics:prefecture_export": (L, 403, 403, 403, 403, 403, 403, 403, 200),
    "analytics:snapshot_run": (L, 405, 405, 405, 405, 405, 405, 405, 405),
    "analytics:snapshot_status": (L, 403, 403, 200, 403, 403, 200, 404, 403),
    "analytics:talent": (L, 403, 200, 200, 403, 403, 200, 200, 403),
    "analytics:targets": (L, 403, 403, 200, 403, 403, 200, 200, 403),
    "assessments:answer": (L, 405, 405, 405, 405, 405, 405, 405, 405),
    "assessments:attempt": (L, 404, 404, 404, 404, 404, 404, 404, 404),
    "assessments:quiz": (L, 200, 200, 200, 200, 200, 200, 200, 200),
    "assessments:result": (L, 404, 404, 404, 404, 404, 404, 404, 404),
    "assessments:start": (L, 405, 405, 405, 405, 405, 405, 405, 405),
    "assessments:xblock_handler": (L, 405, 405, 405, 405, 405, 405, 405, 405),
    "assessments_admin:export": (L, L, L, 302, 302, 302, 200, 302, L),  # the keys: system administrator only
    "assessments_admin:import": (L, L, L, 302, 200, 200, 200, 302, L),
    # a shared question's and quiz's history: other municipalities' people are not named (ADR 0024); the
    # demo's shared items were never in a workflow, so a workflow's detail is 404 (tests/security/
    # test_history_names.py opens real ones as the town's roles)
    "wagtailsnippets_assessments_question:history": (L, L, L, 302, 200, 200, 200, 302, L),
    "wagtailsnippets_assessments_question:history_results": (L, L, L, 302, 200, 200, 200, 302, L),
    "wagtailsnippets_assessments_question:workflow_history": (L, L, L, 302, 200, 200, 200, 302, L),
    "wagtailsnippets_assessments_question:workflow_history_detail": (L, L, L, 302, 404, 404, 404, 302, L),
    "wagtailsnippets_assessments_quiz:history": (L, L, L, 302, 200, 200, 200, 302, L),
    "wagtailsnippets_assessments_quiz:history_results": (L, L, L, 302, 200, 200, 200, 302, L),
    "wagtailsnippets_assessments_quiz:workflow_history": (L, L, L, 302, 200, 200, 200, 302, L),
    "wagtailsnippets_assessments_quiz:workflow_history_detail": (L, L, L, 302, 404, 404, 404, 302, L),
    "exam_conflict_exceptions:add": (L, L, L, 200, 302, 302, 200, 200, L),
    "certification:capstone_attachment": (L, 404, 200, 200, 404, 404, 200, 404, 404),
    "certification:capstone_mine": (L, 200, 200, 200, 200, 200, 200, 200, 200),
    "certification:capstone_review": (L, 404, 200, 200, 404, 404, 200, 404, 404),
    "certification:capstone_tasks": (L, 403, 200, 200, 200, 403, 200, 200, 403),
    "certification:certificate": (200, 200, 200, 200, 200, 200, 200, 200, 200),
    "certification:certificate_assertion": (200, 200, 200, 200, 200, 200, 200, 200, 200),
    "certification:certificate_badge": (200, 200, 200, 200, 200, 200, 200, 200, 200),
    "certification:certificate_credential": (200, 200, 200, 200, 200, 200, 200, 200, 200),
    "certification:certificate_issuer": (200, 200, 200, 200, 200, 200, 200, 200, 200),
    "certification:certificate_keys": (
        200,
        200,
        200,
        200,
        200,
        200,
        200,
        200,
        200,
    ),  # public keys, for verifiers
    "certification:certificate_status_list": (
        200,
        200,
        200,
        200,
        200,
        200,
        200,
        200,
        200,
    ),  # revocation bits, public
    "certification:hr_certificate_revoke": (L, 405, 405, 405, 405, 405, 405, 405, 405),
    "certification:hr_certificates": (L, 403, 403, 200, 403, 403, 200, 200, 403),
    "certification:hr_evidence": (L, 403, 403, 200, 403, 403, 200, 200, 403),
    "certification:hr_evidence_review": (L, 405, 405, 405, 405, 405, 405, 405, 405),
    "certification:my_evidence": (L, 200, 200, 200, 200, 200, 200, 200, 200),
    "certification:proof": (L, 404, 404, 200, 404, 404, 200, 404, 404),
    "competencies_admin:framework_export": (L, L, L, 200, 200, 302, 200, 200, L),
    "competencies_admin:framework_import": (L, L, L, 302, 302, 302, 200, 302, L),
    "competencies_admin:framework_new_version": (L, L, L, 302, 302, 302, 200, 302, L),
    "competencies_admin:framework_set_current": (L, L, L, 302, 302, 302, 200, 302, L),
    "competency:index": (L, L, L, 200, 200, 302, 200, 200, L),
    "competency:index_results": (L, L, L, 200, 200, 302, 200, 200, L),
    "competency:inspect": (L, L, L, 200, 200, 302, 200, 200, L),
    "competency_mapping:index": (L, L, L, 200, 200, 302, 200, 200, L),  # ADR 0021: read like the framework
    "competency_mapping:index_results": (L, L, L, 200, 200, 302, 200, 200, L),
    "competency_area:index": (L, L, L, 200, 200, 302, 200, 200, L),
    "competency_area:index_results": (L, L, L, 200, 200, 302, 200, 200, L),
    "competency_framework:index": (L, L, L, 200, 200, 302, 200, 200, L),
    "competency_framework:index_results": (L, L, L, 200, 200, 302, 200, 200, L),
    "competency_framework:inspect": (L, L, L, 200, 200, 302, 200, 200, L),
    "courses:catalogue": (302, 302, 302, 302, 302, 302, 302, 302, 302),  # to the catalogue page
    "courses:complete_lesson": (L, 405, 405, 405, 405, 405, 405, 405, 405),
    "courses:enrol": (L, 405, 405, 405, 405, 405, 405, 405, 405),
    "courses:my_learning": (L, 200, 200, 200, 200, 200, 200, 200, 200),
    "courses:restart": (L, 405, 405, 405, 405, 405, 405, 405, 405),
    "scorm:commit": (L, 405, 405, 405, 405, 405, 405, 405, 405),
    # the demo has no SCORM package: a live lesson with a package it does not show is 404 to everyone
    # (tests/scorm check the municipality's readers and the attackers with a real package)
    "scorm:file": (L, 404, 404, 404, 404, 404, 404, 404, 404),
    "scorm:launch": (L, 405, 405, 405, 405, 405, 405, 405, 405),
    "scorm_upload": (L, L, L, 200, 200, 302, 200, 200, L),
    "login": (200, 302, 302, 302, 302, 302, 302, 302, 302),
    "logout": (405, 405, 405, 405, 405, 405, 405, 405, 405),  # POST only (Django's LogoutView)
    # the second factor (off in the demo): everyone signed in may set one up; with none, verify sends there
    "mfa_setup": (L, 200, 200, 200, 200, 200, 200, 200, 200),
    "mfa_verify": (L, 302, 302, 302, 302, 302, 302, 302, 302),
    "mfa_recover": (L, 302, 302, 302, 302, 302, 302, 302, 302),
    "mfa_recovery_codes": (L, 302, 302, 302, 302, 302, 302, 302, 302),
    "mfa_keys": (L, 302, 302, 302, 302, 302, 302, 302, 302),
    "mfa_verify_key": (L, 405, 405, 405, 405, 405, 405, 405, 405),
    "openid_connect_callback": (404, 404, 404, 404, 404, 404, 404, 404, 404),
    "openid_connect_login": (404, 404, 404, 404, 404, 404, 404, 404, 404),
    # LTI (ADR 0023): the platform's endpoints. A login initiation naming no registered LMS is refused; the
    # launch and the deep linking answer only take POST; the JWKS is public.
    "lti:login": (403, 403, 403, 403, 403, 403, 403, 403, 403),
    "lti:launch": (405, 405, 405, 405, 405, 405, 405, 405, 405),
    "lti:jwks": (200, 200, 200, 200, 200, 200, 200, 200, 200),
    "lti:deep_link": (405, 405, 405, 405, 405, 405, 405, 405, 405),
    "lti:members": (403, 403, 403, 403, 403, 403, 403, 403, 403),
    # HR's LMS courses and their members (設定 › LMS 連携): the city's HR only; the sample course's LMS does
    # not run in the demo, so the city's HR is told it could not be read (502, nothing logged); a
    # platform-wide administrator is no municipality's HR (404 on the members, an empty list)
    "lti_admin:registrations": (L, L, L, 200, 403, 403, 200, 200, L),
    "lti_admin:members": (L, L, L, 502, 403, 403, 404, 404, L),
    "saml_acs": (404, 404, 404, 404, 404, 404, 404, 404, 404),
    "saml_finish_acs": (404, 404, 404, 404, 404, 404, 404, 404, 404),
    "saml_login": (404, 404, 404, 404, 404, 404, 404, 404, 404),
    "saml_metadata": (404, 404, 404, 404, 404, 404, 404, 404, 404),
    "saml_sls": (404, 404, 404, 404, 404, 404, 404, 404, 404),
    "organisation_admin:staff_import_create": (L, L, L, 200, 302, 302, 200, 200, L),
    "organisation_admin:staff_import_detail": (L, L, L, 200, 302, 302, 200, 404, L),
    "organisation_admin:staff_import_list": (L, L, L, 200, 302, 302, 200, 200, L),
    "organisation_admin:staff_import_progress": (L, L, L, 200, 403, 403, 200, 404, L),
    "notifications:inbox": (L, 200, 200, 200, 200, 200, 200, 200, 200),  # one's own only
    "notifications:inbox_read": (L, 405, 405, 405, 405, 405, 405, 405, 405),
    "notifications:preferences": (L, 200, 200, 200, 200, 200, 200, 200, 200),
    "page:catalogue": (200, 200, 200, 200, 200, 200, 200, 200, 200),
    "page:course": (200, 200, 200, 200, 200, 200, 200, 200, 200),
    "page:home": (200, 200, 200, 200, 200, 200, 200, 200, 200),
    "page:lesson": (200, 200, 200, 200, 200, 200, 200, 200, 200),
    # the programme listing is ours: it lists what is offered to the person's municipality (ADR 0024)
    "certificationprogram:index": (L, L, L, 200, 302, 302, 200, 200, L),
    "certificationprogram:index_results": (L, L, L, 200, 302, 302, 200, 200, L),
    # the history of shared content: other municipalities' people are not named (ADR 0024)
    "certificationprogram:history": (L, L, L, 200, 302, 302, 200, 200, L),
    "certificationprogram:history_results": (L, L, L, 200, 302, 302, 200, 200, L),
    # the Wagtail staff views are ours since they write the access log (ADR 0014)
    "staffprofile:index": (L, L, L, 200, 302, 302, 200, 200, L),
    "staffprofile:index_results": (L, L, L, 200, 302, 302, 200, 200, L),
    "staffprofile:inspect": (L, L, L, 200, 302, 302, 200, 404, L),
    # Assigned training (issue 15): HR and 所属長 (their subtree) assign and read; the sample rule is the
    # whole city's, HR's, so the 所属長 gets 404 as for any rule outside their subtree. DX推進課 reads the
    # report as suppressed aggregates (item 5); the sample export is the people's, which it may not have.
    "training:rule_list": (L, 403, 200, 200, 403, 200, 200, 200, 403),
    "training:rule_new": (L, 403, 200, 200, 403, 403, 200, 200, 403),
    "training:rule_detail": (L, 403, 404, 200, 403, 200, 200, 404, 403),
    "training:rule_export": (L, 403, 404, 200, 403, 403, 200, 404, 403),
    "training:rule_withdraw": (L, 405, 405, 405, 405, 405, 405, 405, 405),
    "training:due_exempt": (L, 405, 405, 405, 405, 405, 405, 405, 405),
    "training:todo_ics": (L, 200, 200, 200, 200, 200, 200, 200, 200),  # one's own due dates only
    # Classroom sessions: for staff of the session's municipality; the sample is a full session of the
    # city that no demo login applied for (so no invitation), taught by demo-reviewer.
    "training:session_list": (L, 200, 200, 200, 403, 200, 403, 200, 200),
    "training:session_detail": (L, 200, 200, 200, 403, 200, 403, 404, 404),
    "training:session_ics": (L, 404, 404, 404, 403, 404, 403, 404, 404),
    "training:hr_session_list": (L, 403, 403, 200, 403, 403, 200, 200, 403),
    "training:hr_session_new": (L, 403, 403, 200, 403, 403, 200, 200, 403),
    "training:roll_call": (L, 403, 403, 200, 403, 200, 403, 404, 404),  # the trainer and the city's HR
    "training:hr_session_edit": (L, 403, 403, 200, 403, 403, 200, 404, 403),  # the city's HR only
    "training:hr_session_cancel": (L, 403, 403, 200, 403, 403, 200, 404, 403),  # GET: the confirmation
    "training:session_approvals": (L, 403, 200, 200, 403, 403, 200, 200, 403),
    "training:session_decide": (L, 405, 405, 405, 405, 405, 405, 405, 405),
    # A site's look (Wagtail's settings view, our setting; ADR 0024): みどり町's own site by its HR, the
    # platform's by the system administrator only; 302 is Wagtail's refusal (to the admin home).
    "page:site_look_town": (L, L, L, 302, 302, 302, 200, 200, L),
    "page:site_look_platform": (L, L, L, 302, 302, 302, 200, 302, L),
}


# POST to the privileged actions with incomplete data: who is refused, and how; nothing may change.
POSTS: dict[str, tuple[dict, tuple]] = {
    "certification:hr_evidence_review": ({"decision": "verify"}, (L, 403, 403, 302, 403, 403, 302, 302, 403)),
    "certification:hr_certificate_revoke": ({"reason": ""}, (L, 403, 403, 302, 403, 403, 302, 404, 403)),
    "certification:capstone_review": ({"decision": "return"}, (L, 404, 400, 302, 404, 404, 302, 404, 404)),
    # HR's empty reason is refused with a message; the 所属長 cannot reach the whole city's rule at all.
    "training:due_exempt": ({"reason": ""}, (L, 403, 404, 302, 403, 403, 302, 404, 403)),
    # Nobody here heads the applicant (the sample is outside 市民課): refused before the form is read.
    "training:session_decide": ({"decision": ""}, (L, 403, 403, 403, 403, 403, 403, 404, 404)),
}


def samples():
    """URL arguments for every parametrised URL, from the demo's objects (read at test time)."""
    from analytics.models import SnapshotRun
    from assessments.certification.models import (
        Capstone,
        CapstoneStatus,
        Certificate,
        QualificationClaim,
        StatusList,
    )
    from assessments.models import Attempt, AttemptStatus, Quiz
    from courses.competencies.models import CompetencyFramework
    from courses.models import CoursePage, LessonPage
    from lms_site.organisation.models import Municipality, StaffImport, StaffProfile
    from training.models import (
        ClassSession,
        RegistrationStatus,
        SessionRegistration,
        TrainingDue,
        TrainingRule,
    )

    # someone else's attempt and claim: no role may read them by guessing the address (HR reads proofs)
    others = Attempt.objects.exclude(user__username__startswith="demo-").order_by("pk")
    learner_attempt = others.first()
    finished = others.exclude(status=AttemptStatus.IN_PROGRESS)
    # waiting for demo-manager (a plan or a report; other browser tests may already have decided one)
    waiting = Capstone.objects.filter(
        status__in=[CapstoneStatus.PLAN_REVIEW, CapstoneStatus.ENDORSEMENT], user__staff_profile__isnull=False
    ).order_by("pk")
    capstone = next(c for c in waiting if _head_is(c, "demo-manager"))
    attachment_capstone = Capstone.objects.filter(attachments__isnull=False).first() or _with_attachment(
        capstone
    )
    certificate = Certificate.objects.filter(revoked_at__isnull=True).order_by("pk").first()
    city = Municipality.objects.get(code="999991")
    framework = CompetencyFramework.objects.get(is_current=True)
    staff_import = StaffImport.objects.first() or StaffImport.objects.create(
        municipality=city, file_name="staff.csv", content=b"", effective_date=datetime.date(2026, 4, 1)
    )
    run = SnapshotRun.objects.first() or SnapshotRun.objects.create(
        municipality=city, taken_on=datetime.date(2026, 11, 1)
    )
    rule = TrainingRule.objects.filter(municipality=city, department__isnull=True, every_year=True).first()
    due = TrainingDue.objects.filter(rule=rule, exempt_reason="").order_by("pk").first()
    session = ClassSession.objects.filter(municipality=city, needs_manager_approval=False).first()
    pending = (
        SessionRegistration.objects.filter(status=RegistrationStatus.PENDING_APPROVAL)
        .exclude(staff__assignments__department__name="市民課")
        .order_by("pk")
        .first()
    )
    return {
        # the demo registers no identity provider (it would need one running): unknown ids are 404 to all
        "openid_connect_login": {"provider_id": "999991-oidc"},
        "openid_connect_callback": {"provider_id": "999991-oidc"},
        **{
            name: {"organization_slug": "999991-saml"}
            for name in ("saml_acs", "saml_finish_acs", "saml_login", "saml_metadata", "saml_sls")
        },
        "courses:enrol": {"course_id": CoursePage.objects.live().first().pk},
        "courses:complete_lesson": {"lesson_id": LessonPage.objects.live().first().pk},
        "assessments:quiz": {"quiz_id": Quiz.objects.filter(live=True).first().pk},
        "assessments:start": {"quiz_id": Quiz.objects.filter(live=True).first().pk},
        "assessments:attempt": {"attempt_id": learner_attempt.pk},
        "assessments:answer": {"attempt_id": learner_attempt.pk, "position": 0},
        "assessments:result": {"attempt_id": finished.first().pk},
        "assessments:xblock_handler": {
            "quiz_id": Quiz.objects.filter(live=True).first().pk,
            "handler": "submit",
        },
        "certification:proof": {
            "claim_uuid": QualificationClaim.objects.exclude(user__username__startswith="demo-").first().uuid
        },
        "certification:capstone_review": {"capstone_uuid": capstone.uuid},
        "certification:capstone_attachment": {
            "capstone_uuid": attachment_capstone.uuid,
            "attachment_uuid": attachment_capstone.attachments.first().uuid,
        },
        "certification:certificate": {"certificate_uuid": certificate.uuid},
        "certification:certificate_assertion": {"certificate_uuid": certificate.uuid},
        "certification:certificate_credential": {"certificate_uuid": certificate.uuid},
        "certification:certificate_issuer": {"code": Municipality.objects.first().code},
        "certification:certificate_keys": {"code": Municipality.objects.first().code},
        "certification:certificate_status_list": {
            "list_uuid": StatusList.objects.order_by("pk").first().uuid
        },
        "certification:certificate_badge": {
            "code": Municipality.objects.first().code,
            "program_code": "DX_LEADER",
        },
        "certification:hr_certificate_revoke": {"certificate_uuid": certificate.uuid},
        "organisation_admin:staff_import_detail": {"pk": staff_import.pk},
        "organisation_admin:staff_import_progress": {"pk": staff_import.pk},
        "staffprofile:inspect": {
            "pk": StaffProfile.objects.exclude(user__username__startswith="demo-").first().pk
        },
        "analytics:export": {"name": "coverage", "fmt": "csv"},
        "assessments_admin:export": {"file_format": "gift"},
        "competencies_admin:framework_export": {"pk": framework.pk, "file_format": "csv"},
        "competencies_admin:framework_set_current": {"pk": framework.pk},
        "competencies_admin:framework_new_version": {"pk": framework.pk},
        "competency_framework:inspect": {"pk": framework.pk},
        "competency:inspect": {"pk": framework.competencies.order_by("pk").first().pk},
        "analytics:snapshot_status": {"run_id": run.pk},
        "analytics:prefecture_export": {"name": "municipalities", "fmt": "csv"},
        "courses:restart": {"course_id": CoursePage.objects.live().first().pk},
        "scorm:launch": {"lesson_id": LessonPage.objects.live().first().pk, "package_id": 999999},
        "scorm:file": {
            "lesson_id": LessonPage.objects.live().first().pk,
            "package_id": 999999,
            "path": "index.html",
        },
        "scorm:commit": {"key": "00000000-0000-4000-8000-000000000000"},
        "training:rule_detail": {"rule_id": rule.pk},
        "training:rule_export": {"rule_id": rule.pk, "name": "people", "fmt": "csv"},
        "training:rule_withdraw": {"rule_id": rule.pk},
        "training:due_exempt": {"rule_id": rule.pk, "due_id": due.pk},
        "training:session_detail": {"session_id": session.pk},
        "training:session_ics": {"session_id": session.pk},
        "training:roll_call": {"session_id": session.pk},
        "training:hr_session_edit": {"session_id": session.pk},
        "training:hr_session_cancel": {"session_id": session.pk},
        "training:session_decide": {"registration_id": pending.pk},
        "lti_admin:members": _lms_course(city),
        **_history_samples(),
    }


def _history_samples() -> dict:
    """A shared question's and quiz's history (the demo's bank is the shared library), with a workflow
    of theirs where the demo has one (else an id no workflow has: 404 for all); the shared programme's."""
    from wagtail.models import WorkflowState

    from assessments.certification.models import CertificationProgram
    from assessments.models import Question, Quiz

    samples = {}
    for model in (Question, Quiz):
        item = model.objects.filter(municipality__isnull=True).order_by("pk").first()
        state = WorkflowState.objects.for_instance(item).order_by("pk").first()
        prefix = f"wagtailsnippets_assessments_{model._meta.model_name}"
        for view in ("history", "history_results", "workflow_history"):
            samples[f"{prefix}:{view}"] = {"pk": item.pk}
        samples[f"{prefix}:workflow_history_detail"] = {
            "pk": item.pk,
            "workflow_state_id": state.pk if state else 999999,
        }
    program = CertificationProgram.objects.filter(municipality__isnull=True).order_by("pk").first()
    samples["certificationprogram:history"] = {"pk": program.pk}
    samples["certificationprogram:history_results"] = {"pk": program.pk}
    return samples


def _lms_course(city) -> dict:
    """A course the city's LMS launched from (its LMS is not running: nothing answers at port 9)."""
    from lti.models import LaunchContext, Registration

    registration, _ = Registration.objects.get_or_create(
        issuer="http://127.0.0.1:9",
        client_id="matrix-tool",
        defaults={
            "municipality": city,
            "name": "若葉市の LMS(権限表)",
            "auth_login_url": "http://127.0.0.1:9/auth",
            "auth_token_url": "http://127.0.0.1:9/token",
            "keyset_url": "http://127.0.0.1:9/jwks",
        },
    )
    context, _ = LaunchContext.objects.get_or_create(
        registration=registration,
        context_id="course-matrix",
        defaults={"memberships_url": "http://127.0.0.1:9/contexts/course-matrix/memberships"},
    )
    return {"registration_id": registration.pk, "context_id": context.pk}


def _with_attachment(capstone):
    from django.core.files.base import ContentFile

    from assessments.certification.models import CapstoneAttachment

    attachment = CapstoneAttachment(
        capstone=capstone, name="測定結果.pdf", content_type="application/pdf", size=9
    )
    attachment.file.save("capstone.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    return capstone


def _head_is(capstone, username: str) -> bool:
    from assessments.certification.selectors import heads_of_candidate

    return any(head.username == username for head in heads_of_candidate(capstone))


def pages() -> dict[str, str]:
    """Pages Wagtail serves for us (its own view, our page models): the home, the catalogue, a course, a
    lesson; and the look of みどり町's site and of the platform's (its settings view, our setting)."""
    from wagtail.models import Site

    from courses.models import CoursePage, LessonPage
    from lms_site.organisation.models import Municipality

    town_site = Municipality.objects.get(code="999992").site_id
    platform_site = Site.objects.get(is_default_site=True).pk
    return {
        "page:home": "/",
        "page:catalogue": "/courses/",
        "page:course": CoursePage.objects.live().first().url,
        "page:lesson": LessonPage.objects.live().first().url,
        "page:site_look_town": f"/admin/settings/home/sitelook/{town_site}/",
        "page:site_look_platform": f"/admin/settings/home/sitelook/{platform_site}/",
    }


def _status(response) -> object:
    if response.status_code == 302 and "/login/" in response.get("Location", ""):
        return L
    return response.status_code


def test_every_url_of_ours_has_a_row():
    rows = {name for name in MATRIX if not name.startswith("page:")}
    missing = sorted(project_url_names() - rows)
    stale = sorted(rows - project_url_names())
    assert not missing, f"URLs without an expected status per role (add them to MATRIX): {missing}"
    assert not stale, f"MATRIX rows for URLs that no longer exist: {stale}"


def test_each_role_gets_the_expected_status_on_every_url(demo_site):
    args = samples()
    actual: dict[str, list] = {}
    paths = pages()
    for name in sorted(set(MATRIX) | project_url_names() | set(paths)):
        try:
            url = paths[name] if name in paths else reverse(name, kwargs=args.get(name))
        except NoReverseMatch:
            actual[name] = ["no sample in samples()"]
            continue
        row = []
        for role in ROLES:
            client = Client()
            if role != "anonymous":
                client.force_login(_user(role))
            row.append(_status(client.get(url)))
        actual[name] = row
    wrong = {
        name: (MATRIX.get(name), tuple(row)) for name, row in actual.items() if tuple(row) != MATRIX.get(name)
    }
    printable = "\n".join(f'    "{n}": {tuple(r)},' for n, r in actual.items())
    assert not wrong, f"statuses differ (expected, actual): {wrong}\nall actual:\n{printable}"


def test_privileged_posts_are_refused_and_change_nothing(demo_site):
    from assessments.certification.models import Capstone, CapstoneDecision, Certificate

    args = samples()
    before = (Certificate.objects.filter(revoked_at__isnull=False).count(), CapstoneDecision.objects.count())
    waiting = Capstone.objects.get(uuid=args["certification:capstone_review"]["capstone_uuid"]).status
    actual = {}
    for name, (data, _expected) in POSTS.items():
        url = reverse(name, kwargs=args.get(name))
        row = []
        for role in ROLES:
            client = Client()
            if role != "anonymous":
                client.force_login(_user(role))
            row.append(_status(client.post(url, data)))
        actual[name] = tuple(row)
    expected = {name: statuses for name, (_data, statuses) in POSTS.items()}
    assert actual == expected, f"actual: {actual}"
    after = (Certificate.objects.filter(revoked_at__isnull=False).count(), CapstoneDecision.objects.count())
    assert after == before
    capstone = Capstone.objects.get(uuid=args["certification:capstone_review"]["capstone_uuid"])
    assert capstone.status == waiting
    from training.models import RegistrationStatus, SessionRegistration, TrainingDue

    assert TrainingDue.objects.get(pk=args["training:due_exempt"]["due_id"]).exempt_reason == ""
    pending = SessionRegistration.objects.get(pk=args["training:session_decide"]["registration_id"])
    assert pending.status == RegistrationStatus.PENDING_APPROVAL


def _user(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


# Pages that list people or take a person: みどり町's HR may open them, and none may hold 若葉市's staff.
LISTINGS = (
    "staffprofile:index",
    "staffprofile:index_results",
    "exam_conflict_exceptions:add",
    "organisation_admin:staff_import_list",
    "analytics:access_log",
    "analytics:dashboard",
    "analytics:talent",
    "analytics:targets",
    "certification:hr_certificates",
    "certification:hr_evidence",
    "certification:capstone_tasks",
)


def test_the_town_s_hr_sees_no_person_of_the_city_in_any_listing(demo_site):
    from lms_site.organisation.models import StaffProfile

    city = StaffProfile.objects.filter(municipality__code="999991").select_related("user")
    town_names = {person.full_name for person in StaffProfile.objects.filter(municipality__code="999992")}
    # names only the city has (the demo's names are drawn from one list) and every employee number
    names = {person.full_name for person in city} - town_names
    numbers = {person.employee_number for person in city}
    assert len(names) > 200
    client = Client()
    client.force_login(_user("demo-hr-town"))
    args = samples()
    for name in LISTINGS:
        response = client.get(reverse(name, kwargs=args.get(name)))
        assert response.status_code == 200, name
        page = response.content.decode()
        leaked = sorted(n for n in names if n in page) + sorted(n for n in numbers if f">{n}<" in page)
        assert not leaked, f"{name} shows 若葉市's staff: {leaked[:5]}"


def test_the_town_s_hr_may_not_verify_the_city_s_evidence_or_revoke_its_certificates(demo_site):
    """Complete, well-formed POSTs with 若葉市's ids, from みどり町's HR: refused, nothing changes."""
    from assessments.certification.models import Certificate
    from assessments.models import Evidence, EvidenceStatus

    pending = Evidence.objects.filter(
        status=EvidenceStatus.PENDING, user__staff_profile__municipality__code="999991"
    )
    evidence = pending.order_by("pk").first()
    certificate = (
        Certificate.objects.filter(revoked_at__isnull=True, municipality__code="999991")
        .order_by("pk")
        .first()
    )
    assert evidence is not None and certificate is not None
    client = Client()
    client.force_login(_user("demo-hr-town"))
    verify = client.post(
        reverse("certification:hr_evidence_review"),
        {"decision": "verify", "evidence": [evidence.pk]},
        follow=True,
    )
    messages = [str(message) for message in verify.context["messages"]]
    assert any("見つからない" in message for message in messages), messages
    revoke = client.post(
        reverse("certification:hr_certificate_revoke", args=[certificate.uuid]), {"reason": "誤発行のため"}
    )
    assert verify.redirect_chain[-1][0] == reverse("certification:hr_evidence") and revoke.status_code == 404
    evidence.refresh_from_db()
    certificate.refresh_from_db()
    assert evidence.status == EvidenceStatus.PENDING and evidence.reviewed_by is None
    assert certificate.revoked_at is None
