"""The organisation in the Wagtail admin: departments and staff (read-only, from HR data) and imports."""

from django.urls import include, path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from . import admin_urls
from .models import Department, StaffProfile


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


class OrganisationGroup(ViewSetGroup):
    menu_label = _("組織")
    menu_icon = "site"
    items = (DepartmentViewSet, StaffProfileViewSet)

    def get_submenu_items(self):
        items = super().get_submenu_items()
        items.append(
            ImportMenuItem(
                _("職員データ取込"),
                reverse_lazy("organisation_admin:staff_import_list"),
                icon_name="upload",
                order=len(items) + 1,
            )
        )
        return items


class ImportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("organisation.import_staff")


@hooks.register("register_admin_viewset")
def register_organisation_viewsets():
    return OrganisationGroup()


@hooks.register("register_admin_urls")
def register_organisation_admin_urls():
    return [path("organisation/", include((admin_urls, "organisation_admin")))]
