"""Learning records to the municipality's xAPI Learning Record Store (issue 16): statements, 1.0.3.

What goes, of the municipality's staff:

* a lesson completed (``courses.LessonCompletion.completed_at``): ``completed`` the lesson (its URL), with
  the course it belongs to as ``context.contextActivities.parent`` (the course's activity, as below);
* a course completed (``courses.Enrollment.completed_at``): ``completed`` the course;
* a quiz passed or failed (a graded ``assessments.Attempt``, at ``finished_at``), with its score,
  ``result.duration`` (finished − started) and the attempt as ``context.registration`` (a UUID 5 of the
  attempt, so every statement about one attempt can be read back together);
* a competency level reached (``certification.CompetencyLevel.updated_at``): ``achieved`` the competency
  as an objective (its CASE URI), ``result.score.raw`` the level on the framework's scale. The level
  table holds each person's current level only, so what goes is the level a row holds when it is read:
  2 and later 3 are two statements (the level is in the id); a recompute that finds the level unchanged
  does not write the row (``levels_recompute_many``), so nothing goes again. A level lowered by a
  recompute (evidence withdrawn) goes out as the level now held; the earlier statement is not voided;
* a certificate earned (``certification.Certificate``: "earned" the qualification programme, as an Open
  Badge is) and, when HR revokes one, a statement voiding that "earned" statement.

Who did it is an ``account`` only: the site's base URL and the employee number, never a name or an
e-mail address. Each statement's ``id`` is a UUID 5 over what it records, so sending a record again is
idempotent at the LRS. The statements pass Learning Locker's validator (``tools/xapi-validator``).

``send_pending`` posts what came after the endpoint's high-water mark in batches, oldest first, and moves
the mark only after the LRS accepted a batch; a failure is recorded on the endpoint and logged, and the
next run tries again from the same mark. Records younger than ``SETTLE`` wait for the next run, so that a
transaction committing a slightly older timestamp after a run is not skipped. One run at a time sends to a
store: a run takes the endpoint's lease (``sending_until``, a conditional UPDATE, so two processes cannot
both take it), renews it at each batch and gives it back at the end; a run that finds it held sends nothing.
"""

from __future__ import annotations

import datetime
import ipaddress
import logging
import uuid
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lms_site import sealing

logger = logging.getLogger(__name__)

BATCH = 100
SETTLE = datetime.timedelta(minutes=1)
LEASE = datetime.timedelta(minutes=10)  # well over one batch's time out (TIMEOUT) and its database work
TIMEOUT = 30
VERSION = "1.0.3"
NAMESPACE = uuid.UUID("6c1f3b1e-8f57-5b1e-9a43-1d0f5e2a7c90")  # of this platform's statement ids
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
PASSED = "http://adlnet.gov/expapi/verbs/passed"
FAILED = "http://adlnet.gov/expapi/verbs/failed"
EARNED = "http://id.tincanapi.com/verb/earned"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
ACHIEVED = "https://w3id.org/xapi/dod-isd/verbs/achieved"
VERB_NAMES = {
    COMPLETED: {"ja-JP": "修了した", "en-US": "completed"},
    PASSED: {"ja-JP": "合格した", "en-US": "passed"},
    FAILED: {"ja-JP": "不合格だった", "en-US": "failed"},
    EARNED: {"ja-JP": "取得した", "en-US": "earned"},
    VOIDED: {"ja-JP": "取り消した", "en-US": "voided"},
    ACHIEVED: {"ja-JP": "到達した", "en-US": "achieved"},
}
COURSE = "http://adlnet.gov/expapi/activities/course"
LESSON = "http://adlnet.gov/expapi/activities/lesson"
OBJECTIVE = "http://adlnet.gov/expapi/activities/objective"
ASSESSMENT = "http://adlnet.gov/expapi/activities/assessment"
BADGE = "http://activitystrea.ms/schema/1.0/badge"
LOOPBACK_NAMES = {"localhost"}


# --- the secret, sealed at rest -------------------------------------------------------------------------


def seal(text: str) -> str:
    return sealing.seal(text, purpose=b"lrs")


def unseal(sealed: str) -> str:
    return sealing.unseal(sealed, purpose=b"lrs")


def endpoint_problem(url: str) -> str | None:
    """Why this statements URL is refused, or None: https, or http to a loopback address only."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        return _("URL の形式が正しくありません")
    if not host or parts.scheme not in ("https", "http"):
        return _("https:// で始まる URL を指定してください")
    if parts.username or parts.password or parts.query or parts.fragment:
        return _("URL に認証情報・クエリ・フラグメントは含められません")
    if parts.scheme == "http":
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = host in LOOPBACK_NAMES
        if not loopback:
            return _("http はループバックアドレスにのみ使えます。https を指定してください")
    return None


# --- statements ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    """One learning record, in sending order: ``(time, key)``."""

    time: datetime.datetime
    key: str  # "attempt:000000000042" or "enrollment:000000000007": sorts as the order of sending
    statement: dict


# The kinds of record, each a table read after the mark. Lower-case ASCII letters only: ":" sorts before
# every letter, so two keys compare as their kinds do (as strings) and then as their primary keys do (12
# digits, zero-padded), which is what ``_after`` relies on (tests/api/test_xapi.py checks it).
KINDS = ("attempt", "certificate", "enrollment", "lesson", "level", "revocation")


def _key_of(kind: str, pk: int) -> str:
    if kind not in KINDS:
        raise ValueError(f"not a kind of record: {kind!r}")
    return f"{kind}:{pk:012d}"


def _timestamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _base_url() -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


def _absolute(url: str) -> str:
    return url if "://" in url else _base_url() + url


def _context(home: str, municipality, *, about_activity: bool = True) -> dict:
    """The context every statement carries. ``platform`` only when the object is an activity (xAPI
    1.0.3, 2.4.6: "revision" and "platform" MUST only be used if the object is an Activity)."""
    platform = {"platform": settings.WAGTAIL_SITE_NAME} if about_activity else {}
    return platform | {
        "language": "ja-JP",
        "extensions": {f"{home}/xapi/extensions/municipality-code": municipality.code},
    }


def _statement(*, verb: str, employee_number: str, activity: dict, moment, municipality, extra=None) -> dict:
    home = _base_url()
    timestamp = _timestamp(moment)
    identity = "|".join((verb, home, employee_number, activity["id"], timestamp, *(extra or ())))
    return {
        "id": str(uuid.uuid5(NAMESPACE, identity)),
        "actor": {"objectType": "Agent", "account": {"homePage": home, "name": employee_number}},
        "verb": {"id": verb, "display": VERB_NAMES[verb]},
        "object": activity,
        "context": _context(home, municipality),
        "timestamp": timestamp,
    }


def _activity(url: str, kind: str, title: str, title_en: str = "") -> dict:
    # Content has one title, in Japanese; the English name carries it too where there is no English title.
    return {
        "objectType": "Activity",
        "id": url,
        "definition": {"type": kind, "name": {"ja-JP": title, "en-US": title_en or title}},
    }


def _page_url(page, kind: str) -> str:
    """A course's or a lesson's activity id: its page's URL, or one under the site if it has none."""
    return _absolute(page.get_url() or f"/xapi/activities/{kind}/{page.pk}")


def _after(mark_time, mark_key: str, kind: str, time_field: str) -> Q:
    """Rows of this kind after the mark ``(mark_time, mark_key)`` in sending order.

    Sending order is ``(time, key)``, a key being ``kind:pk`` (``_key_of``). A row of this kind is after
    the mark when its time is later, or when its time is the mark's and its key sorts after the mark's
    key: for another kind that is when this kind sorts after the mark's kind (all of its rows, whatever
    their pk), for the mark's own kind when its pk is greater. This holds because kinds are lower-case
    letters only (``KINDS``): keys then compare as ``(kind, pk)`` do, the kind as a string. So each
    table's query returns exactly its rows after the mark, and the first ``limit`` of every table,
    merged and sorted, begin with the first ``limit`` records overall (``pending_records``).
    """
    if mark_time is None:
        return Q()
    later = Q(**{f"{time_field}__gt": mark_time})
    mark_kind, _sep, mark_pk = mark_key.partition(":")
    if kind > mark_kind:
        return later | Q(**{time_field: mark_time})
    if kind == mark_kind:
        return later | Q(**{time_field: mark_time, "pk__gt": int(mark_pk)})
    return later


def pending_records(endpoint, *, limit: int = BATCH, until=None) -> list[Record]:
    """The next ``limit`` records of the endpoint's municipality after its mark, oldest first."""
    from assessments.api import Attempt, AttemptStatus
    from assessments.certification.api import Certificate, CompetencyLevel
    from courses.api import Enrollment, LessonCompletion

    until = until or timezone.now() - SETTLE
    municipality = endpoint.municipality
    mark, mark_key = endpoint.sent_until, endpoint.sent_until_key
    records: list[Record] = []
    course_urls: dict[int, str] = {}

    enrollments = (
        Enrollment.objects.filter(
            _after(mark, mark_key, "enrollment", "completed_at"),
            user__staff_profile__municipality=municipality,
            completed_at__isnull=False,
            completed_at__lte=until,
        )
        .select_related("course", "user__staff_profile")
        .order_by("completed_at", "pk")[:limit]
    )
    for enrollment in enrollments:
        course = enrollment.course
        if course.pk not in course_urls:
            course_urls[course.pk] = _page_url(course, "course")
        records.append(
            Record(
                enrollment.completed_at,
                _key_of("enrollment", enrollment.pk),
                _statement(
                    verb=COMPLETED,
                    employee_number=enrollment.user.staff_profile.employee_number,
                    activity=_activity(course_urls[course.pk], COURSE, course.title),
                    moment=enrollment.completed_at,
                    municipality=municipality,
                ),
            )
        )

    attempts = (
        Attempt.objects.filter(
            _after(mark, mark_key, "attempt", "finished_at"),
            user__staff_profile__municipality=municipality,
            status__in=[AttemptStatus.SUBMITTED, AttemptStatus.EXPIRED],
            passed__isnull=False,
            finished_at__isnull=False,
            finished_at__lte=until,
        )
        .select_related("quiz", "user__staff_profile")
        .order_by("finished_at", "pk")[:limit]
    )
    records.extend(_attempt_record(attempt, municipality) for attempt in attempts)

    certificates = (
        Certificate.objects.filter(
            _after(mark, mark_key, "certificate", "created_at"),
            municipality=municipality,
            user__staff_profile__municipality=municipality,
            created_at__lte=until,
        )
        .select_related("program", "user__staff_profile")
        .order_by("created_at", "pk")[:limit]
    )
    records.extend(_certificate_record(certificate, municipality) for certificate in certificates)

    revoked = (
        Certificate.objects.filter(
            _after(mark, mark_key, "revocation", "revoked_at"),
            municipality=municipality,
            user__staff_profile__municipality=municipality,
            revoked_at__isnull=False,
            revoked_at__lte=until,
        )
        .select_related("program", "user__staff_profile")
        .order_by("revoked_at", "pk")[:limit]
    )
    records.extend(_revocation_record(certificate, municipality) for certificate in revoked)

    completions = (
        LessonCompletion.objects.filter(
            _after(mark, mark_key, "lesson", "completed_at"),
            user__staff_profile__municipality=municipality,
            completed_at__lte=until,
        )
        .select_related("lesson", "user__staff_profile")
        .defer("lesson__body")
        .order_by("completed_at", "pk")[:limit]
    )
    records.extend(_lesson_records(list(completions), municipality, course_urls))

    levels = (
        CompetencyLevel.objects.filter(
            _after(mark, mark_key, "level", "updated_at"),
            user__staff_profile__municipality=municipality,
            updated_at__lte=until,
        )
        .select_related("competency", "user__staff_profile")
        .order_by("updated_at", "pk")[:limit]
    )
    records.extend(_level_records(list(levels), municipality))
    records.sort(key=lambda record: (record.time, record.key))
    return records[:limit]


def _lesson_records(completions: list, municipality, course_urls: dict[int, str]) -> list[Record]:
    """Lessons completed, each with its course (its parent page, one query for all) as the parent."""
    from courses.api import CoursePage

    if not completions:
        return []
    paths = {completion.lesson.course_path for completion in completions}
    courses = {course.path: course for course in CoursePage.objects.filter(path__in=paths)}
    records = []
    for completion in completions:
        lesson = completion.lesson
        statement = _statement(
            verb=COMPLETED,
            employee_number=completion.user.staff_profile.employee_number,
            activity=_activity(_page_url(lesson, "lesson"), LESSON, lesson.title),
            moment=completion.completed_at,
            municipality=municipality,
        )
        course = courses.get(lesson.course_path)
        if course is not None:
            if course.pk not in course_urls:
                course_urls[course.pk] = _page_url(course, "course")
            parent = _activity(course_urls[course.pk], COURSE, course.title)
            statement["context"]["contextActivities"] = {"parent": [parent]}
        records.append(Record(completion.completed_at, _key_of("lesson", completion.pk), statement))
    return records


def competency_activity_id(competency) -> str:
    """A competency's activity id: its URI in the framework's CASE package (the publisher's URI for an
    item of a reference framework, else ``urn:uuid:`` and its CASE identifier, as the export writes)."""
    from courses.competencies.api import node_uri

    return competency.uri or node_uri(competency.identifier)


def _level_records(levels: list, municipality) -> list[Record]:
    """Competency levels reached: the score is the level on the framework's scale (one query for the
    scales' tops; the scale of ``courses.competencies.scale`` where a framework defines no levels)."""
    from courses.competencies.api import LEVEL_MAX, LEVEL_MIN, ProficiencyLevel

    if not levels:
        return []
    frameworks = {level.competency.framework_id for level in levels}
    tops = dict(
        ProficiencyLevel.objects.filter(framework_id__in=frameworks)
        .order_by()
        .values("framework_id")
        .annotate(top=Max("level"))
        .values_list("framework_id", "top")
    )
    records = []
    for row in levels:
        competency = row.competency
        statement = _statement(
            verb=ACHIEVED,
            employee_number=row.user.staff_profile.employee_number,
            activity=_activity(
                competency_activity_id(competency), OBJECTIVE, competency.name, competency.name_en
            ),
            moment=row.updated_at,
            municipality=municipality,
            extra=(f"level {row.level}",),
        )
        top = max(tops.get(competency.framework_id, LEVEL_MAX), row.level)
        statement["result"] = {"score": {"raw": row.level, "min": LEVEL_MIN, "max": top}}
        records.append(Record(row.updated_at, _key_of("level", row.pk), statement))
    return records


def _revocation_record(certificate, municipality) -> Record:
    """A revoked certificate voids its "earned" statement (xAPI 1.0.3, 2.3.2: a StatementRef to it). It
    always follows that statement: a certificate is revoked after it was created."""
    earned = _certificate_record(certificate, municipality).statement
    home = _base_url()
    timestamp = _timestamp(certificate.revoked_at)
    return Record(
        certificate.revoked_at,
        _key_of("revocation", certificate.pk),
        {
            "id": str(uuid.uuid5(NAMESPACE, "|".join((VOIDED, earned["id"], timestamp)))),
            "actor": earned["actor"],
            "verb": {"id": VOIDED, "display": VERB_NAMES[VOIDED]},
            "object": {"objectType": "StatementRef", "id": earned["id"]},
            "context": _context(home, municipality, about_activity=False),
            "timestamp": timestamp,
        },
    )


def _certificate_record(certificate, municipality) -> Record:
    program = certificate.program
    statement = _statement(
        verb=EARNED,
        employee_number=certificate.user.staff_profile.employee_number,
        activity=_activity(_absolute(f"/xapi/activities/program/{program.code}"), BADGE, program.name),
        moment=certificate.created_at,
        municipality=municipality,
        extra=(f"period {certificate.period}",),
    )
    result = {"success": True, "completion": True}
    return Record(
        certificate.created_at, _key_of("certificate", certificate.pk), statement | {"result": result}
    )


def attempt_registration(*, employee_number: str, quiz_id: int, number: int) -> str:
    """The attempt as an xAPI registration: a UUID 5 of who, which quiz and which attempt of theirs, so
    it stays the same on every send (and for any later statement about the same attempt)."""
    quiz = _absolute(f"/quizzes/{quiz_id}/")
    return str(
        uuid.uuid5(NAMESPACE, "|".join(("registration", _base_url(), employee_number, quiz, str(number))))
    )


def _attempt_record(attempt, municipality) -> Record:
    employee_number = attempt.user.staff_profile.employee_number
    statement = _statement(
        verb=PASSED if attempt.passed else FAILED,
        employee_number=employee_number,
        activity=_activity(_absolute(f"/quizzes/{attempt.quiz_id}/"), ASSESSMENT, attempt.quiz.title),
        moment=attempt.finished_at,
        municipality=municipality,
        extra=(f"attempt {attempt.number}",),
    )
    statement["context"]["registration"] = attempt_registration(
        employee_number=employee_number, quiz_id=attempt.quiz_id, number=attempt.number
    )
    return Record(
        attempt.finished_at, _key_of("attempt", attempt.pk), statement | {"result": _result(attempt)}
    )


def _result(attempt) -> dict:
    scaled = (Decimal(attempt.percent or 0) / 100).quantize(Decimal("0.0001"))
    score: dict = {"scaled": float(min(max(scaled, Decimal(0)), Decimal(1)))}
    if attempt.max_points:
        score |= {"raw": float(attempt.points or 0), "min": 0, "max": float(attempt.max_points)}
    result = {"score": score, "success": bool(attempt.passed), "completion": True}
    if attempt.started_at:
        result["duration"] = iso_duration(attempt.finished_at - attempt.started_at)
    return result


def iso_duration(delta: datetime.timedelta) -> str:
    """An ISO 8601 duration in hours, minutes and seconds to the hundredth (xAPI 1.0.3, 4.6: an LRS keeps
    0.01 s), e.g. ``PT1H2M3.45S``; ``PT0S`` for none (or a negative one, which a clock step could give)."""
    hundredths = max((delta + datetime.timedelta(milliseconds=5)) // datetime.timedelta(milliseconds=10), 0)
    hours, hundredths = divmod(hundredths, 360_000)
    minutes, hundredths = divmod(hundredths, 6_000)
    seconds, hundredths = divmod(hundredths, 100)
    text = "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    if hundredths:
        text += f"{seconds}.{hundredths:02d}".rstrip("0") + "S"
    elif seconds or text == "PT":
        text += f"{seconds}S"
    return text


# --- sending ---------------------------------------------------------------------------------------------


class LrsRefused(Exception):
    pass


def post_statements(endpoint, statements: list[dict], *, session=None) -> None:
    """POST one batch; returns if the LRS holds each of its ids afterwards, raises ``LrsRefused`` if not.

    200 and 204: accepted (an LRS keeps one of each id, so ids it already held with the same statement
    are not stored twice). 409: the LRS already holds a *different* statement under one of the ids (sent
    before this platform changed what such a statement carries, e.g. before attempts carried their
    registration) and refuses the whole batch (xAPI 1.0.3, Communication, POST Statements: 409 Conflict;
    Ralph refuses the batch whole). The batch is then sent again one statement at a time, so that the
    others are stored; a single statement refused with 409 is left as the LRS holds it (logged), since
    its id is taken for good. Only such a batch costs one request per statement."""
    session = session or requests
    status, text = _post(endpoint, statements, session)
    if status == 409 and len(statements) > 1:
        for statement in statements:
            _accepted(endpoint, statement, *_post(endpoint, [statement], session))
        return
    _accepted(endpoint, statements[0] if len(statements) == 1 else None, status, text)


def _accepted(endpoint, single: dict | None, status: int, text: str) -> None:
    """Returns if the LRS holds what was posted (``single``: one statement, for a 409); raises if not."""
    if status in (200, 204):
        return
    if status == 409 and single is not None:
        logger.warning(
            "LRS %s (%s) holds a different statement under id %s; left as it is: %s",
            endpoint.pk,
            endpoint.name,
            single.get("id"),
            text[:500],
        )
        return
    raise LrsRefused(f"HTTP {status}: {text[:500]}")


def _post(endpoint, statements: list[dict], session) -> tuple[int, str]:
    response = session.post(
        endpoint.statements_url,
        json=statements,
        auth=(endpoint.key, endpoint.secret),
        headers={"X-Experience-API-Version": VERSION},
        timeout=TIMEOUT,
    )
    return response.status_code, response.text


def _endpoints(endpoint):
    """All endpoints, through the given one's class (``api.models`` imports this module)."""
    return type(endpoint)._default_manager


def _take_lease(endpoint) -> datetime.datetime | None:
    """The lease on the endpoint until a new time, or None if another run holds it."""
    now = timezone.now()
    until = now + LEASE
    taken = (
        _endpoints(endpoint)
        .filter(Q(sending_until__isnull=True) | Q(sending_until__lt=now), pk=endpoint.pk)
        .update(sending_until=until)
    )
    return until if taken else None


def _renew_lease(endpoint, held: datetime.datetime) -> datetime.datetime | None:
    until = timezone.now() + LEASE
    renewed = _endpoints(endpoint).filter(pk=endpoint.pk, sending_until=held).update(sending_until=until)
    return until if renewed else None


def _give_back_lease(endpoint, held: datetime.datetime) -> None:
    _endpoints(endpoint).filter(pk=endpoint.pk, sending_until=held).update(sending_until=None)


def send_pending(endpoint, *, batch: int = BATCH, until=None) -> int:
    """Send what came after the endpoint's mark; the number of statements the LRS accepted.

    Never raises for the LRS's sake: a refusal or a network error is recorded on the endpoint (and
    logged), the mark stays where the last accepted batch left it. Sends nothing while another run holds
    the endpoint's lease."""
    held = _take_lease(endpoint)
    if held is None:
        logger.info("LRS %s (%s): another run is sending; this one leaves it", endpoint.pk, endpoint.name)
        return 0
    try:
        endpoint.refresh_from_db(fields=["sent_until", "sent_until_key"])  # where the last run stopped
        return _send_batches(endpoint, batch=batch, until=until or timezone.now() - SETTLE, held=held)
    finally:
        _give_back_lease(endpoint, endpoint.sending_until or held)


def _send_batches(endpoint, *, batch: int, until, held) -> int:
    sent = 0
    endpoint.sending_until = held
    with requests.Session() as session:
        while records := pending_records(endpoint, limit=batch, until=until):
            try:
                post_statements(endpoint, [record.statement for record in records], session=session)
            except (LrsRefused, requests.RequestException) as error:
                logger.warning("LRS %s (%s) refused statements: %s", endpoint.pk, endpoint.name, error)
                endpoint.last_error = str(error)[:2000]
                endpoint.last_error_at = timezone.now()
                endpoint.save(update_fields=["last_error", "last_error_at"])
                return sent
            sent += len(records)
            last = records[-1]
            with transaction.atomic():
                endpoint.sent_until, endpoint.sent_until_key = last.time, last.key
                endpoint.last_sent_at = timezone.now()
                endpoint.last_error, endpoint.last_error_at = "", None
                endpoint.save(
                    update_fields=[
                        "sent_until",
                        "sent_until_key",
                        "last_sent_at",
                        "last_error",
                        "last_error_at",
                    ]
                )
            if len(records) < batch:
                break
            endpoint.sending_until = _renew_lease(endpoint, endpoint.sending_until)
            if endpoint.sending_until is None:  # lapsed, and another run took it: that run goes on
                logger.warning("LRS %s (%s): the sending lease lapsed; stopping", endpoint.pk, endpoint.name)
                break
    return sent
