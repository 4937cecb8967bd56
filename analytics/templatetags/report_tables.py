"""``{% report_rows table %}``: the body rows of a report table, built in Python.

A department × competency table has hundreds of cells; the template language spent about a third of an
/hr/ view walking its loops and conditions cell by cell. The markup is the same as the template's was:
each value rendered as ``{{ cell }}`` renders it (localised, escaped), the first cell a row header with the
drill-down link when the row has one, suppressed cells marked for the style sheet.
"""

from django import template
from django.conf import settings
from django.template.base import render_value_in_context
from django.utils.formats import get_format
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe

from analytics.reports import COMPLEMENTARY_LABEL, PRIMARY_LABEL

register = template.Library()

SUPPRESSED = (PRIMARY_LABEL, COMPLEMENTARY_LABEL)


@register.simple_tag(takes_context=True)
def report_rows(context, table) -> str:
    """Each value goes through ``render_value_in_context`` (as ``{{ cell }}``: localised and escaped); the
    link's query is escaped once; nothing else in the markup comes from data."""
    query = context.get("query")
    href = escape(f"?{query}&dept=" if query else "?dept=")
    grouped = settings.USE_THOUSAND_SEPARATOR and context.use_l10n is not False
    separator = "." if context.use_l10n is False else get_format("DECIMAL_SEPARATOR")
    rows = []
    for link, row in table.rows_with_links():
        head, *values = (_text(cell, context, grouped, separator) for cell in row)
        if link:
            head = f'<a href="{href}{escape(link)}">{head}</a>'
        cells = [f'<th scope="row">{head}</th>']
        for cell, text in zip(row[1:], values, strict=True):
            cells.append(f'<td class="suppressed">{text}</td>' if cell in SUPPRESSED else f"<td>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return mark_safe("\n".join(rows))  # noqa: S308 - values rendered (escaped) as the template would


def _text(cell, context, grouped: bool, separator: str) -> str:
    """``{{ cell }}``: counts, shares and names (nearly every cell) without the template's general path,
    giving what localising them gives when numbers are not grouped (Django's ``numberformat``: an int as
    it is, a float as ``str`` with the language's decimal separator); anything else the general way."""
    if cell is None:
        return ""
    kind = type(cell)
    if kind is str:
        return conditional_escape(cell)
    if not grouped:
        if kind is int:
            return str(cell)
        if kind is float and "e" not in (text := str(cell)):
            return text.replace(".", separator)
    return render_value_in_context(cell, context)
