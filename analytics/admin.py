"""The personal-data audit log, read-only in the Django admin (system administrators)."""

from django.contrib import admin

from .models import PersonalDataAccess


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "view", "rows"]
    list_filter = ["view"]
    search_fields = ["user__username", "user__last_name"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
