"""Assigned training follows staff data: a change committed by an HR import re-evaluates the rules."""

from django.utils import timezone

from lms_site.organisation.api import municipality_scope


def staff_changed(sender, *, municipality_id: int, on, **kwargs) -> None:
    """Evaluate the municipality's rules on today's data (a rotation dated later is picked up on its day
    by the nightly evaluation)."""
    from .services import municipality_evaluate

    today = timezone.localdate()
    with municipality_scope(municipality_id):
        municipality_evaluate(municipality_id=municipality_id, on=today)
