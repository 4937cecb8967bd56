"""The editor's form for each question type (one StreamField block per type).

``Question.definition()`` turns the block value into the pure grading dataclass; the block field names
follow that dataclass closely so that the conversion is a plain mapping.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

TEXT_FEATURES = ["bold", "italic", "ol", "ul", "link"]


class ChoiceOption(blocks.StructBlock):
    text = blocks.CharBlock(label=_("選択肢"), max_length=500)
    fraction = blocks.DecimalBlock(
        label=_("得点の割合(%)"),
        default=0,
        min_value=-100,
        max_value=100,
        decimal_places=5,
        help_text=_("正解は100。複数選択では正解の合計が100、誤りは負の値にします。"),
    )
    feedback = blocks.CharBlock(label=_("この選択肢へのフィードバック"), required=False, max_length=500)


class QuestionCommon(blocks.StructBlock):
    text = blocks.RichTextBlock(label=_("問題文"), features=TEXT_FEATURES)
    explanation = blocks.TextBlock(label=_("解説"), help_text=_("回答後に表示する解説"))


class SingleChoiceBlock(QuestionCommon):
    options = blocks.ListBlock(ChoiceOption(), min_num=2, label=_("選択肢"))

    class Meta:
        label = _("単一選択")
        icon = "radio-full"


class MultipleResponseBlock(QuestionCommon):
    options = blocks.ListBlock(ChoiceOption(), min_num=2, label=_("選択肢"))

    class Meta:
        label = _("複数選択")
        icon = "tasks"


class TrueFalseBlock(QuestionCommon):
    answer = blocks.BooleanBlock(label=_("正しい(○)"), required=False)
    feedback_true = blocks.CharBlock(label=_("「○」と答えた人へのフィードバック"), required=False)
    feedback_false = blocks.CharBlock(label=_("「×」と答えた人へのフィードバック"), required=False)

    class Meta:
        label = _("○×")
        icon = "tick"


class NumericAnswer(blocks.StructBlock):
    value = blocks.DecimalBlock(label=_("正解の値"), decimal_places=6)
    tolerance = blocks.DecimalBlock(label=_("許容誤差"), default=0, min_value=0, decimal_places=6)
    fraction = blocks.DecimalBlock(label=_("得点の割合(%)"), default=100, min_value=0, max_value=100)
    feedback = blocks.CharBlock(label=_("フィードバック"), required=False)


class NumericBlock(QuestionCommon):
    answers = blocks.ListBlock(NumericAnswer(), min_num=1, label=_("正解"))

    class Meta:
        label = _("数値")
        icon = "order"


class AcceptedText(blocks.StructBlock):
    text = blocks.CharBlock(label=_("正答"), max_length=200, help_text=_("* は任意の文字列に一致します"))
    fraction = blocks.DecimalBlock(label=_("得点の割合(%)"), default=100, min_value=0, max_value=100)
    feedback = blocks.CharBlock(label=_("フィードバック"), required=False)


class ShortTextBlock(QuestionCommon):
    answers = blocks.ListBlock(AcceptedText(), min_num=1, label=_("正答"))
    case_sensitive = blocks.BooleanBlock(label=_("大文字と小文字を区別する"), required=False)
    kana_insensitive = blocks.BooleanBlock(
        label=_("ひらがなとカタカナを区別しない"), required=False, default=True
    )

    class Meta:
        label = _("短答")
        icon = "pilcrow"


class OrderingBlock(QuestionCommon):
    items = blocks.ListBlock(blocks.CharBlock(max_length=300), min_num=2, label=_("項目(正しい順に)"))

    class Meta:
        label = _("並べ替え")
        icon = "list-ol"


class MatchingPair(blocks.StructBlock):
    left = blocks.CharBlock(label=_("問い"), max_length=300)
    right = blocks.CharBlock(label=_("対応する答え"), max_length=300)


class MatchingBlock(QuestionCommon):
    pairs = blocks.ListBlock(MatchingPair(), min_num=2, label=_("組み合わせ"))
    distractors = blocks.ListBlock(blocks.CharBlock(max_length=300), default=[], label=_("ダミーの答え"))

    class Meta:
        label = _("組み合わせ")
        icon = "link"


QUESTION_BLOCKS = [
    ("single_choice", SingleChoiceBlock()),
    ("multiple_response", MultipleResponseBlock()),
    ("true_false", TrueFalseBlock()),
    ("numeric", NumericBlock()),
    ("short_text", ShortTextBlock()),
    ("ordering", OrderingBlock()),
    ("matching", MatchingBlock()),
]
