"""Background jobs a person starts and watches: one shape for each of them (staff imports, snapshot runs).

* ``Job``, an abstract model: its status, its progress (done of total), why it failed, when it was asked
  for and finished, who asked and for which municipality. Each job keeps its own names for the progress
  and failure columns (``DONE_FIELD``, ``TOTAL_FIELD``, ``failure_fields``), so no table changed for it.
* ``job_enqueue(task, job, failure_message)``: the task runs ``job`` once the transaction commits; if the
  broker cannot take it, the job is failed with ``failure_message`` at once, so nobody watches it forever.
* ``job_progress_report`` / ``job_progress``: the one way to report and read progress. A report goes to
  the job's row and to the cache: the row keeps it, and the cache shows it to other processes while the
  job's own writes are still inside a transaction (a staff import writes every row in one). The cache is
  only a display: with it down, reports are logged and skipped, and readers get the row's count.
"""

from __future__ import annotations

import logging

from celery import Task
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms_site.cache import cache_call
from lms_site.tasks import enqueue_on_commit

logger = logging.getLogger(__name__)
PROGRESS_SECONDS = 24 * 3600


class JobStatus(models.TextChoices):
    PENDING = "pending", _("待機中")
    RUNNING = "running", _("処理中")
    DONE = "done", _("完了")
    FAILED = "failed", _("エラー")


FINISHED = (JobStatus.DONE, JobStatus.FAILED)


class Job(models.Model):
    """One run of a background task, watched by the person who asked for it."""

    DONE_FIELD = "done_steps"
    TOTAL_FIELD = "total_steps"

    municipality = models.ForeignKey(
        "organisation.Municipality", on_delete=models.CASCADE, verbose_name=_("自治体")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("実行者")
    )
    status = models.CharField(_("状態"), max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING)
    created_at = models.DateTimeField(_("受付日時"), default=timezone.now)
    finished_at = models.DateTimeField(_("完了日時"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @property
    def done(self) -> int:
        return getattr(self, self.DONE_FIELD)

    @property
    def total(self) -> int:
        return getattr(self, self.TOTAL_FIELD)

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    def failure_fields(self, message: str) -> dict[str, object]:
        """The fields that say why the job failed, set to ``message``."""
        raise NotImplementedError


def job_update(job: Job, **fields) -> None:
    """Write ``fields`` to the job's row, and to ``job`` itself (one query, whatever its manager scopes)."""
    type(job)._base_manager.filter(pk=job.pk).update(**fields)
    for name, value in fields.items():
        setattr(job, name, value)


def job_finish(job: Job, *, failure: str | None = None, **fields) -> None:
    """The job is done, or failed with ``failure`` (a message for the person who asked); ``fields`` are
    written with it (and say more than ``failure`` where they name the same field)."""
    if failure is not None:
        fields = {**job.failure_fields(failure), **fields}
    job_update(
        job,
        status=JobStatus.FAILED if failure is not None else JobStatus.DONE,
        finished_at=timezone.now(),
        **fields,
    )


def job_enqueue(task: Task, job: Job, failure_message: str) -> None:
    """Queue ``task(job.pk)`` after commit (eager without a broker); if the broker cannot take it, fail the
    job with ``failure_message`` (``job`` says so at once when there was no transaction)."""
    enqueue_on_commit(task, job.pk, on_failure=lambda: job_finish(job, failure=failure_message))


def _progress_key(job: Job) -> str:
    return f"jobs:{job._meta.label_lower}:{job.pk}:progress"


def job_progress_report(job: Job, *, done: int, total: int | None = None) -> None:
    """``done`` steps of ``total`` (None: as recorded) are done: to the row and to the cache."""
    fields = {job.DONE_FIELD: done} | ({job.TOTAL_FIELD: total} if total is not None else {})
    job_update(job, **fields)
    cache_call(
        "set", _progress_key(job), (done, job.total), PROGRESS_SECONDS, log=logger, what="job progress"
    )


def job_progress(job: Job) -> tuple[int, int]:
    """(done, total) of ``job`` now: a running job's from the cache (its row may be behind an open
    transaction), else — and with the cache down — the row's."""
    recorded = (job.done, job.total)
    if job.status != JobStatus.RUNNING:
        return recorded
    cached = cache_call("get", _progress_key(job), default=recorded, log=logger, what="job progress")
    return tuple(cached) if cached else recorded
