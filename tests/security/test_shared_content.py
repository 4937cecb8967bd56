"""Issue 13, shared and own content (ADR 0024): questions and quizzes of the shared library, of a
prefecture and of each municipality, tried over HTTP as another municipality's authors and learners would.

The world: 若葉市 and みどり町 in 架空県, the prefecture 架空県 itself, and 別県の村 in another prefecture.
Each municipality's DX推進課 (the reviewer role: writes and publishes questions and quizzes) has a staff
record in it; the system administrator acts platform-wide.
"""

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django_scopes.exceptions import ScopeError
from dx_assessment import grading
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from assessments.attempts import quiz_draw
from assessments.models import Question, Quiz, QuizDrawRule, QuizItem, Selection
from lms_site.organisation.models import MunicipalityKind
from lms_site.organisation.roles import ROLES, Role
from lms_site.organisation.tenancy import municipality_scope, platform_wide
from tests.assessments.conftest import make_question
from tests.courses.conftest import framework  # noqa: F401 - re-exported fixture
from tests.factories import MunicipalityFactory, StaffProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

TRUE_FALSE = grading.TrueFalse(
    text="パスワードは使い回してよい。", explanation="使い回しません。", correct_answer=False
)


@pytest.fixture
def world(framework):  # noqa: F811
    with platform_wide():  # built as the platform would (the ``scoped`` test starts with no scope)
        return _world(framework)


def _world(framework):  # noqa: F811
    city = MunicipalityFactory(code="999991", name="若葉市", prefecture="架空県")
    town = MunicipalityFactory(
        code="999992", name="みどり町", prefecture="架空県", kind=MunicipalityKind.TOWN
    )
    prefecture = MunicipalityFactory(
        code="990001", name="架空県", prefecture="架空県", kind=MunicipalityKind.PREFECTURE
    )
    village = MunicipalityFactory(
        code="999993", name="別県の村", prefecture="別県", kind=MunicipalityKind.VILLAGE
    )
    e1 = framework.competencies.get(code="A1")
    questions = {}
    for owner, key in (
        (None, "shared"),
        (city, "city"),
        (town, "town"),
        (prefecture, "pref"),
        (village, "village"),
    ):
        question = make_question(TRUE_FALSE, title=f"A1-{key}", competency=e1)
        question.municipality = owner
        question.save(update_fields=["municipality"])
        questions[key] = question
    quizzes = {}
    for owner, key in ((None, "shared"), (city, "city"), (town, "town")):
        quiz = Quiz(title=f"確認テスト-{key}", passing_percent=60, municipality=owner)
        quiz.items = [QuizItem(question=questions["shared"], weight=1)]
        quiz.save()
        quiz.save_revision().publish()
        quizzes[key] = quiz
    return {
        "city": city,
        "town": town,
        "prefecture": prefecture,
        "village": village,
        "questions": questions,
        "quizzes": quizzes,
        "competency": e1,
    }


def member(municipality, role: Role, username: str):
    user = UserFactory(username=username)
    StaffProfileFactory(user=user, municipality=municipality)
    user.groups.add(Group.objects.get(name=ROLES[role].group_name))
    return user


def refused(response) -> bool:
    """Wagtail's admin answers a refused permission with a redirect to its dashboard (and a message)."""
    return response.status_code == 403 or (
        response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    )


def titles(municipality) -> set[str]:
    with municipality_scope(municipality):
        return set(Question.objects.values_list("title", flat=True))


# --- the query layer ------------------------------------------------------------------------------------


@pytest.mark.scoped
def test_with_no_scope_a_query_on_questions_or_quizzes_raises(world):
    for model in (Question, Quiz):
        with pytest.raises(ScopeError):
            list(model.objects.all())
        with pytest.raises(ScopeError):
            model.objects.filter(pk__gt=0).exists()


def test_each_municipality_is_offered_the_shared_its_prefectures_and_its_own(world):
    assert titles(world["town"]) == {"A1-shared", "A1-pref", "A1-town"}
    assert titles(world["city"]) == {"A1-shared", "A1-pref", "A1-city"}
    assert titles(world["prefecture"]) == {"A1-shared", "A1-pref"}
    assert titles(world["village"]) == {"A1-shared", "A1-village"}  # another prefecture's is not offered
    with platform_wide():
        assert Question.objects.count() == 5


# --- authors of another municipality in the Wagtail admin -------------------------------------------------


def test_the_question_list_shows_the_towns_author_no_question_of_the_city(client, world):
    client.force_login(member(world["town"], Role.REVIEWER, "town-dx"))
    page = client.get(reverse("wagtailsnippets_assessments_question:list")).content.decode()
    assert "A1-town" in page and "A1-shared" in page and "A1-pref" in page
    assert "A1-city" not in page and "A1-village" not in page
    search = client.get(reverse("wagtailsnippets_assessments_question:list"), {"q": "A1"}).content.decode()
    assert "A1-city" not in search
    chooser = client.get(reverse("wagtailsnippetchoosers_assessments_question:choose")).content.decode()
    assert "A1-town" in chooser and "A1-city" not in chooser


@pytest.mark.parametrize("view", ["edit", "delete", "history", "usage", "copy"])
def test_the_citys_own_question_is_not_found_by_the_towns_author(client, world, view):
    client.force_login(member(world["town"], Role.REVIEWER, "town-dx"))
    city_question = world["questions"]["city"]
    response = client.get(reverse(f"wagtailsnippets_assessments_question:{view}", args=[city_question.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("key", ["shared", "pref"])
def test_shared_questions_are_read_only_to_a_municipality_and_a_post_changes_nothing(client, world, key):
    client.force_login(member(world["town"], Role.REVIEWER, "town-dx"))
    question = world["questions"][key]
    edit = reverse("wagtailsnippets_assessments_question:edit", args=[question.pk])
    assert refused(client.get(edit))
    assert refused(client.post(edit, {"title": "書き換え", "competency": world["competency"].pk, "level": 1}))
    for view in ("delete", "unpublish", "lock", "unlock"):
        assert refused(
            client.post(reverse(f"wagtailsnippets_assessments_question:{view}", args=[question.pk]))
        )
    question.refresh_from_db()
    assert question.title == f"A1-{key}" and question.live
    # but it can be read and copied: the copy is the town's own
    assert (
        client.get(reverse("wagtailsnippets_assessments_question:copy", args=[question.pk])).status_code
        == 200
    )


def test_the_prefecture_changes_its_own_library_and_not_the_shared_one(client, world):
    client.force_login(member(world["prefecture"], Role.REVIEWER, "pref-dx"))
    own = reverse("wagtailsnippets_assessments_question:edit", args=[world["questions"]["pref"].pk])
    shared = reverse("wagtailsnippets_assessments_question:edit", args=[world["questions"]["shared"].pk])
    assert client.get(own).status_code == 200
    assert refused(client.get(shared))


def test_a_new_question_belongs_to_the_authors_municipality_and_cannot_be_given_to_another(client, world):
    client.force_login(member(world["town"], Role.REVIEWER, "town-dx"))
    add = reverse("wagtailsnippets_assessments_question:add")
    form = client.get(add).content.decode()
    assert "みどり町" in form and "若葉市" not in form
    data = nested_form_data(
        {
            "title": "A1-町の問題",
            "competency": world["competency"].pk,
            "level": 1,
            "difficulty": 2,
            "body": streamfield(
                [
                    (
                        "true_false",
                        {
                            "text": rich_text("<p>パスワードは使い回してよい。</p>"),
                            "explanation": "使い回しません。",
                            "feedback_true": "",
                            "feedback_false": "",
                        },
                    )
                ]
            ),
        }
    )
    wrong_owner = client.post(add, {**data, "municipality": world["city"].pk})
    assert wrong_owner.status_code == 200  # the form again, with the field's error
    assert "municipality" in wrong_owner.context["form"].errors
    with platform_wide():
        assert not Question.objects.filter(title="A1-町の問題").exists()
    assert client.post(add, {**data, "municipality": world["town"].pk}).status_code == 302
    with platform_wide():
        assert Question.objects.get(title="A1-町の問題").municipality == world["town"]


def test_the_same_title_in_two_banks_is_two_questions(world):
    town_copy = make_question(TRUE_FALSE, title="A1-city-copy", competency=world["competency"])
    town_copy.title = "A1-city"
    town_copy.municipality = world["town"]
    town_copy.save()  # the city's A1-city exists: another bank may use the name
    with platform_wide():
        assert Question.objects.filter(title="A1-city").count() == 2


# --- quizzes: built only from what is offered to their owner --------------------------------------------


def test_a_towns_quiz_cannot_list_the_citys_question(client, world):
    town_quiz = world["quizzes"]["town"]
    client.force_login(member(world["town"], Role.REVIEWER, "town-dx"))
    edit = reverse("wagtailsnippets_assessments_quiz:edit", args=[town_quiz.pk])
    assert client.get(edit).status_code == 200
    data = {
        "title": "確認テスト-town",
        "municipality": world["town"].pk,
        "selection": "fixed",
        "passing_percent": 60,
        "feedback_timing": "immediate",
        "items-TOTAL_FORMS": 1,
        "items-INITIAL_FORMS": 0,
        "items-MIN_NUM_FORMS": 0,
        "items-MAX_NUM_FORMS": 1000,
        "items-0-question": world["questions"]["city"].pk,
        "items-0-weight": 1,
        "items-0-ORDER": 1,
        "draw_rules-TOTAL_FORMS": 0,
        "draw_rules-INITIAL_FORMS": 0,
        "draw_rules-MIN_NUM_FORMS": 0,
        "draw_rules-MAX_NUM_FORMS": 1000,
    }
    response = client.post(edit, data)
    assert response.status_code == 200  # the form again
    town_quiz.refresh_from_db()
    assert [item.question_id for item in town_quiz.items.all()] == [world["questions"]["shared"].pk]
    assert town_quiz.get_latest_revision().content["items"][0]["question"] == world["questions"]["shared"].pk


def test_a_shared_quiz_draws_only_shared_questions_whoever_takes_it(world):
    quiz = Quiz(title="抽出テスト", selection=Selection.RANDOM, passing_percent=60)
    quiz.draw_rules = [QuizDrawRule(competency=world["competency"], max_level=2, count=5)]
    quiz.save()
    with municipality_scope(world["town"]):  # a learner of the town takes it
        drawn = {d.question.title for seed in range(20) for d in quiz_draw(quiz=quiz, seed=seed)}
    assert drawn == {"A1-shared"}
    quiz.municipality = world["town"]
    quiz.save()
    with municipality_scope(world["town"]):
        drawn = {d.question.title for seed in range(20) for d in quiz_draw(quiz=quiz, seed=seed)}
    assert drawn == {"A1-shared", "A1-pref", "A1-town"}


def test_a_fixed_quiz_does_not_serve_a_question_that_is_not_offered_to_its_owner(world):
    quiz = world["quizzes"]["town"]
    QuizItem.objects.create(quiz=quiz, question=world["questions"]["city"], weight=1, sort_order=2)
    with municipality_scope(world["town"]):
        served = [d.question.title for d in quiz_draw(quiz=quiz, seed=1)]
    assert served == ["A1-shared"]


# --- learners ------------------------------------------------------------------------------------------


def test_a_town_learner_opens_shared_and_own_quizzes_but_not_the_citys(client, world):
    client.force_login(member(world["town"], Role.LEARNER, "town-learner"))
    quizzes = world["quizzes"]
    assert client.get(reverse("assessments:quiz", args=[quizzes["shared"].pk])).status_code == 200
    assert client.get(reverse("assessments:quiz", args=[quizzes["town"].pk])).status_code == 200
    assert client.get(reverse("assessments:quiz", args=[quizzes["city"].pk])).status_code == 404
    assert client.post(reverse("assessments:start", args=[quizzes["city"].pk])).status_code == 404


# --- imports -------------------------------------------------------------------------------------------

GIFT = """$CATEGORY: $course$/自治体DX/Lv1/A1

::A1-city::パスワードは使い回してよい。{F}
"""


def test_the_towns_import_goes_into_the_towns_bank_and_leaves_the_citys_question(client, world):
    client.force_login(member(world["town"], Role.REVIEWER, "town-dx"))
    city_question = world["questions"]["city"]
    before = city_question.latest_revision_id
    response = client.post(
        reverse("assessments_admin:import"),
        {
            "file": SimpleUploadedFile("q.gift", GIFT.encode()),
            "file_format": "gift",
            "municipality": world["town"].pk,
        },
    )
    assert response.status_code == 302
    with platform_wide():
        imported = Question.objects.get(title="A1-city", municipality=world["town"])
    assert imported.live
    city_question.refresh_from_db()
    assert city_question.latest_revision_id == before


def test_the_towns_author_cannot_import_into_the_city_or_the_shared_library(client, world):
    client.force_login(member(world["town"], Role.REVIEWER, "town-dx"))
    for owner in (world["city"].pk, ""):
        response = client.post(
            reverse("assessments_admin:import"),
            {
                "file": SimpleUploadedFile("q.gift", GIFT.encode()),
                "file_format": "gift",
                "municipality": owner,
            },
        )
        assert response.status_code == 200  # the form again, naming the field
    with platform_wide():
        assert Question.objects.filter(title="A1-city").count() == 1


def test_the_import_command_fills_the_named_municipalitys_bank(world, tmp_path):
    path = tmp_path / "q.gift"
    path.write_text(GIFT, encoding="utf-8")
    call_command("import_questions", str(path), "--format", "gift", "--municipality", world["village"].code)
    with platform_wide():
        assert Question.objects.get(title="A1-city", municipality=world["village"]).live
        assert Question.objects.filter(title="A1-city").count() == 2
