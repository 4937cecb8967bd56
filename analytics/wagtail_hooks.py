"""育成目標 in the Wagtail admin (人事課 may also edit them on /hr/targets/), limited to the user's
municipality."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import selectors
from .models import DevelopmentTarget


class DevelopmentTargetViewSet(SnippetViewSet):
    model = DevelopmentTarget
    icon = "crosshairs"
    menu_label = _("育成目標")
    menu_order = 400
    add_to_admin_menu = True
    list_display = ["department", "fiscal_year", "leaders", "basic_share"]
    list_filter = ["fiscal_year"]
    ordering = ["-fiscal_year", "department__path"]

    def get_queryset(self, request):
        queryset = DevelopmentTarget.objects.select_related("department")
        if request.user.is_superuser:
            return queryset
        return queryset.filter(department__municipality_id=selectors.municipality_of(request.user))


register_snippet(DevelopmentTargetViewSet)
