from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail import hooks

from courses import navigation
from courses.models import CurriculumIndexPage, Enrollment
from lms_site.home.next_steps import NextStep


@hooks.register("route_from_home")
def route_lesson(home, request, path_components):
    return navigation.lesson_route(home=home, request=request, path_components=path_components)


@hooks.register("home_next_steps")
def learning_next_steps(request) -> list[NextStep]:
    """The learner's course in progress (most recently opened first), their page, and the catalogue."""
    steps = []
    user = request.user
    if user.is_authenticated:
        current = (
            Enrollment.objects.filter(user=user, completed_at__isnull=True, course__live=True)
            .select_related("course", "last_lesson")
            .first()
        )
        if current is not None:
            lesson = current.last_lesson if current.last_lesson and current.last_lesson.live else None
            steps.append(
                NextStep(
                    title=_("続きから学習する"),
                    url=(lesson or current.course).get_url(request),
                    description=_("「%(course)s」の学習を、前回の続きから再開します。")
                    % {"course": current.course.title},
                    order=10,
                )
            )
        steps.append(
            NextStep(
                title=_("マイ学習"),
                url=reverse("courses:my_learning"),
                description=_("受講中のコース、能力レベル、実績の登録と認定の状況をまとめて確認できます。"),
                order=20,
            )
        )
    index = CurriculumIndexPage.objects.live().order_by("path").first()
    if index is not None:
        steps.append(
            NextStep(
                title=_("研修コースを探す"),
                url=index.get_url(request),
                description=_("公開中の研修コースを、分野・対象・形式で絞り込んで探せます。"),
                order=30,
            )
        )
    return steps
