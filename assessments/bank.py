"""The question bank: immutable versions of live questions, and Moodle GIFT / XML import and export."""

import re
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from dx_assessment import grading
from wagtail.actions.create import CreateAction
from wagtail.actions.edit import EditAction
from wagtail.admin.rich_text.converters.editor_html import EditorHTMLConverter
from wagtail.models import Workflow, WorkflowState

from assessments import codec, formats
from assessments.models import Question, QuestionVersion
from assessments.question_blocks import TEXT_FEATURES
from courses.competencies.api import Competency, framework_current
from lms_site.imports import WHOLE_FILE, ImportOutcome, Line, Problem
from lms_site.organisation.api import may_change

LEVEL_PART = re.compile(r"^Lv([1-5])$", re.IGNORECASE)
FORMATS = ("gift", "moodlexml")
MAX_IMPORT_BYTES = 10 * 1024 * 1024


def question_definition(question: Question) -> grading.Question:
    block = question.body[0]
    return codec.block_to_question(block.block_type, block.value, name=question.title)


def question_version_current(*, question: Question) -> QuestionVersion:
    """The version of the question's current (live) definition, created the first time it is used."""
    definition = question_definition(question).to_dict()
    digest = QuestionVersion.digest_of(definition)
    lookup = {
        "question": question,
        "digest": digest,
        "competency_id": question.competency_id,
        "level": question.level,
    }
    existing = QuestionVersion.objects.filter(**lookup).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            number = (
                QuestionVersion.objects.filter(question=question).aggregate(n=Max("number"))["n"] or 0
            ) + 1
            return QuestionVersion.objects.create(number=number, definition=definition, **lookup)
    except IntegrityError:  # created concurrently
        return QuestionVersion.objects.get(**lookup)


@dataclass
class QuestionImportOutcome(ImportOutcome):
    """An ``ImportOutcome`` that also names the questions published and those sent for approval."""

    # The names of the questions this import published (live now) and of those it submitted to the
    # approval workflow (live definition unchanged until a reviewer approves), in file order.
    published: list[str] = field(default_factory=list)
    in_review: list[str] = field(default_factory=list)
    workflow_name: str = ""  # the workflow ``in_review`` went to


def _clean_html(html: str) -> str:
    """Imported HTML keeps only the rich-text features the editor allows (no script, no handlers)."""
    return EditorHTMLConverter(features=TEXT_FEATURES).to_database_format(html)


def _parse(content: bytes, file_format: str) -> formats.ParseResult:
    if file_format == "gift":
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            result = formats.ParseResult()
            result.errors.append(formats.FormatError(0, _("GIFTファイルはUTF-8で保存してください。")))
            return result
        return formats.parse_gift(text)
    return formats.parse_moodle_xml(content)


PUBLISH_PERMISSION = "assessments.publish_question"
IMPORT_PERMISSIONS = ("assessments.add_question", "assessments.change_question")


def import_publishes(user, *, draft: bool = False) -> bool:
    """Whether an import by ``user`` publishes; ``None`` is the server's operator (trusted like the admin).

    Without the publish permission an import only ever creates revisions submitted to the approval
    workflow; ``draft`` asks for that even of someone who may publish.
    """
    return not draft and (user is None or user.has_perm(PUBLISH_PERMISSION))


def questions_import(
    *,
    content: bytes,
    file_format: str,
    user=None,
    default_competency: str | None = None,
    draft: bool = False,
    owner=None,
) -> QuestionImportOutcome:
    """Import a Moodle GIFT or XML file whole, or nothing.

    A question's competency is the last part of its category path that is a competency code of the
    current framework (else ``default_competency``); a ``Lv1``…``Lv5`` part sets its level (default 1).
    A question whose name already exists gets a new revision (past attempts keep their version).

    ``user`` is the person importing (``None``: the server's operator, e.g. the demo loader). Someone who
    may publish questions publishes at once, as in the editor. Anyone else — and anyone with ``draft`` —
    only creates draft revisions, submitted to the questions' approval workflow (「DX推進課による承認」):
    the live definition, grading and attempts stay as they are until a reviewer approves.

    The questions belong to ``owner`` (a ``Municipality``; ``None``: the shared library, ADR 0024), and a
    name is looked up among that owner's questions only; ``user`` must act in that municipality (only
    the platform-wide may import into the shared library).
    """
    if file_format not in FORMATS:
        return QuestionImportOutcome.refused([_("形式は gift か moodlexml を指定してください。")])
    if len(content) > MAX_IMPORT_BYTES:
        return QuestionImportOutcome.refused([_("ファイルが大きすぎます(上限 10 MB)。")])
    if user is not None and not user.has_perms(IMPORT_PERMISSIONS):
        return QuestionImportOutcome.refused([_("問題を取り込む権限がありません。")])
    if user is not None and not may_change(user, Question(municipality=owner)):
        return QuestionImportOutcome.refused(
            [_("%(owner)s の問題として取り込む権限がありません。") % {"owner": owner or _("共通")}]
        )
    publish = import_publishes(user, draft=draft)
    workflow = None if publish else Question.get_default_workflow()
    if not publish and workflow is None:
        return QuestionImportOutcome.refused(
            [
                _(
                    "問題に有効な承認ワークフローが割り当てられていないため、承認待ちとして取り込めません。"
                    "管理者に「DX推進課による承認」の割り当てを依頼してください。"
                )
            ]
        )
    result = _parse(content, file_format)
    outcome = QuestionImportOutcome(
        problems=[_problem(e, file_format) for e in result.errors],
        warnings=[_problem(w, file_format) for w in result.warnings],
        workflow_name=workflow.name if workflow else "",
    )
    framework = framework_current()
    competencies = {c.code: c for c in Competency.objects.filter(framework=framework)} if framework else {}
    if default_competency and default_competency not in competencies:
        outcome.problems.append(
            Problem(
                WHOLE_FILE,
                _("能力項目コード %(code)s は現行のフレームワークにありません。")
                % {"code": default_competency},
            )
        )
    planned = []
    names: dict[str, int] = {}
    for item in result.questions:
        code = next((part for part in reversed(item.category) if part in competencies), default_competency)
        level = next((int(m.group(1)) for part in item.category if (m := LEVEL_PART.match(part))), 1)
        where = _line(item.line, file_format)
        # These sentences say where themselves (the line and the question's name, as translated).
        if code is None:
            outcome.problems.append(
                Problem(
                    WHOLE_FILE,
                    _(
                        "%(where)s 「%(name)s」: 能力項目が分かりません("
                        "カテゴリの最後を能力項目コードにするか、--competency を指定してください)。"
                    )
                    % {"where": where, "name": item.name},
                )
            )
            continue
        key = item.name[:100]  # the stored title: names equal in their first 100 characters are one question
        if key in names:
            outcome.problems.append(
                Problem(
                    WHOLE_FILE,
                    _("%(where)s 「%(name)s」: 同じ名前の問題がファイル内にあります(%(first)d行目)。")
                    % {"where": where, "name": item.name, "first": names[key]},
                )
            )
            continue
        names[key] = item.line
        lock = _lock_for(key, user, owner)
        if lock:
            outcome.problems.append(
                Problem(
                    WHOLE_FILE,
                    _(
                        "%(where)s 「%(name)s」: この問題は承認待ちか編集ロック中のため、"
                        "今は変更できません(%(lock)s)。"
                    )
                    % {"where": where, "name": item.name, "lock": lock},
                )
            )
            continue
        planned.append((item, competencies[code], level))
    if not outcome.ok:
        return outcome
    try:
        with transaction.atomic():
            for item, competency, level in planned:
                _import_one(
                    item,
                    competency=competency,
                    level=level,
                    user=user,
                    workflow=workflow,
                    outcome=outcome,
                    owner=owner,
                )
    except PermissionDenied:  # Wagtail's own check refused one question: the whole file is rolled back
        return QuestionImportOutcome.refused([_("権限がないため、何も取り込んでいません。")])
    return outcome


def _owned(owner, title: str) -> Question | None:
    """The question of ``owner``'s bank named ``title`` (names are unique within an owner's bank)."""
    return Question._base_manager.filter(municipality=owner, title=title).first()


def _lock_for(title: str, user, owner) -> str:
    """The reason ``user`` may not edit the question named ``title`` now (a lock by someone else), or ""."""
    if "\x00" in title:  # no stored title holds NUL (PostgreSQL refuses it); the parser reported the line
        return ""
    question = _owned(owner, title)
    if question is None or user is None:
        return ""
    lock = question.get_lock()
    return str(lock.get_message(user)) if lock and lock.for_user(user) else ""


def _line(number: int, file_format: str) -> Line:
    """A line of a GIFT file (``3行目``); of a Moodle XML file, the element that starts there."""
    return Line(number, _("%(line)d行目") if file_format == "gift" else _("要素(行 %(line)d)"))


def _problem(error: formats.FormatError, file_format: str) -> Problem:
    """A pure parser's error (``assessments.formats`` runs without Django) as a ``Problem``."""
    return Problem(_line(error.line, file_format), error.message)


def _import_one(item, *, competency, level, user, workflow: Workflow | None, outcome, owner) -> None:
    """Create or revise one question: publish it (``workflow`` is None) or submit it to ``workflow``.

    Wagtail's create and edit actions do the writing, as in the editor: a live question's row (what
    learners are served) is never written by a draft; publishing the revision writes it.
    """
    block_type, value = codec.question_to_block(item.question)
    value["text"] = _clean_html(value["text"])
    title = item.name[:100]
    incoming = Question(title=title, competency=competency, level=level, municipality=owner)
    incoming.body = [(block_type, value)]
    publish = workflow is None
    question = _owned(owner, title)
    if question is None:
        question = incoming
        CreateAction(question, user=user, publish=publish).execute(skip_permission_checks=user is None)
        outcome.created += 1
    else:
        # A publisher's import replaces the live definition (any pending draft is superseded); a draft
        # builds on the latest revision, which is what is pending review.
        base = question if publish else question.get_latest_revision_as_object()
        if _same_question(base, incoming) and _settled(question, publish):
            outcome.unchanged += 1
            return
        base.competency, base.level, base.body = competency, level, incoming.body
        EditAction(base, user=user, publish=publish).execute(skip_permission_checks=user is None)
        question = base
        outcome.updated += 1
    if publish:
        outcome.published.append(question.title)
    else:
        _submit(question, user=user, workflow=workflow)
        outcome.in_review.append(question.title)


def _same_question(question: Question, incoming: Question) -> bool:
    if not len(question.body):
        return False
    return (question.competency_id, question.level) == (incoming.competency_id, incoming.level) and (
        question_definition(question).to_dict() == question_definition(incoming).to_dict()
    )


def _settled(question: Question, publish: bool) -> bool:
    """Nothing to do for content equal to ``question``'s: live as it is, or (a draft) already in review."""
    if publish:
        return question.live
    if question.live and not question.has_unpublished_changes:
        return True
    state = question.current_workflow_state
    return state is not None and state.status == WorkflowState.STATUS_IN_PROGRESS


def _submit(question: Question, *, user, workflow: Workflow) -> None:
    """Put the question's latest revision before the reviewers, as the editor's 「承認を依頼」 does."""
    state = question.current_workflow_state
    if state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES:
        state.resume(user=user)
        return
    if state is not None:  # in review for an older revision: restart it on this one
        state.cancel(user=user)
    workflow.start(question, user)


def questions_export(*, questions, file_format: str) -> bytes:
    """The questions as a GIFT or Moodle XML file, each in category ``自治体DX/Lv<level>/<code>``."""
    items = [
        formats.ImportedQuestion(
            question=question_definition(q),
            category=["自治体DX", f"Lv{q.level}", q.competency.code],
            name=q.title,
            line=0,
        )
        for q in questions.select_related("competency").order_by("competency__code", "level", "title")
    ]
    if file_format == "gift":
        return formats.render_gift(items).encode()
    return formats.render_moodle_xml(items)
