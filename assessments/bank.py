"""The question bank: immutable versions of live questions, and Moodle GIFT / XML import and export."""

import re
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from dx_assessment import grading
from wagtail.admin.rich_text.converters.editor_html import EditorHTMLConverter

from assessments import codec, formats
from assessments.models import Question, QuestionVersion
from assessments.question_blocks import TEXT_FEATURES
from courses.competencies.models import Competency
from courses.competencies.selectors import framework_current

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
class QuestionImportOutcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


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


def questions_import(
    *,
    content: bytes,
    file_format: str,
    default_competency: str | None = None,
    publish: bool = True,
) -> QuestionImportOutcome:
    """Import a Moodle GIFT or XML file whole, or nothing.

    A question's competency is the last part of its category path that is a competency code of the
    current framework (else ``default_competency``); a ``Lv1``…``Lv5`` part sets its level (default 1).
    A question whose name already exists is updated (a new revision; past attempts keep their version).
    """
    if file_format not in FORMATS:
        return QuestionImportOutcome(errors=[_("形式は gift か moodlexml を指定してください。")])
    if len(content) > MAX_IMPORT_BYTES:
        return QuestionImportOutcome(errors=[_("ファイルが大きすぎます(上限 10 MB)。")])
    result = _parse(content, file_format)
    outcome = QuestionImportOutcome(
        errors=[_where(e, file_format) for e in result.errors],
        warnings=[_where(w, file_format) for w in result.warnings],
    )
    framework = framework_current()
    competencies = {c.code: c for c in Competency.objects.filter(framework=framework)} if framework else {}
    if default_competency and default_competency not in competencies:
        outcome.errors.append(
            _("能力項目コード %(code)s は現行のフレームワークにありません。") % {"code": default_competency}
        )
    planned = []
    names: dict[str, int] = {}
    for item in result.questions:
        code = next((part for part in reversed(item.category) if part in competencies), default_competency)
        level = next((int(m.group(1)) for part in item.category if (m := LEVEL_PART.match(part))), 1)
        where = _where(formats.FormatError(item.line, ""), file_format).rstrip(": ")
        if code is None:
            outcome.errors.append(
                _(
                    "%(where)s 「%(name)s」: 能力項目が分かりません(カテゴリの最後を能力項目コードにするか、"
                    "--competency を指定してください)。"
                )
                % {"where": where, "name": item.name}
            )
            continue
        key = item.name[:100]  # the stored title: names equal in their first 100 characters are one question
        if key in names:
            outcome.errors.append(
                _("%(where)s 「%(name)s」: 同じ名前の問題がファイル内にあります(%(first)d行目)。")
                % {"where": where, "name": item.name, "first": names[key]}
            )
            continue
        names[key] = item.line
        planned.append((item, competencies[code], level))
    if outcome.errors:
        return outcome
    with transaction.atomic():
        for item, competency, level in planned:
            _import_one(item, competency=competency, level=level, publish=publish, outcome=outcome)
    return outcome


def _where(error: formats.FormatError, file_format: str) -> str:
    unit = (
        _("%(line)d行目") % {"line": error.line}
        if file_format == "gift"
        else _("要素(行 %(line)d)") % {"line": error.line}
    )
    return f"{unit}: {error.message}"


def _import_one(item, *, competency, level, publish, outcome) -> None:
    definition = item.question
    block_type, value = codec.question_to_block(definition)
    value["text"] = _clean_html(value["text"])
    question = Question.objects.filter(title=item.name[:100]).first()
    if question is None:
        question = Question(title=item.name[:100], competency=competency, level=level, live=publish)
        question.body = [(block_type, value)]
        question.save()
        outcome.created += 1
    else:
        before = question_definition(question).to_dict() if len(question.body) else None
        question.competency, question.level = competency, level
        question.body = [(block_type, value)]
        if before == question_definition(question).to_dict() and question.live:
            outcome.unchanged += 1
            return
        question.save()
        outcome.updated += 1
    revision = question.save_revision()
    if publish:
        revision.publish()


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
