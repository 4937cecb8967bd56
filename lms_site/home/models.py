"""The site's home page, a Wagtail page at the root of the site."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import blocks, hooks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from .next_steps import next_steps


class HomePage(Page):
    """Welcome page: what the programme is, and where each role starts."""

    lead = models.CharField(
        _("リード文"), max_length=255, blank=True, help_text=_("見出しの下に表示する一文")
    )
    intro = RichTextField(_("紹介文"), blank=True, features=["bold", "link", "ul", "ol"])
    body = StreamField(
        [
            ("heading", blocks.CharBlock(label=_("見出し"), form_classname="title")),
            ("paragraph", blocks.RichTextBlock(label=_("段落"), features=["bold", "link", "ul", "ol"])),
        ],
        blank=True,
        verbose_name=_("本文"),
    )

    content_panels = [*Page.content_panels, FieldPanel("lead"), FieldPanel("intro"), FieldPanel("body")]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("ホームページ")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["next_steps"] = next_steps(request)
        return context

    def route(self, request, path_components):
        """Apps that can find a deep page by its address in fewer queries than Wagtail's two per level
        answer first (the ``route_from_home`` hook: ``fn(home, request, path_components)`` → a
        ``RouteResult``, or None to pass); anything they pass on is routed by Wagtail."""
        for route in hooks.get_hooks("route_from_home"):
            found = route(self, request, path_components)
            if found is not None:
                return found
        return super().route(request, path_components)
