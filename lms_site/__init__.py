"""The Django/Wagtail project: settings, URLs, Celery app and the organisation app."""

from .celery import app as celery_app

__all__ = ["celery_app"]
