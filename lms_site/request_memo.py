"""Values read once per page view: ``memoized(key, compute)``.

Several parts of one page ask the same question of the database (/me/ asked for the current competency
framework and the programme in force twice each: once for the profile, once for the certification path).
Within a GET or HEAD request, ``memoized`` answers the second time from the first; outside a request (tasks,
commands, tests calling selectors) and in requests that may write (POST and the rest), it computes every
time, so a view that changes something and reads it back sees its change. Only for values that are the
same for the whole request (content such as the framework or a programme, never a per-object query that a
view could change between two reads).
"""

from collections.abc import Callable, Hashable
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")

_memo: ContextVar[dict | None] = ContextVar("dx_request_memo", default=None)
READ_ONLY = ("GET", "HEAD")


def memoized(key: Hashable, compute: Callable[[], T]) -> T:
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


class RequestMemoMiddleware:
    """Opens a memo for each GET or HEAD request and drops it with the response."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in READ_ONLY:
            return self.get_response(request)
        token = _memo.set({})
        try:
            return self.get_response(request)
        finally:
            _memo.reset(token)
