"""Writes to the level table (``CompetencyLevel``): recompute from verified evidence; queued after every
evidence change through the ``evidence_changed`` hook of ``assessments.evidence`` (ADR 0026)."""

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from assessments.evidence import evidence_highest_levels, evidence_owner_ids
from lms_site.bulk import insert_rows, update_rows
from lms_site.tasks import enqueue

from .. import levels
from ..models import CompetencyLevel

DEFAULT_BATCH_SIZE = 2000


@dataclass
class RecomputeOutcome:
    users: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0

    def __iadd__(self, other: "RecomputeOutcome") -> "RecomputeOutcome":
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)
        return self

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@transaction.atomic
def levels_recompute_many(*, user_ids: Sequence[int]) -> RecomputeOutcome:
    """Recompute the level table rows of these users in one transaction (a fixed number of queries).

    Idempotent: rows whose level is unchanged are not written; rows for competencies without supporting
    evidence are deleted. The users' rows are locked first (PostgreSQL), so two recomputes of one person
    run one after the other. The level rule (``levels``) runs in the database as one aggregate query
    (``evidence_highest_levels``, with the rule's own constants; tests hold it to ``levels.
    competency_levels``), and the rows are written set-based (``lms_site.bulk``): a framework change
    recomputes everyone.
    """
    ids = sorted(set(user_ids))
    if not ids:
        return RecomputeOutcome()
    list(get_user_model().objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))
    wanted = {
        (user_id, competency_id): level
        for user_id, competency_id, level in evidence_highest_levels(
            user_ids=ids, uncapped_sources=levels.PRACTICE_SOURCES, cap=levels.LEVEL_CAP_WITHOUT_PRACTICE
        )
    }
    existing = {
        (user_id, competency_id): (pk, level)
        for pk, user_id, competency_id, level in CompetencyLevel.objects.filter(user_id__in=ids).values_list(
            "pk", "user_id", "competency_id", "level"
        )
    }
    now = timezone.now()
    create, update = [], []
    for key, level in wanted.items():
        found = existing.get(key)
        if found is None:
            create.append((*key, level, now))
        elif found[1] != level:
            update.append((found[0], level, now))
    stale = [pk for key, (pk, _) in existing.items() if key not in wanted]
    insert_rows(CompetencyLevel, ("user", "competency", "level", "updated_at"), create)
    update_rows(CompetencyLevel, ("level", "updated_at"), update)
    if stale:
        CompetencyLevel.objects.filter(pk__in=stale).delete()
    return RecomputeOutcome(
        users=len(ids),
        created=len(create),
        updated=len(update),
        deleted=len(stale),
        unchanged=len(wanted) - len(create) - len(update),
    )


def levels_recompute(*, user) -> RecomputeOutcome:
    """Recompute one person's rows of the level table (what the Celery task runs)."""
    return levels_recompute_many(user_ids=[user.pk])


def levels_recompute_all(
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Callable[[int, int, RecomputeOutcome], None] | None = None,
) -> RecomputeOutcome:
    """Everyone with evidence or a level row, ``batch_size`` people per transaction.

    ``progress(done, total, outcome_so_far)`` is called after each batch.
    """
    with_levels = CompetencyLevel.objects.values_list("user_id", flat=True).distinct()
    user_ids = sorted(evidence_owner_ids() | set(with_levels))
    total = RecomputeOutcome()
    for start in range(0, len(user_ids), batch_size):
        total += levels_recompute_many(user_ids=user_ids[start : start + batch_size])
        if progress:
            progress(min(start + batch_size, len(user_ids)), len(user_ids), total)
    return total


def levels_recompute_queue(user_id: int) -> None:
    """Queue ``certification.recompute_levels(user_id)``: the ``evidence_changed`` hook of this app, which
    ``assessments.evidence`` calls once per person after the transaction that changed their evidence
    commits. A broker outage is logged and does not undo the committed change; ``manage.py
    recompute_levels`` (and the nightly certificate sweep) repair what was missed.
    """
    from ..tasks import recompute_levels

    enqueue(recompute_levels, user_id)
