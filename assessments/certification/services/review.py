"""HR verifies or rejects pending evidence; every refusal leaves everything as it was."""

from collections.abc import Collection

from django.db import transaction
from django.utils.translation import gettext as _

from assessments.evidence import evidence_review_record
from assessments.models import Evidence, EvidenceStatus

from ..selectors import is_reviewer, reviewable_evidence

VERIFY, REJECT = "verify", "reject"
MAX_REASON = 1000


class ReviewError(Exception):
    """A review the rules refuse; the message says why, in the user's language."""


@transaction.atomic
def evidence_review(*, reviewer, evidence_ids: Collection[int], decision: str, reason: str = "") -> int:
    """Verify or reject pending evidence (all of ``evidence_ids`` or none); returns how many rows changed.

    Refused when the reviewer lacks the permissions, the decision is unknown, a rejection has no reason,
    or any id is not pending evidence of the reviewer's municipality (a wrong id, another municipality,
    already reviewed) or is the reviewer's own. ``reviewed_by``/``reviewed_at`` are recorded through
    ``assessments.evidence``, whose ``evidence_changed`` notification recomputes the owners' levels on commit.
    """
    if not is_reviewer(reviewer):
        raise ReviewError(_("実績を確認する権限がありません。"))
    if decision not in (VERIFY, REJECT):
        raise ReviewError(_("操作が正しくありません。「確認する」か「却下する」を選んでください。"))
    reason = reason.strip()
    if decision == REJECT and not reason:
        raise ReviewError(_("却下する場合は理由を入力してください。"))
    if len(reason) > MAX_REASON:
        raise ReviewError(_("理由は%(max)d文字以内で入力してください。") % {"max": MAX_REASON})
    ids = set(evidence_ids)
    if not ids:
        raise ReviewError(_("確認する実績が選ばれていません。"))
    rows = list(reviewable_evidence(reviewer=reviewer).select_for_update(of=("self",)).filter(pk__in=ids))
    if len(rows) != len(ids):
        raise ReviewError(
            _("対象の実績が見つからないか、すでに確認済みです。ページを再読み込みしてください。")
        )
    if any(row.user_id == reviewer.pk for row in rows):
        raise ReviewError(_("自分の実績は確認できません。ほかの担当者に依頼してください。"))
    status = EvidenceStatus.VERIFIED if decision == VERIFY else EvidenceStatus.REJECTED
    changed = evidence_review_record(evidence=rows, status=status, reviewer=reviewer, reason=reason)
    if changed != len(ids):  # reviewed concurrently in between (SQLite takes no row locks)
        raise ReviewError(
            _("対象の実績が見つからないか、すでに確認済みです。ページを再読み込みしてください。")
        )
    transaction.on_commit(lambda: _owners_notify(rows, decision=decision, reason=reason))
    return changed


def _owners_notify(rows: list[Evidence], *, decision: str, reason: str) -> int:
    """One notification per owner for a review (in the app; by e-mail as they chose)."""
    from django.conf import settings
    from django.urls import reverse
    from django.utils import translation

    from lms_site.notifications import services as notifications
    from lms_site.notifications.models import Kind
    from lms_site.organisation.api import StaffProfile

    by_owner: dict[int, list[Evidence]] = {}
    for row in rows:
        by_owner.setdefault(row.user_id, []).append(row)
    profiles = {
        p.user_id: p for p in StaffProfile.objects.filter(user_id__in=by_owner).select_related("user")
    }
    added = []
    with translation.override(settings.LANGUAGE_CODE):
        for user_id, owned in sorted(by_owner.items()):
            profile = profiles.get(user_id)
            if profile is None:
                continue
            ids = sorted(row.pk for row in owned)
            if decision == VERIFY:
                subject = _("学習実績%(count)s件が確認されました") % {"count": len(ids)}
                body = _("人事課が学習実績を確認しました。能力レベルに反映されます。")
            else:
                subject = _("学習実績%(count)s件が却下されました") % {"count": len(ids)}
                body = _("人事課が学習実績を却下しました。理由: %(reason)s") % {"reason": reason}
            added.append(
                notifications.notify(
                    recipient=profile.user,
                    municipality_id=profile.municipality_id,
                    kind=Kind.DECISION,
                    key=f"evidence:{decision}:{ids[0]}-{ids[-1]}:{len(ids)}",
                    subject=subject,
                    body=body,
                    url=reverse("certification:my_evidence"),
                )
            )
    return notifications.send_now(added)
