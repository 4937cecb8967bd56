"""Wagtail admin views of staff that write the personal-data access log (ADR 0014): the listing (and its
results fragment and any spreadsheet export) and the inspect page."""

from wagtail.admin.views.generic.models import IndexView, InspectView

from .services import personal_data_access_log

MAX_PARAMETER = 100  # characters kept of each query parameter


def query_parameters(request) -> dict:
    """The request's query string as a dict (lists only where a key repeats), each value shortened."""
    return {
        key: values[0][:MAX_PARAMETER] if len(values) == 1 else [v[:MAX_PARAMETER] for v in values]
        for key, values in request.GET.lists()
    }


class AuditedIndexView(IndexView):
    audit_view = ""

    def render_to_response(self, context, **response_kwargs):
        view = f"{self.audit_view}_{self.request.GET['export']}" if self.is_export else self.audit_view
        personal_data_access_log(
            viewer=self.request.user,
            view=view,
            parameters=query_parameters(self.request),
            rows=len(context["object_list"]),
        )
        return super().render_to_response(context, **response_kwargs)


class AuditedInspectView(InspectView):
    audit_view = ""

    def get_context_data(self, **kwargs):
        personal_data_access_log(
            viewer=self.request.user,
            view=self.audit_view,
            parameters={"pk": str(self.pk)},
            rows=1,
            subject=self.object,
        )
        return super().get_context_data(**kwargs)


class StaffIndexView(AuditedIndexView):
    audit_view = "admin_staff_list"


class StaffInspectView(AuditedInspectView):
    audit_view = "admin_staff_inspect"
