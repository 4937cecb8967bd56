"""Certification programmes and qualifications in the Wagtail admin (人事課 edits them), and links to the
evidence review, the capstones and the certificates pages."""

from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from lms_site.admin_menu import PermissionMenuItem
from lms_site.home.next_steps import NextStep
from lms_site.organisation.api import OwnedContentViewSetMixin, municipalities_of, offered_in

from .models import CertificationProgram, Qualification


class ProgramIndexView(IndexView):
    """The programmes offered to the person's municipalities: the shared defaults, their prefecture's and
    their own (another municipality's copies are its business, ADR 0024)."""

    def get_base_queryset(self):
        ids = municipalities_of(self.request.user)
        queryset = super().get_base_queryset()
        return queryset if ids is None else queryset.filter(offered_in(ids))


class CertificationProgramViewSet(OwnedContentViewSetMixin, ModelViewSet):
    """HR of a municipality adopts a shared programme as it is, or copies it (the copy, with the same code,
    is what its staff are held to) and changes the copy; only the owner changes a programme."""

    model = CertificationProgram
    index_view_class = ProgramIndexView
    icon = "doc-full"
    menu_label = _("認定制度")
    list_display = ["name", "code", "municipality", "validity_years", "requires_exam", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "code"]
    ordering = ["sort_order", "code"]
    inspect_view_enabled = True


class QualificationViewSet(ModelViewSet):
    model = Qualification
    icon = "tick-inverse"
    menu_label = _("資格")
    list_display = ["name", "code", "issuer", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "code", "issuer"]
    ordering = ["name"]


class ReviewMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        user = request.user
        return user.has_perm("certification.verify_evidence") and user.has_perm(
            "organisation.view_personal_data"
        )


class CertificationGroup(ViewSetGroup):
    menu_label = _("認定")
    menu_icon = "doc-full"
    items = (CertificationProgramViewSet, QualificationViewSet)

    def get_submenu_items(self):
        items = super().get_submenu_items()
        items.append(
            ReviewMenuItem(
                _("実績の確認"),
                reverse_lazy("certification:hr_evidence"),
                icon_name="tasks",
                order=len(items) + 1,
            )
        )
        items.append(
            PermissionMenuItem(
                _("修了課題"),
                reverse_lazy("certification:capstone_tasks"),
                icon_name="clipboard-list",
                order=len(items) + 1,
                permission="certification.view_capstone",
            )
        )
        items.append(
            PermissionMenuItem(
                _("認定証の管理"),
                reverse_lazy("certification:hr_certificates"),
                icon_name="doc-full-inverse",
                order=len(items) + 1,
                permission="certification.revoke_certificate",
            )
        )
        return items


@hooks.register("register_admin_viewset")
def register_certification_viewsets():
    return CertificationGroup()


@hooks.register("home_next_steps")
def certification_next_steps(request) -> list[NextStep]:
    """Advisors and 所属長: capstone projects to review; HR: the certificates it manages."""
    user = request.user
    if not user.is_authenticated:
        return []
    steps = []
    reviews = user.has_perm("certification.assess_capstone")
    if reviews or user.has_perm("organisation.view_department_reports"):
        steps.append(
            NextStep(
                title=gettext("修了課題の確認・審査"),
                url=reverse("certification:capstone_tasks"),
                description=gettext("担当する修了課題の確認と審査を行います。"),
                order=45,
            )
        )
    if user.has_perm("certification.revoke_certificate"):
        steps.append(
            NextStep(
                title=gettext("認定証の管理"),
                url=reverse("certification:hr_certificates"),
                description=gettext("発行済みの認定証の確認と失効の手続きを行います。"),
                order=50,
            )
        )
    return steps
