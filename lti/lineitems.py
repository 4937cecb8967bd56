"""A line item made by the tool when the platform gave none (AGS 2.0 line item service; ADR 0023).

A launch that carries the AGS claim with the ``lineitems`` URL and the ``lineitem`` scope but no
``lineitem`` (Moodle, for a link placed without "accept grades" configured, or a platform that leaves line
items to the tool) gets one: the tool looks for its own line item of the resource link (same
``resourceLinkId``, ``resourceId`` = our stable id of the content, ``tag``) and makes it when there is
none, with PyLTI1p3's ``find_or_create_lineitem``; the answer is remembered per (registration, line items
URL, resource link, content) in ``ToolLineItem``, so later launches of the link ask nothing. Nothing is
refused for the lack of it: without the scope, without the score scope, or with a line items URL or a
line item off the registration's platform, no grade is posted and the reason is logged.
"""

import logging

from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException
from pylti1p3.lineitem import LineItem
from pylti1p3.service_connector import ServiceConnector
from requests import RequestException

from .models import Registration, ToolLineItem
from .services import (
    AGS_CLAIM,
    LINEITEM_SCOPE,
    RESOURCE_LINK_CLAIM,
    SCORE_SCOPE,
    Target,
    ags_scopes,
    grade_link_remember,
    on_platform,
)
from .tool import library_registration

logger = logging.getLogger("lti")

TAG = "dx-lms"
# What the tool posts out of (outbox): a completed course out of 100, a lesson 1/1; a quiz, its points
# (``score_maximum``).
SCORE_MAXIMUM = {"quiz": 100, "course": 100, "lesson": 1}


def score_maximum(target: Target) -> float:
    """A line item's scoreMaximum for ``target``: a quiz's maximum points as it stands
    (``quiz_max_points``; 100 for a quiz out of nothing, which no attempt can score), else
    ``SCORE_MAXIMUM``."""
    if target.kind == "quiz":
        from assessments.api import Quiz, quiz_max_points

        quiz = Quiz._base_manager.filter(pk=target.pk).first()
        maximum = quiz_max_points(quiz=quiz) if quiz is not None else 0
        if maximum > 0:
            return float(maximum)
    return SCORE_MAXIMUM[target.kind]


class _PlatformLineItems(AssignmentsGradesService):
    """PyLTI1p3's service, matching our line item by resource link, content and tag, and following the
    platform's next pages only on its own host (the service token goes with every request)."""

    def __init__(self, connector, service_data, *, registration: Registration, resource_link_id: str):
        super().__init__(connector, service_data)
        self._registration, self._resource_link_id = registration, resource_link_id

    def find_lineitem(self, prop_name, prop_value):
        url = self._service_data["lineitems"]
        while url and on_platform(self._registration, url):
            lineitems, url = self.get_lineitems_page(url)
            for item in lineitems:
                if (
                    isinstance(item, dict)
                    and item.get(prop_name) == prop_value
                    and item.get("resourceLinkId") == self._resource_link_id
                    and item.get("tag") == TAG
                ):
                    return LineItem(item)
        return None


def _why_not(registration: Registration, claims: dict) -> str | None:
    endpoint = claims.get(AGS_CLAIM)
    if not isinstance(endpoint, dict):
        return "no AGS claim"
    if isinstance(endpoint.get("lineitem"), str):
        return "the platform gave a line item"
    scopes = ags_scopes(claims)
    if SCORE_SCOPE not in scopes:
        return "no score scope"
    if LINEITEM_SCOPE not in scopes:
        return "no line item scope (the platform does not let the tool make line items)"
    if not on_platform(registration, endpoint.get("lineitems")):
        return "the line items URL is not on the registration's platform"
    resource_link = claims.get(RESOURCE_LINK_CLAIM)
    rl_id = resource_link.get("id") if isinstance(resource_link, dict) else None
    if not isinstance(rl_id, str) or not rl_id or len(rl_id) > 255:
        return "no resource link id"
    return None


def tool_lineitem_link(*, registration: Registration, user, claims: dict, target: Target) -> str | None:
    """After an accepted launch: the line item the tool found or made for the launched resource link, and
    the learner's grades linked to it; None (logged why) when there is none to be had. Never raises."""
    if (reason := _why_not(registration, claims)) is not None:
        if reason != "the platform gave a line item":
            logger.info("LTI: no line item made for registration=%s: %s", registration.pk, reason)
        return None
    lineitems_url = claims[AGS_CLAIM]["lineitems"]
    resource_link_id = claims[RESOURCE_LINK_CLAIM]["id"]
    resource_id = f"{target.kind}:{target.pk}"
    key = {
        "registration": registration,
        "lineitems_url": lineitems_url,
        "resource_link_id": resource_link_id,
        "resource_id": resource_id,
    }
    known = ToolLineItem.objects.filter(**key).values_list("lineitem_url", flat=True).first()
    if known is None:
        wanted = (
            LineItem()
            .set_label(target.title[:255])
            .set_score_maximum(score_maximum(target))
            .set_resource_id(resource_id)
            .set_resource_link_id(resource_link_id)
            .set_tag(TAG)
        )
        service = _PlatformLineItems(
            ServiceConnector(library_registration(registration)),
            {"scope": ags_scopes(claims), "lineitems": lineitems_url},
            registration=registration,
            resource_link_id=resource_link_id,
        )
        try:
            made = service.find_or_create_lineitem(wanted, find_by="resource_id")
        except (LtiException, RequestException, ValueError, KeyError) as error:
            logger.warning("LTI: line item not found or made (registration=%s): %s", registration.pk, error)
            return None
        known = made.get_id()
        if not on_platform(registration, known):
            logger.warning(
                "LTI: line item off the platform ignored: registration=%s %s",
                registration.pk,
                str(known)[:200],
            )
            return None
        known = ToolLineItem.objects.get_or_create(**key, defaults={"lineitem_url": known})[0].lineitem_url
    grade_link_remember(registration=registration, user=user, claims=claims, target=target, url=known)
    return known
