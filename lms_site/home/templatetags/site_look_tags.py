"""``{% site_look as look %}``: the look of the site the page is served on (``lms_site.home.look``)."""

from django import template

from ..look import site_look as site_look_read

register = template.Library()


@register.simple_tag(takes_context=True)
def site_look(context):
    return site_look_read(context.get("request"))
