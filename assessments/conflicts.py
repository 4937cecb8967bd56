"""Conflict of interest: who may not sit an exam because they can see or change its answer keys.

A person is *conflicted* for an exam that draws on the question bank when they

* hold any permission on questions (``assessments.*_question``: view, add, change, delete, publish,
  lock, unlock, export) — through a group, directly, or as a superuser: each of them shows the keys in
  the admin (the editor, the inspect view, revisions, the Moodle export); or
* may approve questions in the workflow assigned to questions (an approver sees the submitted question,
  key included, in the moderation view): a member of a group of its approval task, Wagtail's
  ``GroupApprovalTask`` or ``OwnApprovalTask`` (ADR 0024), whatever municipality owns the questions
  they may approve (the rule is kept wide on purpose); for an ``OwnApprovalTask``, also anyone who may
  approve shared content without being in its groups (``may_review_shared``: platform-wide).

人事課 can grant an audited exception (``ExamConflictException``) for one exam, for a limited time; the
exception record is the audit trail and every grant is also written to the ``assessments.audit`` log.
"""

import datetime
import logging

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import GroupApprovalTask, WorkflowTask

from assessments.models import ExamConflictException, Question, Quiz
from courses.api import OwnApprovalTask
from lms_site.organisation.api import may_review_shared

audit_log = logging.getLogger("assessments.audit")
EXCEPTION_MAX_DAYS = 90


def question_key_permissions(*, user) -> list[str]:
    """The permissions by which ``user`` can see or change answer keys (sorted; empty: none)."""
    if not user.is_authenticated:
        return []
    held = sorted(
        name
        for name in user.get_all_permissions()
        if name.startswith("assessments.") and name.endswith("_question")
    )
    if user.is_superuser and not held:
        held = ["superuser"]
    return held


def question_workflow_approver(*, user) -> bool:
    """Whether ``user`` approves questions in the workflow assigned to them."""
    if not user.is_authenticated:
        return False
    content_type = ContentType.objects.get_for_model(Question)
    tasks = WorkflowTask.objects.filter(workflow__workflow_content_types__content_type=content_type).values(
        "task_id"
    )
    groups = user.groups.all()
    if GroupApprovalTask.objects.filter(pk__in=tasks, groups__in=groups).exists():
        return True
    own = OwnApprovalTask.objects.filter(pk__in=tasks)
    return own.filter(groups__in=groups).exists() or (own.exists() and may_review_shared(user))


def exam_conflicted(*, user) -> bool:
    return bool(question_key_permissions(user=user)) or question_workflow_approver(user=user)


def exam_exception_active(*, user, quiz: Quiz, on: datetime.date | None = None):
    """The exception that lets ``user`` start ``quiz`` on the day ``on`` (today), or None."""
    on = on or timezone.localdate()
    return (
        ExamConflictException.objects.filter(user=user, quiz=quiz, valid_until__gte=on)
        .order_by("-granted_at")
        .first()
    )


def exam_exception_problems(
    *, user, quiz: Quiz | None, reason: str, valid_until: datetime.date | None, granted_by
) -> dict[str, str]:
    """What is wrong with an exception request, by field (``__all__``: the request as a whole)."""
    today = timezone.localdate()
    problems: dict[str, str] = {}
    if not granted_by.has_perm("assessments.add_examconflictexception"):
        problems["__all__"] = _("試験受験の特例を認める権限がありません。")
    elif user.pk == granted_by.pk:
        problems["user"] = _("自分自身に特例を認めることはできません。")
    elif exam_conflicted(user=granted_by):
        problems["__all__"] = _("問題の正解を閲覧・編集できる人は、特例を認めることができません。")
    if quiz is None or not quiz.is_leader_exam:
        problems["quiz"] = _("特例はDX推進リーダー知識試験にだけ認められます。")
    if not (reason or "").strip():
        problems["reason"] = _("理由を入力してください。")
    if (
        valid_until is None
        or valid_until < today
        or valid_until > today + datetime.timedelta(days=EXCEPTION_MAX_DAYS)
    ):
        problems["valid_until"] = _("有効期限は今日から%(days)d日以内の日付にしてください。") % {
            "days": EXCEPTION_MAX_DAYS
        }
    return problems


@transaction.atomic
def exam_exception_grant(
    *, user, quiz: Quiz, reason: str, valid_until: datetime.date, granted_by
) -> ExamConflictException:
    """Record 人事課's exception; refused (``ValidationError``) when any rule is broken."""
    problems = exam_exception_problems(
        user=user, quiz=quiz, reason=reason, valid_until=valid_until, granted_by=granted_by
    )
    if problems:
        raise ValidationError(problems)
    exception = ExamConflictException.objects.create(
        user=user, quiz=quiz, reason=reason.strip(), valid_until=valid_until, granted_by=granted_by
    )
    audit_log.warning(
        "exam conflict exception %s granted: user=%s quiz=%s valid_until=%s granted_by=%s reason=%r",
        exception.pk,
        user.pk,
        quiz.pk,
        valid_until.isoformat(),
        granted_by.pk,
        exception.reason,
    )
    return exception
