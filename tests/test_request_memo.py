"""``lms_site.request_memo``: one answer per GET request, none kept across requests, none in requests that
may write or outside requests."""

from django.http import HttpResponse
from django.test import RequestFactory

from lms_site.request_memo import RequestMemoMiddleware, memoized


def counting():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    return calls, compute


def serve(method: str, view):
    request = getattr(RequestFactory(), method.lower())("/")
    return RequestMemoMiddleware(view)(request)


def test_a_get_request_computes_once_and_the_next_request_again():
    calls, compute = counting()

    def view(request):
        return HttpResponse(f"{memoized('k', compute)},{memoized('k', compute)},{memoized('other', compute)}")

    assert serve("GET", view).content == b"1,1,2"
    assert serve("GET", view).content == b"3,3,4"  # nothing carried over from the last request
    assert len(calls) == 4


def test_a_post_request_and_code_outside_requests_compute_every_time():
    _calls, compute = counting()

    def view(request):
        return HttpResponse(f"{memoized('k', compute)},{memoized('k', compute)}")

    assert serve("POST", view).content == b"1,2"
    assert (memoized("k", compute), memoized("k", compute)) == (3, 4)
