"""The system administrator keeps the providers in Django's admin (allauth registers its SocialApp there)."""

from django.contrib import admin

from .models import IdentityProvider


@admin.register(IdentityProvider)
class IdentityProviderAdmin(admin.ModelAdmin):
    list_display = [
        "app",
        "municipality",
        "protocol",
        "employee_number_claim",
        "email_fallback",
        "is_enabled",
    ]
    list_filter = ["protocol", "is_enabled"]
    list_select_related = ["app", "municipality"]
    raw_id_fields = ["app"]
