from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# 人事課 assigns training to anyone in the municipality and reads every report with names.
HR_PERMISSIONS = {
    "training.view_trainingrule",
    "training.add_trainingrule",
    "training.change_trainingrule",
    "training.change_trainingdue",
    "training.view_training_report",
}
# 所属長 assign training within the subtree they head, exempt their own staff, and read its report.
MANAGER_PERMISSIONS = set(HR_PERMISSIONS)
# DX推進課 reads the completion report of every rule of the municipality as suppressed aggregates (no names,
# no people, small cells hidden as on /hr/); assigning, exempting and the API stay with the roles above.
REVIEWER_PERMISSIONS = {"training.view_training_report"}
# Classroom sessions are scheduled for the whole municipality by HR, who may also hold the roll call.
HR_PERMISSIONS |= {
    "training.view_classsession",
    "training.add_classsession",
    "training.change_classsession",
    "training.change_sessionregistration",
}


class TrainingConfig(AppConfig):
    name = "training"
    label = "training"
    verbose_name = _("研修の受講指示")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from courses.api import me_section_register, me_sources_register
        from lms_site.notifications.services import producer_register
        from lms_site.organisation.api import Role, role_permissions_extend, staff_changed

        from . import receivers, reminders, views

        role_permissions_extend(Role.HR, HR_PERMISSIONS)
        role_permissions_extend(Role.MANAGER, MANAGER_PERMISSIONS)
        role_permissions_extend(Role.REVIEWER, REVIEWER_PERMISSIONS)
        staff_changed.connect(receivers.staff_changed, dispatch_uid="training_staff_changed")
        me_section_register(views.me_todo_section, first=True)
        me_sources_register(views.me_todo_sources)  # /me/'s cache: the rows the section reads
        producer_register(reminders.training_notifications)
