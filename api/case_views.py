"""The platform as a 1EdTech CASE 1.0 provider (ADR 0021), at ``/ims/case/v1p0/`` and ``/api/ims/case/v1p0/``.

Every framework the platform holds, ours (the current version and the earlier ones) and the reference
frameworks imported, read by the REST binding's paths: ``CFDocuments`` (with the binding's ``limit``,
``offset``, ``sort``, ``orderBy``, ``filter`` and ``fields``), ``CFDocuments/{sourcedId}``,
``CFPackages/{sourcedId}``, ``CFItems/{sourcedId}``, ``CFAssociations/{sourcedId}``,
``CFItemAssociations/{sourcedId}``, ``CFRubrics/{sourcedId}``, ``CFItemTypes/{sourcedId}`` (our two item
types), and ``CFConcepts/``, ``CFSubjects/``, ``CFLicenses/`` and ``CFAssociationGroupings/``, of which no
package here has any (404). The same views answer under both bases: the site root, where CASE consumers
(OpenSALT and the like) look by convention, and ``/api``, the base given out first.

Who: as the rest of the API (ADR 0017), a machine client's token with the ``read`` scope (any municipality's:
the frameworks are the platform's and carry no personal data) or a signed-in person; never anonymous (ADR
0021 says why). Errors are the binding's ``imsx_StatusInfo``, not our ``detail``.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from oauth2_provider.models import AccessToken
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from courses.competencies.api import (
    QueryError,
    case_association,
    case_document,
    case_documents,
    case_item,
    case_item_associations,
    case_item_type,
    case_nothing,
    case_package,
    case_rubric,
    parse_list_query,
)

from . import access

DEFAULT_LIMIT, MAX_LIMIT = 100, 1000
# imsx_codeMinor values of the binding, by HTTP status
MINOR = {
    400: "invalid_selection_field",
    401: "unauthorisedrequest",
    403: "forbidden",
    404: "unknownobject",
    405: "forbidden",
    429: "server_busy",
}


def status_info(description: str, *, field: str, minor: str) -> dict:
    return {
        "imsx_codeMajor": "failure",
        "imsx_severity": "error",
        "imsx_description": description,
        "imsx_codeMinor": {
            "imsx_codeMinorField": [{"imsx_codeMinorFieldName": field, "imsx_codeMinorFieldValue": minor}]
        },
    }


class BadListParameter(APIException):
    """A list parameter the binding defines but that cannot be honoured: 400 naming the parameter, with the
    binding's codeMinor (``invalid_sort_field`` for ``sort`` and ``orderBy``, else
    ``invalid_selection_field``)."""

    status_code = 400

    def __init__(self, error: QueryError) -> None:
        super().__init__(error.message)
        self.parameter, self.minor = error.parameter, error.minor


def case_exception_handler(exc, context):
    """DRF's handling (status, headers such as WWW-Authenticate), with the body as imsx_StatusInfo."""
    response = drf_exception_handler(exc, context)
    if isinstance(exc, BadListParameter):
        response.data = status_info(str(exc.detail), field=exc.parameter, minor=exc.minor)
    elif response is not None:
        data = response.data
        if isinstance(data, dict) and "detail" in data:
            description = str(data["detail"])
        else:
            description = " / ".join(f"{key}: {' '.join(map(str, value))}" for key, value in data.items())
        field = "sourcedId" if response.status_code == 404 else "TargetEndSystem"
        response.data = status_info(
            description, field=field, minor=MINOR.get(response.status_code, "forbidden")
        )
    return response


class LiveClient(BasePermission):
    """A token still belongs to a client that has not been revoked (revoking deletes tokens too)."""

    def has_permission(self, request, view) -> bool:
        return not isinstance(request.auth, AccessToken) or access.caller_of(request).client is not None


class CaseView(APIView):
    permission_classes = [access.ScopedAccess, LiveClient]
    renderer_classes = [JSONRenderer]
    http_method_names = ["get", "head", "options"]
    schema = None  # described by 1EdTech's CASE 1.0 OpenAPI, not by our /api/v1/ document
    reader = staticmethod(lambda *, identifier: None)
    missing = ""

    def get_exception_handler(self):
        return case_exception_handler

    def get(self, request, sourced_id: str):
        found = self.reader(identifier=sourced_id)
        if found is None:
            raise NotFound(self.missing % {"id": sourced_id[:100]})
        return Response(found)


def _with_package_uri(request, document: dict) -> dict:
    """The binding's CFDocument names its package's address (``CFPackageURI``)."""
    url = request.build_absolute_uri(
        f"{request.path.split('/CFDocuments')[0]}/CFPackages/{document['identifier']}"
    )
    return {
        **document,
        "CFPackageURI": {"title": document["title"], "identifier": document["identifier"], "uri": url},
    }


def _count(request, name: str, default: int, *, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not (raw.isdigit() and low <= int(raw) <= high):
        raise ValidationError(
            {
                name: [
                    _("%(name)s は%(low)d〜%(high)dの整数で指定してください。")
                    % {"name": name, "low": low, "high": high}
                ]
            }
        )
    return int(raw)


class DocumentListView(CaseView):
    """The CFDocuments ``filter`` selects (every framework's without it), sorted by ``sort`` in ``orderBy``
    (else ours first, current first), ``limit`` (default 100) from ``offset``, each with only ``fields``
    if given; how many were selected in X-Total-Count."""

    def get(self, request):
        limit = _count(request, "limit", DEFAULT_LIMIT, low=1, high=MAX_LIMIT)
        offset = _count(request, "offset", 0, low=0, high=10**9)
        try:
            query = parse_list_query(request.query_params)
        except QueryError as error:
            raise BadListParameter(error) from None
        total, documents = case_documents(query=query, offset=offset, limit=limit)
        page = [_with_package_uri(request, document) for document in documents]
        if query.fields is not None:  # on the page (at most MAX_LIMIT records), after CFPackageURI is added
            page = [{key: value for key, value in d.items() if key in query.fields} for d in page]
        return Response({"CFDocuments": page}, headers={"X-Total-Count": str(total)})


class DocumentView(CaseView):
    missing = gettext_lazy("識別子 %(id)s の CFDocument はありません。")

    def get(self, request, sourced_id: str):
        document = case_document(identifier=sourced_id)
        if document is None:
            raise NotFound(self.missing % {"id": sourced_id[:100]})
        return Response(_with_package_uri(request, document))


class PackageView(CaseView):
    reader = staticmethod(case_package)
    missing = gettext_lazy("識別子 %(id)s の CFPackage はありません。")


class ItemView(CaseView):
    reader = staticmethod(case_item)
    missing = gettext_lazy("識別子 %(id)s の CFItem はありません。")


class AssociationView(CaseView):
    reader = staticmethod(case_association)
    missing = gettext_lazy("識別子 %(id)s の CFAssociation はありません。")


class ItemAssociationsView(CaseView):
    reader = staticmethod(case_item_associations)
    missing = gettext_lazy("識別子 %(id)s の CFItem はありません。")


class RubricView(CaseView):
    reader = staticmethod(case_rubric)
    missing = gettext_lazy("識別子 %(id)s の CFRubric はありません。")


class ItemTypeView(CaseView):
    reader = staticmethod(case_item_type)
    missing = gettext_lazy("識別子 %(id)s の CFItemType はありません。")


class ConceptView(CaseView):
    reader = staticmethod(case_nothing)
    missing = gettext_lazy("識別子 %(id)s の CFConcept はありません。")


class SubjectView(CaseView):
    reader = staticmethod(case_nothing)
    missing = gettext_lazy("識別子 %(id)s の CFSubject はありません。")


class LicenseView(CaseView):
    reader = staticmethod(case_nothing)
    missing = gettext_lazy("識別子 %(id)s の CFLicense はありません。")


class AssociationGroupingView(CaseView):
    reader = staticmethod(case_nothing)
    missing = gettext_lazy("識別子 %(id)s の CFAssociationGrouping はありません。")
