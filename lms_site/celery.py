"""The Celery application.

With ``CELERY_BROKER_URL`` unset, tasks run eagerly in the calling process (the embedded default);
with it set, they go to the broker and a worker runs them. Settings are the ``CELERY_*`` Django settings.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms_site.settings.dev")

app = Celery("lms_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="lms_site.ping")
def ping() -> str:
    """A task with no side effects, used by health checks and the broker tests."""
    return "pong"
