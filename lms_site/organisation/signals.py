"""Signals for the apps above the organisation, which it may not import.

``staff_changed(municipality_id, on)``: staff data of a municipality changed (an HR import, a rotation,
a retirement), sent once the change is committed. Rules that depend on who is where (assigned training)
re-evaluate on it.
"""

from django.dispatch import Signal

staff_changed = Signal()


def staff_changed_send(*, municipality_id: int, on) -> None:
    """Send ``staff_changed`` after the current transaction commits (at once outside one)."""
    from django.db import transaction

    transaction.on_commit(
        lambda: staff_changed.send(sender=None, municipality_id=municipality_id, on=on), robust=False
    )
