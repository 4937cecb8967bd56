"""``{% xblock_quiz quiz %}``: the quiz as the Open edX XBlock, rendered by the site's runtime."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from assessments import xblock_runtime
from assessments.quiz_rules import quiz_rules

register = template.Library()


@register.simple_tag(takes_context=True)
def xblock_quiz(context, quiz):
    user = context["request"].user
    if not user.is_authenticated:
        return ""
    rules = quiz_rules(quiz=quiz, user=user)
    if not rules.inline:
        return ""
    # XBlock's runtime wraps the block in a div carrying data-init and its JSON args (see xblock-runtime.js).
    fragment = xblock_runtime.render_quiz(user=user, quiz=quiz, rules=rules)
    refusal = format_html('<p class="message message--error">{}</p>', rules.refusal) if rules.refusal else ""
    return format_html(
        '{}<div class="site-xblock" data-handler-prefix="{}">{}</div>{}{}',
        refusal,
        xblock_runtime.handler_prefix(quiz),
        mark_safe(fragment.body_html()),  # noqa: S308 - the block escapes every text it renders
        mark_safe(fragment.head_html()),  # noqa: S308 - the block's own CSS
        mark_safe(fragment.foot_html()),  # noqa: S308 - the block's own JavaScript
    )
