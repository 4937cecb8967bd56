"""The programme editor refuses every prerequisite cycle the rules could walk (ADR 0024).

The rules follow a prerequisite by its code, held to the programme of that code in force for the person's
municipality (its own copy, else its prefecture's, else the shared default). So a cycle may run through a
municipality's copy and the shared default of one code: the editor follows codes the same way, and refuses
the cycle naming its programmes, saving nothing. And a municipality's HR picks prerequisites among the
programmes offered to it only, however the POST is forged.
"""

import pytest
from django.urls import reverse

from assessments.certification.models import CertificationProgram
from tests.factories import MunicipalityFactory, UserFactory

from .test_admin import program_form, rows_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def hr_client(client, hr):
    client.force_login(hr)
    return client


def shared(code: str) -> CertificationProgram:
    return CertificationProgram.objects.get(code=code, municipality=None)


def copy_of(client, program, municipality, **changes):
    """HR copies ``program`` into its municipality with ``changes`` (the admin's add form, as 「コピー」)."""
    rows = [{**row, "id": ""} for row in rows_of(program)]
    data = program_form(program, rows, municipality=municipality.pk, **changes)
    return client.post(reverse("certificationprogram:add"), data)


def refusal(response) -> str:
    assert response.status_code == 200, response
    errors = response.context["form"].errors
    return " ".join(str(message) for messages in errors.values() for message in messages)


def test_a_copy_whose_prerequisite_leads_back_to_its_own_code_is_refused(hr_client, programs, municipality):
    """若葉市's copy of DX推進リーダー asking for DXエキスパート: the shared DXエキスパート asks for the code
    DX_LEADER, which for 若葉市's staff is that copy. No row leads back to a row, yet nobody could ever hold
    either: the editor refuses it, naming the programmes as the rules walk them."""
    response = copy_of(hr_client, shared("DX_LEADER"), municipality, prerequisite=shared("DX_EXPERT").pk)

    message = refusal(response)
    assert "循環" in message
    assert "DX推進リーダー(若葉市) → DXエキスパート(共通) → DX推進リーダー(若葉市)" in message
    assert not CertificationProgram.objects.filter(municipality=municipality).exists()


def test_a_copy_asking_for_the_default_of_its_own_code_is_refused(hr_client, programs, municipality):
    """A copy of DX推進リーダー asking for the shared DX推進リーダー asks, for its staff, for itself."""
    response = copy_of(hr_client, shared("DX_LEADER"), municipality, prerequisite=shared("DX_LEADER").pk)

    assert "DX推進リーダー(若葉市) → DX推進リーダー(若葉市)" in refusal(response)
    assert not CertificationProgram.objects.filter(municipality=municipality).exists()


@pytest.fixture
def own_chain(programs, municipality):
    """若葉市's own DXベーシック ← DX推進リーダー ← DXエキスパート (each asking for the one before)."""
    own = {}
    for code, before in (("DX_BASIC", None), ("DX_LEADER", "DX_BASIC"), ("DX_EXPERT", "DX_LEADER")):
        program = shared(code)
        own[code] = CertificationProgram.objects.create(
            code=code, name=program.name, municipality=municipality, prerequisite=own.get(before)
        )
    return own


def test_a_plain_cycle_of_own_programmes_is_refused(hr_client, own_chain):
    basic = own_chain["DX_BASIC"]
    response = hr_client.post(
        reverse("certificationprogram:edit", args=[basic.pk]),
        program_form(basic, rows_of(basic), prerequisite=own_chain["DX_EXPERT"].pk),
    )

    message = refusal(response)
    assert (
        "DXベーシック(若葉市) → DXエキスパート(若葉市) → DX推進リーダー(若葉市) → DXベーシック(若葉市)"
        in (message)
    )
    basic.refresh_from_db()
    assert basic.prerequisite is None


def test_a_programme_asking_for_itself_is_refused(hr_client, own_chain):
    leader = own_chain["DX_LEADER"]
    response = hr_client.post(
        reverse("certificationprogram:edit", args=[leader.pk]),
        program_form(leader, rows_of(leader), prerequisite=leader.pk),
    )

    assert "DX推進リーダー(若葉市) → DX推進リーダー(若葉市)" in refusal(response)
    leader.refresh_from_db()
    assert leader.prerequisite == own_chain["DX_BASIC"]


def test_a_valid_chain_through_copies_and_defaults_is_saved(hr_client, programs, municipality):
    """A copy of DXエキスパート asking for the shared DX推進リーダー, then a copy of DX推進リーダー asking for
    the shared DXベーシック: a chain, no cycle."""
    response = copy_of(hr_client, shared("DX_EXPERT"), municipality, prerequisite=shared("DX_LEADER").pk)
    assert response.status_code == 302
    response = copy_of(hr_client, shared("DX_LEADER"), municipality, prerequisite=shared("DX_BASIC").pk)
    assert response.status_code == 302
    own = dict(
        CertificationProgram.objects.filter(municipality=municipality).values_list(
            "code", "prerequisite__code"
        )
    )
    assert own == {"DX_EXPERT": "DX_LEADER", "DX_LEADER": "DX_BASIC"}


def test_a_shared_programme_closing_a_cycle_through_one_municipality_s_copy_is_refused(
    client, programs, municipality
):
    """The system administrator edits the shared default: its cycle check covers every municipality's
    copies, here 若葉市's DXベーシック, which asks for the shared DXエキスパート."""
    CertificationProgram.objects.create(
        code="DX_BASIC",
        name="若葉市のDXベーシック",
        municipality=municipality,
        prerequisite=shared("DX_EXPERT"),
    )
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    leader = shared("DX_LEADER")
    response = client.post(
        reverse("certificationprogram:edit", args=[leader.pk]),
        program_form(leader, rows_of(leader), prerequisite=shared("DX_BASIC").pk),
    )

    assert "DX推進リーダー(共通) → 若葉市のDXベーシック(若葉市) → DXエキスパート(共通)" in refusal(response)
    leader.refresh_from_db()
    assert leader.prerequisite is None


def test_hr_cannot_forge_another_municipality_s_own_programme_as_prerequisite(
    hr_client, programs, municipality
):
    """Attacker: 若葉市's HR posts みどり町's own programme's id as the prerequisite, in a new copy and in
    an edit of its own programme. Both are refused and nothing points at みどり町's programme."""
    town = MunicipalityFactory(code="999992", name="みどり町")
    theirs = CertificationProgram.objects.create(
        code="TOWN_ONLY", name="みどり町だけの認定", municipality=town
    )

    response = copy_of(hr_client, shared("DX_EXPERT"), municipality, prerequisite=theirs.pk)
    assert "prerequisite" in response.context["form"].errors
    assert not CertificationProgram.objects.filter(municipality=municipality).exists()

    own = CertificationProgram.objects.create(code="OWN", name="若葉市の認定", municipality=municipality)
    response = hr_client.post(
        reverse("certificationprogram:edit", args=[own.pk]), program_form(own, [], prerequisite=theirs.pk)
    )
    assert "prerequisite" in response.context["form"].errors
    assert not CertificationProgram.objects.filter(prerequisite=theirs).exists()
