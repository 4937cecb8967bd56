"""``{% people_table_rows people_rows %}``: the body rows of a training report's people table, in Python.

Fifty rows, each with its exempt form, cost the template language about as much as the rest of the page
(issue 18's profile: 6 of the 16 ms spent rendering the report). The markup is what the template's loop
wrote, whitespace included; every value is written as ``{{ value }}`` writes it (a string escaped, anything
else through ``render_value_in_context``: localised, escaped), the due date as ``|date:"Y-m-d"`` formats it.
"""

from html import escape

from django import template
from django.template.base import render_value_in_context
from django.utils.dateformat import format as date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()

ROW = """
    <tr>
      <td>{number}</td>
      <th scope="row">{name}</th>
      <td>{department}</td>
      <td>{due_on}</td>
      <td class="status-{status}">{label}</td>
      <td>
        {action}
      </td>
    </tr>
  """

FORM = """
          <form method="post" action="{url}" class="inline-form">
            {hidden}
            {fields}
          </form>
        """

WITHDRAW = """
              {reason}
              <input type="hidden" name="withdraw" value="1">
              <button type="submit" class="button button--small">{button}<span class="visually-hidden">: {name}</span></button>
            """  # noqa: E501

EXEMPT = """
              <label class="visually-hidden" for="reason-{pk}">{reason_label}</label>
              <input type="text" name="reason" id="reason-{pk}" maxlength="200" placeholder="{placeholder}">
              <button type="submit" class="button button--small">{button}<span class="visually-hidden">: {name}</span></button>
            """  # noqa: E501


@register.simple_tag(takes_context=True)
def people_table_rows(context, rows) -> str:
    """``rows``: the view's ``people_rows``, (due, progress, department, exempt address or None, the
    reason field's label). The context gives the form's constants: ``csrf_input``, ``status`` (the filter
    kept across the form) and ``people`` (the page, whose number the form sends back)."""

    def text(value) -> str:
        if type(value) is str and context.autoescape:  # nearly every value: what {{ }} does to a str
            return escape(value)  # django.utils.html.escape's own escaping, without its lazy-string check
        return render_value_in_context(value, context)

    if not rows:
        return ""
    status = context.get("status")
    hidden = text(context.get("csrf_input", ""))
    if status:
        hidden += f'<input type="hidden" name="status" value="{text(status)}">'
    hidden += f'<input type="hidden" name="page" value="{text(context["people"].number)}">'
    withdraw_label, exempt_label, placeholder = (text(_(s)) for s in ("免除を取り消す", "免除する", "理由"))
    written = []
    for due, progress, department, exempt_url, reason_label in rows:
        name = text(due.staff.full_name)
        if exempt_url:
            if due.exempt_reason:
                fields = WITHDRAW.format(reason=text(due.exempt_reason), button=withdraw_label, name=name)
            else:
                fields = EXEMPT.format(
                    pk=text(due.pk),
                    reason_label=text(reason_label),
                    placeholder=placeholder,
                    button=exempt_label,
                    name=name,
                )
            action = FORM.format(url=text(exempt_url), hidden=hidden, fields=fields)
        else:
            action = text(due.exempt_reason)
        written.append(
            ROW.format(
                number=text(due.staff.employee_number),
                name=name,
                department=text(department.name if department is not None and department.name else ""),
                due_on=text(date_format(due.due_on, "Y-m-d")),
                status=text(progress.status),
                label=text(progress.label),
                action=action,
            )
        )
    return mark_safe("".join(written))  # noqa: S308 - every value above rendered (escaped) as {{ }} would
