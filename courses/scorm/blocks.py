"""The lesson block that shows a SCORM package: chosen when the package is uploaded (the upload makes the
lesson), rendered for each reader (their own attempt), never from the fragment cache."""

from django import forms
from django.apps import apps
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import blocks


class ScormPackageBlock(blocks.FieldBlock):
    """The package, kept by id (set by the upload, carried as a hidden input by the editor). Its form field
    asks the scoped manager each time it is used, so an editor may keep or submit only a package of their
    own municipalities."""

    def __init__(self, required=True, **kwargs):
        self._required = required
        super().__init__(**kwargs)

    @cached_property
    def target_model(self):
        return apps.get_model("scorm", "ScormPackage")

    @property
    def field(self):  # not cached: the queryset must be taken in the request's scope
        return forms.ModelChoiceField(
            queryset=self.target_model.objects.all(), widget=forms.HiddenInput(), required=self._required
        )

    def to_python(self, value):
        # read through the base manager: the page's own content (search indexing, revisions) is not
        # a request; whoever renders it is checked by ``selectors.scorm_player``
        if isinstance(value, self.target_model) or not value:
            return value or None
        return self.target_model._base_manager.filter(pk=value).first()

    def bulk_to_python(self, values):
        found = self.target_model._base_manager.in_bulk([v for v in values if v])
        return [found.get(value) for value in values]

    def get_prep_value(self, value):
        return value.pk if isinstance(value, self.target_model) else value

    def value_for_form(self, value):
        return self.get_prep_value(value)

    def get_searchable_content(self, value):
        return []


class ScormBlock(blocks.StructBlock):
    package = ScormPackageBlock(label=_("SCORM パッケージ"))

    class Meta:
        icon = "media"
        label = _("SCORM 教材")
        template = "scorm/block.html"
        help_text = _(
            "SCORM 教材は「SCORM 教材の登録」で zip を登録すると、その教材のレッスンとして作られます。"
        )

    def get_context(self, value, parent_context=None):
        from courses.scorm.selectors import scorm_player

        context = super().get_context(value, parent_context=parent_context)
        parent_context = parent_context or {}
        context["player"] = scorm_player(
            request=parent_context.get("request"), lesson=parent_context.get("page"), package=value["package"]
        )
        return context
