"""The municipality's Learning Record Stores in the Wagtail admin (設定 › 学習記録ストア): HR registers its
LRS, changes its address or credentials, pauses it, and sees how sending goes (the last record accepted,
the last error). Each municipality sees only its own (the model's manager is scoped per request); the
secret is written, never shown, and stored sealed (``LrsEndpoint.secret``)."""

from __future__ import annotations

from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.viewsets.model import ModelViewSet

from lms_site.organisation.api import Municipality, municipalities_of

from .models import LrsEndpoint

KEY_PROBLEM = _("キーにはコロン(:)と空白は使えません。")


class LrsEndpointForm(WagtailAdminModelForm):
    secret = forms.CharField(
        label=_("シークレット"),
        required=False,
        strip=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("登録後は表示しません。変更するときだけ入力してください。"),
    )
    resend_all = forms.BooleanField(
        label=_("最初から送り直す"),
        required=False,
        help_text=_(
            "別の LRS に切り替えたときなどに、これまでの学習記録をすべて送り直します"
            "(同じ記録は同じ ID で送るため、重複しません)。"
        ),
    )

    class Meta:
        model = LrsEndpoint
        fields = ["municipality", "name", "statements_url", "key", "enabled"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        ids = municipalities_of(self.for_user) if self.for_user is not None else []
        field = self.fields["municipality"]
        field.queryset = (
            Municipality.objects.all() if ids is None else Municipality.objects.filter(pk__in=ids)
        )
        if self.instance.pk:
            field.disabled = True  # the records and the mark are this municipality's
        elif ids and len(ids) == 1:
            field.initial = ids[0]
        if self.instance.pk is None:
            self.fields["secret"].required = True
            del self.fields["resend_all"]

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()

    def clean_key(self) -> str:
        key = self.cleaned_data["key"]
        if ":" in key or any(c.isspace() for c in key):
            raise forms.ValidationError(KEY_PROBLEM)
        return key

    def save(self, commit: bool = True) -> LrsEndpoint:
        endpoint = super().save(commit=False)
        if self.cleaned_data.get("secret"):
            endpoint.secret = self.cleaned_data["secret"]
        if self.cleaned_data.get("resend_all"):
            endpoint.sent_until, endpoint.sent_until_key = None, ""
        if any(name in self.changed_data for name in ("statements_url", "key", "secret", "enabled")):
            endpoint.last_error, endpoint.last_error_at = "", None  # the next run tells how it goes now
        if commit:
            with transaction.atomic():
                endpoint.save()
        return endpoint


class LrsEndpointViewSet(ModelViewSet):
    model = LrsEndpoint
    icon = "link-external"
    menu_label = _("学習記録ストア(LRS)")
    add_to_settings_menu = True
    list_display = ["name", "municipality", "statements_url", "enabled", "last_sent_at", "last_error_at"]
    list_filter = ["enabled"]
    search_fields = ["name", "statements_url"]
    inspect_view_enabled = True
    inspect_view_fields = [
        "name",
        "municipality",
        "statements_url",
        "key",
        "enabled",
        "sent_until",
        "sent_until_key",
        "last_sent_at",
        "last_error",
        "last_error_at",
        "created_at",
    ]

    def get_form_class(self, for_update: bool = False):
        return LrsEndpointForm


@hooks.register("register_admin_viewset")
def register_lrs_viewset():
    return LrsEndpointViewSet("lrs_endpoints")
