"""Queue Celery work so that a broker outage never fails the request that asked for it.

Every task of ours is idempotent and every kind of work has a sweep that catches up on what was missed
(the nightly certificate and snapshot runs, ``manage.py recompute_levels``). So when Redis is down, the
right thing for a web request is to finish its own (committed) change, log the task that was not queued,
and tell the caller, which may tell the user or mark its job as failed.
"""

import logging
from collections.abc import Callable

from celery import Task
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# kombu's OperationalError (the broker), redis-py's errors and socket errors (the result store), and the
# RuntimeError Celery's Redis result consumer raises once its reconnect retries are spent.
QUEUE_ERRORS = (BrokerError, RedisError, OSError, RuntimeError)


def enqueue(task: Task, *args, **kwargs) -> bool:
    """``task.delay(*args, **kwargs)``; True if queued, False (logged) if the broker could not take it.

    Eager mode (no broker configured) runs the task here, and its own errors propagate as usual.
    """
    if task.app.conf.task_always_eager:
        task.delay(*args, **kwargs)
        return True
    try:
        task.apply_async(args, kwargs)
    except QUEUE_ERRORS:
        logger.error("Task %s%r was not queued: broker unavailable", task.name, args, exc_info=True)
        return False
    return True


def enqueue_on_commit(
    task: Task, *args, on_failure: Callable[[], None] | None = None, using: str | None = None, **kwargs
) -> None:
    """``enqueue`` once the current transaction commits; ``on_failure()`` runs if it could not be queued."""

    def queue() -> None:
        if not enqueue(task, *args, **kwargs) and on_failure is not None:
            on_failure()

    transaction.on_commit(queue, using=using)
