from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .staff_csv import MAX_BYTES


class StaffImportForm(forms.Form):
    file = forms.FileField(
        label=_("人事データCSV"),
        help_text=_("UTF-8(BOM付き可)または Shift_JIS(CP932)。列は README の「人事CSVの形式」を参照。"),
    )
    effective_date = forms.DateField(
        label=_("発令日"),
        initial=timezone.localdate,
        help_text=_("異動はこの日付から有効になり、前の所属はその前日で終了します。"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    retire_missing = forms.BooleanField(
        label=_("全職員の一覧として取り込む"),
        required=False,
        help_text=_("チェックすると、このファイルにない在職者を発令日の前日付で退職扱いにします。"),
    )

    def __init__(self, *args, municipalities=None, **kwargs):
        """``municipalities``: the choice offered to the system administrator; ``None`` for everyone else,
        who imports into their own municipality."""
        super().__init__(*args, **kwargs)
        if municipalities is not None:
            self.fields["municipality"] = forms.ModelChoiceField(
                queryset=municipalities,
                label=_("取り込む自治体"),
                initial=municipalities.first() if municipalities.count() == 1 else None,
            )
            self.order_fields(["municipality"])

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("ファイルが大きすぎます。"))
        if not upload.name.lower().endswith((".csv", ".txt")):
            raise forms.ValidationError(_("CSVファイル(.csv)を選んでください。"))
        return upload
