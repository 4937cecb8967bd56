"""/me/'s content, rendered once and kept per learner until any of the rows it was made from changes.

The page's content (the courses in progress, the competency profile, the apps' sections: training dues and
the path to certification) is a function of the learner's own rows, of a few shared tables (the framework,
the programmes, the qualifications, the quizzes, the sites), of the curriculum's pages, of the day, the
language and the site it is served on. ``content`` keeps the rendered HTML in the shared cache under a
key of all of these (ADR 0009, 2026-12-06):

* **whose**: the database, the user's id and the municipalities of the request's scope (so an entry is
  never served to another person, nor to the same person acting in another scope);
* **what it was made from**: a *fingerprint* read from the database on every view, in one query: for each
  source (the querysets the apps register with ``courses.hooks.me_sources_register``, each already limited
  to the learner's rows or a small shared table), the number of rows and the sum of a 64-bit hash of each
  row's physical version (PostgreSQL's ``ctid`` and ``xmin``: every insert, update and delete changes
  them, whether made through the ORM, a bulk statement or raw SQL, and whether or not a signal fired). A
  change to any of them gives a new key: nothing needs to remember to invalidate it;
* the pages (titles, addresses, live lessons): the curriculum version token (``courses.navigation``), which
  every page change replaces at once and on commit;
* **when and how**: today's date (due dates turn overdue, certificates expire), the time zone, the active
  language, the site and host (page addresses are relative to it), and a digest of the code, templates and
  translation catalogues that render it (a release never serves the old rendering).

The fingerprint is read in the same snapshot before any of the content, so an entry can only hold rows
as new as or newer than its key says. When the content has to be rendered, what it reads of the whole
tables (the sources with no condition: the same for everyone) is kept in the process for the next learner
of the same scope, under the part of the fingerprint that names those tables' rows and the curriculum
token (``lms_site.shared_memo``): a learner's first view after a change reads only their own rows. The
form's CSRF token is never cached: the fragment holds a random marker, replaced with the request's token
when served. Only on PostgreSQL with a shared cache
(``seconds()``); elsewhere the content is rendered on every view.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.middleware.csrf import get_token
from django.utils import timezone, translation
from wagtail.models import Site

from courses import hooks
from courses.navigation import VERSION as CURRICULUM
from lms_site import shared_memo

# What renders /me/'s content: its selectors, views and templates, the apps that add sections to it, and the
# translation catalogues (their files' bytes, read once per process).
CODE_ROOTS = ("courses", "assessments", "training", "locale")
CODE_SUFFIXES = (".py", ".html", ".mo")


# How long an entry is kept unread (its key already changes with every row it was made from). Only with a
# shared cache, as the curriculum's (``CURRICULUM_CACHE_SECONDS`` is 0 without Redis); a setting
# ``LEARNER_CACHE_SECONDS`` overrides it (0: off).
DEFAULT_SECONDS = 1800


def seconds() -> int:
    configured = getattr(settings, "LEARNER_CACHE_SECONDS", None)
    if configured is not None:
        return configured
    return DEFAULT_SECONDS if getattr(settings, "CURRICULUM_CACHE_SECONDS", 0) else 0


def enabled() -> bool:
    return bool(seconds()) and connection.vendor == "postgresql"


@cache
def code_digest() -> str:
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.blake2b(digest_size=8)
    for folder in CODE_ROOTS:
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in CODE_SUFFIXES and "__pycache__" not in path.parts and path.is_file():
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def _row_versions(queryset: QuerySet) -> tuple[str, list]:
    """A subquery giving ``count:sum`` of the queryset's rows' version hashes (its own table's rows)."""
    table = connection.ops.quote_name(queryset.query.get_initial_alias())
    # the table's alias from the queryset itself, quoted: no outside text reaches the SQL
    version = RawSQL(f"hashtextextended({table}.ctid::text || '/' || {table}.xmin::text, 0)", [])  # noqa: S611
    inner = queryset.order_by().annotate(dx_row_version=version).values("dx_row_version")
    sql, params = inner.query.get_compiler(using=inner.db).as_sql()
    total = f"(SELECT count(*) || ':' || coalesce(sum(v.dx_row_version), 0) FROM ({sql}) v)"  # noqa: S608
    return total, list(params)


def _statement(user_id: int) -> tuple[str, list, tuple[bool, ...]]:
    """The fingerprint's statement, its parameters, and for each of its columns whether its source is a
    whole table (the same for everyone: no condition) rather than the learner's rows."""
    parts, params, whole = [], [], []
    for queryset in hooks.me_sources(user_id):
        sql, found = _row_versions(queryset)
        parts.append(sql)
        params += found
        whole.append(not queryset.query.where)
    return "SELECT " + ", ".join(parts), params, tuple(whole)


# A user id no row has: the sources are compiled once with it, and if it is their only parameter, the
# statement is kept for the process and each view passes its learner's id in its place.
_PROBE = -7_310_429_581


@cache
def _shared_statement() -> tuple[str, int, tuple[bool, ...]] | None:
    sql, params, whole = _statement(_PROBE)
    return (sql, len(params), whole) if all(value == _PROBE for value in params) else None


def _digest(values) -> str:
    return hashlib.blake2b(repr(values).encode(), digest_size=16).hexdigest()


def fingerprints(user_id: int) -> tuple[str, str]:
    """One query: the versions of every row of the registered sources for ``user_id``, digested; and the
    digest of the whole tables' alone (the same for every learner: ``shared_memo``)."""
    shared = _shared_statement()
    if shared is not None:
        sql, count, whole = shared
        params = [user_id] * count
    else:  # a source with another parameter (e.g. its manager's scope): compiled for each view
        sql, params, whole = _statement(user_id)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return _digest(row), _digest([value for value, is_whole in zip(row, whole, strict=True) if is_whole])


def fingerprint(user_id: int) -> str:
    """One query: the versions of every row of the registered sources for ``user_id``, digested."""
    return fingerprints(user_id)[0]


def _whose(request) -> tuple:
    """(the database, the user's id, the municipalities of the request's scope)."""
    from lms_site.organisation.api import municipalities_of

    # the scope the request runs in (TenantScopeMiddleware's; None: platform-wide)
    if hasattr(request, "municipality_ids"):
        municipalities = request.municipality_ids
    else:  # a request that did not pass the middleware: the scope it would have given
        municipalities = municipalities_of(request.user)
    scope = "all" if municipalities is None else sorted(municipalities)
    return (connection.settings_dict["NAME"], request.user.pk, scope)


def _key(request, versions: str) -> str:
    site = Site.find_for_request(request)
    whose = _whose(request)
    how = (
        timezone.localdate().isoformat(),
        timezone.get_current_timezone_name(),
        translation.get_language(),
        site.pk if site else None,
        request.get_host(),
        code_digest(),
    )
    digest = hashlib.blake2b(repr((whose, how, versions)).encode(), digest_size=20).hexdigest()
    return f"learner:me:{request.user.pk}:{digest}"


def content(request, render: Callable[[str], tuple[str, object]]) -> tuple[str, object]:
    """``render(csrf_marker)`` -> (HTML, extra), from the shared cache when none of its sources changed.

    ``render`` must put ``csrf_marker`` where the CSRF token goes; the request's token replaces it here."""
    if not enabled():
        marker = secrets.token_hex(16)
        html, extra = render(marker)
        return _with_token(request, html, marker), extra
    versions, tables = fingerprints(request.user.pk)
    key = _key(request, versions)
    token, found = CURRICULUM.read(key)
    if found is None:
        marker = secrets.token_hex(16)
        # what it reads of the shared tables, kept for the next learner of this scope until any of their
        # rows, or the pages, change (``shared_memo``)
        database, _user, scope = _whose(request)
        with shared_memo.rows_version((database, str(scope), tables, token)):
            html, extra = render(marker)
        found = (html, extra, marker)
        CURRICULUM.write(key, token, found, timeout=seconds())
    html, extra, marker = found
    return _with_token(request, html, marker), extra


def _with_token(request, html: str, marker: str) -> str:
    return html.replace(marker, get_token(request)) if marker in html else html


def course_sources(user_id: int) -> list[QuerySet]:
    """What the courses app's part of /me/ reads besides the pages: the learner's enrolments, lessons done
    and retakes, their staff record, the competency framework and the sites (page addresses)."""
    from courses.competencies.models import Competency, CompetencyArea, CompetencyFramework
    from courses.models import CourseRetake, Enrollment, LessonCompletion
    from lms_site.organisation.api import StaffProfile

    return [
        Enrollment._base_manager.filter(user_id=user_id),
        LessonCompletion._base_manager.filter(user_id=user_id),
        CourseRetake._base_manager.filter(user_id=user_id),
        StaffProfile._base_manager.filter(user_id=user_id),
        CompetencyFramework._base_manager.all(),
        CompetencyArea._base_manager.all(),
        Competency._base_manager.all(),
        Site._base_manager.all(),
    ]
