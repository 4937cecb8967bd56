"""``{% report_rows table %}``: the body rows of a report table, built in Python.

A department × competency table has hundreds of cells; the template language spent about a third of an
/hr/ view walking its loops and conditions cell by cell. The markup is the same as the template's was:
each value rendered as ``{{ cell }}`` renders it (localised, escaped), the first cell a row header with the
drill-down link when the row has one, suppressed cells marked for the style sheet.
"""

from django import template
from django.conf import settings
from django.template.base import render_value_in_context
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
    rows = []
    for link, row in table.rows_with_links():
        head, *values = (_text(cell, context) for cell in row)
        if link:
            head = f'<a href="{href}{escape(link)}">{head}</a>'
        cells = [f'<th scope="row">{head}</th>']
        for cell, text in zip(row[1:], values, strict=True):
            cells.append(f'<td class="suppressed">{text}</td>' if cell in SUPPRESSED else f"<td>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return mark_safe("\n".join(rows))  # noqa: S308 - values rendered (escaped) as the template would


def _text(cell, context) -> str:
    """``{{ cell }}``: counts and names (nearly every cell) without the template's general path."""
    if cell is None:
        return ""
    if type(cell) is str:
        return conditional_escape(cell)
    if type(cell) is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(cell)  # what localising an int gives without grouping
    return render_value_in_context(cell, context)
