"""Wagtail admin forms of the organisation app whose choices depend on who is editing."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from wagtail.admin.forms import WagtailAdminModelForm

from .roles import ROLES, Role
from .tenancy import scoped_municipality_ids


class AdvisorContractForm(WagtailAdminModelForm):
    """HR records the contracts of its own municipality with people who hold the 外部人材 role; the system
    administrator (platform-wide) those of any municipality or prefecture."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import Municipality

        ids = scoped_municipality_ids()
        municipalities = Municipality.objects.order_by("code")
        if ids is not None:
            municipalities = municipalities.filter(pk__in=ids)
        self.fields["municipality"].queryset = municipalities
        advisors = get_user_model().objects.filter(
            is_active=True, groups__name=ROLES[Role.ADVISOR].group_name
        )
        self.fields["advisor"].queryset = advisors.order_by("username").distinct()

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("契約終了日は契約開始日以降の日付にしてください。"))
        advisor, municipality = cleaned.get("advisor"), cleaned.get("municipality")
        if advisor and municipality and starts_on and not self.errors:
            overlapping = (
                type(self.instance)
                .objects.filter(advisor=advisor, municipality=municipality)
                .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))
            )
            if ends_on:
                overlapping = overlapping.filter(starts_on__lte=ends_on)
            if overlapping.exclude(pk=self.instance.pk).exists():
                raise ValidationError(
                    _("この外部人材と%(municipality)sとの契約が、同じ期間にすでにあります。")
                    % {"municipality": municipality.name}
                )
        return cleaned
