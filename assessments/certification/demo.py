"""Demo certification data: the default programmes and qualification map, and a programme in motion in 若葉市.

Loaded by ``manage.py load_demo`` after the assessments demo; a second run adds nothing. What it leaves:

* qualification claims at every review stage (pending for 人事課 to verify, verified, rejected);
* about thirty certified DX推進リーダー, one to three in each 部 (some 課 still without one), from the
  修了課題 examples in
  ``fixtures/demo/certification/capstones.toml``. Each got there honestly: all eight courses completed,
  OJT records and a qualification verified by demo-hr, the leader exam passed in real attempts, and the
  capstone taken through every step of the workflow (plan, 所属長's review, report, 所属長's endorsement,
  demo-advisor's rubric); ``certificates_issue_due`` then issued the certificate. One certificate was
  revoked; one was issued over three years ago and has expired (its holder has not met the renewal
  requirement since, so no sweep renews it);
* capstones waiting at every stage (demo-manager has a plan and a report to decide on, demo-advisor an
  assessment, demo-learner a project in progress);
* DXベーシック for everyone whose verified evidence meets it, dated when they completed their learning.

All of this is 若葉市's. みどり町 (the town sharing the deployment, issue 13) gets only DXベーシック for those
of its staff whose course and quiz evidence meets it, so its reports have certificates to count.

Dates: the workflow services stamp ``now``, so after each step the demo moves that step's timestamps back
to the day it is meant to have happened (history is simulated; the actors, transitions and audit rows are
the services' own). Candidates are chosen so that their 課 and its 課長 (their 所属長) did not change
between the start of their capstone and today, so the 所属長 who decided is the one on the day. The
expired certificate's history begins before the demo's assignment records (April 2025).

Demo claims and OJT records share one sample proof file (a one-page PDF), so repeated loads leave no
stray files behind.
"""

import datetime
import random
import tomllib
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db.models import Count, Max, QuerySet
from django.utils import timezone

from assessments.demo import AttemptSimulator
from assessments.evidence import evidence_changed_on_commit, evidence_record
from assessments.models import Attempt, Evidence, EvidenceSource, EvidenceStatus, Quiz
from courses.api import CourseCompetency, CoursePage, Enrollment, LessonCompletion, LessonPage
from courses.competencies.api import Competency, framework_current
from lms_site.organisation.api import (
    Assignment,
    Department,
    JobGrade,
    Municipality,
    Role,
    profile_of,
    role_group,
)
from lms_site.organisation.demo import CITY_CODE, TOWN_CODE

from . import services
from .defaults import LEADER_CORE
from .models import (
    Capstone,
    CapstoneAction,
    CapstoneDecision,
    Certificate,
    CertificationProgram,
    Qualification,
    QualificationClaim,
    RubricCriterion,
)
from .storage import ProofStorage

DEMO_PROOF = "demo/sample-certificate.pdf"
# (who, qualification code, decision by demo-hr or None for pending, rejection reason)
DEMO_CLAIMS = [
    ("demo-learner", "IP", None, ""),
    ("staff:0", "SG", None, ""),
    ("staff:1", "STAT2", None, ""),
    ("staff:2", "FE", services.VERIFY, ""),
    (
        "staff:3",
        "JDLA_G",
        services.REJECT,
        "合格証書の氏名が読み取れません。鮮明な画像で再度申請してください。",
    ),
]

CAPSTONES = Path(settings.BASE_DIR) / "fixtures" / "demo" / "certification" / "capstones.toml"
CANDIDATE_GRADES = [
    JobGrade.KAKARICHO,
    JobGrade.SHUSA,
    JobGrade.SHUNIN,
    JobGrade.SHUJI,
    JobGrade.GISHI,
    JobGrade.SHUNIN_HOKENSHI,
    JobGrade.HOKENSHI,
]
# Qualifications the certified leaders hold (verified), in turn; and claims left pending by stage.
LEADER_QUALIFICATIONS = ["IP", "FE", "SG", "STAT2", "AP", "DS", "JDLA_G"]
PENDING_BY_STAGE = {"plan_review": "FE", "draft": "DS", "in_progress": "SG"}
# Days after the start of a capstone on which each step happens (OJT and courses come before it).
DAY = {
    "save": 0,
    "submit_plan": 5,
    "return_plan": 8,
    "resubmit_plan": 11,
    "accept_plan": 12,
    "exam": 30,
    "report": 95,
    "endorse": 102,
    "approve": 115,
    "issue": 118,
}
# How many days ago an open capstone was started, by the stage it has reached.
OPEN_STARTED = {"assessment": 110, "endorsement": 100, "in_progress": 60, "plan_review": 10, "draft": 4}
STAGES = ["draft", "plan_review", "in_progress", "endorsement", "assessment", "approved"]


def sample_pdf() -> bytes:
    """A minimal, valid one-page PDF (the demo's stand-in for a scanned certificate)."""
    stream = b"BT /F1 18 Tf 72 720 Td (Sample certificate - demo data) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _people() -> QuerySet:
    """Staff of the demo city without a demo login, in a stable order."""
    return (
        get_user_model()
        .objects.filter(staff_profile__municipality__code=CITY_CODE, staff_profile__is_active=True)
        .exclude(username__startswith="demo-")
        .order_by("staff_profile__employee_number")
    )


def _proof_ensure() -> int:
    storage = ProofStorage()
    content = sample_pdf()
    if not storage.exists(DEMO_PROOF):
        storage.save(DEMO_PROOF, ContentFile(content))
    return len(content)


def _claim(
    user, qualification: Qualification, *, passed_on: datetime.date, reviewer=None, decision=None, reason=""
):
    """A claim with the shared sample proof and its pending evidence; reviewed by ``reviewer`` if given."""
    claim = QualificationClaim(
        user=user,
        qualification=qualification,
        passed_on=passed_on,
        proof_name="合格証書(見本).pdf",
        proof_content_type="application/pdf",
        proof_size=_proof_ensure(),
    )
    claim.proof.name = DEMO_PROOF
    claim.save()
    services.qualification_claim_evidence_record(claim=claim)
    if decision and reviewer is not None:
        ids = list(claim.user.evidence.filter(source_key=claim.source_key).values_list("pk", flat=True))
        services.evidence_review(reviewer=reviewer, evidence_ids=ids, decision=decision, reason=reason)
    return claim


def _claims_create(stdout) -> None:
    user_model = get_user_model()
    reviewer = user_model.objects.filter(username="demo-hr").first()
    people = list(_people()[:4])
    qualifications = {q.code: q for q in Qualification.objects.all()}
    made = 0
    for who, code, decision, reason in DEMO_CLAIMS:
        user = user_model.objects.filter(username=who).first() if who.startswith("demo-") else None
        if who.startswith("staff:") and int(who[6:]) < len(people):
            user = people[int(who[6:])]
        if user is None or code not in qualifications:
            continue
        _claim(
            user,
            qualifications[code],
            passed_on=datetime.date(2025, 6, 15),
            reviewer=reviewer,
            decision=decision,
            reason=reason,
        )
        made += 1
    stdout.write(f"  qualification claims: {made}")


def load(*, stdout) -> None:
    outcome = services.certification_defaults_load()
    stdout.write(f"  defaults created: {outcome.as_dict()}")
    if not QualificationClaim.objects.exists():
        _claims_create(stdout)
    if not Capstone.objects.exists() and not Certificate.objects.exists():
        programme = Programme.for_demo_city()
        if programme is None:
            stdout.write("  programme in motion: skipped (no demo city, leader exam or demo logins)")
        else:
            stdout.write(f"  programme in motion: {programme.run()}")
    town = Municipality.objects.filter(code=TOWN_CODE).first()
    if town is not None and not Certificate.objects.filter(user__staff_profile__municipality=town).exists():
        basic = CertificationProgram.objects.get(code="DX_BASIC", municipality__isnull=True)
        issued = basic_holders_issue(basic, municipality_id=town.pk, today=timezone.localdate())
        stdout.write(f"  DXベーシック in {town}: {issued}")
    outcome = services.levels_recompute_all()
    stdout.write(f"  competency levels: {outcome.as_dict()}")


# --- the programme in motion --------------------------------------------------------------------------


class DemoDataError(Exception):
    pass


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    """``day`` at ``hour`` o'clock, local time (the timestamps the demo moves its steps to)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


class Programme:
    """Builds the certification programme's history for the demo city, candidate by candidate."""

    def __init__(self, *, hr, advisor, exam: Quiz, today: datetime.date):
        self.hr, self.advisor, self.exam, self.today = hr, advisor, exam, today
        self.municipality_id = hr.staff_profile.municipality_id
        self.rng = random.Random(20261128)  # noqa: S311 - demo data
        self.leader = CertificationProgram.objects.get(code="DX_LEADER", municipality__isnull=True)
        self.basic = CertificationProgram.objects.get(code="DX_BASIC", municipality__isnull=True)
        framework = framework_current()
        self.competencies = {
            c.code: c for c in Competency.objects.filter(framework=framework).select_related("area")
        }
        self.areas: dict[str, list[str]] = {}
        for code, competency in sorted(self.competencies.items()):
            self.areas.setdefault(competency.area.code, []).append(code)
        self.criteria = list(RubricCriterion.objects.filter(program=self.leader).order_by("sort_order", "pk"))
        self.qualifications = {q.code: q for q in Qualification.objects.all()}
        self.courses = list(CoursePage.objects.live().order_by("path"))
        self.lessons = {
            c.pk: list(LessonPage.objects.live().child_of(c).order_by("path")) for c in self.courses
        }
        # (competency, level) of each course, in the order evidence_from_course_completion reads them
        self.course_targets = {
            c.pk: list(CourseCompetency.objects.filter(course=c).values_list("competency_id", "level"))
            for c in self.courses
        }
        self.course_levels: dict[str, int] = {}
        for code, level in CourseCompetency.objects.filter(course__in=self.courses).values_list(
            "competency__code", "level"
        ):
            self.course_levels[code] = max(self.course_levels.get(code, 0), min(level, 2))
        self.used: set[int] = set()
        self.attempts = AttemptSimulator()
        self.managers = role_group(Role.MANAGER)
        self.counts = dict.fromkeys(STAGES, 0) | {"revoked": 0, "expired": 0, "ojt": 0, "basic": 0}

    @classmethod
    def for_demo_city(cls) -> "Programme | None":
        users = {
            u.username: u for u in get_user_model().objects.filter(username__in=["demo-hr", "demo-advisor"])
        }
        exam = Quiz.objects.filter(is_leader_exam=True).order_by("pk").first()
        profile = getattr(users.get("demo-hr"), "staff_profile", None)
        if len(users) < 2 or exam is None or profile is None:
            return None
        if not Department.objects.filter(municipality_id=profile.municipality_id, code="050100").exists():
            return None
        return cls(hr=users["demo-hr"], advisor=users["demo-advisor"], exam=exam, today=timezone.localdate())

    def run(self) -> dict[str, int]:
        projects = tomllib.loads(CAPSTONES.read_text(encoding="utf-8"))["project"]
        for project in projects:
            self.project(project)
        self.counts["ojt"] = self.workplace_practice()
        self.counts["basic"] = self.basic_holders_issue()
        return self.counts

    def workplace_practice(self) -> int:
        """OJT records of other staff: a third of the city recorded one to three things they practised at
        work (業務改善 and data most often), at level 2 or 3; demo-hr verified all but the last few."""
        rng = random.Random(20261203)  # noqa: S311 - demo data
        people = [u for u in _people().only("pk") if u.pk not in self.used]
        weights = {"A": 1, "B": 4, "C": 3, "D": 2, "E": 1, "F": 2}
        codes = sorted(self.competencies)
        rows = []
        for user in rng.sample(people, len(people) // 3):
            on = self.today - datetime.timedelta(days=rng.randint(20, 400))
            chosen = set(rng.choices(codes, weights=[weights[c[0]] for c in codes], k=rng.randint(1, 3)))
            rows += [
                Evidence(
                    user=user,
                    competency=self.competencies[code],
                    level=rng.choice([2, 2, 3]),
                    source=EvidenceSource.OJT,
                    source_key=f"ojt:{on.isoformat()}",
                    status=EvidenceStatus.PENDING,
                    recorded_at=at(on, 17),
                )
                for code in sorted(chosen)
            ]
        Evidence.objects.bulk_create(rows)
        created = Evidence.objects.filter(
            source=EvidenceSource.OJT, status=EvidenceStatus.PENDING, user__in=[r.user for r in rows]
        ).order_by("recorded_at", "pk")
        ids = list(created.values_list("pk", flat=True))[:-5]  # the newest few wait for demo-hr
        if ids:
            services.evidence_review(reviewer=self.hr, evidence_ids=ids, decision=services.VERIFY)
        return len(rows)

    # --- who -------------------------------------------------------------------------------------------

    def candidate(self, project: dict, start: datetime.date):
        """(user, 所属長, start day): someone in the project's 課 whose 課 and 課長 are unchanged since
        ``start``, else the first one available with ``start`` moved to when both took up their posts."""
        department = Department.objects.get(municipality_id=self.municipality_id, code=project["ka"])
        today = Assignment.objects.on(self.today).select_related("staff__user")
        head = today.filter(department=department, staff__job_grade=JobGrade.KACHO).order_by("pk").first()
        if head is None:
            raise DemoDataError(f"{department} has no 課長 on {self.today}.")
        people = today.filter(department__in=Department.objects.subtree_of(department))
        if project.get("who"):
            people = people.filter(staff__user__username=project["who"])
        else:
            people = people.filter(staff__job_grade__in=CANDIDATE_GRADES).exclude(
                staff__user__username__startswith="demo-"
            )
        people = [a for a in people.order_by("staff__employee_number") if a.staff.user_id not in self.used]
        if not people:
            raise DemoDataError(f"Nobody left in {department} for 「{project['title']}」.")
        settled = [a for a in people if max(a.starts_on, head.starts_on) <= start]
        if settled:
            chosen = settled[0]
        elif project.get("expired"):  # history before the assignment records: someone there since then
            chosen = min(people, key=lambda a: a.starts_on)
        else:
            chosen = people[0]
            start = max(start, chosen.starts_on, head.starts_on)
        self.used.add(chosen.staff.user_id)
        head.staff.user.groups.add(self.managers)  # every 課長 is the 所属長 of their 課
        return chosen.staff.user, head.staff.user, start

    # --- evidence ----------------------------------------------------------------------------------------

    def courses_complete(self, user, *, by: datetime.date) -> None:
        """Every course completed (the ones not yet done, a week or two apart before ``by``)."""
        enrolments = {e.course_id: e for e in Enrollment.objects.filter(user=user)}
        done = set(LessonCompletion.objects.filter(user=user).values_list("lesson_id", flat=True))
        missing = [c for c in self.courses if not (c.pk in enrolments and enrolments[c.pk].completed_at)]
        completions, finished = [], []
        for position, course in enumerate(missing):
            when = at(by - datetime.timedelta(days=12 * (len(missing) - position)), 14)
            lessons = self.lessons[course.pk]
            completions += [
                LessonCompletion(user=user, lesson=lesson, completed_at=when)
                for lesson in lessons
                if lesson.pk not in done
            ]
            enrolment = enrolments.get(course.pk) or Enrollment(user=user, course=course, enrolled_at=when)
            enrolment.enrolled_at = min(enrolment.enrolled_at, when - datetime.timedelta(days=10))
            enrolment.completed_at = enrolment.last_activity_at = when
            enrolment.last_lesson = lessons[-1] if lessons else None
            enrolment.save()
            finished.append((course.pk, when))
        LessonCompletion.objects.bulk_create(completions, ignore_conflicts=True)
        self.course_evidence(user, finished)

    def course_evidence(self, user, finished: list[tuple[int, datetime.datetime]]) -> None:
        """What ``evidence_from_course_completion`` records for each (course, completed at) of ``user``,
        in one statement, dated when the course was completed (rows already there are only re-dated)."""
        if not finished or profile_of(user) is None:  # evidence is a staff member's
            return
        keys = {course_id: f"course:{course_id}" for course_id, _when in finished}
        recorded = set(
            Evidence.objects.filter(
                user=user, source=EvidenceSource.COURSE, source_key__in=keys.values()
            ).values_list("competency_id", "source_key")
        )
        rows = [
            Evidence(
                user=user,
                competency_id=competency_id,
                level=level,
                source=EvidenceSource.COURSE,
                source_key=keys[course_id],
                status=EvidenceStatus.VERIFIED,
                recorded_at=when,
            )
            for course_id, when in finished
            for competency_id, level in self.course_targets[course_id]
            if (competency_id, keys[course_id]) not in recorded
        ]
        Evidence.objects.bulk_create(rows)
        there = {key for _competency_id, key in recorded}
        for course_id, when in finished:
            if keys[course_id] in there:
                Evidence.objects.filter(user=user, source_key=keys[course_id]).update(recorded_at=when)
        evidence_changed_on_commit(user_ids=[user.pk] if rows else [])

    def ojt(self, user, codes: dict[str, int], *, on: datetime.date, verify_on: datetime.date | None) -> None:
        """OJT records (所属での実践), pending; verified by demo-hr on ``verify_on`` if given."""
        key = f"ojt:{on.isoformat()}"
        ids = []
        for code, level in sorted(codes.items()):
            evidence, _ = evidence_record(
                user=user,
                competency=self.competencies[code],
                level=level,
                source=EvidenceSource.OJT,
                source_key=key,
                status=EvidenceStatus.PENDING,
            )
            ids.append(evidence.pk)
        Evidence.objects.filter(pk__in=ids).update(recorded_at=at(on, 17))
        if verify_on is not None and ids:
            services.evidence_review(reviewer=self.hr, evidence_ids=ids, decision=services.VERIFY)
            Evidence.objects.filter(pk__in=ids).update(reviewed_at=at(verify_on, 11))

    def qualification(self, user, code: str, *, passed_on: datetime.date, verify_on: datetime.date | None):
        claim = _claim(
            user,
            self.qualifications[code],
            passed_on=passed_on,
            reviewer=self.hr if verify_on else None,
            decision=services.VERIFY if verify_on else None,
        )
        claim.created_at = at(passed_on + datetime.timedelta(days=30), 12)
        claim.save(update_fields=["created_at"])
        rows = Evidence.objects.filter(user=user, source_key=claim.source_key)
        rows.update(recorded_at=claim.created_at)
        if verify_on:
            rows.update(reviewed_at=at(verify_on, 11))

    def exam_pass(self, user, *, on: datetime.date) -> Attempt:
        """Sit the leader exam (up to its attempt limit, a week apart) until passed."""
        skill = self.rng.uniform(0.82, 0.95)
        for number in range(self.exam.max_attempts or 3):
            when = at(on + datetime.timedelta(days=7 * number), 13)
            attempt = self.attempts.take(user, self.exam, self.rng, skill, when)
            if attempt.passed:  # its evidence is recorded, dated when it was submitted
                return attempt
            skill = min(skill + 0.05, 1.0)
        raise DemoDataError(f"{user} did not pass the leader exam in the demo.")

    def leader_evidence(self, user, project: dict, *, start: datetime.date, full: bool) -> None:
        """What a candidate has before the capstone: courses, OJT (Lv3 where the leader rules and their
        specialism need it and the capstone will not show it), a qualification; verified when ``full``."""
        self.courses_complete(user, by=start - datetime.timedelta(days=20))
        practice = set(LEADER_CORE) | set(self.areas[project["area"]])
        codes = dict.fromkeys(practice - set(project["competencies"]), 3)
        codes |= {
            code: 2
            for code in self.competencies
            if code not in practice and self.course_levels.get(code, 0) < 2
        }
        verify = start - datetime.timedelta(days=10) if full else None
        self.ojt(user, codes, on=start - datetime.timedelta(days=18), verify_on=verify)
        if full:
            code = LEADER_QUALIFICATIONS[self.counts["approved"] % len(LEADER_QUALIFICATIONS)]
            self.qualification(user, code, passed_on=start - datetime.timedelta(days=200), verify_on=verify)

    # --- the workflow -------------------------------------------------------------------------------------

    def dated(self, capstone: Capstone, decision: CapstoneDecision | None, day: datetime.date) -> None:
        """Move the step just taken (and the capstone's stamps it set) back to ``day``."""
        when = at(day, 10 + (decision.pk % 6 if decision else 0))
        fields = {"updated_at": when}
        if decision is None:
            fields["created_at"] = when
        else:
            CapstoneDecision.objects.filter(pk=decision.pk).update(created_at=when)
            if decision.action == CapstoneAction.ENDORSE:
                fields["endorsed_at"] = when
            if decision.action == CapstoneAction.APPROVE:
                fields["approved_at"] = when
                Evidence.objects.filter(
                    user=capstone.user, source=EvidenceSource.ADVISOR, source_key=f"capstone:{capstone.pk}"
                ).update(recorded_at=when, reviewed_at=when)
        Capstone.objects.filter(pk=capstone.pk).update(**fields)

    def workflow(self, user, head, project: dict, *, start: datetime.date, stage: str) -> Capstone:
        reached = STAGES.index(stage)

        def day(step: str) -> datetime.date:
            return start + datetime.timedelta(days=DAY[step])

        capstone = services.capstone_save(
            user=user,
            program=self.leader,
            competencies=[self.competencies[code] for code in project["competencies"]],
            title=project["title"],
            problem=project["problem"],
            plan=project["plan"],
            target=project["target"],
            is_cross_department=project.get("cross", False),
        )
        self.dated(capstone, None, day("save"))
        if reached < STAGES.index("plan_review"):
            return capstone
        step = services.capstone_submit_plan(capstone=capstone, actor=user)
        self.dated(capstone, step, day("submit_plan"))
        if project.get("return_plan"):
            step = services.capstone_review_plan(
                capstone=capstone, actor=head, accept=False, comment=project["return_plan"]
            )
            self.dated(capstone, step, day("return_plan"))
            step = services.capstone_submit_plan(capstone=capstone, actor=user)
            self.dated(capstone, step, day("resubmit_plan"))
        if reached < STAGES.index("in_progress"):
            return capstone
        comment = "計画を了承します。効果の測定は実施前の数値を先に取っておいてください。"
        step = services.capstone_review_plan(capstone=capstone, actor=head, accept=True, comment=comment)
        self.dated(capstone, step, day("accept_plan"))
        if reached < STAGES.index("endorsement"):
            return capstone
        step = services.capstone_submit_report(
            capstone=capstone,
            actor=user,
            report=project["report"],
            measured_effect=project["effect"],
            hours_saved_per_year=project["hours"],
            inclusion_check=project["inclusion"],
        )
        self.dated(capstone, step, day("report"))
        if reached < STAGES.index("assessment"):
            return capstone
        comment = "所属の業務を実際に変えた取組として推薦します。効果の数値は係で確認しました。"
        step = services.capstone_endorse(capstone=capstone, actor=head, endorse=True, comment=comment)
        self.dated(capstone, step, day("endorse"))
        if reached < STAGES.index("approved"):
            return capstone
        scores = {str(c.pk): max(c.min_score, self.rng.choice([3, 3, 4])) for c in self.criteria}
        comment = "課題の根拠と効果の測り方が明確で、他の課でも使える形で記録されています。承認します。"
        step = services.capstone_assess(
            capstone=capstone, actor=self.advisor, approve=True, scores=scores, comment=comment
        )
        self.dated(capstone, step, day("approve"))
        return capstone

    # --- one project --------------------------------------------------------------------------------------

    def project(self, project: dict) -> None:
        stage = project["stage"]
        if stage == "approved":
            issue = self.today - datetime.timedelta(days=round(project["months_ago"] * 30.4))
            start = issue - datetime.timedelta(days=DAY["issue"])
        else:
            start = self.today - datetime.timedelta(days=OPEN_STARTED[stage])
        user, head, start = self.candidate(project, start)
        if stage == "approved" and start + datetime.timedelta(days=DAY["issue"]) >= self.today:
            raise DemoDataError(f"「{project['title']}」 cannot be certified before today.")
        full = stage in ("endorsement", "assessment", "approved")
        # The demo logins keep the journeys the other demos gave them (demo-learner's courses, exam).
        prepared = stage not in ("draft", "plan_review") and not project.get("who")
        if prepared:
            self.leader_evidence(user, project, start=start, full=full)
            exam_day = start + datetime.timedelta(days=DAY["exam"])
            self.exam_pass(user, on=exam_day)
            if full:  # DXベーシック as soon as it is met (DX推進リーダー still waits for the capstone)
                next_day = exam_day + datetime.timedelta(days=1)
                services.certificate_issue_if_due(user=user, program=self.basic, on=next_day)
        if stage in PENDING_BY_STAGE and not project.get("who"):
            self.qualification(
                user, PENDING_BY_STAGE[stage], passed_on=start - datetime.timedelta(days=40), verify_on=None
            )
        self.workflow(user, head, project, start=start, stage=stage)
        self.counts[stage] += 1
        if stage == "approved":
            self.certify(user, project, on=start + datetime.timedelta(days=DAY["issue"]))

    def certify(self, user, project: dict, *, on: datetime.date) -> None:
        issued = [
            c for c in services.certificates_issue_due(user=user, on=on) if c.program_id == self.leader.pk
        ]
        if not issued:
            path = services.certification_path(user=user, program_code=self.leader.code)
            raise DemoDataError(f"{user} is not eligible: {[r.missing for r in path.eligibility.unmet]}")
        certificate = issued[0]
        if project.get("expired"):
            self.counts["expired"] += 1
        if project.get("revoke"):
            services.certificate_revoke(certificate=certificate, actor=self.hr, reason=project["revoke"])
            revoked = min(on + datetime.timedelta(days=45), self.today)
            Certificate.objects.filter(pk=certificate.pk).update(revoked_at=at(revoked, 15))
            self.counts["revoked"] += 1

    # --- DXベーシック for everyone who meets it ------------------------------------------------------------

    def basic_holders_issue(self) -> int:
        """DXベーシック for everyone of the city whose verified evidence meets it (see the function)."""
        return basic_holders_issue(self.basic, municipality_id=self.municipality_id, today=self.today)


def basic_holders_issue(basic: CertificationProgram, *, municipality_id: int, today: datetime.date) -> int:
    """DXベーシック for everyone of one municipality whose verified evidence meets it, dated the day after
    their last course or passed quiz (the certificate check the services run on each event would have issued
    it then)."""
    codes = [r.competency.code for r in basic.requirements.select_related("competency")]
    likely = (
        Evidence.objects.filter(
            status=EvidenceStatus.VERIFIED, level__gte=2, competency__code__in=codes, user__is_active=True
        )
        .values("user_id")
        .annotate(n=Count("competency", distinct=True))
        .filter(n=len(codes))
        .values_list("user_id", flat=True)
    )
    holders = Certificate.objects.filter(program=basic).values_list("user_id", flat=True)
    users = get_user_model().objects.filter(
        pk__in=set(likely) - set(holders),
        staff_profile__is_active=True,
        staff_profile__municipality_id=municipality_id,
    )
    last_course = dict(
        Enrollment.objects.filter(user__in=users, completed_at__isnull=False)
        .values("user_id")
        .annotate(last=Max("completed_at"))
        .values_list("user_id", "last")
    )
    last_quiz = dict(
        Attempt.objects.filter(user__in=users, passed=True)
        .values("user_id")
        .annotate(last=Max("finished_at"))
        .values_list("user_id", "last")
    )
    issued = 0
    for user in users.select_related("staff_profile").order_by("pk"):
        moments = [m for m in (last_course.get(user.pk), last_quiz.get(user.pk)) if m]
        on = min(timezone.localdate(max(moments)) + datetime.timedelta(days=1), today) if moments else today
        if services.certificate_issue_if_due(user=user, program=basic, on=on):
            issued += 1
    return issued
