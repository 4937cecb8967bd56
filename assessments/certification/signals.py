"""Evidence changed → queue the level recompute for its owner. Nothing else happens in a signal here."""

from assessments.models import Evidence, EvidenceStatus

from .services import levels_recompute_on_commit


def evidence_saved(sender, instance: Evidence, created: bool, raw: bool = False, **kwargs) -> None:
    if raw or (created and instance.status != EvidenceStatus.VERIFIED):
        return  # fixture loading, or a new pending/rejected row: no level can change
    levels_recompute_on_commit(user_id=instance.user_id)


def evidence_deleted(sender, instance: Evidence, **kwargs) -> None:
    if instance.status == EvidenceStatus.VERIFIED:
        levels_recompute_on_commit(user_id=instance.user_id)
