"""The organisation app's door: what the other apps may use (ADR 0028).

Other apps import from here, never from ``models``, ``services``, ``selectors``, ``scope``, ``tenancy``,
``content``, ``roles``, ``leavers`` or ``signals`` directly; import-linter's "one door per app" contract
holds them to it. Foreign keys keep their string references ("organisation.Municipality"), and the
migrations are untouched. Demo builders of other apps may still read ``demo`` (the demo data is built
bottom-up), and the app's own modules and the tests use the internals freely.
"""

from .content import (
    OWNER,
    OwnedContentFormMixin,
    OwnedContentViewSetMixin,
    SharedContentManager,
    is_offered,
    may_change,
    offered_in,
    offered_to,
    owned_content_form_fields,
    owner_at,
    owner_field,
    owner_foreign_key,
)
from .leavers import has_left, sessions_end
from .media import (
    ChoosableMediaModelForm,
    ChoosableMediaPageForm,
    MunicipalMediaPermissionPolicy,
    municipality_collection_ensure,
)
from .models import (
    AdvisorContract,
    Assignment,
    Department,
    DepartmentKind,
    JobCategory,
    JobGrade,
    Municipality,
    MunicipalityKind,
    PersonalDataAccess,
    StaffProfile,
)
from .pages import (
    SHARED_CONTENT_GROUPS,
    may_review,
    may_review_shared,
    other_sites,
    owned_not_reviewable,
    owner_of,
    pages_not_reviewable,
)
from .roles import ROLES, Role, role_group, role_permissions_extend, user_roles
from .scope import Purpose, Scope, scope_for
from .selectors import (
    access_view_label,
    department_heads,
    department_of,
    managed_departments,
    personal_data_access_rows,
    profile_of,
    staff_in_department,
)
from .services import personal_data_access_log
from .signals import staff_changed
from .tenancy import TenantManager, acting_as, municipalities_of, municipality_scope, platform_wide

__all__ = [
    "OWNER",
    "ROLES",
    "SHARED_CONTENT_GROUPS",
    "AdvisorContract",
    "Assignment",
    "ChoosableMediaModelForm",
    "ChoosableMediaPageForm",
    "Department",
    "DepartmentKind",
    "JobCategory",
    "JobGrade",
    "MunicipalMediaPermissionPolicy",
    "Municipality",
    "MunicipalityKind",
    "OwnedContentFormMixin",
    "OwnedContentViewSetMixin",
    "PersonalDataAccess",
    "Purpose",
    "Role",
    "Scope",
    "SharedContentManager",
    "StaffProfile",
    "TenantManager",
    "access_view_label",
    "acting_as",
    "department_heads",
    "department_of",
    "has_left",
    "is_offered",
    "managed_departments",
    "may_change",
    "may_review",
    "may_review_shared",
    "municipalities_of",
    "municipality_collection_ensure",
    "municipality_scope",
    "offered_in",
    "offered_to",
    "other_sites",
    "owned_content_form_fields",
    "owned_not_reviewable",
    "owner_at",
    "owner_field",
    "owner_foreign_key",
    "owner_of",
    "pages_not_reviewable",
    "personal_data_access_log",
    "personal_data_access_rows",
    "platform_wide",
    "profile_of",
    "role_group",
    "role_permissions_extend",
    "scope_for",
    "sessions_end",
    "staff_changed",
    "staff_in_department",
    "user_roles",
]
