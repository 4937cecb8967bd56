"""The distribution stands alone: entry points, package data, and no Django, Wagtail or site."""

import importlib.metadata
import importlib.util
import os
from importlib import resources

import pytest
from xblock.core import XBlock

# `make xblock-test` sets this in its fresh environments, where the distribution is installed from a
# wheel: there the package must come from site-packages and Django must be absent.
INSTALLED = os.environ.get("DX_XBLOCKS_EXPECT_INSTALLED") == "1"


def test_both_blocks_are_registered_as_xblock_v1_entry_points():
    points = {ep.name: ep.value for ep in importlib.metadata.entry_points(group="xblock.v1")}
    assert points["dx_question"] == "dx_assessment.blocks:QuestionBlock"
    assert points["dx_quiz"] == "dx_assessment.blocks:QuizBlock"


def test_xblock_loads_the_classes_by_their_tags():
    question, quiz = XBlock.load_class("dx_question"), XBlock.load_class("dx_quiz")
    assert (question.__module__, question.__name__) == ("dx_assessment.blocks", "QuestionBlock")
    assert (quiz.__module__, quiz.__name__) == ("dx_assessment.blocks", "QuizBlock")
    assert question.has_score and quiz.has_score
    assert question.icon_class == "problem"


def test_static_files_and_both_catalog_files_ship_in_the_package():
    root = resources.files("dx_assessment")
    for name in ("static/dx_assessment.js", "static/dx_assessment.css"):
        assert root.joinpath(name).read_text(encoding="utf-8")
    for name in ("text.po", "text.mo"):
        assert root.joinpath("translations", "ja", "LC_MESSAGES", name).read_bytes()


@pytest.mark.skipif(not INSTALLED, reason="only in the fresh environments of `make xblock-test`")
def test_the_package_comes_from_an_installed_wheel_not_the_source_tree():
    import dx_assessment

    assert "site-packages" in dx_assessment.__file__
    assert "/src/dx_assessment" not in dx_assessment.__file__


@pytest.mark.skipif(not INSTALLED, reason="only in the fresh environments of `make xblock-test`")
@pytest.mark.parametrize("name", ["django", "wagtail", "pytest_django", "workbench"])
def test_the_fresh_environment_has_no_django_wagtail_or_workbench(name):
    assert importlib.util.find_spec(name) is None
