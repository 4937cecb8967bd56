from django.urls import path

from .views import capstone, certificates, evidence

app_name = "certification"
urlpatterns = [
    path("me/evidence/", evidence.my_evidence, name="my_evidence"),
    path("me/evidence/proofs/<uuid:claim_uuid>/", evidence.proof_download, name="proof"),
    path("hr/evidence/", evidence.hr_evidence, name="hr_evidence"),
    path("hr/evidence/review/", evidence.hr_evidence_review, name="hr_evidence_review"),
    path("me/capstone/", capstone.capstone_mine, name="capstone_mine"),
    path("capstones/", capstone.capstone_tasks, name="capstone_tasks"),
    path("capstones/<uuid:capstone_uuid>/", capstone.capstone_review, name="capstone_review"),
    path(
        "capstones/<uuid:capstone_uuid>/attachments/<uuid:attachment_uuid>/",
        capstone.capstone_attachment,
        name="capstone_attachment",
    ),
    path("certificates/<uuid:certificate_uuid>/", certificates.certificate, name="certificate"),
    path(
        "certificates/<uuid:certificate_uuid>/assertion.json",
        certificates.assertion,
        name="certificate_assertion",
    ),
    path(
        "certificates/<uuid:certificate_uuid>/credential.json",
        certificates.credential,
        name="certificate_credential",
    ),
    path(
        "certificates/status-lists/<uuid:list_uuid>.json",
        certificates.status_list,
        name="certificate_status_list",
    ),
    path("certificates/issuers/<str:code>.json", certificates.issuer, name="certificate_issuer"),
    path("certificates/issuers/<str:code>/keys.json", certificates.issuer_keys, name="certificate_keys"),
    path(
        "certificates/issuers/<str:code>/badges/<str:program_code>.json",
        certificates.badge_class,
        name="certificate_badge",
    ),
    path("hr/certificates/", certificates.hr_certificates, name="hr_certificates"),
    path(
        "hr/certificates/<uuid:certificate_uuid>/revoke/",
        certificates.hr_certificate_revoke,
        name="hr_certificate_revoke",
    ),
]
