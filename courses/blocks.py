"""StreamField blocks of a lesson: text, figures, video with transcript, callouts, glossary, documents,
and a quiz from the assessments app (chosen by model name, so courses does not import assessments)."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock
from wagtail.snippets.blocks import SnippetChooserBlock

from courses.scorm.blocks import ScormBlock

RICH_TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul", "h3", "h4"]


class FigureBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("画像"))
    alt_text = blocks.CharBlock(
        label=_("代替テキスト"),
        max_length=250,
        help_text=_(
            "画像が見えない人に伝える内容。装飾だけの画像なら空欄にはせず、内容を短く説明してください。"
        ),
    )
    caption = blocks.CharBlock(label=_("キャプション"), required=False, max_length=250)

    class Meta:
        icon = "image"
        label = _("画像")
        template = "courses/blocks/figure.html"


class VideoBlock(blocks.StructBlock):
    video = EmbedBlock(label=_("動画のURL"), help_text=_("YouTube などの動画ページのURL"))
    title = blocks.CharBlock(label=_("動画のタイトル"), max_length=200)
    transcript = blocks.RichTextBlock(
        label=_("文字起こし"),
        features=RICH_TEXT_FEATURES,
        help_text=_("音声を聞けない人のための全文。必須です。"),
    )

    class Meta:
        icon = "media"
        label = _("動画")
        template = "courses/blocks/video.html"


class CalloutBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(
        label=_("種類"), choices=[("point", _("ポイント")), ("caution", _("注意"))], default="point"
    )
    title = blocks.CharBlock(label=_("見出し"), required=False, max_length=100)
    body = blocks.RichTextBlock(label=_("本文"), features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "warning"
        label = _("囲み(ポイント・注意)")
        template = "courses/blocks/callout.html"


class GlossaryBlock(blocks.StructBlock):
    term = blocks.CharBlock(label=_("用語"), max_length=100)
    reading = blocks.CharBlock(label=_("読み"), required=False, max_length=100)
    definition = blocks.TextBlock(label=_("説明"))

    class Meta:
        icon = "doc-full"
        label = _("用語解説")
        template = "courses/blocks/glossary.html"


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("資料"))
    description = blocks.CharBlock(label=_("説明"), required=False, max_length=250)

    class Meta:
        icon = "download"
        label = _("ダウンロード資料")
        template = "courses/blocks/document.html"


class SelfCheckBlock(blocks.StructBlock):
    """A question to think about, with the answer behind a disclosure; not graded."""

    question = blocks.TextBlock(label=_("問い"))
    answer = blocks.TextBlock(label=_("解答・解説"))

    class Meta:
        icon = "help"
        label = _("確認問題(採点なし)")
        template = "courses/blocks/self_check.html"


class QuizBlock(blocks.StructBlock):
    quiz = SnippetChooserBlock("assessments.Quiz", label=_("小テスト"))
    intro = blocks.CharBlock(label=_("案内文"), required=False, max_length=250)
    inline = blocks.BooleanBlock(
        label=_("このページの中で解答する"),
        required=False,
        help_text=_(
            "Open edX と同じ XBlock としてレッスン内に表示します(問題を指定した制限時間のない小テストのみ)。"
        ),
    )

    class Meta:
        icon = "form"
        label = _("小テスト")
        template = "courses/blocks/quiz.html"


LESSON_BLOCKS = [
    (
        "heading",
        blocks.CharBlock(
            label=_("見出し"), max_length=120, form_classname="title", template="courses/blocks/heading.html"
        ),
    ),
    ("text", blocks.RichTextBlock(label=_("本文"), features=RICH_TEXT_FEATURES)),
    ("figure", FigureBlock()),
    ("video", VideoBlock()),
    ("callout", CalloutBlock()),
    ("glossary", GlossaryBlock()),
    ("document", DocumentBlock()),
    ("self_check", SelfCheckBlock()),
    ("quiz", QuizBlock()),
    ("scorm", ScormBlock()),
]
