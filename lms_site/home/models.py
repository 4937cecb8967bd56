"""The site's home page, a Wagtail page at the root of the site; and each site's look (``SiteLook``)."""

import math

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail import blocks, hooks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.images import get_image_model_string
from wagtail.models import Page

from lms_site.organisation.api import ChoosableMediaModelForm

from .contrast import AA_TEXT, contrast_ratio, is_hex_colour
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


# The stylesheet's colours that a look replaces or is checked against (lms_site/static/css/site.css).
DEFAULT_PRIMARY = "#0b4f8a"
WHITE = "#ffffff"
SURFACE = "#f3f5f8"
COLOUR_FIELDS = ("accent_colour", "header_colour", "header_text_colour")


def _colour_field(verbose_name, help_text):
    return models.CharField(verbose_name, max_length=7, blank=True, help_text=help_text)


def _colour_widget():
    return forms.TextInput(attrs={"placeholder": "#0B4F8A", "maxlength": 7, "size": 9})


@register_setting(icon="image")
class SiteLook(BaseSiteSetting):
    """A site's own look: its logo and colours (issue 13, ADR 0024). Empty fields keep the platform's.

    Edited in 設定 › サイトの外観 by the 人事課 of the municipality whose site it is (platform-wide: the
    system administrator, every site): ``get_permission_policy``. Every colour must keep the text it
    carries, and the text on it, at WCAG 2.1 AA contrast (4.5:1): ``clean`` refuses one that does not,
    naming it. Read for pages through the shared cache (``look.site_look``), never per request."""

    logo = models.ForeignKey(
        get_image_model_string(),
        verbose_name=_("ロゴ画像"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("ヘッダーのサイト名の前に、高さ 48 ピクセルまでに縮小して表示します。"),
    )
    logo_alt = models.CharField(
        _("ロゴの代替テキスト"),
        max_length=100,
        blank=True,
        help_text=_("画像を読めない人に読み上げる名前。空欄のときは団体名です。"),
    )
    accent_colour = _colour_field(
        _("アクセント色"),
        _(
            "#RRGGBB(例: #0B4F8A)。ヘッダー、ボタン、リンクの色です。白い文字を載せ、白や淡い灰色の背景に"
            "文字として置くため、そのどちらともコントラスト比 4.5:1 以上が必要です。空欄は標準の色です。"
        ),
    )
    header_colour = _colour_field(
        _("ヘッダーの背景色"),
        _("#RRGGBB。空欄のときはアクセント色です。"),
    )
    header_text_colour = _colour_field(
        _("ヘッダーの文字色"),
        _("#RRGGBB。空欄のときは白です。ヘッダーの背景色とのコントラスト比 4.5:1 以上が必要です。"),
    )

    select_related = ["logo"]
    # the logo must be an image the editor may choose: their municipality's, their prefecture's or shared
    base_form_class = ChoosableMediaModelForm
    panels = [
        MultiFieldPanel([FieldPanel("logo"), FieldPanel("logo_alt")], heading=_("ロゴ")),
        MultiFieldPanel(
            [
                FieldPanel("accent_colour", widget=_colour_widget()),
                FieldPanel("header_colour", widget=_colour_widget()),
                FieldPanel("header_text_colour", widget=_colour_widget()),
            ],
            heading=_("色"),
        ),
    ]

    class Meta:
        verbose_name = _("サイトの外観")
        verbose_name_plural = _("サイトの外観")
        constraints = [
            models.CheckConstraint(
                condition=Q(**{name: ""}) | Q(**{f"{name}__regex": r"^#[0-9a-f]{6}$"}),
                name=f"sitelook_{name}_hex",
            )
            for name in COLOUR_FIELDS
        ]

    @classmethod
    def get_permission_policy(cls):
        from .look import OwnSitePermissionPolicy

        return OwnSitePermissionPolicy(cls)

    @classmethod
    def for_site(cls, site):
        """The site's look, unsaved when it has none yet: Wagtail's get-or-create would write a row for
        whoever opens the preview URL of a site they may not change (it checks the permission after)."""
        if site is None:
            raise cls.DoesNotExist("SiteLook does not exist for site None.")
        return cls.base_queryset().filter(site=site).first() or cls(site=site)

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}  # the format first; contrast only of well-formed colours
        for name in COLOUR_FIELDS:
            value = getattr(self, name).strip().lower()
            setattr(self, name, value)
            if value and not is_hex_colour(value):
                errors[name] = _("「%(field)s」は #RRGGBB の形式(例: #0B4F8A)で入力してください。") % {
                    "field": self._meta.get_field(name).verbose_name
                }
        if errors:
            raise ValidationError(errors)
        if self.accent_colour:
            problem = self._accent_problem()
            if problem:
                errors["accent_colour"] = problem
        if self.header_colour or self.header_text_colour:
            background = self.header_colour or self.accent_colour or DEFAULT_PRIMARY
            text = self.header_text_colour or WHITE
            ratio = contrast_ratio(text, background)
            if ratio < AA_TEXT:
                field = "header_text_colour" if self.header_text_colour else "header_colour"
                errors[field] = _(
                    "ヘッダーの文字色 %(text)s と背景色 %(background)s のコントラスト比は %(ratio)s:1 で、"
                    "WCAG 2.1 AA の 4.5:1 に届きません。どちらかの色を変えてください。"
                ) % {"text": text.upper(), "background": background.upper(), "ratio": _ratio(ratio)}
        if errors:
            raise ValidationError(errors)

    def _accent_problem(self) -> str:
        for other, where in (
            (WHITE, _("白(ボタンの文字、ページの背景)")),
            (SURFACE, _("淡い灰色の背景 #F3F5F8(確認問題、絞り込み欄)")),
        ):
            ratio = contrast_ratio(self.accent_colour, other)
            if ratio < AA_TEXT:
                return _(
                    "アクセント色 %(colour)s と%(where)sのコントラスト比は %(ratio)s:1 で、WCAG 2.1 AA の "
                    "4.5:1 に届きません。もっと濃い色にしてください。"
                ) % {"colour": self.accent_colour.upper(), "where": where, "ratio": _ratio(ratio)}
        return ""


def _ratio(ratio: float) -> str:
    """Rounded down: a ratio just under 4.5 must not read as 4.50."""
    return f"{math.floor(ratio * 100) / 100:.2f}"
