"""The personal-data audit log, read-only in the Django admin (system administrators)."""

from django.contrib import admin

from .models import PersonalDataAccess


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    list_display = ["at", "viewer", "subject", "view", "rows", "municipality"]
    list_filter = ["view", "municipality"]
    search_fields = [
        "viewer__username",
        "viewer__last_name",
        "subject__employee_number",
        "subject__family_name",
    ]
    date_hierarchy = "at"
    list_select_related = ["viewer", "subject", "municipality"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
