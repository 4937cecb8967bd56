"""The report table's rows, built in Python (``{% report_rows %}``): the markup the template built, with
every value escaped where a department name or a query could carry markup."""

from django.template import Context, Template
from django.test import override_settings

from analytics.tables import ReportTable

TEMPLATE = Template("{% load report_tables %}{% report_rows table %}")


def render(table: ReportTable, **context) -> str:
    return TEMPLATE.render(Context({"table": table, **context}))


def test_a_row_header_links_down_and_suppressed_cells_are_marked():
    table = ReportTable(
        "coverage", "t", ["所属", "A1", "A2", "B1"], rows=[["市民課", 12, "<5", "×"]], links=["7"]
    )
    assert render(table, query="on=2026-06-01&level=3") == (
        '<tr><th scope="row"><a href="?on=2026-06-01&amp;level=3&amp;dept=7">市民課</a></th>'
        '<td>12</td><td class="suppressed">&lt;5</td><td class="suppressed">×</td></tr>'
    )


def test_markup_in_a_name_or_the_query_is_text():
    table = ReportTable(
        "coverage", "t", ["所属", "A1"], rows=[['<img src=x onerror="alert(1)">', None]], links=['1"><b>']
    )
    html = render(table, query='"><script>alert(1)</script>')
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert html.endswith("<td></td></tr>")  # nothing shown for no value


@override_settings(USE_THOUSAND_SEPARATOR=True, LANGUAGE_CODE="en")
def test_numbers_are_localised_as_the_template_localises_them():
    table = ReportTable("trend", "t", ["月", "人数", "率"], rows=[["2026-05", 12345, 0.5]])
    expected = Template("{{ a }}|{{ b }}").render(Context({"a": 12345, "b": 0.5})).split("|")
    assert (
        render(table) == f'<tr><th scope="row">2026-05</th><td>{expected[0]}</td><td>{expected[1]}</td></tr>'
    )


def test_shares_and_counts_render_as_the_template_renders_them_in_every_language():
    from django.utils import translation

    cells = [12, 0, -3, 1.9, 100.0, -0.5, 1e-07, 2.5e16, float("nan"), True]
    table = ReportTable(
        "funnel", "t", ["段階"] + [str(i) for i in range(len(cells))], rows=[["受講", *cells]]
    )
    reference = Template("{% for c in cells %}<td>{{ c }}</td>{% endfor %}")
    for language in ("ja", "en", "de"):  # de: a comma as the decimal separator
        with translation.override(language):
            expected = reference.render(Context({"cells": cells}))
            assert render(table) == f'<tr><th scope="row">受講</th>{expected}</tr>'
