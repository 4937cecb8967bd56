"""``Scope.covers_municipality``: a row stamped with a municipality (a certificate's issuing one) is in a
scope that takes in that whole municipality, and in no subtree's (ADR 0016, "One scope")."""

import pytest

from lms_site.organisation.models import JobGrade
from lms_site.organisation.roles import Role
from lms_site.organisation.scope import Purpose, Scope, scope_for
from tests.organisation.test_scope import person, world  # noqa: F401 - re-exported fixture

pytestmark = pytest.mark.django_db


def test_a_municipality_scope_covers_its_own_municipality_only(world):  # noqa: F811
    ours, theirs = world["020100"].municipality_id, world["B-ka"].municipality_id
    hr = person(world, name="hr", department="010100", role=Role.HR)

    for purpose in (Purpose.REPORTS, Purpose.PROGRAMME):
        scope = scope_for(hr, purpose=purpose)
        assert scope.covers_municipality(ours)
        assert not scope.covers_municipality(theirs)
        assert not scope.covers_municipality(None)


def test_a_head_covers_no_whole_municipality_not_even_their_own(world):  # noqa: F811
    kacho = person(world, name="kacho", department="020100", grade=JobGrade.KACHO, role=Role.MANAGER)

    scope = scope_for(kacho, purpose=Purpose.HEADED)
    assert scope.municipality_id == world["020100"].municipality_id
    assert not scope.covers_municipality(world["020100"].municipality_id)


def test_a_platform_wide_scope_covers_every_municipality(world):  # noqa: F811
    root = person(world, name="root", role="superuser", staff=False)

    scope = scope_for(root, purpose=Purpose.PROGRAMME)
    assert scope.covers_municipality(world["020100"].municipality_id)
    assert scope.covers_municipality(world["B-ka"].municipality_id)
    assert Scope(None, "0001").covers_municipality(world["020100"].municipality_id) is False
