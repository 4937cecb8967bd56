"""The Wagtail admin form of 育成目標: the department list is limited to the editor's municipality."""

from wagtail.admin.forms import WagtailAdminModelForm

from lms_site.organisation.api import Department, profile_of


class DevelopmentTargetAdminForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        if user is not None and not user.is_superuser and "department" in self.fields:
            profile = profile_of(user)
            municipality_id = profile.municipality_id if profile else None
            self.fields["department"].queryset = Department.objects.filter(municipality_id=municipality_id)
