"""Demo question bank (144 questions in Moodle GIFT), quizzes per area, the leader examination, quizzes
embedded in lessons, and learners' varied past attempts. Idempotent."""

import datetime
import json
import random
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Max
from django.utils import timezone
from dx_assessment import grading

from assessments import attempts, bank
from assessments.bank import question_version_current
from assessments.certification.services import levels_recompute_many
from assessments.evidence import evidence_changed_on_commit, quiz_evidence_levels
from assessments.models import (
    Attempt,
    AttemptItem,
    AttemptStatus,
    Evidence,
    EvidenceSource,
    EvidenceStatus,
    Question,
    QuestionVersion,
    Quiz,
    QuizDrawRule,
    QuizItem,
    Selection,
)
from assessments.quiz_rules import quiz_rules
from assessments.setup import assessments_workflow_setup
from courses.api import CourseCompetency, CoursePage, Enrollment, LessonPage
from courses.competencies.api import Competency, CompetencyArea, framework_current
from lms_site.organisation.api import Municipality, profile_of
from lms_site.organisation.demo import CITY_CODE, TOWN_CODE, demo_municipalities

QUESTIONS_DIR = Path(settings.BASE_DIR) / "fixtures" / "demo" / "questions"
LEADER_EXAM = "DX推進リーダー 知識試験"


def load(*, stdout) -> None:
    assessments_workflow_setup()
    if not Question.objects.filter(municipality__isnull=True).exists():  # the shared library
        for path in sorted(QUESTIONS_DIR.glob("*.gift")):
            outcome = bank.questions_import(content=path.read_bytes(), file_format="gift")
            if not outcome.ok:
                raise ValueError(f"{path.name}: " + "; ".join(outcome.errors[:5]))
            stdout.write(f"  {path.name}: {outcome.created} questions")
    stdout.write(f"  exam-only questions: {_exam_pool_ensure()}")
    framework = framework_current()
    quizzes = _quizzes_ensure(framework)
    _lessons_embed(quizzes)
    _inline_check_ensure()
    stdout.write(f"  {_town_bank_ensure()}")
    simulator = AttemptSimulator()
    for municipality in demo_municipalities():
        if not Attempt.objects.filter(user__staff_profile__municipality=municipality).exists():
            taken = _attempts_generate(quizzes, municipality, simulator)
            stdout.write(f"  past attempts in {municipality}: {taken}")
    stdout.write(f"  evidence from completed courses: {_course_evidence_backfill()}")


# The exam pool (ADR 0010): the third question of each competency and level (e.g. E1-L1-03, E1-L2-03),
# 48 in all, two per competency. Practice quizzes draw the other 96 and never these; the exam only these.
EXAM_POOL_TITLES = r"^[A-F][0-9]-L[12]-03$"


def _exam_pool_ensure() -> int:
    """Mark the demo's exam pool (once: a bank that has exam-only questions is left as it is)."""
    if Question.objects.filter(exam_only=True).exists():
        return Question.objects.filter(exam_only=True).count()
    marked = 0
    for question in Question.objects.filter(title__regex=EXAM_POOL_TITLES, live=True).order_by("title"):
        question.exam_only = True
        question.save_revision().publish()
        marked += 1
    return marked


def _quiz(title: str, description: str, rules: list[tuple[Competency, int]], **settings_) -> Quiz:
    quiz = Quiz.objects.filter(title=title).first()
    if quiz is not None:
        return quiz
    quiz = Quiz(title=title, description=description, selection=Selection.RANDOM, **settings_)
    quiz.draw_rules = [QuizDrawRule(competency=c, max_level=2, count=n) for c, n in rules]
    quiz.save()
    quiz.save_revision().publish()
    return quiz


def _quizzes_ensure(framework) -> dict[str, Quiz]:
    quizzes = {}
    for area in CompetencyArea.objects.filter(framework=framework).order_by("sort_order"):
        competencies = list(Competency.objects.filter(area=area).order_by("code"))
        quizzes[area.code] = _quiz(
            f"確認テスト {area.code}: {area.name}",
            f"「{area.name}」の4つの能力項目から2問ずつ出題します。何度でも受験できます。",
            [(c, 2) for c in competencies],
            passing_percent=70,
        )
    everything = list(Competency.objects.filter(framework=framework).order_by("code"))
    quizzes["leader"] = _quiz(
        LEADER_EXAM,
        "デジタルスキル標準と自治体DX推進計画の理解を確かめる、DX推進リーダー認定の知識試験です。"
        "24の能力項目から1問ずつ、試験専用の問題から出題します。制限時間30分、受験は3回まで、合格点は70%です。"
        "問題・正解・解説は表示されず、結果は能力項目ごとに示されます。",
        [(c, 1) for c in everything],
        passing_percent=70,
        time_limit_minutes=30,
        max_attempts=3,
        is_leader_exam=True,
    )
    return quizzes


def _lessons_embed(quizzes: dict[str, Quiz]) -> None:
    """Put the area quiz matching each course's main competency at the end of its last lesson."""
    for course in CoursePage.objects.live().order_by("path"):
        target = course.competency_targets.select_related("competency__area").order_by("sort_order").first()
        last = LessonPage.objects.live().child_of(course).order_by("path").last()
        if target is None or last is None or any(b.block_type == "quiz" for b in last.body):
            continue
        quiz = quizzes[target.competency.area.code]
        last.body.append(("quiz", {"quiz": quiz, "intro": "このコースの内容を小テストで確かめましょう。"}))
        last.save_revision().publish()


TOWN_QUESTIONS_DIR = Path(settings.BASE_DIR) / "fixtures" / "demo" / "questions_town"
TOWN_QUIZ = "みどり町 情報セキュリティ・共同利用 確認テスト"


def _town_bank_ensure() -> str:
    """みどり町's own questions and quiz (ADR 0024): its staff see them beside the shared library; nobody
    else does. Imported into the town's bank, as the town's DX推進課 would."""
    town = Municipality.objects.filter(code=TOWN_CODE).first()
    if town is None:
        return "town's own bank: no town"
    if not Question.objects.filter(municipality=town).exists():
        for path in sorted(TOWN_QUESTIONS_DIR.glob("*.gift")):
            outcome = bank.questions_import(content=path.read_bytes(), file_format="gift", owner=town)
            if not outcome.ok:
                raise ValueError(f"{path.name}: " + "; ".join(outcome.errors[:5]))
    if not Quiz.objects.filter(municipality=town, title=TOWN_QUIZ).exists():
        own = Question.objects.filter(municipality=town, live=True).order_by("title")
        quiz = Quiz(
            title=TOWN_QUIZ,
            description="みどり町の情報セキュリティポリシーと共同利用について、町が独自に作った確認テストです。",
            municipality=town,
            passing_percent=75,
        )
        quiz.items = [QuizItem(question=q, weight=1, sort_order=n) for n, q in enumerate(own)]
        quiz.save()
        quiz.save_revision().publish()
    count = Question.objects.filter(municipality=town).count()
    return f"{town}'s own bank: {count} questions, quiz 「{TOWN_QUIZ}」"


INLINE_CHECK = "レッスン確認: 情報セキュリティの基本"


def _inline_check_ensure() -> None:
    """A short fixed quiz answered inside the first security lesson, as the Open edX XBlock."""
    if Quiz.objects.filter(title=INLINE_CHECK).exists():
        return
    practice = Question.objects.filter(
        competency__code="E1", live=True, exam_only=False, municipality__isnull=True
    )
    questions = list(practice.order_by("level", "title")[:3])
    quiz = Quiz(title=INLINE_CHECK, description="レッスンの要点を3問で確かめます。", passing_percent=70)
    quiz.items = [QuizItem(question=q, weight=1) for q in questions]
    quiz.save()
    quiz.save_revision().publish()
    course = CoursePage.objects.filter(slug="information-security-policy").first()
    lesson = LessonPage.objects.live().child_of(course).order_by("path").first() if course else None
    if lesson is not None:
        lesson.body.append(
            ("quiz", {"quiz": quiz, "intro": "このレッスンの要点を確かめましょう。", "inline": True})
        )
        lesson.save_revision().publish()


# Staff of 若葉市 who have taken area quizzes by year two (a quarter of a smaller municipality's).
CITY_QUIZ_TAKERS = 120


def _attempts_generate(quizzes: dict[str, Quiz], municipality, simulator: "AttemptSimulator") -> int:
    """Past attempts of a sample of one municipality's staff: each person has their own skill in each
    competency (strong in some, weak in others), takes one to three area quizzes and often retakes a failed
    one, so what a passed quiz shows differs from competency to competency and from person to person."""
    city = municipality.code == CITY_CODE
    rng = random.Random(20261001 if city else 20261001 + int(municipality.code))  # noqa: S311 - demo data
    users = list(
        get_user_model()
        .objects.filter(staff_profile__is_active=True, staff_profile__municipality=municipality)
        .exclude(username__startswith="demo-")
        .select_related("staff_profile")
        .order_by("pk")
    )
    areas: dict[str, list[str]] = {}
    for area_code, code in Competency.objects.filter(area__framework=framework_current()).values_list(
        "area__code", "code"
    ):
        areas.setdefault(area_code, []).append(code)
    course_area = {}
    for course in CoursePage.objects.live().order_by("path"):
        target = course.competency_targets.select_related("competency__area").order_by("sort_order").first()
        if target is not None:
            course_area[course.pk] = target.competency.area.code
    studying: dict[int, list[str]] = {}  # the quizzes of the courses a person is part-way through
    for user_id, course_id in Enrollment.objects.filter(
        user__in=users, completed_at__isnull=True, course_id__in=list(course_area)
    ).values_list("user_id", "course_id"):
        studying.setdefault(user_id, []).append(course_area[course_id])
    count = 0
    start = timezone.now() - datetime.timedelta(days=300)
    for user in rng.sample(users, min(CITY_QUIZ_TAKERS if city else len(users) // 4, len(users))):
        skills = _skills(rng, areas)
        others = [
            code for code in rng.sample(sorted(areas), len(areas)) if code not in studying.get(user.pk, [])
        ]
        chosen = list(dict.fromkeys(studying.get(user.pk, []))) + others
        for code in chosen[: rng.choice([1, 1, 2, 2, 3])]:
            when = start + datetime.timedelta(days=rng.randint(0, 260), hours=rng.randint(0, 8))
            attempt = simulator.take(user, quizzes[code], rng, skills, when)
            count += 1
            if not attempt.passed and rng.random() < 0.6:  # studied the weak points and tried again
                skills = {c: min(p + 0.1, 0.97) if c in areas[code] else p for c, p in skills.items()}
                when += datetime.timedelta(days=rng.randint(7, 30))
                simulator.take(user, quizzes[code], rng, skills, when)
                count += 1
    return count


def _skills(rng: random.Random, areas: dict[str, list[str]]) -> dict[str, float]:
    """One person's chance of answering a question right, per competency code: their general level,
    shifted per area (interest, past posts) and per competency."""
    general = rng.uniform(0.5, 0.9)
    skills = {}
    for codes in areas.values():
        area = rng.gauss(0, 0.1)
        for code in codes:
            skills[code] = min(max(general + area + rng.gauss(0, 0.15), 0.1), 0.97)
    return skills


def _course_evidence_backfill() -> int:
    """Demo completions were bulk-created, bypassing the completion hook: record their evidence (the rows
    ``evidence.evidence_from_course_completion`` records, in bulk; rows already there are left alone) and
    recompute the level table of the people concerned."""
    targets: dict[int, list[tuple[int, int]]] = {}
    for course_id, competency_id, level in CourseCompetency.objects.values_list(
        "course_id", "competency_id", "level"
    ):
        targets.setdefault(course_id, []).append((competency_id, level))
    recorded = set(
        Evidence.objects.filter(source=EvidenceSource.COURSE).values_list(
            "user_id", "competency_id", "source_key"
        )
    )
    rows = []
    for user_id, course_id in Enrollment.objects.filter(completed_at__isnull=False).values_list(
        "user_id", "course_id"
    ):
        key = f"course:{course_id}"
        rows += [
            Evidence(
                user_id=user_id,
                competency_id=competency_id,
                level=level,
                source=EvidenceSource.COURSE,
                source_key=key,
                status=EvidenceStatus.VERIFIED,
            )
            for competency_id, level in targets.get(course_id, [])
            if (user_id, competency_id, key) not in recorded
        ]
    Evidence.objects.bulk_create(rows, batch_size=500)
    levels_recompute_many(user_ids=sorted({row.user_id for row in rows}))
    return len(rows)


class AttemptSimulator:
    """Takes the demo's attempts: the rows ``attempts.attempt_start``, ``attempt_answer_all`` and
    ``attempt_submit``, then ``evidence.evidence_from_attempt``, would write, but each attempt's final rows
    at once (the attempt, its items, its evidence) rather than statement by statement.

    The draw is ``attempts.quiz_draw``'s from the same seed, each quiz's pools read once; each question's
    version is looked up once (the bank does not change while the demo takes quizzes). One simulator
    serves one load: what it caches goes with a rolled-back load.
    """

    def __init__(self) -> None:
        self._pools: dict[int, list[tuple[int, list[Question]]]] = {}
        self._versions: dict[int, tuple[QuestionVersion, grading.Question]] = {}
        self._codes: dict[int, str] = dict(Competency.objects.values_list("pk", "code"))

    def _draw(self, quiz: Quiz, seed: int) -> list[attempts.Drawn]:
        """``attempts.quiz_draw(quiz=quiz, seed=seed)``, with each rule's pool read once per quiz."""
        if quiz.selection != Selection.RANDOM:
            return attempts.quiz_draw(quiz=quiz, seed=seed)
        if quiz.pk not in self._pools:
            self._pools[quiz.pk] = attempts.quiz_draw_pools(quiz=quiz)
        return attempts.draw_from_pools(self._pools[quiz.pk], seed=seed)

    def _version(self, question: Question) -> tuple[QuestionVersion, grading.Question]:
        """The question's current version and its definition as read back from the database."""
        if question.pk not in self._versions:
            version = question_version_current(question=question)
            definition = grading.Question.from_dict(json.loads(json.dumps(version.definition)))
            self._versions[question.pk] = (version, definition)
        return self._versions[question.pk]

    def take(
        self, user, quiz: Quiz, rng: random.Random, skill: float | dict[str, float], when: datetime.datetime
    ) -> Attempt:
        """One submitted attempt: each question answered right with the chance ``skill`` gives (one for
        all, or per competency code); a passed one records its evidence, dated when it was submitted."""
        rules = quiz_rules(quiz=quiz, user=user, now=when)
        if not rules.may_start:
            raise attempts.AttemptError(rules.refusal)
        seed = rng.randrange(2**31)
        drawn = [(*self._version(d.question), d.weight) for d in self._draw(quiz, seed)]
        saved = []  # the answers attempt_answer_all would keep, as the database returns them
        for version, question, _weight in drawn:
            chance = skill if isinstance(skill, float) else skill.get(self._codes[version.competency_id], 0.5)
            if rng.random() < chance:
                response = grading.correct_response(question)
            else:
                response = _wrong_response(question, rng)
            if response is not None:
                try:
                    grading.score(question, response)
                except grading.ResponseError:  # refused, not saved
                    response = None
            saved.append(None if response is None else json.loads(json.dumps(response)))
        finished = when + datetime.timedelta(minutes=rng.randint(5, 25))
        scored = [
            (question, response, float(weight))
            for (_version, question, weight), response in zip(drawn, saved, strict=True)
        ]
        grade = attempts.attempt_grade(scored, passing_percent=quiz.passing_percent)
        number = Attempt.objects.filter(user=user, quiz=quiz).aggregate(n=Max("number"))["n"] or 0
        attempt = Attempt.objects.create(
            user=user,
            quiz=quiz,
            number=number + 1,
            seed=seed,
            started_at=when,
            deadline=when + rules.time_limit if rules.time_limit else None,
            status=AttemptStatus.SUBMITTED,
            finished_at=finished,
            points=grade.points,
            max_points=grade.max_points,
            percent=grade.percent,
            passed=grade.passed,
        )
        AttemptItem.objects.bulk_create(
            [
                AttemptItem(
                    attempt=attempt,
                    position=position,
                    version=version,
                    weight=weight,
                    response=response,
                    answered_at=when if response is not None else None,
                    fraction=fraction,
                )
                for position, ((version, _q, weight), response, fraction) in enumerate(
                    zip(drawn, saved, grade.fractions, strict=True), start=1
                )
            ]
        )
        # A staff member's passed attempt records evidence (as evidence_from_attempt does).
        if attempt.passed and profile_of(user) is not None:
            levels = quiz_evidence_levels(
                (version, f) for (version, _q, _w), f in zip(drawn, grade.fractions, strict=True)
            )
            Evidence.objects.bulk_create(
                Evidence(
                    user=user,
                    competency_id=competency_id,
                    level=level,
                    source=EvidenceSource.QUIZ,
                    source_key=f"attempt:{attempt.pk}",
                    status=EvidenceStatus.VERIFIED,
                    recorded_at=finished,
                )
                for competency_id, level in levels.items()
            )
            evidence_changed_on_commit(user_ids=[user.pk] if levels else [])
        return attempt


def _wrong_response(question: grading.Question, rng: random.Random):
    if isinstance(question, grading.SingleChoice):
        wrong = [c.id for c in question.choices if c.fraction < 1]
        return rng.choice(wrong) if wrong else None
    if isinstance(question, grading.TrueFalse):
        return not question.correct_answer
    if isinstance(question, grading.MultipleResponse):
        return [c.id for c in question.choices if rng.random() < 0.5]
    return None  # left unanswered
