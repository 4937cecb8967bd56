"""The organisation in the Wagtail admin: departments and staff (read-only, from HR data) and imports."""

from django.urls import include, path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from lms_site.admin_menu import ExtraMenuItemsMixin

from . import admin_urls
from .admin_audit import StaffIndexView, StaffInspectView
from .models import AdvisorContract, Department, StaffProfile


class ViewOnlyPermissionPolicy(ModelPermissionPolicy):
    """Departments and staff come from the HR system (CSV import); the admin only shows them."""

    def user_has_permission(self, user, action):
        return action in {"view", "inspect"} and super().user_has_permission(user, "view")

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


register_permission_policy(Department, ViewOnlyPermissionPolicy(Department))
register_permission_policy(StaffProfile, ViewOnlyPermissionPolicy(StaffProfile))


class DepartmentViewSet(ModelViewSet):
    model = Department
    icon = "group"
    menu_label = _("所属")
    list_display = ["name", "code", "kind", "name_en", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code", "name_en"]
    inspect_view_enabled = True
    ordering = ["path"]
    form_fields = ["name", "name_en", "is_active"]


class StaffProfileViewSet(ModelViewSet):
    model = StaffProfile
    icon = "user"
    menu_label = _("職員")
    list_display = [
        "employee_number",
        "family_name",
        "given_name",
        "job_grade",
        "job_category",
        "hire_year",
        "is_active",
    ]
    list_filter = ["job_grade", "job_category", "is_active"]
    search_fields = ["employee_number", "family_name", "given_name", "family_name_kana", "given_name_kana"]
    inspect_view_enabled = True
    form_fields = ["family_name", "given_name"]
    index_view_class = StaffIndexView  # both write the personal-data access log
    inspect_view_class = StaffInspectView


class AdvisorContractViewSet(ModelViewSet):
    model = AdvisorContract
    icon = "user"
    menu_label = _("外部人材の契約")
    list_display = ["advisor", "municipality", "starts_on", "ends_on", "note"]
    list_filter = ["municipality"]
    search_fields = ["advisor__username", "advisor__last_name", "advisor__first_name", "note"]
    panels = [  # panels, so that the form is the model's ``base_form_class`` (choices by editor)
        FieldPanel("advisor"),
        FieldPanel("municipality"),
        FieldRowPanel([FieldPanel("starts_on"), FieldPanel("ends_on")]),
        FieldPanel("note"),
    ]


class OrganisationGroup(ExtraMenuItemsMixin, ViewSetGroup):
    extra_menu_items = [
        {
            "label": _("職員データ取込"),
            "url": reverse_lazy("organisation_admin:staff_import_list"),
            "permission": "organisation.import_staff",
            "icon_name": "upload",
        }
    ]
    menu_label = _("組織")
    menu_icon = "site"
    items = (DepartmentViewSet, StaffProfileViewSet, AdvisorContractViewSet)


@hooks.register("register_admin_viewset")
def register_organisation_viewsets():
    return OrganisationGroup()


@hooks.register("register_admin_urls")
def register_organisation_admin_urls():
    return [path("organisation/", include((admin_urls, "organisation_admin")))]
