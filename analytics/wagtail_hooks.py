"""育成目標 in the Wagtail admin (人事課 may also edit them on /hr/targets/), limited to the user's
municipality."""

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from lms_site.home.next_steps import NextStep

from . import access, selectors
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


@hooks.register("home_next_steps")
def reports_next_steps(request) -> list[NextStep]:
    """HR, 所属長 and DX推進課: the development dashboard, for those it opens for."""
    steps = []
    if request.user.has_perm("analytics.view_prefecture"):
        steps.append(
            NextStep(
                title=gettext("県内市町村の状況"),
                url=reverse("analytics:prefecture"),
                description=gettext("県内の市町村ごとの育成の状況(少人数は秘匿)と推移を確認できます。"),
                order=40,
            )
        )
    if access.viewer_for(request.user) is None:  # the dashboard's own rule: it would refuse them
        return steps
    return [
        *steps,
        NextStep(
            title=gettext("人材育成の分析"),
            url=reverse("analytics:dashboard"),
            description=gettext("部署ごとの能力の充足、育成目標との差、推移と見通しを確認できます。"),
            order=40,
        ),
    ]
