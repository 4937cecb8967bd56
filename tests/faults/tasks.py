"""A test-only task for the worker-killed test (workers of tests/faults load it with ``--include``)."""

import os
import time
from pathlib import Path

from celery import shared_task

from assessments.certification.tasks import recompute_levels


@shared_task(name="faults.slow_recompute_levels", acks_late=True)
def slow_recompute_levels(user_id: int, journal: str, seconds: float) -> dict[str, int]:
    """Note each start in ``journal``; the first run then dawdles (to be killed), and every run ends with
    the real, idempotent ``certification.recompute_levels`` body."""
    path = Path(journal)
    first = not path.exists()
    with path.open("a") as file:
        file.write(f"{os.getpid()}\n")
    if first:
        time.sleep(seconds)
    return recompute_levels(user_id)
