"""The competency framework in the Wagtail admin: one menu, 能力フレームワーク, with its versions, areas,
competencies and levels (viewed with Django model permissions), plus import, export and version management.

A registered framework version is never changed in place (ADR 0011): nobody — advisor, HR or the
administrator — adds, edits or deletes a version or a row inside one here. A change is a new version
(import under a new 版, or 新しい版を作成), made by HR or the administrator.
"""

import django_filters
from django.urls import include, path, reverse, reverse_lazy
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.menus import MenuItem as ListingMenuItem
from wagtail.admin.ui.tables import BooleanColumn
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from lms_site.admin_menu import ExtraMenuItemsMixin

from . import admin_urls, selectors
from .admin_views import CHANGE_PERMISSION, IMPORT_PERMISSION, VIEW_PERMISSION
from .forms import CompetencyAreaForm, CompetencyForm, CompetencyMappingForm, ProficiencyLevelForm
from .models import Competency, CompetencyArea, CompetencyFramework, CompetencyMapping, ProficiencyLevel


class RegisteredVersionPolicy(ModelPermissionPolicy):
    """Viewing needs the model's view permission; adding, changing and deleting are refused to everyone.

    Every framework row belongs to a registered version, and a registered version is never rewritten:
    the admin's add, edit and delete views (GET and POST alike) and their buttons follow this policy.
    """

    READ_ONLY = frozenset({"add", "change", "delete"})

    def user_has_permission(self, user, action):
        return action not in self.READ_ONLY and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission([a for a in actions if a not in self.READ_ONLY])


# Registered before the viewsets below read their policy (Wagtail would otherwise make a default one).
for _model in (CompetencyFramework, CompetencyArea, Competency, ProficiencyLevel):
    register_permission_policy(_model, RegisteredVersionPolicy(_model), exact_class=True)


class FrameworkIndexView(IndexView):
    """The list of versions, with import in the header and export / versioning on each row."""

    @property
    def header_buttons(self):
        buttons = super().header_buttons
        if self.request.user.has_perm(IMPORT_PERMISSION):
            buttons.append(
                HeaderButton(
                    _("ファイルから取り込む"),
                    url=reverse("competencies_admin:framework_import"),
                    icon_name="upload",
                )
            )
        return buttons

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        user = self.request.user

        def url(name: str, *args) -> str:
            return reverse(f"competencies_admin:{name}", args=[instance.pk, *args])

        if user.has_perm(VIEW_PERMISSION):
            csv_url, case_url = url("framework_export", "csv"), url("framework_export", "case")
            buttons.append(ListingMenuItem(_("CSVで書き出す"), csv_url, "download", 40))
            buttons.append(ListingMenuItem(_("CASE(JSON)で書き出す"), case_url, "download", 41))
        if user.has_perm(IMPORT_PERMISSION):
            buttons.append(ListingMenuItem(_("新しい版を作成"), url("framework_new_version"), "copy", 42))
        if user.has_perm(CHANGE_PERMISSION) and not (instance.is_current or instance.is_reference):
            buttons.append(ListingMenuItem(_("現行版にする"), url("framework_set_current"), "tick", 43))
        return buttons


MAPPINGS_LABEL = _("対応付け(CASE)")


def _mapping_lines(mappings, *, from_reference: bool) -> str:
    """One line per mapping, naming the other side's framework, code and name, and the relation."""
    lines = []
    for mapping in mappings:
        other = mapping.competency if from_reference else mapping.reference
        lines.append(f"{mapping.get_relation_display()}: {other.framework} / {other.code} {other.name}")
    return _html_list(lines)


def _html_list(lines: list[str]) -> str:
    if not lines:
        return "-"
    return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((line,) for line in lines)))


class CompetencyInspectView(InspectView):
    """A competency with its mappings: reference items for ours, our competencies for a reference's."""

    def get_field_label(self, field_name, field):
        return MAPPINGS_LABEL if field_name == "mappings" else super().get_field_label(field_name, field)

    def get_mappings_display_value(self):
        competency = self.object
        from_reference = competency.framework.is_reference
        related = competency.mapped_from if from_reference else competency.mappings
        mappings = related.select_related(
            "competency__framework" if from_reference else "reference__framework"
        ).order_by("pk")
        return _mapping_lines(mappings, from_reference=from_reference)


class FrameworkInspectView(InspectView):
    def get_field_label(self, field_name, field):
        return MAPPINGS_LABEL if field_name == "mappings" else super().get_field_label(field_name, field)

    def get_mappings_display_value(self):
        framework = self.object
        mappings = selectors.mappings_of(framework=framework).select_related(
            "competency__framework", "reference__framework"
        )
        lines = []
        for mapping in mappings:
            ours, theirs = mapping.competency, mapping.reference
            lines.append(
                f"{ours.code} {ours.name} — {mapping.get_relation_display()} — "
                f"{theirs.framework} / {theirs.code} {theirs.name}"
            )
        return _html_list(lines)


class CompetencyIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("area", "framework")


class AreaIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("framework")


def _tick(model, name: str) -> BooleanColumn:
    """A tick instead of "True" for a boolean field, labelled and sortable like the field."""
    return BooleanColumn(name, label=model._meta.get_field(name).verbose_name, sort_key=name)


def _area_label(area: CompetencyArea) -> str:
    return f"{area.framework} / {area}"


class CompetencyFilterSet(WagtailFilterSet):
    """Areas are named with their version: every version has an area A."""

    area = django_filters.ModelChoiceFilter(
        label=_("能力領域"), queryset=CompetencyArea.objects.select_related("framework")
    )

    class Meta:
        model = Competency
        fields = ["framework", "area", "is_core"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.form.fields["area"].label_from_instance = _area_label


class FrameworkViewSet(ModelViewSet):
    model = CompetencyFramework
    name = "competency_framework"
    url_prefix = "competencies/frameworks"
    icon = "form"
    menu_label = _("フレームワーク(版)")
    menu_name = "competency-frameworks"
    index_view_class = FrameworkIndexView
    list_display = [
        "title",
        "version",
        _tick(CompetencyFramework, "is_current"),
        _tick(CompetencyFramework, "is_reference"),
        "updated_at",
    ]
    list_filter = ["is_current", "is_reference"]
    search_fields = ["title", "title_en", "version"]
    inspect_view_enabled = True
    inspect_view_class = FrameworkInspectView
    inspect_view_fields = [
        "title",
        "title_en",
        "version",
        "source",
        "description",
        "is_current",
        "is_reference",
        "identifier",
        "mappings",
    ]
    copy_view_enabled = False
    form_fields = ["title", "title_en", "version", "source", "description"]


class MappingIndexView(IndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("competency__framework", "reference__framework")
            .order_by("competency__framework", "competency__sort_order", "competency__code", "pk")
        )


class MappingFilterSet(WagtailFilterSet):
    reference__framework = django_filters.ModelChoiceFilter(
        label=_("参照フレームワーク"), queryset=CompetencyFramework.objects.filter(is_reference=True)
    )
    competency__framework = django_filters.ModelChoiceFilter(
        label=_("自分たちのフレームワーク(版)"),
        queryset=CompetencyFramework.objects.filter(is_reference=False),
    )

    class Meta:
        model = CompetencyMapping
        fields = ["relation"]


class CompetencyMappingViewSet(ModelViewSet):
    """Mappings of our competencies to reference frameworks' items: model permissions (the system
    administrator adds, changes and deletes; those who read the framework read them)."""

    model = CompetencyMapping
    name = "competency_mapping"
    url_prefix = "competencies/mappings"
    icon = "link"
    menu_label = _("対応付け(参照フレームワーク)")
    menu_name = "competency-mappings"
    index_view_class = MappingIndexView
    list_display = ["competency", "relation", "reference", "note"]
    filterset_class = MappingFilterSet
    inspect_view_enabled = True
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return CompetencyMappingForm


class CompetencyAreaViewSet(ModelViewSet):
    model = CompetencyArea
    name = "competency_area"
    url_prefix = "competencies/areas"
    icon = "folder-open-inverse"
    menu_label = _("能力領域")
    menu_name = "competency-areas"
    index_view_class = AreaIndexView
    list_display = ["code", "name", "name_en", "framework", "sort_order"]
    list_filter = ["framework"]
    search_fields = ["code", "name", "name_en"]
    inspect_view_enabled = True
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return CompetencyAreaForm


class CompetencyViewSet(ModelViewSet):
    model = Competency
    name = "competency"
    url_prefix = "competencies/competencies"
    icon = "list-ul"
    menu_label = _("能力項目")
    menu_name = "competency-competencies"
    index_view_class = CompetencyIndexView
    list_display = ["code", "name", "area", _tick(Competency, "is_core"), "framework"]
    filterset_class = CompetencyFilterSet
    search_fields = ["code", "name", "name_en", "description"]
    inspect_view_enabled = True
    inspect_view_class = CompetencyInspectView
    inspect_view_fields = [
        "framework",
        "area",
        "code",
        "name",
        "name_en",
        "description",
        "description_en",
        "source_mapping",
        "is_core",
        "uri",
        "identifier",
        "mappings",
    ]

    def get_form_class(self, for_update=False):
        return CompetencyForm


class ProficiencyLevelViewSet(ModelViewSet):
    model = ProficiencyLevel
    name = "proficiency_level"
    url_prefix = "competencies/levels"
    icon = "pick"
    menu_label = _("習熟度レベル")
    menu_name = "competency-levels"
    list_display = ["level", "name", "name_en", "framework"]
    list_filter = ["framework"]
    inspect_view_enabled = True
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return ProficiencyLevelForm


class CompetencyFrameworkGroup(ExtraMenuItemsMixin, ViewSetGroup):
    extra_menu_items = [
        {
            "label": _("ファイルから取り込む"),
            "url": reverse_lazy("competencies_admin:framework_import"),
            "permission": IMPORT_PERMISSION,
            "icon_name": "upload",
            "name": "competency-import",
        }
    ]
    menu_label = _("能力フレームワーク")
    menu_name = "competency-framework"
    menu_icon = "form"
    items = (
        FrameworkViewSet,
        CompetencyAreaViewSet,
        CompetencyViewSet,
        ProficiencyLevelViewSet,
        CompetencyMappingViewSet,
    )


@hooks.register("register_admin_viewset")
def register_competency_viewsets():
    return CompetencyFrameworkGroup()


@hooks.register("register_admin_urls")
def register_competency_admin_urls():
    return [path("competencies/io/", include((admin_urls, "competencies_admin")))]
