"""The system administrator keeps the LMS registrations and their deployments in Django's admin, and sees
the tool's URLs to enter at the LMS, its keys (public halves only) and the scores outbox."""

from django.conf import settings
from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from .models import Deployment, Registration, Score, ToolKey
from .services import tool_urls


class DeploymentInline(admin.TabularInline):
    model = Deployment
    extra = 1


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["name", "municipality", "issuer", "client_id", "match_staff", "is_active"]
    list_filter = ["match_staff", "is_active"]
    list_select_related = ["municipality"]
    inlines = [DeploymentInline]
    readonly_fields = ["tool_urls"]

    @admin.display(description=_("LMS に登録するこのサイトの URL"))
    def tool_urls(self, obj) -> str:
        labels = {
            "login": _("ログイン開始 URL"),
            "launch": _("起動(リダイレクト)URL"),
            "jwks": _("公開鍵セット URL"),
            "deep_linking": _("ディープリンク URL"),
        }
        urls = tool_urls(settings.WAGTAILADMIN_BASE_URL)
        return format_html_join(
            "", "<div>{}: <code>{}</code></div>", ((labels[k], v) for k, v in urls.items())
        )


@admin.register(ToolKey)
class ToolKeyAdmin(admin.ModelAdmin):
    list_display = ["kid", "created_at", "retired_at"]
    fields = ["kid", "public_key", "created_at", "retired_at"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False  # keys are made by ``manage.py lti_keys rotate``


@admin.register(Score)
class ScoreAdmin(admin.ModelAdmin):
    list_display = ["pk", "link", "score_given", "status", "tries", "next_try_at", "sent_at"]
    list_filter = ["status"]
    list_select_related = ["link"]
    readonly_fields = [f.name for f in Score._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
