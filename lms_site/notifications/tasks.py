"""The morning notification job, for Celery beat (Asia/Tokyo). Safe to run twice or to be retried:
producers add rows only under new keys, and the outbox sends a row only after claiming it."""

from celery import shared_task

from lms_site.organisation.api import platform_wide

from . import services


@shared_task(name="notifications.send", acks_late=True)
def notifications_send_task(today: str | None = None) -> int:
    """Runs platform-wide: it writes and sends every municipality's notifications (each producer scopes
    its own reads per municipality)."""
    import datetime

    day = datetime.date.fromisoformat(today) if today else None
    with platform_wide():
        outcome = services.notifications_run(today=day)
    return len(outcome.sent)
