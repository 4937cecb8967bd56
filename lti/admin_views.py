"""The municipality's HR in the Wagtail admin (設定 › LMS 連携): its LMS registrations, the courses seen
in their launches, and a course's members fetched live from the LMS (ADR 0023).

Only a person holding ``lti.view_lms_members`` (人事課) who acts in the registration's municipality: anyone
else with admin access gets 403, and another municipality's registration or course is 404, like one that
does not exist. The members are fetched for the page, never stored, and each view is logged as
personal-data access under the registration's municipality.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.defaults import permission_denied
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from lms_site.identity.services import Refusal
from lms_site.organisation.api import personal_data_access_log

from . import nrps, services
from .models import LaunchContext, Registration

PERMISSION = "lti.view_lms_members"


def own_registrations(request):
    """The registrations of the municipalities the person acts in (none for a platform-wide account: a
    course's members are the municipality's HR's to see)."""
    return Registration.objects.filter(municipality_id__in=request.municipality_ids or []).select_related(
        "municipality"
    )


@method_decorator(never_cache, name="dispatch")
class HrView(WagtailAdminTemplateMixin, TemplateView):
    header_icon = "site"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(PERMISSION):
            return permission_denied(request, PermissionDenied())
        return super().dispatch(request, *args, **kwargs)


class RegistrationListView(HrView):
    page_title = _("LMS 連携(LTI)")
    template_name = "lti/admin/registrations.html"

    def get_context_data(self, **kwargs):
        registrations = own_registrations(self.request).prefetch_related("contexts").order_by("name")
        return super().get_context_data(**kwargs) | {"registrations": registrations}


class ContextMembersView(HrView):
    page_title = _("LMS のコース参加者")
    template_name = "lti/admin/members.html"

    def get(self, request, registration_id: int, context_id: int):
        registration = get_object_or_404(own_registrations(request), pk=registration_id)
        context = get_object_or_404(LaunchContext, pk=context_id, registration=registration)
        self.page_subtitle = str(context)
        data = {"registration": registration, "context": context}
        roster = nrps.context_members(registration=registration, context=context)
        if isinstance(roster, Refusal):
            services.log_refusal(roster.code, f"registration={registration.pk} context={context.pk} admin")
            status = 502 if roster.code == "members_unavailable" else 403
            return self.render_to_response(self.get_context_data(refusal=roster, **data), status=status)
        personal_data_access_log(
            viewer=request.user,
            view="lti:context_members",
            parameters={"registration": registration.pk, "context": context.pk},
            rows=len(roster.members),
            municipality_id=registration.municipality_id,
        )
        return self.render_to_response(self.get_context_data(roster=roster, **data))
