from django.views.generic import TemplateView


class ReferenceView(TemplateView):
    """The browsable reference: Swagger UI from our own static files (no CDN), reading /api/schema/."""

    template_name = "api/reference.html"
