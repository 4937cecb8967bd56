"""The learner's side: launch (the attempt and its CMI data to resume from), the package's files, and the
runtime's commits."""

import json
import mimetypes
import posixpath

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from courses.models import LessonPage
from courses.scorm import cmi, selectors, services
from courses.scorm.models import ScormAttempt
from courses.scorm.storage import package_storage

# The package's own pages: framed only by our lesson page, scripts from the package (authoring tools emit
# inline scripts, and some eval), no plugins, no forms sent anywhere, no <base> elsewhere. The `sandbox`
# directive applies even when a file is opened outside the lesson's frame.
PACKAGE_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'none'",
        "frame-ancestors 'self'",
        "sandbox allow-scripts allow-same-origin",
    )
)


def _refusal(message: str, status: int) -> JsonResponse:
    # scorm-again reads {"result": false, "errorCode": …}; 101 is SCORM's "general exception"
    return JsonResponse({"result": False, "errorCode": 101, "error": message}, status=status)


@login_required
@require_POST
def launch(request, lesson_id: int, package_id: int):
    lesson = get_object_or_404(LessonPage, pk=lesson_id)
    package = selectors.package_for_reader(user=request.user, lesson=lesson, package_id=package_id)
    if package is None:
        raise Http404(_("この SCORM 教材は表示できません。"))
    identifier = request.POST.get("item")
    item = package.first_item() if identifier is None else package.item(identifier)
    if item is None:  # not an item of this package that launches something: nothing is stored
        return _refusal(
            _("項目「%(item)s」はこの SCORM 教材にありません。") % {"item": identifier[:100]}, 404
        )
    attempt = services.attempt_start(
        user=request.user, lesson=lesson, package=package, item=item["identifier"]
    )
    return JsonResponse(
        {
            "version": package.version,
            "item": item["identifier"],
            "cmi": cmi.initial_cmi(version=package.version, attempt=attempt),
            "commit_url": reverse("scorm:commit", args=[attempt.key]),
            "content_url": _content_url(lesson, package, item["launch"]),
            "states": selectors.item_statuses(user=request.user, lesson=lesson, package=package),
        }
    )


def _content_url(lesson, package, launch: str) -> str:
    path, _sep, query = launch.partition("?")  # the item's parameters stay a query string
    url = reverse("scorm:file", args=[lesson.pk, package.pk, path])
    return f"{url}?{query}" if query else url


@login_required
@require_GET
@xframe_options_sameorigin
def package_file(request, lesson_id: int, package_id: int, path: str):
    lesson = get_object_or_404(LessonPage, pk=lesson_id)
    package = selectors.package_for_reader(user=request.user, lesson=lesson, package_id=package_id)
    normal = posixpath.normpath(path)
    if package is None or normal.startswith(("../", "/")) or normal in {"..", "."}:
        raise Http404(_("この SCORM 教材は表示できません。"))
    name = f"{package.storage_key}/{normal}"
    if not package_storage.exists(name):
        raise Http404(_("このファイルはパッケージにありません。"))
    content_type = mimetypes.guess_type(normal)[0] or "application/octet-stream"
    if content_type.startswith("text/") or content_type in {"application/javascript", "image/svg+xml"}:
        content_type += "; charset=utf-8" if "charset" not in content_type else ""
    response = FileResponse(package_storage.open(name), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = PACKAGE_POLICY
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "private, max-age=300"
    return response


def _csrf_refusal(request, data):
    """Django's own CSRF check, run here because a SCO's last commit (at ``LMSFinish`` / ``Terminate``)
    is sent by scorm-again with ``navigator.sendBeacon``, which cannot carry the ``X-CSRFToken`` header:
    the player puts the token in the body (``csrfmiddlewaretoken``) and it is checked the same way, with
    the same cookie and the Origin check. None when the request passes."""
    token = data.get("csrfmiddlewaretoken") if isinstance(data, dict) else None
    if "HTTP_X_CSRFTOKEN" not in request.META and isinstance(token, str):
        request.META["HTTP_X_CSRFTOKEN"] = token
    if CsrfViewMiddleware(lambda request: None).process_view(request, None, (), {}) is None:
        return None
    return _refusal(_("送信元を確認できませんでした(CSRF)。ページを再読み込みしてください。"), 403)


@csrf_exempt  # checked in the view (``_csrf_refusal``), also for a token sent in the body
@login_required
@require_POST
def commit(request, key):
    attempt = (
        ScormAttempt.objects.filter(key=key).select_related("package", "lesson", "user").first()
    )  # another municipality's attempt is not found: the manager is scoped
    if attempt is None:
        return _refusal(_("この受講記録はありません。"), 404)
    if attempt.user_id != request.user.pk:
        return _refusal(_("他の受講者の受講記録には送信できません。"), 403)
    if (
        int(request.META.get("CONTENT_LENGTH") or 0) > cmi.MAX_BODY_BYTES
        or len(request.body) > cmi.MAX_BODY_BYTES
    ):
        return _refusal(
            _("送信データが大きすぎます(上限 %(limit)d KB)。") % {"limit": cmi.MAX_BODY_BYTES // 1024}, 413
        )
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return _refusal(_("送信データが JSON ではありません。"), 400)
    refusal = _csrf_refusal(request, data)
    if refusal is not None:
        return refusal
    try:
        parsed = cmi.commit_parse(version=attempt.package.version, data=data)
    except cmi.CmiRefused as refusal:
        return _refusal(str(refusal), 400)
    services.attempt_commit(attempt=attempt, commit=parsed)
    return JsonResponse({"result": True, "errorCode": 0})
