from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail import hooks
from wagtail.models import TaskState

from .next_steps import NextStep


@hooks.register("home_next_steps")
def content_to_approve(request) -> list[NextStep]:
    """Reviewers (DX推進課) and authors: the content awaiting their decision in the Wagtail workflow."""
    user = request.user
    if not user.is_authenticated or not user.has_perm("wagtailadmin.access_admin"):
        return []
    waiting = TaskState.objects.reviewable_by(user).count()
    if waiting:
        description = ngettext(
            "承認待ちのコンテンツが %(count)d 件あります。",
            "承認待ちのコンテンツが %(count)d 件あります。",
            waiting,
        ) % {"count": waiting}
    else:
        description = _("コースや問題の作成・編集、承認待ちの確認はこちらから。")
    return [NextStep(title=_("管理画面"), url="/admin/", description=description, order=60)]
