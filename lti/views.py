"""The tool's endpoints: OIDC login initiation, launch (resource link and deep linking), JWKS, and the
deep linking picker's answer (ADR 0023).

The platform posts to login and launch from its own origin (often inside an iframe), so both are exempt
from CSRF; what protects them is the OIDC state and nonce PyLTI1p3 checks and the nonce spent here.
"""

from django.contrib.auth import login
from django.http import HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException, OIDCException

from lms_site.identity.services import Refusal
from lms_site.organisation.api import personal_data_access_log
from lms_site.security import origin_of

from . import keys, lineitems, nrps, services
from .models import Registration
from .tool import ToolConf, message_launch, oidc_login, restored_launch

BACKEND = "lms_site.organisation.auth_backends.CachedModelBackend"
DEEP_LINK_SESSION_KEY = "lti_deep_links"
MEMBERS_SESSION_KEY = "lti_members_launch"


def refused(request, result: Refusal, detail: str = "-"):
    services.log_refusal(result.code, detail)
    return render(request, "lti/refused.html", {"refusal": result}, status=403)


@never_cache
@csrf_exempt
@require_http_methods(["GET", "POST"])
def login_initiation(request):
    """Step one: the platform names itself; we send the browser to its authorisation endpoint."""
    conf = ToolConf()
    params = request.POST if request.method == "POST" else request.GET
    issuer = params.get("iss", "")
    if not Registration.objects.filter(issuer=issuer, is_active=True).exists():
        return refused(request, services.refusal("unknown_issuer"), f"iss={issuer[:200]}")
    try:
        return oidc_login(request, conf).redirect(request.build_absolute_uri(reverse("lti:launch")))
    except (LtiException, OIDCException) as error:
        return refused(request, services.library_refusal(error), str(error)[:200])


@never_cache
@csrf_exempt
@require_POST
def launch(request):
    """Step two: the platform posts the id_token; a resource link signs the person in and opens the
    content, a deep linking request shows the picker."""
    claims = services.unverified_claims(request.POST.get("id_token", ""))
    if isinstance(claims, Refusal):
        return refused(request, claims)
    problem = services.registration_refusal(claims)
    if problem is not None:
        return refused(
            request, problem, f"iss={str(claims.get('iss'))[:200]} aud={str(claims.get('aud'))[:200]}"
        )
    conf = ToolConf()
    library = message_launch(request, conf)
    try:
        library.validate()
    except LtiException as error:
        return refused(request, services.library_refusal(error), str(error)[:200])
    registration = conf.found
    claims = library.get_launch_data()
    if library.is_deep_link_launch():
        if (replayed := services.nonce_spend(registration, claims)) is not None:  # one picker per token
            return refused(request, replayed, f"registration={registration.pk} deep linking")
        return deep_link_picker(request, registration, library)
    target = services.target_of((claims.get(services.CUSTOM_CLAIM) or {}).get("target"), registration)
    if target is None:
        return refused(request, services.refusal("unknown_target"))
    user = services.launch_accept(registration, claims, target)
    if isinstance(user, Refusal):
        return refused(request, user, f"registration={registration.pk} sub={str(claims.get('sub'))[:100]}")
    # no line item from the platform: the tool's own, found or made, where the platform lets it
    lineitems.tool_lineitem_link(registration=registration, user=user, claims=claims, target=target)
    login(request, user, backend=BACKEND)
    request.session[services.SESSION_KEY] = {
        "registration": registration.pk,
        "origin": registration.platform_origin,
    }
    if nrps.NRPS_CLAIM in claims and nrps.may_see_members(claims):  # the course's teacher: its members first
        request.session[MEMBERS_SESSION_KEY] = library.get_launch_id()
        return redirect("lti:members")
    return redirect(target.url)


@never_cache
@require_GET
def members(request):
    """The launching course's members (NRPS), for its instructor: who launched this resource, their score.
    Fetched from the LMS for this page only; the access is logged (the names are personal data)."""
    launch_id = request.session.get(MEMBERS_SESSION_KEY)
    registration = Registration.objects.filter(
        pk=request.session.get(services.SESSION_KEY, {}).get("registration")
    ).first()
    if not launch_id or registration is None or not request.user.is_authenticated:
        return HttpResponseForbidden(_("この画面は期限切れです。LMS からもう一度開いてください。"))
    try:
        claims = restored_launch(launch_id, request, ToolConf()).get_launch_data()
    except LtiException:
        return HttpResponseForbidden(_("この画面は期限切れです。LMS からもう一度開いてください。"))
    roster = nrps.course_members(registration=registration, claims=claims)
    if isinstance(roster, Refusal):
        return refused(request, roster, f"registration={registration.pk} members")
    personal_data_access_log(
        viewer=request.user,
        view="lti:members",
        parameters={"registration": registration.pk},
        rows=len(roster.members),
        municipality_id=registration.municipality_id,
    )
    target = services.target_of((claims.get(services.CUSTOM_CLAIM) or {}).get("target"), registration)
    return render(request, "lti/members.html", {"roster": roster, "target": target})


def deep_link_picker(request, registration: Registration, library):
    """The author picks what to embed: live courses, lessons and quizzes offered to the registration's
    municipality."""
    from assessments.api import Quiz
    from courses.api import CoursePage, LessonPage
    from lms_site.organisation.api import offered_to

    launch_id = library.get_launch_id()
    allowed = request.session.get(DEEP_LINK_SESSION_KEY, [])[-9:]
    request.session[DEEP_LINK_SESSION_KEY] = [*allowed, launch_id]
    request.session[services.SESSION_KEY] = {
        "registration": registration.pk,
        "origin": registration.platform_origin,
    }
    # only what is offered to the registration's municipality (ADR 0024): shared, its prefecture's, its
    # own; ``services.target_of`` refuses anything else the answer names
    offered = offered_to(registration.municipality_id)
    pages = {
        model: [(p.pk, p.title) for p in model.objects.live().filter(offered).order_by("title")]
        for model in (CoursePage, LessonPage)
    }
    choices = [
        (_("研修コース"), [(f"course:{pk}", title) for pk, title in pages[CoursePage]]),
        (_("レッスン"), [(f"lesson:{pk}", title) for pk, title in pages[LessonPage]]),
        (
            _("小テスト"),
            [
                (f"quiz:{q.pk}", q.title)
                for q in Quiz._base_manager.filter(offered, live=True).order_by("title")
            ],
        ),
    ]
    return render(
        request,
        "lti/deep_link.html",
        {"launch_id": launch_id, "choices": choices, "registration": registration},
    )


@never_cache
@require_POST
def deep_link_respond(request):
    """The author's choice, as the signed deep linking response posted back to the platform."""
    launch_id = request.POST.get("launch_id", "")
    if launch_id not in request.session.get(DEEP_LINK_SESSION_KEY, []):
        return HttpResponseForbidden(_("この選択画面は期限切れです。LMS からもう一度開いてください。"))
    conf = ToolConf()
    try:
        library = restored_launch(launch_id, request, conf)
    except LtiException:
        return HttpResponseForbidden(_("この選択画面は期限切れです。LMS からもう一度開いてください。"))
    # the registration of the launch being answered (restoring it looked it up), not the session's last
    # one: a launch from another LMS in the same browser must not widen what this one may embed
    chosen_in = conf.found
    target = services.target_of(request.POST.get("target"), chosen_in) if chosen_in else None
    if target is None:
        return refused(request, services.refusal("unknown_target"))
    resource = (
        DeepLinkResource()
        .set_url(request.build_absolute_uri(reverse("lti:launch")))
        .set_custom_params({"target": f"{target.kind}:{target.pk}"})
        .set_title(target.title)
    )
    if target.kind in ("quiz", "course"):
        resource.set_lineitem(_score_lineitem(target))
    deep_link = library.get_deep_link()
    return_url = library.get_launch_data()[
        "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
    ]["deep_link_return_url"]
    request.csp_form_origins = [origin_of(return_url)]
    request.session[DEEP_LINK_SESSION_KEY] = [
        i for i in request.session[DEEP_LINK_SESSION_KEY] if i != launch_id
    ]
    return render(
        request,
        "lti/deep_link_return.html",
        {"return_url": return_url, "jwt": deep_link.get_response_jwt([resource]), "title": target.title},
    )


def _score_lineitem(target):
    from pylti1p3.lineitem import LineItem

    return (
        LineItem()
        .set_score_maximum(lineitems.score_maximum(target))
        .set_label(target.title)
        .set_resource_id(f"{target.kind}:{target.pk}")
    )


@require_GET
def jwks(request):
    """The tool's public keys (the live one and those retired within the grace period)."""
    response = JsonResponse(keys.jwks())
    response["Cache-Control"] = "public, max-age=300"
    return response
