"""One Wagtail admin page for every file import: a form with the file, and on refusal every problem.

``ImportView`` asks the subclass to run the import (``import_file(form)`` returns an
``lms_site.imports.ImportOutcome``) and to say where to go once it is done (``imported(outcome)``). A
refused file shows the same page again, with the form as filled and every problem, one line each: the
file changed nothing. A page whose import runs as a background job (staff) overrides ``form_valid``.
"""

from dataclasses import dataclass

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import HttpResponse
from django.views.generic import FormView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from lms_site.imports import ImportOutcome


@dataclass(frozen=True)
class Note:
    """A paragraph under the form's fields; ``css`` for one that stands out (``help-block help-info``)."""

    text: str
    css: str = ""


@dataclass(frozen=True)
class Link:
    label: str
    url: str


class ImportView(PermissionRequiredMixin, WagtailAdminTemplateMixin, FormView):
    raise_exception = True
    header_icon = "upload"
    template_name = "admin_import/page.html"
    # The sentence over the problems says how many there are (a CASE package can have hundreds).
    count_problems = False

    def notes(self) -> list[Note]:
        """What the page says under the fields: how the file is read, and that it is all or nothing."""
        return []

    def links(self) -> tuple[str, list[Link]]:
        """A heading and links shown after the form (e.g. exports), or ``("", [])``."""
        return "", []

    def get_context_data(self, **kwargs):
        heading, links = self.links()
        return super().get_context_data(
            notes=self.notes(),
            links_heading=heading,
            links=links,
            count_problems=self.count_problems,
            **kwargs,
        )

    def import_file(self, form) -> ImportOutcome:
        raise NotImplementedError

    def imported(self, outcome: ImportOutcome) -> HttpResponse:
        raise NotImplementedError

    def form_valid(self, form):
        outcome = self.import_file(form)
        if not outcome.ok:
            return self.refused(form, outcome.errors)
        return self.imported(outcome)

    def refused(self, form, errors: list[str]) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form, errors=errors))
