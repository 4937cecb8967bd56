"""The part of a SCORM run-time commit the site keeps, checked against the SCORM data model; no ORM.

scorm-again posts its CMI object as JSON (``{"cmi": {...}}``). ``commit_parse`` reads the elements we
store (status, success, score, location, suspend data, session and total time, exit) and raises
``CmiRefused`` naming the element when a value is outside the data model of the package's version (SCORM
1.2: RTE 3.4; SCORM 2004 4th edition: RTE 4.2). Elements we do not keep (interactions, objectives,
learner preferences) are not stored, so they are not checked here.
"""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

MAX_BODY_BYTES = 256 * 1024

STATUS_12 = frozenset({"passed", "completed", "failed", "incomplete", "browsed", "not attempted"})
EXIT_12 = frozenset({"", "time-out", "suspend", "logout"})
COMPLETION_2004 = frozenset({"completed", "incomplete", "not attempted", "unknown"})
SUCCESS_2004 = frozenset({"passed", "failed", "unknown"})
EXIT_2004 = frozenset({"", "time-out", "suspend", "logout", "normal"})
TIMESPAN_12 = re.compile(r"^(\d{2,4}):([0-5]\d):([0-5]\d)(\.\d{1,2})?$")
DURATION_2004 = re.compile(
    r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d{1,2})?)S)?)?$"
)


class CmiRefused(ValueError):
    """A commit outside the SCORM data model; the message names the element."""


@dataclass(frozen=True)
class CmiCommit:
    status: str  # 1.2 cmi.core.lesson_status / 2004 cmi.completion_status
    success_status: str  # 2004 cmi.success_status; for 1.2 passed / failed / unknown from lesson_status
    score_raw: Decimal | None
    score_min: Decimal | None
    score_max: Decimal | None
    score_scaled: Decimal | None
    location: str
    suspend_data: str
    exit: str
    session_time: datetime.timedelta | None
    total_time: datetime.timedelta | None

    def completes(self) -> bool:
        """Whether the learner finished the SCO (a failed one is not finished: it is to be tried again)."""
        return self.status in {"passed", "completed"} and self.success_status != "failed"


def commit_parse(*, version: str, data: object) -> CmiCommit:
    if not isinstance(data, dict) or not isinstance(data.get("cmi"), dict):
        raise CmiRefused(_("送信データに cmi オブジェクトがありません。"))
    cmi = data["cmi"]
    return _parse_12(cmi) if version == "1.2" else _parse_2004(cmi)


def _object(parent: dict, key: str, element: str) -> dict:
    value = parent.get(key, {})
    if not isinstance(value, dict):
        raise CmiRefused(_("%(element)s はオブジェクトである必要があります。") % {"element": element})
    return value


def _text(parent: dict, key: str, element: str, *, limit: int, allowed=None) -> str:
    value = parent.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise CmiRefused(_("%(element)s は文字列である必要があります。") % {"element": element})
    if len(value) > limit:
        raise CmiRefused(
            _("%(element)s が長すぎます(%(length)d 文字。上限は %(limit)d 文字)。")
            % {"element": element, "length": len(value), "limit": limit}
        )
    if allowed is not None and value and value not in allowed:
        raise CmiRefused(
            _("%(element)s の値「%(value)s」は SCORM の語彙にありません(%(allowed)s)。")
            % {"element": element, "value": value[:40], "allowed": ", ".join(sorted(v for v in allowed if v))}
        )
    return value


def _number(parent: dict, key: str, element: str, *, low=None, high=None) -> Decimal | None:
    value = parent.get(key, "")
    if value in ("", None):
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise CmiRefused(_("%(element)s は数値である必要があります。") % {"element": element})
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise CmiRefused(
            _("%(element)s「%(value)s」は数値ではありません。")
            % {"element": element, "value": str(value)[:40]}
        ) from None
    if not number.is_finite() or abs(number) >= 10**7:
        raise CmiRefused(
            _("%(element)s「%(value)s」は数値ではありません。")
            % {"element": element, "value": str(value)[:40]}
        )
    if (low is not None and number < low) or (high is not None and number > high):
        raise CmiRefused(
            _("%(element)s「%(value)s」は範囲外です(%(low)s〜%(high)s)。")
            % {"element": element, "value": value, "low": low, "high": high}
        )
    return number.quantize(Decimal("0.0001"))


def _timespan_12(parent: dict, key: str, element: str) -> datetime.timedelta | None:
    value = _text(parent, key, element, limit=16)
    if not value:
        return None
    match = TIMESPAN_12.match(value)
    if match is None:
        raise CmiRefused(
            _("%(element)s「%(value)s」は HHHH:MM:SS.SS 形式ではありません。")
            % {"element": element, "value": value}
        )
    hours, minutes, seconds, fraction = match.groups()
    return datetime.timedelta(
        hours=int(hours), minutes=int(minutes), seconds=int(seconds) + float(fraction or 0)
    )


def _duration_2004(parent: dict, key: str, element: str) -> datetime.timedelta | None:
    value = _text(parent, key, element, limit=64)
    if not value:
        return None
    match = DURATION_2004.match(value)
    if match is None or value in {"P", "PT"} or value.endswith("T"):
        raise CmiRefused(
            _("%(element)s「%(value)s」は ISO 8601 の期間(例: PT1H5M)ではありません。")
            % {"element": element, "value": value}
        )
    years, months, days, hours, minutes, seconds = (float(part or 0) for part in match.groups())
    return datetime.timedelta(
        days=years * 365 + months * 30 + days, hours=hours, minutes=minutes, seconds=seconds
    )


def _parse_12(cmi: dict) -> CmiCommit:
    core = _object(cmi, "core", "cmi.core")
    score = _object(core, "score", "cmi.core.score")
    status = (
        _text(core, "lesson_status", "cmi.core.lesson_status", limit=20, allowed=STATUS_12) or "not attempted"
    )
    success = status if status in {"passed", "failed"} else "unknown"
    return CmiCommit(
        status=status,
        success_status=success,
        score_raw=_number(score, "raw", "cmi.core.score.raw", low=0, high=100),
        score_min=_number(score, "min", "cmi.core.score.min", low=0, high=100),
        score_max=_number(score, "max", "cmi.core.score.max", low=0, high=100),
        score_scaled=None,
        location=_text(core, "lesson_location", "cmi.core.lesson_location", limit=255),
        suspend_data=_text(cmi, "suspend_data", "cmi.suspend_data", limit=4096),
        exit=_text(core, "exit", "cmi.core.exit", limit=20, allowed=EXIT_12),
        session_time=_timespan_12(core, "session_time", "cmi.core.session_time"),
        total_time=_timespan_12(core, "total_time", "cmi.core.total_time"),
    )


def _parse_2004(cmi: dict) -> CmiCommit:
    score = _object(cmi, "score", "cmi.score")
    completion = _text(cmi, "completion_status", "cmi.completion_status", limit=20, allowed=COMPLETION_2004)
    success = _text(cmi, "success_status", "cmi.success_status", limit=20, allowed=SUCCESS_2004)
    low, high = _number(score, "min", "cmi.score.min"), _number(score, "max", "cmi.score.max")
    return CmiCommit(
        status=completion or "unknown",
        success_status=success or "unknown",
        score_raw=_number(score, "raw", "cmi.score.raw", low=low, high=high),
        score_min=low,
        score_max=high,
        score_scaled=_number(score, "scaled", "cmi.score.scaled", low=-1, high=1),
        location=_text(cmi, "location", "cmi.location", limit=1000),
        suspend_data=_text(cmi, "suspend_data", "cmi.suspend_data", limit=64000),
        exit=_text(cmi, "exit", "cmi.exit", limit=20, allowed=EXIT_2004),
        session_time=_duration_2004(cmi, "session_time", "cmi.session_time"),
        total_time=_duration_2004(cmi, "total_time", "cmi.total_time"),
    )


def initial_cmi(*, version: str, attempt) -> dict:
    """The CMI data a resumed attempt starts from (for scorm-again's ``loadFromJSON``)."""
    resumed = bool(attempt.suspend_data or attempt.location) or attempt.status != "not attempted"
    seconds = int(attempt.total_time.total_seconds())
    if version == "1.2":
        hours, rest = divmod(seconds, 3600)
        core = {
            "lesson_status": attempt.status,
            "entry": "resume" if resumed else "ab-initio",
            "lesson_location": attempt.location,
            "total_time": f"{hours:04d}:{rest // 60:02d}:{rest % 60:02d}",
        }
        if attempt.score_raw is not None:
            core["score"] = {"raw": _decimal(attempt.score_raw)}
        return {"core": core, "suspend_data": attempt.suspend_data}
    data = {
        "completion_status": attempt.status,
        "success_status": attempt.success_status,
        "entry": "resume" if resumed else "ab-initio",
        "location": attempt.location,
        "suspend_data": attempt.suspend_data,
        "total_time": f"PT{seconds}S",
    }
    if attempt.score_raw is not None or attempt.score_scaled is not None:
        data["score"] = {
            key: _decimal(value)
            for key, value in (("raw", attempt.score_raw), ("scaled", attempt.score_scaled))
            if value is not None
        }
    return data


def _decimal(value: Decimal) -> str:
    """90.0000 → "90" (``str(Decimal.normalize())`` would say "9E+1", which the runtime refuses)."""
    return format(value.normalize(), "f")
