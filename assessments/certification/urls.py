from django.urls import path

from . import views

app_name = "certification"
urlpatterns = [
    path("me/evidence/", views.my_evidence, name="my_evidence"),
    path("me/evidence/proofs/<uuid:claim_uuid>/", views.proof_download, name="proof"),
    path("hr/evidence/", views.hr_evidence, name="hr_evidence"),
    path("hr/evidence/review/", views.hr_evidence_review, name="hr_evidence_review"),
]
