"""Demo certification data: the default programmes and qualification map, a few qualification claims
(pending for 人事課 to verify, one verified, one rejected), and the level table for everyone.

Loaded by ``manage.py load_demo`` after the assessments demo; a second run adds nothing. The demo claims
share one sample proof file (a one-page PDF) so that repeated loads leave no stray files behind.
"""

import datetime

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db.models import QuerySet

from . import services
from .models import Qualification, QualificationClaim
from .storage import ProofStorage

DEMO_PROOF = "demo/sample-certificate.pdf"
# (who, qualification code, decision by demo-hr or None for pending, rejection reason)
DEMO_CLAIMS = [
    ("demo-learner", "IP", None, ""),
    ("staff:0", "SG", None, ""),
    ("staff:1", "STAT2", None, ""),
    ("staff:2", "FE", services.VERIFY, ""),
    (
        "staff:3",
        "JDLA_G",
        services.REJECT,
        "合格証書の氏名が読み取れません。鮮明な画像で再度申請してください。",
    ),
]


def sample_pdf() -> bytes:
    """A minimal, valid one-page PDF (the demo's stand-in for a scanned certificate)."""
    stream = b"BT /F1 18 Tf 72 720 Td (Sample certificate - demo data) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _people() -> QuerySet:
    """Staff of the demo city without a demo login, in a stable order."""
    return (
        get_user_model()
        .objects.filter(staff_profile__isnull=False, staff_profile__is_active=True)
        .exclude(username__startswith="demo-")
        .order_by("staff_profile__employee_number")
    )


def _claims_create(stdout) -> None:
    user_model = get_user_model()
    reviewer = user_model.objects.filter(username="demo-hr").first()
    storage = ProofStorage()
    content = sample_pdf()
    if not storage.exists(DEMO_PROOF):
        storage.save(DEMO_PROOF, ContentFile(content))
    people = list(_people()[:4])
    qualifications = {q.code: q for q in Qualification.objects.all()}
    made = 0
    for who, code, decision, reason in DEMO_CLAIMS:
        user = user_model.objects.filter(username=who).first() if who.startswith("demo-") else None
        if who.startswith("staff:") and int(who[6:]) < len(people):
            user = people[int(who[6:])]
        if user is None or code not in qualifications:
            continue
        claim = QualificationClaim(
            user=user,
            qualification=qualifications[code],
            passed_on=datetime.date(2025, 6, 15),
            proof_name="合格証書(見本).pdf",
            proof_content_type="application/pdf",
            proof_size=len(content),
        )
        claim.proof.name = DEMO_PROOF
        claim.save()
        services.qualification_claim_evidence_record(claim=claim)
        if decision and reviewer is not None:
            ids = list(claim.user.evidence.filter(source_key=claim.source_key).values_list("pk", flat=True))
            services.evidence_review(reviewer=reviewer, evidence_ids=ids, decision=decision, reason=reason)
        made += 1
    stdout.write(f"  qualification claims: {made}")


def load(*, stdout) -> None:
    outcome = services.certification_defaults_load()
    stdout.write(f"  defaults created: {outcome.as_dict()}")
    if not QualificationClaim.objects.exists():
        _claims_create(stdout)
    outcome = services.levels_recompute_all()
    stdout.write(f"  competency levels: {outcome.as_dict()}")
