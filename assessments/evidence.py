"""Competency evidence: the one door every write to ``Evidence`` goes through.

Automatic sources (passed quizzes, completed courses, approved capstones) are recorded as verified; the
rest start pending until 人事課 reviews them. Recording the same source twice changes nothing
(``source_key`` is unique per user and competency).

Every write here (record, review, delete) ends in one ``evidence_changed`` notification per person and
transaction, sent once the transaction commits: each function registered as the Wagtail hook
``evidence_changed`` is called with ``user_id`` (the certification app recomputes the level table). A
rolled-back transaction sends nothing. Writes that bypass this module (``Evidence.objects...update()``
elsewhere) notify no one: there are no model signals on Evidence (ADR 0026).
"""

import datetime
import logging
import threading
import weakref
from collections.abc import Collection, Iterable
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, IntegrityError, transaction
from django.db.models import Case, F, IntegerField, Max, QuerySet, Value, When
from django.db.models.functions import Least
from django.utils import timezone
from wagtail import hooks

from assessments.models import Attempt, Evidence, EvidenceSource, EvidenceStatus
from courses.api import CourseCompetency, CoursePage
from courses.competencies.api import KNOWLEDGE_LEVEL_CAP, Competency
from lms_site.organisation.api import profile_of

logger = logging.getLogger(__name__)

EVIDENCE_CHANGED = "evidence_changed"  # Wagtail hook: fn(user_id: int) -> None, called after the commit
QUIZ_LEVEL_CAP = KNOWLEDGE_LEVEL_CAP
# A question shows its competency when at least this share of its points was earned.
QUIZ_CREDIT_FRACTION = Decimal("0.5")


# --- writes ---------------------------------------------------------------------------------------------


def evidence_record(
    *,
    user,
    competency: Competency,
    level: int,
    source: str,
    source_key: str,
    status: str = EvidenceStatus.PENDING,
    reviewed_by=None,
) -> tuple[Evidence, bool]:
    """Record one piece of evidence; returns (evidence, created). Idempotent per source.

    ``reviewed_by`` (with the time now) is kept on a new row that someone verified as it was recorded
    (an approved capstone). New verified evidence notifies ``evidence_changed`` on commit."""
    defaults = {"level": level, "status": status}
    if reviewed_by is not None:
        defaults |= {"reviewed_by": reviewed_by, "reviewed_at": timezone.now()}
    try:
        with transaction.atomic():
            evidence, created = Evidence.objects.get_or_create(
                user=user, competency=competency, source=source, source_key=source_key, defaults=defaults
            )
    except IntegrityError:
        return Evidence.objects.get(
            user=user, competency=competency, source=source, source_key=source_key
        ), False
    if created and status == EvidenceStatus.VERIFIED:  # new pending evidence changes no level
        evidence_changed_on_commit(user_ids=[user.pk])
    return evidence, created


def evidence_review_record(*, evidence: Collection[Evidence], status: str, reviewer, reason: str = "") -> int:
    """Set the review outcome of these pending rows in one UPDATE; returns how many rows it changed.

    The caller checks who may review what (``certification.services.evidence_review``) and has locked the
    rows; a row no longer pending is left alone. The owners are notified on commit."""
    changed = Evidence.objects.filter(
        pk__in=[row.pk for row in evidence], status=EvidenceStatus.PENDING
    ).update(
        status=status,
        reviewed_by=reviewer,
        reviewed_at=timezone.now(),
        rejection_reason=reason if status == EvidenceStatus.REJECTED else "",
    )
    evidence_changed_on_commit(user_ids=[row.user_id for row in evidence])
    return changed


def evidence_delete(*, evidence: QuerySet[Evidence]) -> int:
    """Delete these rows; returns how many. The owners of deleted verified rows are notified on commit."""
    owners = set(evidence.filter(status=EvidenceStatus.VERIFIED).values_list("user_id", flat=True))
    deleted, _by_model = evidence.delete()
    evidence_changed_on_commit(user_ids=owners)
    return deleted


# --- reads for the certification rules ------------------------------------------------------------------


def evidence_verified_facts(*, user_ids: Collection[int]) -> list[tuple[int, int, int, str]]:
    """``(user_id, competency_id, level, source)`` of these people's verified evidence (one query)."""
    verified = Evidence.objects.filter(user_id__in=user_ids, status=EvidenceStatus.VERIFIED)
    return list(verified.values_list("user_id", "competency_id", "level", "source"))


def evidence_highest_levels(
    *, user_ids: Collection[int], uncapped_sources: Collection[str], cap: int
) -> list[tuple[int, int, int]]:
    """``(user_id, competency_id, level)``: per person and competency, the highest level their verified
    evidence supports, evidence from a source not in ``uncapped_sources`` counting at most ``cap`` (one
    aggregate query; the level rule's SQL form, ``certification.services.level_table``)."""
    supported = Case(
        When(source__in=sorted(uncapped_sources), then=F("level")),
        default=Least(F("level"), Value(cap)),
        output_field=IntegerField(),
    )
    return list(
        Evidence.objects.filter(user_id__in=user_ids, status=EvidenceStatus.VERIFIED)
        .order_by()
        .values_list("user_id", "competency_id")
        .annotate(level=Max(supported))
    )


def evidence_owner_ids() -> set[int]:
    """Everyone with any evidence (one query)."""
    return set(Evidence.objects.values_list("user_id", flat=True).distinct())


def evidence_open_for_sources(*, user, source: str, source_keys: Collection[str]) -> bool:
    """Whether ``user`` has pending or verified evidence from any of these sources (one query)."""
    return Evidence.objects.filter(
        user=user,
        source=source,
        source_key__in=source_keys,
        status__in=[EvidenceStatus.PENDING, EvidenceStatus.VERIFIED],
    ).exists()


def evidence_practice_recorded(*, user, since: datetime.date, on: datetime.date) -> bool:
    """Whether ``user`` has verified practice evidence (OJT, advisor) recorded in the dates (one query)."""
    return Evidence.objects.filter(
        user=user,
        status=EvidenceStatus.VERIFIED,
        source__in=[EvidenceSource.OJT, EvidenceSource.ADVISOR],
        recorded_at__date__gte=since,
        recorded_at__date__lte=on,
    ).exists()


# --- what each source records ---------------------------------------------------------------------------


def quiz_evidence_levels(items: Iterable[tuple[Any, Decimal]]) -> dict[int, int]:
    """{competency id: level} that a passed attempt shows, from (question version, fraction) per item: for
    each competency of the questions earning at least ``QUIZ_CREDIT_FRACTION`` of their points, the highest
    such question level, capped at ``QUIZ_LEVEL_CAP`` (pure)."""
    levels: dict[int, int] = {}
    for version, fraction in items:
        if fraction >= QUIZ_CREDIT_FRACTION:
            level = min(version.level, QUIZ_LEVEL_CAP)
            levels[version.competency_id] = max(levels.get(version.competency_id, 0), level)
    return levels


@transaction.atomic  # one notification per person, not one per evidence row
def evidence_from_attempt(*, attempt_id: int) -> int:
    """Verified evidence from a passed attempt: for each competency of the questions it earned at least
    ``QUIZ_CREDIT_FRACTION`` of the points of, the highest such question level (capped at
    ``QUIZ_LEVEL_CAP``). Returns how many rows were new; recording an attempt twice adds nothing."""
    attempt = Attempt.objects.select_related("user").get(pk=attempt_id)
    if not attempt.passed or not _is_staff_member(attempt.user):
        return 0
    items = list(attempt.items.select_related("version__competency"))
    competencies = {item.version.competency_id: item.version.competency for item in items}
    levels = quiz_evidence_levels((item.version, item.fraction) for item in items)
    created = 0
    for competency_id, level in levels.items():
        _, was_created = evidence_record(
            user=attempt.user,
            competency=competencies[competency_id],
            level=level,
            source=EvidenceSource.QUIZ,
            source_key=f"attempt:{attempt.pk}",
            status=EvidenceStatus.VERIFIED,
        )
        created += was_created
    return created


@transaction.atomic  # one notification per person, not one per evidence row
def evidence_from_course_completion(user_id: int, course_id: int) -> int:
    """Evidence for each competency a completed course develops, at the level the course brings.

    Recorded as the course states it, whatever its delivery; the level rule
    (``assessments.certification.levels``) alone caps what course evidence supports. Registered as the
    Wagtail hook ``course_completed`` (``courses.services``)."""
    user = get_user_model().objects.get(pk=user_id)
    if not _is_staff_member(user):
        return 0
    course = CoursePage.objects.get(pk=course_id)
    created = 0
    for target in CourseCompetency.objects.filter(course=course).select_related("competency"):
        _, was_created = evidence_record(
            user=user,
            competency=target.competency,
            level=target.level,
            source=EvidenceSource.COURSE,
            source_key=f"course:{course_id}",
            status=EvidenceStatus.VERIFIED,
        )
        created += was_created
    return created


def _is_staff_member(user) -> bool:
    """Whether ``user`` has a staff record. Competency evidence is a staff member's: it is held in the
    municipality of that record (row-level security admits it there, ADR 0016) and feeds the levels, the
    reports and the certificates of that municipality. An account without one (an LMS user an LTI launch
    did not link to HR, ADR 0023) keeps its attempts, completions and the score sent back to its LMS, and
    records no evidence."""
    return profile_of(user) is not None


# --- the notification, coalesced per transaction --------------------------------------------------------


class _Pending:
    """The people whose evidence changed in one transaction, and the on-commit callback that notifies them.

    Django holds the only strong reference (in its list of on-commit callbacks); this module keeps a weak
    one. When the transaction (or the savepoint the callback was registered in) rolls back, Django drops
    the callback, the object goes with it, and the next transaction starts an empty one: no stale ids."""

    def __init__(self) -> None:
        self.user_ids: set[int] = set()
        self.sent = False
        # Django names a failing robust callback by its __qualname__, which instances lack.
        self.__qualname__ = "evidence_changed"

    def __call__(self) -> None:
        self.sent = True
        evidence_changed_send(user_ids=self.user_ids)


_local = threading.local()  # {database alias: weakref to the open _Pending} per thread (per connection)


def evidence_changed_on_commit(*, user_ids: Iterable[int], using: str | None = None) -> None:
    """Notify ``evidence_changed`` for these people once the current transaction commits, once each.

    Outside a transaction they are notified at once."""
    user_ids = set(user_ids)
    if not user_ids:
        return
    alias = using or DEFAULT_DB_ALIAS
    if not transaction.get_connection(alias).in_atomic_block:
        evidence_changed_send(user_ids=user_ids)
        return
    refs = _local.__dict__.setdefault("pending", {})
    pending = refs[alias]() if alias in refs else None
    if pending is None or pending.sent:
        pending = _Pending()
        refs[alias] = weakref.ref(pending)
        transaction.on_commit(pending, using=alias, robust=True)
    pending.user_ids |= user_ids


def evidence_changed_pending(*, using: str | None = None) -> frozenset[int]:
    """Whom the current transaction will notify on commit (for tests and diagnostics)."""
    ref = getattr(_local, "pending", {}).get(using or DEFAULT_DB_ALIAS)
    pending = ref() if ref is not None else None
    return frozenset() if pending is None or pending.sent else frozenset(pending.user_ids)


def evidence_changed_send(*, user_ids: Iterable[int]) -> None:
    """Call every ``evidence_changed`` hook for each person, in id order. A failing hook is logged and does
    not stop the others: the change is committed, and each subscriber has its own repair (for the level
    table, ``manage.py recompute_levels``)."""
    for user_id in sorted(set(user_ids)):
        for hook in hooks.get_hooks(EVIDENCE_CHANGED):
            try:
                hook(user_id)
            except Exception:
                logger.exception("evidence_changed(user_id=%s) failed in %s", user_id, hook.__qualname__)
