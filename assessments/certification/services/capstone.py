"""The 修了課題 (capstone) workflow: plan → 所属長 → report → 所属長's endorsement → advisor's rubric.

::

    draft ──submit_plan──▶ plan_review ──accept_plan──▶ in_progress ──submit_report──▶ endorsement
      ▲                        │return_plan                ▲   ▲                           │
      └────────────────────────┘                           │   └──────return_report────────┤endorse
                                                           └──return_assessment── assessment ◀┘
                                                                                      │approve
                                                                                   approved

Every step is one transaction that moves the status with a conditional UPDATE (so a double click or two
reviewers at once act once), appends a ``CapstoneDecision`` (the audit log) and, on commit, emails the
next person. Who may act: the candidate on their own draft and report; a 所属長 heading the candidate's
department (or an ancestor of it) on the plan and the endorsement; the assigned advisor on the rubric.
Approval records verified practice evidence (source ``advisor``) for the competencies the project shows,
at the programme's core level, and queues the certificate check.
"""

from collections.abc import Mapping, Sequence

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.db import transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from assessments.evidence import evidence_record
from assessments.models import EvidenceSource, EvidenceStatus
from courses.competencies.api import Competency
from lms_site.organisation.api import (
    ROLES,
    AdvisorContract,
    Municipality,
    MunicipalityKind,
    Role,
    department_of,
)

from ..models import (
    Capstone,
    CapstoneAction,
    CapstoneAttachment,
    CapstoneDecision,
    CapstoneStatus,
    CertificationProgram,
    RubricCriterion,
)
from ..selectors.capstone import heads_of_candidate, is_head_of_candidate, today
from ..selectors.path import municipality_of, program_in_force
from .claims import ClaimError, proof_check

MAX_ATTACHMENTS = 5
MAX_COMMENT = 2000
CAPSTONE_LEVEL = 3  # practice shown by an approved project: the draft's level 3 (実践する)
EVIDENCE_PREFIX = "capstone:"

S = CapstoneStatus
A = CapstoneAction


class CapstoneError(Exception):
    """A step the workflow refuses; the message says why, in the user's language."""


PLAN_FIELDS = ("title", "problem", "plan", "target", "is_cross_department")
REPORT_FIELDS = ("report", "measured_effect", "hours_saved_per_year", "inclusion_check")


# --- who may act ------------------------------------------------------------------------------------


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise CapstoneError(message)


def _comment(comment: str, *, required: bool) -> str:
    comment = (comment or "").strip()
    if required and not comment:
        raise CapstoneError(_("差し戻す場合はコメントを入力してください。"))
    if len(comment) > MAX_COMMENT:
        raise CapstoneError(_("コメントは%(max)d文字以内で入力してください。") % {"max": MAX_COMMENT})
    return comment


# --- the moves --------------------------------------------------------------------------------------


def _move(
    capstone: Capstone,
    *,
    actor,
    action: str,
    frm: str,
    to: str,
    comment: str = "",
    scores: Mapping[str, int] | None = None,
    **fields,
) -> CapstoneDecision:
    """Move ``capstone`` from ``frm`` to ``to`` if it is still in ``frm`` and record the decision."""
    now = timezone.now()
    changed = Capstone.objects.filter(pk=capstone.pk, status=frm).update(status=to, updated_at=now, **fields)
    if not changed:
        raise CapstoneError(_("この修了課題はすでに処理されています。ページを再読み込みしてください。"))
    capstone.status = to
    for name, value in fields.items():
        setattr(capstone, name, value)
    decision = CapstoneDecision.objects.create(
        capstone=capstone,
        actor=actor,
        action=action,
        from_status=frm,
        to_status=to,
        comment=comment,
        rubric_scores=dict(scores or {}),
        created_at=now,
    )
    transaction.on_commit(lambda: notify(capstone_id=capstone.pk, decision_id=decision.pk))
    return decision


def _program(code_or_program, user) -> CertificationProgram:
    """The programme itself, or the one of this code in force for ``user``'s municipality (ADR 0024)."""
    if isinstance(code_or_program, CertificationProgram):
        return code_or_program
    program = program_in_force(code=code_or_program, municipality_id=municipality_of(user))
    _require(program is not None, _("認定制度が見つかりません。"))
    _require(
        program.requires_capstone or program.requires_cross_project,
        _("この認定制度には修了課題がありません。"),
    )
    return program


@transaction.atomic
def capstone_save(
    *, user, program, competencies: Sequence[Competency] = (), capstone: Capstone | None = None, **values
) -> Capstone:
    """Create the candidate's capstone or change its plan (only while it is a draft; only their own)."""
    unknown = set(values) - set(PLAN_FIELDS)
    _require(not unknown, _("入力項目が正しくありません。"))
    if capstone is None:
        program = _program(program, user)
        _require(
            not Capstone.objects.filter(user=user, program=program).exclude(status=S.APPROVED).exists(),
            _("この認定制度の修了課題はすでに作成されています。"),
        )
        profile = getattr(user, "staff_profile", None)
        capstone = Capstone(
            user=user,
            program=program,
            department=department_of(staff=profile, on=today()) if profile else None,
        )
    else:
        _require(capstone.user_id == user.pk, _("自分の修了課題だけを編集できます。"))
        _require(capstone.status == S.DRAFT, _("提出済みの計画は編集できません。"))
    for name, value in values.items():
        setattr(capstone, name, value.strip() if isinstance(value, str) else value)
    for name in ("title", "problem", "plan", "target"):
        _require(bool(getattr(capstone, name)), _("計画の必須項目が入力されていません。"))
    capstone.save()
    capstone.competencies.set(competencies)
    return capstone


@transaction.atomic
def capstone_submit_plan(*, capstone: Capstone, actor) -> CapstoneDecision:
    _require(capstone.user_id == actor.pk, _("自分の修了課題だけを提出できます。"))
    _require(capstone.competencies.exists(), _("発揮する能力項目を1つ以上選んでください。"))
    _require(
        bool(heads_of_candidate(capstone)),
        _("所属長が登録されていないため提出できません。人事課に連絡してください。"),
    )
    return _move(capstone, actor=actor, action=A.SUBMIT_PLAN, frm=S.DRAFT, to=S.PLAN_REVIEW)


@transaction.atomic
def capstone_review_plan(*, capstone: Capstone, actor, accept: bool, comment: str = "") -> CapstoneDecision:
    _require(is_head_of_candidate(actor, capstone), _("この修了課題を確認する権限がありません。"))
    comment = _comment(comment, required=not accept)
    if accept:
        return _move(
            capstone, actor=actor, action=A.ACCEPT_PLAN, frm=S.PLAN_REVIEW, to=S.IN_PROGRESS, comment=comment
        )
    return _move(capstone, actor=actor, action=A.RETURN_PLAN, frm=S.PLAN_REVIEW, to=S.DRAFT, comment=comment)


@transaction.atomic
def capstone_submit_report(
    *, capstone: Capstone, actor, attachments: Sequence[File] = (), **values
) -> CapstoneDecision:
    """Hand in the outcome report (text, measured effect, inclusion check, up to five attachments)."""
    _require(capstone.user_id == actor.pk, _("自分の修了課題だけを提出できます。"))
    _require(capstone.status == S.IN_PROGRESS, _("実施中の修了課題だけ成果報告を提出できます。"))
    unknown = set(values) - set(REPORT_FIELDS)
    _require(not unknown, _("入力項目が正しくありません。"))
    report = {name: (value.strip() if isinstance(value, str) else value) for name, value in values.items()}
    for name in ("report", "measured_effect", "inclusion_check"):
        _require(
            bool(report.get(name)),
            _("成果報告には、実施内容、測定した効果、誰一人取り残さないための配慮のすべてが必要です。"),
        )
    hours = report.get("hours_saved_per_year")
    _require(hours is None or hours >= 0, _("削減できた業務時間は0以上で入力してください。"))
    existing = capstone.attachments.count()
    _require(
        existing + len(attachments) <= MAX_ATTACHMENTS,
        _("添付ファイルは%(max)d件までです。") % {"max": MAX_ATTACHMENTS},
    )
    for upload in attachments:
        try:
            content_type, extension = proof_check(proof=upload)
        except ClaimError as exc:
            raise CapstoneError(f"{upload.name}: {exc}") from exc
        attachment = CapstoneAttachment(
            capstone=capstone, name=upload.name[:200], content_type=content_type, size=upload.size
        )
        attachment.file.save(f"capstone.{extension}", upload, save=False)
        attachment.save()
    return _move(capstone, actor=actor, action=A.SUBMIT_REPORT, frm=S.IN_PROGRESS, to=S.ENDORSEMENT, **report)


def advisors_for(municipality_id: int):
    """Active advisors who may assess a capstone of this municipality: contracted by it (or by its
    prefecture) today, or on its own staff (issue 13). Never another municipality's advisor."""
    today = timezone.localdate()
    prefecture = Municipality.objects.filter(pk=municipality_id).values("prefecture")
    contracted = AdvisorContract._base_manager.filter(
        Q(municipality_id=municipality_id)
        | Q(municipality__kind=MunicipalityKind.PREFECTURE, municipality__prefecture__in=prefecture),
        Q(ends_on__isnull=True) | Q(ends_on__gte=today),
        starts_on__lte=today,
    ).values("advisor_id")
    return get_user_model().objects.filter(
        Q(pk__in=contracted) | Q(staff_profile__municipality_id=municipality_id),
        groups__name=ROLES[Role.ADVISOR].group_name,
        is_active=True,
    )


def advisor_least_busy(municipality_id: int):
    """Of ``advisors_for`` the municipality, the one with the fewest capstones awaiting their
    assessment (then the lowest id)."""
    return (
        advisors_for(municipality_id)
        .annotate(open=Count("capstones_to_assess", filter=Q(capstones_to_assess__status=S.ASSESSMENT)))
        .order_by("open", "pk")
        .first()
    )


@transaction.atomic
def capstone_endorse(*, capstone: Capstone, actor, endorse: bool, comment: str = "") -> CapstoneDecision:
    """The 所属長 endorses the report (it goes to the least busy advisor) or returns it to the candidate."""
    _require(is_head_of_candidate(actor, capstone), _("この修了課題を推薦する権限がありません。"))
    comment = _comment(comment, required=not endorse)
    if not endorse:
        return _move(
            capstone,
            actor=actor,
            action=A.RETURN_REPORT,
            frm=S.ENDORSEMENT,
            to=S.IN_PROGRESS,
            comment=comment,
        )
    municipality_id = capstone.user.staff_profile.municipality_id
    advisor = capstone.advisor or advisor_least_busy(municipality_id)
    _require(advisor is not None, _("審査を担当する外部人材が登録されていません。人事課に連絡してください。"))
    _require(
        advisors_for(municipality_id).filter(pk=advisor.pk).exists(),
        _("この外部人材は、受講者の団体と契約していないため審査を担当できません。"),
    )
    return _move(
        capstone,
        actor=actor,
        action=A.ENDORSE,
        frm=S.ENDORSEMENT,
        to=S.ASSESSMENT,
        comment=comment,
        endorsed_by=actor,
        endorsed_at=timezone.now(),
        advisor=advisor,
    )


def rubric_of(capstone: Capstone) -> list[RubricCriterion]:
    return list(RubricCriterion.objects.filter(program_id=capstone.program_id).order_by("sort_order", "pk"))


def scores_check(criteria: Sequence[RubricCriterion], scores: Mapping[str, int]) -> list[RubricCriterion]:
    """Every criterion scored 1–4 (and nothing else); returns the criteria scored below their minimum."""
    expected = {str(c.pk) for c in criteria}
    _require(set(scores) == expected, _("ルーブリックのすべての観点を採点してください。"))
    _require(
        all(isinstance(v, int) and 1 <= v <= 4 for v in scores.values()),
        _("点数は1〜4で入力してください。"),
    )
    return [c for c in criteria if scores[str(c.pk)] < c.min_score]


@transaction.atomic
def capstone_assess(
    *, capstone: Capstone, actor, approve: bool, scores: Mapping[str, int], comment: str = ""
) -> CapstoneDecision:
    """The assigned advisor scores the rubric and approves (every criterion at its minimum) or returns."""
    _require(
        capstone.advisor_id == actor.pk and actor.has_perm("certification.assess_capstone"),
        _("この修了課題を審査する権限がありません。"),
    )
    _require(capstone.user_id != actor.pk, _("自分の修了課題は審査できません。"))
    comment = _comment(comment, required=not approve)
    below = scores_check(rubric_of(capstone), scores)
    if not approve:
        return _move(
            capstone,
            actor=actor,
            action=A.RETURN_ASSESSMENT,
            frm=S.ASSESSMENT,
            to=S.IN_PROGRESS,
            comment=comment,
            scores=scores,
            rubric_scores=dict(scores),
        )
    _require(
        not below,
        _("承認に必要な点に届いていない観点があります: %(names)s")
        % {"names": "、".join(c.name for c in below)},
    )
    decision = _move(
        capstone,
        actor=actor,
        action=A.APPROVE,
        frm=S.ASSESSMENT,
        to=S.APPROVED,
        comment=comment,
        scores=scores,
        rubric_scores=dict(scores),
        approved_by=actor,
        approved_at=timezone.now(),
    )
    for competency in capstone.competencies.all():
        evidence_record(
            user=capstone.user,
            competency=competency,
            level=CAPSTONE_LEVEL,
            source=EvidenceSource.ADVISOR,
            source_key=f"{EVIDENCE_PREFIX}{capstone.pk}",
            status=EvidenceStatus.VERIFIED,
            reviewed_by=actor,
        )
    from .certificates import certificates_issue_on_commit

    certificates_issue_on_commit(user_id=capstone.user_id)
    return decision


# --- notification -----------------------------------------------------------------------------------


def recipients_after(capstone: Capstone, status: str) -> list:
    """Who acts next once ``capstone`` is in ``status`` (the candidate when it is back with them)."""
    if status in (S.PLAN_REVIEW, S.ENDORSEMENT):
        return heads_of_candidate(capstone)
    if status == S.ASSESSMENT:
        return [capstone.advisor] if capstone.advisor else []
    return [capstone.user]


def notify(*, capstone_id: int, decision_id: int) -> int:
    """Tell the next person about a decision (in Japanese, the site's language) through the notification
    outbox: in the app, and by e-mail at once or in their digest as they chose. Returns mails sent now."""
    from lms_site.notifications import services as notifications
    from lms_site.notifications.models import Kind

    capstone = Capstone.objects.select_related("user__staff_profile", "program", "advisor").get(
        pk=capstone_id
    )
    decision = CapstoneDecision.objects.select_related("actor").get(pk=decision_id)
    municipality_id = capstone.user.staff_profile.municipality_id
    added = []
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    with translation.override(settings.LANGUAGE_CODE):
        # the decision's own status, not the capstone's now: several steps may commit together
        for person in recipients_after(capstone, decision.to_status):
            path = (
                reverse("certification:capstone_mine")
                if person == capstone.user
                else reverse("certification:capstone_review", args=[capstone.uuid])
            )
            context = {
                "capstone": capstone,
                "decision": decision,
                "status": S(decision.to_status).label,
                "person": person,
                "url": f"{base}{path}",
            }
            subject = _("修了課題「%(title)s」: %(action)s") % {
                "title": capstone.title,
                "action": decision.get_action_display(),
            }
            body = render_to_string("certification/email/capstone_step.txt", context)
            added.append(
                notifications.notify(
                    recipient=person,
                    municipality_id=municipality_id,
                    kind=Kind.DECISION,
                    key=f"capstone:{capstone.pk}:decision:{decision.pk}",
                    subject=subject,
                    body=body,
                )
            )
    return notifications.send_now(added)
