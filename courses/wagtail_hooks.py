from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail import hooks

from courses import navigation, selectors
from courses.curriculum_setup import municipality_curriculum_ensure
from courses.models import Enrollment, OwnedPage
from lms_site.home.next_steps import NextStep
from lms_site.organisation.api import is_offered


@hooks.register("before_serve_page")
def own_pages_only_to_their_people(page, request, serve_args, serve_kwargs):
    """A course or lesson of a municipality's own site is served only to those it is offered to (its own
    people; a prefecture's, to its municipalities' too): to anyone else it does not exist (404)."""
    if isinstance(page, OwnedPage) and not is_offered(request.user, page.municipality_id):
        raise Http404


@hooks.register("municipality_site_ensure")
def municipality_curriculum(*, municipality, home) -> None:
    municipality_curriculum_ensure(municipality=municipality, home=home)


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
    index = selectors.catalogue_index(request)
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
