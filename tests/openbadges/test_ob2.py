"""OB 2.0 hosted verification: the documents' required fields, the salted recipient hash, revocation."""

import hashlib
from datetime import UTC, datetime

import pytest

from assessments.certification.openbadges import ob2

BASE = "https://dx.city.wakaba.example.lg.jp/openbadges"
EMAIL = "hanako.yamada@city.wakaba.example.lg.jp"


def make_assertion(**overrides):
    inputs = {
        "id": f"{BASE}/assertions/7d1f0c2e.json",
        "badge": f"{BASE}/badges/dx-leader.json",
        "email": EMAIL,
        "salt": "3f9c2a51d0b84e7e",
        "issued_on": datetime(2026, 4, 1, 9, 0, tzinfo=UTC),
        "expires": datetime(2029, 3, 31, 14, 59, 59, tzinfo=UTC),
    }
    return ob2.assertion(**{**inputs, **overrides})


def test_assertion_has_the_fields_hosted_verification_requires():
    assertion = make_assertion()

    assert assertion["@context"] == "https://w3id.org/openbadges/v2"
    assert assertion["type"] == "Assertion"
    assert assertion["id"] == f"{BASE}/assertions/7d1f0c2e.json"
    assert assertion["badge"] == f"{BASE}/badges/dx-leader.json"
    assert assertion["verification"] == {"type": "hosted"}
    assert assertion["issuedOn"] == "2026-04-01T09:00:00Z"
    assert assertion["expires"] == "2029-03-31T14:59:59Z"
    assert assertion["recipient"]["type"] == "email"
    assert assertion["recipient"]["hashed"] is True
    assert assertion["recipient"]["salt"] == "3f9c2a51d0b84e7e"
    assert EMAIL not in str(assertion)
    assert "revoked" not in assertion


def test_recipient_identity_is_sha256_of_the_address_and_salt():
    identity = make_assertion()["recipient"]["identity"]

    expected = hashlib.sha256((EMAIL + "3f9c2a51d0b84e7e").encode()).hexdigest()
    assert identity == f"sha256${expected}"


def test_recipient_matches_the_email_and_no_other():
    assertion = make_assertion()

    assert ob2.recipient_matches(assertion, EMAIL)
    assert ob2.recipient_matches(assertion, "  Hanako.Yamada@City.Wakaba.example.lg.jp ")  # case and spaces
    assert not ob2.recipient_matches(assertion, "taro.yamada@city.wakaba.example.lg.jp")
    assert not ob2.recipient_matches(assertion, "")


def test_the_same_email_hashes_differently_with_another_salt():
    assert ob2.recipient_identity_hash(EMAIL, "a") != ob2.recipient_identity_hash(EMAIL, "b")
    assert ob2.new_salt() != ob2.new_salt()
    other_salt = make_assertion(salt="another")
    assert ob2.recipient_matches(other_salt, EMAIL)
    assert other_salt["recipient"]["identity"] != make_assertion()["recipient"]["identity"]


def test_recipient_matches_refuses_other_identity_types_and_algorithms():
    assertion = make_assertion()
    md5_claim = {**assertion, "recipient": {**assertion["recipient"], "identity": "md5$" + "0" * 32}}
    telephone = {**assertion, "recipient": {**assertion["recipient"], "type": "telephone"}}
    plain = {**assertion, "recipient": {"type": "email", "hashed": False, "identity": EMAIL.upper()}}

    assert not ob2.recipient_matches(md5_claim, EMAIL)
    assert not ob2.recipient_matches(telephone, EMAIL)
    assert ob2.recipient_matches(plain, EMAIL)
    assert not ob2.recipient_matches({}, EMAIL)


def test_badge_class_links_issuer_criteria_and_competency_alignment():
    badge = ob2.badge_class(
        id=f"{BASE}/badges/dx-leader.json",
        name="DX推進リーダー",
        description="若葉市 DX推進リーダー認定。",
        issuer=f"{BASE}/issuer.json",
        criteria_narrative="コア能力8項目がすべて Lv3 以上",
        image="data:image/png;base64,iVBORw0KGgo=",
        alignments=[
            ob2.Alignment(
                target_name="データ利活用",
                target_url="https://dx.city.wakaba.example.lg.jp/competencies/2025/DATA-01",
                target_code="DATA-01",
                target_framework="自治体DX推進人材 能力フレームワーク 2025",
            )
        ],
    )

    assert badge["type"] == "BadgeClass"
    assert badge["issuer"] == f"{BASE}/issuer.json"
    assert badge["criteria"] == {"narrative": "コア能力8項目がすべて Lv3 以上"}
    assert badge["image"].startswith("data:image/png;base64,")
    assert badge["alignment"] == [
        {
            "targetName": "データ利活用",
            "targetUrl": "https://dx.city.wakaba.example.lg.jp/competencies/2025/DATA-01",
            "targetFramework": "自治体DX推進人材 能力フレームワーク 2025",
            "targetCode": "DATA-01",
        }
    ]
    assert "tags" not in badge


def test_issuer_profile_has_name_url_and_email():
    profile = ob2.issuer_profile(
        id=f"{BASE}/issuer.json",
        name="若葉市",
        url="https://www.city.wakaba.example.lg.jp/",
        email="dx@city.wakaba.example.lg.jp",
    )

    assert profile == {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Issuer",
        "id": f"{BASE}/issuer.json",
        "name": "若葉市",
        "url": "https://www.city.wakaba.example.lg.jp/",
        "email": "dx@city.wakaba.example.lg.jp",
    }


def test_revoked_assertion_says_revoked_with_its_reason():
    body = ob2.revoked_assertion(id=f"{BASE}/assertions/7d1f0c2e.json", reason="認定要件の誤りによる取消")

    assert body["id"] == f"{BASE}/assertions/7d1f0c2e.json"
    assert body["revoked"] is True
    assert body["revocationReason"] == "認定要件の誤りによる取消"
    assert "recipient" not in body
    assert ob2.REVOKED_STATUS == 410
    full = make_assertion(revoked=True, revocation_reason="取消")
    assert (full["revoked"], full["revocationReason"]) == (True, "取消")


def test_a_reason_without_revocation_and_naive_dates_are_refused():
    with pytest.raises(ValueError, match="revoked=True"):
        make_assertion(revocation_reason="取消")
    with pytest.raises(ValueError, match="timezone"):
        make_assertion(issued_on=datetime(2026, 4, 1))  # noqa: DTZ001 -- the naive date under test
