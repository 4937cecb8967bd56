from django.urls import path

from . import views, views_capstone, views_certificates

app_name = "certification"
urlpatterns = [
    path("me/evidence/", views.my_evidence, name="my_evidence"),
    path("me/evidence/proofs/<uuid:claim_uuid>/", views.proof_download, name="proof"),
    path("hr/evidence/", views.hr_evidence, name="hr_evidence"),
    path("hr/evidence/review/", views.hr_evidence_review, name="hr_evidence_review"),
    path("me/capstone/", views_capstone.capstone_mine, name="capstone_mine"),
    path("capstones/", views_capstone.capstone_tasks, name="capstone_tasks"),
    path("capstones/<uuid:capstone_uuid>/", views_capstone.capstone_review, name="capstone_review"),
    path(
        "capstones/<uuid:capstone_uuid>/attachments/<uuid:attachment_uuid>/",
        views_capstone.capstone_attachment,
        name="capstone_attachment",
    ),
    path("certificates/<uuid:certificate_uuid>/", views_certificates.certificate, name="certificate"),
    path(
        "certificates/<uuid:certificate_uuid>/assertion.json",
        views_certificates.assertion,
        name="certificate_assertion",
    ),
    path(
        "certificates/<uuid:certificate_uuid>/credential.json",
        views_certificates.credential,
        name="certificate_credential",
    ),
    path(
        "certificates/status-lists/<uuid:list_uuid>.json",
        views_certificates.status_list,
        name="certificate_status_list",
    ),
    path("certificates/issuers/<str:code>.json", views_certificates.issuer, name="certificate_issuer"),
    path(
        "certificates/issuers/<str:code>/keys.json", views_certificates.issuer_keys, name="certificate_keys"
    ),
    path(
        "certificates/issuers/<str:code>/badges/<str:program_code>.json",
        views_certificates.badge_class,
        name="certificate_badge",
    ),
    path("hr/certificates/", views_certificates.hr_certificates, name="hr_certificates"),
    path(
        "hr/certificates/<uuid:certificate_uuid>/revoke/",
        views_certificates.hr_certificate_revoke,
        name="hr_certificate_revoke",
    ),
]
