"""The dashboard's filters (all in the URL, so a view can be bookmarked and shared) and the target form."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from courses.competencies.api import LEVELS


def level_choices() -> list[tuple[int, str]]:
    return [(level, gettext("レベル%(level)d以上") % {"level": level}) for level in LEVELS]


SOURCE_CHOICES = [("snapshot", _("保存済みの集計(速い)")), ("live", _("指定日で再集計"))]
DEFAULT_LEVEL = 2
# The days a count can be asked for: wide enough for any record, narrow enough that the trend's months
# before it and the forecast's after it stay dates (year 3 once answered a server error).
FIRST_DAY, LAST_DAY = datetime.date(1900, 1, 1), datetime.date(2999, 12, 31)


class DashboardFilterForm(forms.Form):
    on = forms.DateField(label=_("基準日"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    level = forms.TypedChoiceField(label=_("レベル"), choices=level_choices, coerce=int, required=False)
    dept = forms.IntegerField(label=_("所属"), required=False, widget=forms.HiddenInput)
    source = forms.ChoiceField(label=_("集計の方法"), choices=SOURCE_CHOICES, required=False)
    publish = forms.BooleanField(
        label=_("公表用(5人未満を秘匿)"),
        required=False,
        help_text=_("外部に出す資料用に、5人未満のセルを伏せて表示・出力します。"),
    )

    def clean_on(self):
        on = self.cleaned_data["on"]
        if on is not None and not FIRST_DAY <= on <= LAST_DAY:
            raise forms.ValidationError(
                _("基準日は %(first)s から %(last)s までの日付にしてください。")
                % {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()}
            )
        return on

    def values(self) -> dict:
        """The filters, with defaults for anything missing or invalid."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "on": data.get("on") or timezone.localdate(),
            "level": data.get("level") or DEFAULT_LEVEL,
            "dept": data.get("dept"),
            "source": data.get("source") or "snapshot",
            "publish": bool(data.get("publish")),
        }


class TalentSearchForm(forms.Form):
    competency = forms.ChoiceField(label=_("能力項目"))
    level = forms.TypedChoiceField(label=_("レベル"), choices=level_choices, coerce=int, initial=3)
    on = forms.DateField(label=_("基準日"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, competencies: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["competency"].choices = [(c["code"], f"{c['code']} {c['name']}") for c in competencies]


class TargetRowForm(forms.Form):
    """One department's target on the /hr/targets/ page (both blank: no target)."""

    leaders = forms.IntegerField(
        label=_("DX推進リーダーの目標人数"), min_value=0, max_value=9999, required=False
    )
    basic_share = forms.DecimalField(
        label=_("DXベーシック以上の目標割合(%)"), min_value=0, max_value=100, decimal_places=1, required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("leaders") is None and data.get("basic_share") is not None:
            data["leaders"] = 0
        return data


def fiscal_year_choices(today: datetime.date) -> list[int]:
    current = today.year if today.month >= 4 else today.year - 1
    return [current - 1, current, current + 1]


class AccessLogSearchForm(forms.Form):
    """/hr/audit/: who saw whose personal data, when (every field optional; dates inclusive)."""

    viewer = forms.CharField(
        label=_("閲覧者"), required=False, max_length=100, help_text=_("職員番号、氏名またはログイン名")
    )
    person = forms.CharField(
        label=_("閲覧された職員"),
        required=False,
        max_length=100,
        help_text=_("職員番号、氏名またはログイン名"),
    )
    since = forms.DateField(label=_("開始日"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("終了日"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("終了日は開始日と同じか、それより後の日付にしてください。"))
        return data


class PrefectureFilterForm(forms.Form):
    """The prefecture's view: a closed month (YYYY-MM) and a level; anything invalid is named and ignored."""

    month = forms.DateField(
        label=_("月"),
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        error_messages={"invalid": _("月は「2026-03」のように年と月で入力してください。")},
    )
    level = forms.TypedChoiceField(label=_("レベル"), choices=level_choices, coerce=int, required=False)
    municipality = forms.CharField(label=_("市町村(団体コード)"), required=False, max_length=6)

    def __init__(self, *args, municipalities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.municipalities = {m.code: m for m in municipalities}

    def clean_municipality(self) -> str:
        code = self.cleaned_data["municipality"]
        if code and code not in self.municipalities:
            raise forms.ValidationError(
                _("団体コード「%(code)s」は、この都道府県の市町村ではありません。") % {"code": code}
            )
        return code

    def values(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "month": data.get("month"),
            "level": data.get("level") or DEFAULT_LEVEL,
            "municipality": self.municipalities.get(data.get("municipality") or ""),
        }
