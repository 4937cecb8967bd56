"""Settings for serving the DX XBlocks in the xblock-sdk workbench (``make workbench``); local use only.

Not part of the distribution (it lives beside ``src/``): ``make workbench`` puts this directory on
``PYTHONPATH`` and sets ``DJANGO_SETTINGS_MODULE=dx_workbench_settings``. On top of the sdk's settings:

- Japanese by default, English when the browser asks for it (``LocaleMiddleware`` reads
  ``Accept-Language``). The workbench's i18n service is Django's translation module, which does not
  know the blocks' catalog; the blocks then look their strings up in the catalog they ship for the
  active language (see ``dx_assessment.i18n``), so nothing needs to be added to ``LOCALE_PATHS``.
- Only the DX scenarios are listed (the sdk's sample blocks are hidden).
- The database is ``$DX_WORKBENCH_DB`` (default ``var/xblock-workbench.sqlite3``); create it with
  ``migrate --run-syncdb`` (the 0.14.0 wheel ships no migrations for the workbench app).
- Published events (``grade``, ``completion``, ``dx_assessment.submission``) are logged to the console.
- ``djpyfs`` (from ``XBlock[django]``) is only installed as an app where it is importable.
"""

import importlib.util
import os
import secrets

from workbench.settings import *  # noqa: F403
from workbench.settings import INSTALLED_APPS, MIDDLEWARE

DEBUG = True  # the runserver must serve the workbench's static files; never expose this server
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
SECRET_KEY = os.environ.get("DX_WORKBENCH_SECRET_KEY") or secrets.token_urlsafe(50)

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語"), ("en", "English")]
TIME_ZONE = "Asia/Tokyo"
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    *(name for name in MIDDLEWARE if name != "django.contrib.sessions.middleware.SessionMiddleware"),
]
INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "djpyfs" or importlib.util.find_spec("djpyfs")]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("DX_WORKBENCH_DB", "var/xblock-workbench.sqlite3"),
    }
}

EXCLUDED_XBLOCKS = {
    "allscopes_demo",
    "attempts_scoreboard_demo",
    "equality_demo",
    "filethumbs",
    "helloworld_demo",
    "html_demo",
    "problem_demo",
    "sidebar_demo",
    "slider_demo",
    "textinput_demo",
    "thumbs",
    "view_counter_demo",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(name)s %(levelname)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "workbench.runtime": {"handlers": ["console"], "level": "INFO"},
        "django.request": {"handlers": ["console"], "level": "WARNING"},
    },
}
