"""The list parameters of the CASE 1.0 REST binding's ``getAllCFDocuments`` (ADR 0021), read and checked.

``sort`` names one field of CFDocument; ``orderBy`` is ``asc`` (the default) or ``desc``; ``fields`` is a
comma-separated list of the fields each record keeps; ``filter`` is 1EdTech's selection expression, as the
binding shares it with OneRoster::

    <field><predicate><value> [ AND|OR <field><predicate><value> ... ]

with the predicates ``=``, ``!=``, ``>``, ``>=``, ``<``, ``<=`` and ``~`` (contains), each value in single
quotes (a quote inside a value is written twice). The binding gives AND and OR no precedence, so one
expression uses one of them, not both. Anything else is refused with the field it is about and the binding's
``imsx_codeMinor`` (``invalid_sort_field`` or ``invalid_selection_field``), never ignored.

Pure: no ORM. ``case_provider`` turns a ``ListQuery`` into a query of the database.
"""

import dataclasses
import datetime
import re
import uuid

from django.utils.translation import gettext as _

# What each CFDocument field is, for filtering and sorting: text, the identifier (a UUID), its URI
# ("urn:uuid:" and the identifier), a time, or not comparable (an object).
TEXT, IDENTIFIER, URI, TIME, OBJECT = "text", "identifier", "uri", "time", "object"
SERVED = {
    "identifier": IDENTIFIER,
    "uri": URI,
    "creator": TEXT,
    "title": TEXT,
    "lastChangeDateTime": TIME,
    "description": TEXT,
    "language": TEXT,
    "version": TEXT,
    "notes": TEXT,
    "CFPackageURI": OBJECT,
    "extensions": OBJECT,
}
# Fields of CASE 1.0's CFDocument that no framework here has: a record may be asked for them (it comes without
# them), but nothing can be filtered or sorted by them.
NEVER_SERVED = (
    "officialSourceURL",
    "publisher",
    "subject",
    "subjectURI",
    "adoptionStatus",
    "statusStartDate",
    "statusEndDate",
    "licenseURI",
)
PREDICATES = ("!=", ">=", "<=", "=", ">", "<", "~")  # longest first, for the reader
MAX_FILTER_LENGTH, MAX_PREDICATES = 1000, 10
INVALID_SORT, INVALID_SELECTION = "invalid_sort_field", "invalid_selection_field"

_PREDICATE = re.compile(
    r"\s*(?P<field>[A-Za-z][A-Za-z0-9]*)\s*(?P<op>!=|>=|<=|=|>|<|~)\s*"
    r"(?:'(?P<quoted>(?:[^']|'')*)'|(?P<bare>[^\s']+))\s*"
)
_LOGICAL = re.compile(r"(AND|OR)(?=\s)", re.IGNORECASE)


class QueryError(ValueError):
    """A list parameter that cannot be honoured: which one, the binding's codeMinor and why."""

    def __init__(self, parameter: str, minor: str, message: str) -> None:
        super().__init__(message)
        self.parameter, self.minor, self.message = parameter, minor, message


@dataclasses.dataclass(frozen=True)
class Condition:
    field: str
    predicate: str
    value: str | uuid.UUID | datetime.datetime


@dataclasses.dataclass(frozen=True)
class ListQuery:
    sort: str | None = None
    descending: bool = False
    conditions: tuple[Condition, ...] = ()
    any_of: bool = False  # OR rather than AND
    fields: tuple[str, ...] | None = None


def parse_list_query(params) -> ListQuery:
    """``params``: the request's query parameters (``get(name)`` is enough)."""
    sort, descending = _sort(params.get("sort"), params.get("orderBy"))
    conditions, any_of = parse_filter(params.get("filter"))
    return ListQuery(
        sort=sort,
        descending=descending,
        conditions=conditions,
        any_of=any_of,
        fields=_fields(params.get("fields")),
    )


def _sort(sort: str | None, order_by: str | None) -> tuple[str | None, bool]:
    if order_by is not None and order_by not in ("asc", "desc"):
        raise QueryError("orderBy", INVALID_SORT, _("orderBy は asc か desc にしてください。"))
    if not sort:
        return None, order_by == "desc"
    if SERVED.get(sort, OBJECT) == OBJECT:
        raise QueryError(
            "sort",
            INVALID_SORT,
            _("「%(field)s」では並べ替えられません(%(fields)s のいずれかにしてください)。")
            % {"field": sort[:100], "fields": ", ".join(_comparable())},
        )
    return sort, order_by == "desc"


def _fields(raw: str | None) -> tuple[str, ...] | None:
    if raw is None or not raw.strip():
        return None
    names = tuple(dict.fromkeys(name.strip() for name in raw.split(",") if name.strip()))
    unknown = [name for name in names if name not in SERVED and name not in NEVER_SERVED]
    if unknown:
        raise QueryError(
            "fields",
            INVALID_SELECTION,
            _("CFDocument に「%(fields)s」という項目はありません。") % {"fields": ", ".join(unknown)[:200]},
        )
    return names


def _comparable() -> list[str]:
    return [name for name, kind in SERVED.items() if kind != OBJECT]


def parse_filter(raw: str | None) -> tuple[tuple[Condition, ...], bool]:
    """The conditions of a ``filter`` and whether any of them (OR) rather than all (AND) must hold."""
    if raw is None or not raw.strip():
        return (), False
    if len(raw) > MAX_FILTER_LENGTH:
        raise _filter_error(
            _("filter は%(max)d文字以内にしてください。") % {"max": MAX_FILTER_LENGTH},
        )
    conditions, logicals, position = [], set(), 0
    while True:
        match = _PREDICATE.match(raw, position)
        if match is None:
            raise _filter_error(
                _(
                    "filter の %(at)d 文字目を読めません。「項目='値'」の形で、AND か OR でつないでください"
                    "(例: title~'DX' AND version='2.0')。"
                )
                % {"at": position + 1}
            )
        conditions.append(_condition(match))
        position = match.end()
        if position == len(raw):
            break
        logical = _LOGICAL.match(raw, position)
        if logical is None:
            raise _filter_error(
                _("filter の %(at)d 文字目: 条件のあとは AND か OR にしてください。") % {"at": position + 1}
            )
        logicals.add(logical.group(1).upper())
        position = logical.end()
    if len(logicals) > 1:
        raise _filter_error(_("filter に AND と OR を混ぜることはできません(優先順位が決められていません)。"))
    if len(conditions) > MAX_PREDICATES:
        raise _filter_error(_("filter の条件は%(max)d個までにしてください。") % {"max": MAX_PREDICATES})
    return tuple(conditions), logicals == {"OR"}


def _filter_error(message: str) -> QueryError:
    return QueryError("filter", INVALID_SELECTION, message)


def _condition(match: re.Match) -> Condition:
    field, predicate = match["field"], match["op"]
    value = match["quoted"].replace("''", "'") if match["quoted"] is not None else match["bare"]
    if "\x00" in value:  # no database stores it in text; PostgreSQL refuses it in a query
        raise _filter_error(_("filter の値に NUL 文字は使えません。"))
    kind = SERVED.get(field)
    if kind is None or kind == OBJECT:
        known = field in SERVED or field in NEVER_SERVED
        raise _filter_error(
            (
                _("「%(field)s」では絞り込めません(この提供者の CFDocument にはない項目です)。")
                if known
                else _("CFDocument に「%(field)s」という項目はありません。")
            )
            % {"field": field[:100]}
            + " "
            + _("使える項目: %(fields)s") % {"fields": ", ".join(_comparable())}
        )
    if kind in (IDENTIFIER, URI):
        if predicate not in ("=", "!="):
            raise _filter_error(
                _("「%(field)s」に使える比較は = と != だけです。") % {"field": field},
            )
        return Condition(field, predicate, _identifier(field, value))
    if kind == TIME:
        if predicate == "~":
            raise _filter_error(_("「%(field)s」に ~ は使えません。") % {"field": field})
        return Condition(field, predicate, _time(field, value))
    return Condition(field, predicate, value)


def _identifier(field: str, value: str) -> uuid.UUID | str:
    """A UUID, or the text itself when it is none (then it is nobody's identifier or URI)."""
    text = value.removeprefix("urn:uuid:") if field == "uri" else value
    if field == "uri" and text == value:
        return value
    try:
        return uuid.UUID(text)
    except ValueError:
        return value


def _time(field: str, value: str) -> datetime.datetime:
    """An ISO 8601 time (UTC when it has no offset), in UTC, in years 1000 to 9998 (room to add a second)."""
    try:
        moment = datetime.datetime.fromisoformat(value)
        moment = (moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)).astimezone(datetime.UTC)
    except (ValueError, OverflowError):
        moment = None
    if moment is None or not 1000 <= moment.year <= 9998:
        raise _filter_error(
            _("「%(field)s」の値は ISO 8601 の日時(1000〜9998年)にしてください(例: 2026-04-01T00:00:00Z)。")
            % {"field": field}
        )
    return moment
