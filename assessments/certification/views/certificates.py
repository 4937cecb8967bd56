"""Certificates: the public verification page (also the printable certificate), the Open Badges documents,
and HR's list with revocation.

Every public document answers only on its issuer's host (``hosts``, ADR 0016): on another municipality's
host it is not found, so the town's site cannot present the city's certificates.

The public pages show only what a certificate states (name, programme, issuer, dates, status): no
department, employee number or email. The OB 2.0 assertion carries the recipient's email only as a salted
hash; the OB 3.0 credential is the signed document stored at issue, and its revocation is published in
the issuer key's signed status list. A revocation's reason is HR's record: only HR's list shows it.
"""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lms_site.organisation.api import (
    Municipality,
    Purpose,
    municipality_scope,
    offered_to,
    platform_wide,
    scope_for,
)

from .. import hosts, selectors, services
from ..forms import CertificateRevokeForm
from ..models import Certificate, CertificationProgram, StatusList
from ..selectors.path import in_force_order
from ..services import credentials

JSON_LD = "application/ld+json"
STATUS_LIST_MAX_AGE = 300  # seconds: a revocation reaches verifiers that cache the list within 5 minutes


def in_certificates_municipality(view):
    """For the public pages of one certificate: anyone holding its address may verify it, signed in or
    not, from any municipality. What the page reads (the certificate, its holder's name, the levels it
    states) is the issuing municipality's, so the view runs in that municipality's scope, which
    row-level security follows too (ADR 0016): a visitor's own scope, or none, would find nothing.
    Only on the host its documents are published under (``hosts``): on another municipality's, 404."""

    @functools.wraps(view)
    def wrapped(request, certificate_uuid, *args, **kwargs):
        with platform_wide():  # only to learn whose certificate the address names, and where it lives
            found = (
                Certificate.objects.filter(uuid=certificate_uuid)
                .values_list("municipality_id", "status_list__base_url")
                .first()
            )
        if found is None:
            raise Http404
        owner, base = found
        if base is None:  # not signed (yet): where its municipality publishes now
            base = hosts.municipality_base(Municipality.objects.select_related("site").get(pk=owner))
        if not hosts.request_serves(request, municipality_id=owner, bases=[base]):
            raise Http404
        with municipality_scope(owner):
            return view(request, certificate_uuid, *args, **kwargs)

    return wrapped


def _certificate(certificate_uuid) -> Certificate:
    return get_object_or_404(
        Certificate.objects.select_related("program", "municipality", "user"), uuid=certificate_uuid
    )


def _certificate_of_own_municipality(request, certificate_uuid) -> Certificate:
    """A certificate HR may act on: one issued by their municipality (anyone may read a certificate's
    public page, but another municipality's is not found here)."""
    certificates = Certificate.objects.select_related("program", "municipality", "user")
    scope = scope_for(request.user, purpose=Purpose.PROGRAMME)
    if scope is None or not scope.platform_wide:
        certificates = certificates.filter(municipality_id=scope.municipality_id if scope else None)
    return get_object_or_404(certificates, uuid=certificate_uuid)


def _json(data: dict, *, status: int = 200) -> JsonResponse:
    response = JsonResponse(
        data, status=status, content_type=JSON_LD, json_dumps_params={"ensure_ascii": False, "indent": 2}
    )
    response["Access-Control-Allow-Origin"] = "*"  # verifiers fetch hosted assertions from anywhere
    return response


@in_certificates_municipality
def certificate(request, certificate_uuid):
    """Public: is this certificate valid, expired or revoked? Printable as the certificate itself."""
    cert = _certificate(certificate_uuid)
    today = timezone.localdate()
    context = {
        "certificate": cert,
        "status": cert.status_on(today),
        "today": today,
        "competencies": credentials.achievement_competencies(cert),
    }
    response = render(request, "certification/certificate.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response


@in_certificates_municipality
def assertion(request, certificate_uuid):
    """OB 2.0 hosted assertion (revoked ones answer 410 with the reason, as hosted verification expects)."""
    cert = _certificate(certificate_uuid)
    data = credentials.ob2_assertion(cert)
    return _json(data, status=410 if cert.revoked_at else 200)


@in_certificates_municipality
def credential(request, certificate_uuid):
    """OB 3.0 ``OpenBadgeCredential`` as signed at issue; its ``credentialStatus`` names its bit in the
    issuer's status list (``status_list``), so revocation needs no change to it."""
    cert = _certificate(certificate_uuid)
    if not cert.credential:
        raise Http404
    response = _json(cert.credential)
    response["Content-Disposition"] = f'inline; filename="{cert.uuid}.json"'
    return response


def status_list(request, list_uuid):
    """A signed W3C Bitstring Status List (revocation): how offline verifiers learn of a revocation.

    Public, like the certificates it speaks for; it reads which of them are revoked in the issuing
    municipality's scope (as row-level security requires): in a visitor's own scope, or none, it would
    find none revoked and tell every verifier that a revoked certificate is valid. Only on the host it
    is published under (``hosts``), like its certificates."""
    found = get_object_or_404(StatusList.objects.select_related("issuer_key"), uuid=list_uuid)
    if not hosts.request_serves(
        request, municipality_id=found.issuer_key.municipality_id, bases=[found.base_url]
    ):
        raise Http404
    with municipality_scope(found.issuer_key.municipality_id):
        response = _json(credentials.status_list_credential(found))
    response["Cache-Control"] = f"public, max-age={STATUS_LIST_MAX_AGE}"
    return response


def _issuer_on_its_host(request, code) -> Municipality:
    """The issuer ``code`` names, if this host serves its documents: its own host, or the platform's
    while any of its certificates is published there (or it has no site of its own)."""
    municipality = get_object_or_404(Municipality.objects.select_related("site"), code=code)
    bases = set(
        StatusList.objects.filter(issuer_key__municipality=municipality).values_list("base_url", flat=True)
    )
    bases.add(hosts.municipality_base(municipality))
    if not hosts.request_serves(request, municipality_id=municipality.pk, bases=bases):
        raise Http404
    return municipality


def issuer_keys(request, code):
    """The municipality's signing keys, active and retired, as the DIDs (and their documents) a
    verifier can compare a credential's issuer with: a key is retired, never withdrawn."""
    municipality = _issuer_on_its_host(request, code)
    return _json(credentials.issuer_keys_document(municipality))


def issuer(request, code):
    municipality = _issuer_on_its_host(request, code)
    return _json(credentials.ob2_issuer(municipality, hosts.serving_base(request, municipality)))


def badge_class(request, code, program_code):
    municipality = _issuer_on_its_host(request, code)
    # the programme this municipality's certificates of that code are held to (ADR 0024), active or not:
    # certificates issued under it keep verifying
    program = (
        CertificationProgram.objects.filter(offered_to(municipality.pk), code=program_code)
        .annotate(specificity=in_force_order(municipality.pk))
        .order_by("specificity")
        .first()
    )
    if program is None:
        raise Http404
    return _json(
        credentials.ob2_badge_class(municipality, program, hosts.serving_base(request, municipality))
    )


def _hr_only(request) -> None:
    if not (
        request.user.has_perm("certification.revoke_certificate") and selectors.is_reviewer(request.user)
    ):
        raise PermissionDenied


@login_required
def hr_certificates(request):
    _hr_only(request)
    certificates = Certificate.objects.select_related(
        "program", "user__staff_profile", "status_list", "municipality__site"
    ).order_by("-issued_on", "-pk")
    scope = scope_for(request.user, purpose=Purpose.PROGRAMME)
    if scope is None or not scope.platform_wide:
        certificates = certificates.filter(municipality_id=scope.municipality_id if scope else None)
    program = request.GET.get("program", "")
    if program:
        certificates = certificates.filter(program__code=program)
    today = timezone.localdate()
    rows = [(c, c.status_on(today)) for c in certificates[:500]]
    context = {
        "rows": rows,
        "programs": sorted(
            selectors.programs_in_force(selectors.municipality_of(request.user)),
            key=lambda p: (p.sort_order, p.code),
        ),
        "program": program,
        "form": CertificateRevokeForm(),
    }
    return render(request, "certification/hr_certificates.html", context)


@login_required
@require_POST
def hr_certificate_revoke(request, certificate_uuid):
    _hr_only(request)
    cert = _certificate_of_own_municipality(request, certificate_uuid)
    form = CertificateRevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("取り消す理由を入力してください。"))
        return redirect("certification:hr_certificates")
    try:
        services.certificate_revoke(certificate=cert, actor=request.user, reason=form.cleaned_data["reason"])
    except services.CertificateError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("%(name)sさんの%(program)sを取り消しました。")
            % {"name": cert.recipient_name, "program": cert.program.name},
        )
    return redirect("certification:hr_certificates")
