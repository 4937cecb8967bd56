"""The capstone pages: the candidate's own (/me/capstone/), the task list (/capstones/) and one capstone
(/capstones/<uuid>/) with the decision its viewer may take; attachments stream after the same check.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from lms_site.organisation.api import personal_data_access_log

from .. import selectors
from ..forms import CapstoneAssessmentForm, CapstoneDecisionForm, CapstonePlanForm, CapstoneReportForm
from ..models import CapstoneStatus, CertificationProgram
from ..selectors.capstone import Viewer
from ..services import capstone as workflow

S = CapstoneStatus
DEFAULT_PROGRAM = "DX_LEADER"


def _program(request) -> CertificationProgram:
    """The programme named by ``?program=`` (DX推進リーダー by default) if it has a capstone; else 404."""
    code = request.GET.get("program") or DEFAULT_PROGRAM
    program = selectors.program_in_force(code=code, municipality_id=selectors.municipality_of(request.user))
    if program is None or not (program.requires_capstone or program.requires_cross_project):
        raise Http404
    return program


def _mine_url(program: CertificationProgram) -> str:
    url = reverse("certification:capstone_mine")
    return url if program.code == DEFAULT_PROGRAM else f"{url}?program={program.code}"


@login_required
def capstone_mine(request):
    """Plan (draft), report (in progress) or status; every decision with its comment."""
    program = _program(request)
    capstone = selectors.capstone_mine(user=request.user, program=program)
    plan_form = report_form = None
    status = 200
    if capstone is None or capstone.status == S.DRAFT:
        plan_form = CapstonePlanForm(
            request.POST if request.POST.get("step") in ("save", "submit") else None, instance=capstone
        )
    elif capstone.status == S.IN_PROGRESS:
        report_form = CapstoneReportForm(
            request.POST if request.POST.get("step") == "report" else None,
            request.FILES or None,
            instance=capstone,
        )
    if request.method == "POST":
        step = request.POST.get("step")
        allowed = {"save", "submit"} if plan_form else {"report"} if report_form else set()
        if step not in allowed:  # a stale page or a forged post: nothing happens
            messages.error(request, _("この操作は今の状態ではできません。ページを再読み込みしてください。"))
            return redirect(_mine_url(program))
        try:
            if step in ("save", "submit") and plan_form is not None and plan_form.is_valid():
                data = {name: plan_form.cleaned_data[name] for name in workflow.PLAN_FIELDS}
                capstone = workflow.capstone_save(
                    user=request.user,
                    program=program,
                    capstone=capstone,
                    competencies=plan_form.cleaned_data["competencies"],
                    **data,
                )
                if step == "submit":
                    workflow.capstone_submit_plan(capstone=capstone, actor=request.user)
                    messages.success(request, _("計画を提出しました。所属長の確認を待っています。"))
                else:
                    messages.success(request, _("計画を保存しました。"))
                return redirect(_mine_url(program))
            if step == "report" and report_form is not None and report_form.is_valid():
                data = {name: report_form.cleaned_data[name] for name in workflow.REPORT_FIELDS}
                workflow.capstone_submit_report(
                    capstone=capstone,
                    actor=request.user,
                    attachments=report_form.cleaned_data["attachments"],
                    **data,
                )
                messages.success(request, _("成果報告を提出しました。所属長の推薦を待っています。"))
                return redirect(_mine_url(program))
        except workflow.CapstoneError as exc:
            (plan_form or report_form).add_error(None, str(exc))
        status = 400
    context = {
        "program": program,
        "capstone": capstone,
        "plan_form": plan_form,
        "report_form": report_form,
        "rubric": workflow.rubric_of(capstone) if capstone else [],
    }
    return render(request, "certification/capstone_mine.html", context, status=status)


@login_required
def capstone_tasks(request):
    allowed = (
        request.user.has_perm("certification.assess_capstone")
        or request.user.has_perm("organisation.view_department_reports")
        or selectors.is_reviewer(request.user)
    )
    if not allowed:
        raise PermissionDenied
    tasks = selectors.capstone_tasks(user=request.user)
    return render(request, "certification/capstone_tasks.html", {"tasks": tasks})


def _capstone_or_404(request, capstone_uuid):
    found = selectors.capstone_for(user=request.user, capstone_uuid=capstone_uuid)
    if found is None:
        raise Http404
    return found


@login_required
def capstone_review(request, capstone_uuid):
    capstone, viewer = _capstone_or_404(request, capstone_uuid)
    if viewer == Viewer.CANDIDATE:
        return redirect(_mine_url(capstone.program))
    personal_data_access_log(
        viewer=request.user,
        view="capstone",
        parameters={"capstone": str(capstone.uuid)},
        rows=1,
        subject_user=capstone.user,
    )
    form = None
    criteria = workflow.rubric_of(capstone)
    data = request.POST if request.method == "POST" else None
    if viewer == Viewer.HEAD and capstone.status in (S.PLAN_REVIEW, S.ENDORSEMENT):
        form = CapstoneDecisionForm(data)
    elif viewer == Viewer.ADVISOR and capstone.status == S.ASSESSMENT:
        form = CapstoneAssessmentForm(data, criteria=criteria)
    status = 200
    if request.method == "POST":
        if form is None:
            messages.error(request, _("この修了課題は今は判断できません。"))
            return redirect("certification:capstone_review", capstone_uuid=capstone.uuid)
        if form.is_valid():
            accept = form.cleaned_data["decision"] == "accept"
            comment = form.cleaned_data["comment"]
            try:
                if isinstance(form, CapstoneAssessmentForm):
                    workflow.capstone_assess(
                        capstone=capstone,
                        actor=request.user,
                        approve=accept,
                        scores=form.scores(),
                        comment=comment,
                    )
                elif capstone.status == S.PLAN_REVIEW:
                    workflow.capstone_review_plan(
                        capstone=capstone, actor=request.user, accept=accept, comment=comment
                    )
                else:
                    workflow.capstone_endorse(
                        capstone=capstone, actor=request.user, endorse=accept, comment=comment
                    )
            except workflow.CapstoneError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("判断を記録し、次の担当者に通知しました。"))
                return redirect("certification:capstone_tasks")
        status = 400
    context = {"capstone": capstone, "viewer": viewer, "form": form, "criteria": criteria}
    return render(request, "certification/capstone_review.html", context, status=status)


@login_required
def capstone_attachment(request, capstone_uuid, attachment_uuid):
    capstone, _viewer = _capstone_or_404(request, capstone_uuid)
    attachment = next((a for a in capstone.attachments.all() if a.uuid == attachment_uuid), None)
    if attachment is None:
        raise Http404
    personal_data_access_log(
        viewer=request.user,
        view="capstone_attachment",
        parameters={"capstone": str(capstone.uuid), "attachment": str(attachment.uuid)},
        rows=1,
        subject_user=capstone.user,
    )
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.name, content_type=attachment.content_type
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
