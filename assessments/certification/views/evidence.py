"""The learner's evidence page (with the qualification claim), the proof download, and HR's review."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lms_site.organisation.api import personal_data_access_log

from .. import selectors, services
from ..forms import QualificationClaimForm


@login_required
def my_evidence(request):
    form = QualificationClaimForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            claim = services.qualification_claim_create(
                user=request.user,
                qualification=form.cleaned_data["qualification"],
                passed_on=form.cleaned_data["passed_on"],
                certificate_number=form.cleaned_data["certificate_number"],
                proof=form.cleaned_data["proof"],
            )
        except services.ClaimError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("「%(name)s」を申請しました。人事課が確認すると能力レベルに反映されます。")
                % {"name": claim.qualification.name},
            )
            return redirect("certification:my_evidence")
    context = selectors.my_evidence(user=request.user)
    context["form"] = form
    return render(request, "certification/my_evidence.html", context, status=400 if form.errors else 200)


@login_required
def proof_download(request, claim_uuid):
    """The proof, to its owner and to reviewers of the owner's municipality; 404 to everyone else."""
    claim = selectors.claim_for_proof(user=request.user, claim_uuid=claim_uuid)
    if claim is None:
        raise Http404
    personal_data_access_log(
        viewer=request.user,
        view="proof",
        parameters={"claim": str(claim.uuid)},
        rows=1,
        subject_user=claim.user,
    )
    try:
        handle = claim.proof.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=claim.proof_name, content_type=claim.proof_content_type
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _reviewer_only(request) -> None:
    if not selectors.is_reviewer(request.user):
        raise PermissionDenied


@login_required
def hr_evidence(request):
    _reviewer_only(request)
    submissions = selectors.pending_submissions(reviewer=request.user)
    return render(request, "certification/hr_evidence.html", {"submissions": submissions})


@login_required
@require_POST
def hr_evidence_review(request):
    _reviewer_only(request)
    raw_ids = request.POST.getlist("evidence")
    ids = [int(value) for value in raw_ids if value.isascii() and value.isdigit()]
    try:
        if len(ids) != len(raw_ids):
            raise services.ReviewError(
                _("対象の実績が見つからないか、すでに確認済みです。ページを再読み込みしてください。")
            )
        changed = services.evidence_review(
            reviewer=request.user,
            evidence_ids=ids,
            decision=request.POST.get("decision", ""),
            reason=request.POST.get("reason", ""),
        )
    except services.ReviewError as exc:
        messages.error(request, str(exc))
    else:
        if request.POST.get("decision") == services.VERIFY:
            messages.success(request, _("%(count)d件の実績を確認済みにしました。") % {"count": changed})
        else:
            messages.success(request, _("%(count)d件の実績を却下しました。") % {"count": changed})
    return redirect("certification:hr_evidence")
