"""The paths of the CASE 1.0 REST binding (ADR 0021), included twice: at ``/ims/case/v1p0/`` (the site root,
where CASE consumers look by convention) and at ``/api/ims/case/v1p0/``. One set of views for both."""

from django.urls import path

from . import case_views

urlpatterns = [
    path("CFDocuments", case_views.DocumentListView.as_view(), name="case-documents"),
    path("CFDocuments/<str:sourced_id>", case_views.DocumentView.as_view(), name="case-document"),
    path("CFPackages/<str:sourced_id>", case_views.PackageView.as_view(), name="case-package"),
    path("CFItems/<str:sourced_id>", case_views.ItemView.as_view(), name="case-item"),
    path("CFAssociations/<str:sourced_id>", case_views.AssociationView.as_view(), name="case-association"),
    path(
        "CFItemAssociations/<str:sourced_id>",
        case_views.ItemAssociationsView.as_view(),
        name="case-item-associations",
    ),
    path("CFRubrics/<str:sourced_id>", case_views.RubricView.as_view(), name="case-rubric"),
    path("CFItemTypes/<str:sourced_id>", case_views.ItemTypeView.as_view(), name="case-item-type"),
    path("CFConcepts/<str:sourced_id>", case_views.ConceptView.as_view(), name="case-concept"),
    path("CFSubjects/<str:sourced_id>", case_views.SubjectView.as_view(), name="case-subject"),
    path("CFLicenses/<str:sourced_id>", case_views.LicenseView.as_view(), name="case-license"),
    path(
        "CFAssociationGroupings/<str:sourced_id>",
        case_views.AssociationGroupingView.as_view(),
        name="case-association-grouping",
    ),
]
