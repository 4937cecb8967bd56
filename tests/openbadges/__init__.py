"""Tests of the Open Badges credential library (pure: no database), and one certificate to test with."""

from datetime import UTC, datetime

from assessments.certification.openbadges import keys, ob3
from assessments.certification.openbadges.ob2 import Alignment

# The did:key spec's first Ed25519 test vector: seed 00…00 (a fixed issuer key keeps failures reproducible).
ISSUER_KEY = keys.private_key_from_text("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
ISSUER_DID = keys.did_key(ISSUER_KEY.public_key())
ISSUER_METHOD = keys.did_key_verification_method(ISSUER_KEY.public_key())
EMAIL = "hanako.yamada@city.wakaba.example.lg.jp"
SALT = "3f9c2a51d0b84e7e"


def certificate_credential(**overrides) -> dict:
    """An unsigned OB 3.0 credential of a DX leader certificate: Japanese text, a multi-line narrative."""
    inputs = {
        "credential_id": "https://dx.city.wakaba.example.lg.jp/certificates/7d1f0c2e/credential.json",
        "issuer": ob3.Issuer(id=ISSUER_DID, name="若葉市", url="https://www.city.wakaba.example.lg.jp/"),
        "recipient": ob3.Recipient(name="山田 花子", email=EMAIL, salt=SALT),
        "achievement": ob3.Achievement(
            id="https://dx.city.wakaba.example.lg.jp/certification/programmes/dx-leader",
            name="DX推進リーダー",
            description="若葉市 DX推進リーダー認定。",
            criteria_narrative="コア能力8項目がすべて Lv3 以上\n\n* 修了課題（キャプストーン）の合格\n"
            '* 課をまたぐ実践プロジェクト\t"1件以上"',
            alignments=(
                Alignment(
                    target_name="データ利活用",
                    target_url="https://dx.city.wakaba.example.lg.jp/competencies/2025/DATA-01",
                    target_code="DATA-01",
                    target_framework="自治体DX推進人材 能力フレームワーク 2025",
                ),
                Alignment(
                    target_name="業務改革（BPR）",
                    target_url="https://dx.city.wakaba.example.lg.jp/competencies/2025/BPR-01",
                    target_code="BPR-01",
                    target_framework="自治体DX推進人材 能力フレームワーク 2025",
                ),
            ),
        ),
        "valid_from": datetime(2026, 4, 1, tzinfo=UTC),
        "valid_until": datetime(2029, 3, 31, 14, 59, 59, tzinfo=UTC),
    }
    return ob3.open_badge_credential(**{**inputs, **overrides})


def signed_certificate(**overrides) -> dict:
    return ob3.sign(
        certificate_credential(**overrides),
        ISSUER_KEY,
        ISSUER_METHOD,
        created=datetime(2026, 4, 1, tzinfo=UTC),
    )
