"""A third party checks our credentials: the Digital Credentials Consortium's verifier-core, run by Node.

``tools/credential-verifier/verify.mjs`` wraps ``@digitalcredentials/verifier-core`` (Digital Bazaar's
jsonld-signatures, eddsa-rdfc-2022 cryptosuite and rdf-canonize underneath). It runs with no network: where
``unshare -n`` works (root in CI) the tests run it in a network namespace with no interfaces, which proves
it. Node packages are installed by ``install.sh`` on first use; only a machine without ``node`` skips.
"""

import json
import shutil
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from assessments.certification.openbadges import ob3
from tests.openbadges import ISSUER_KEY, ISSUER_METHOD, certificate_credential, signed_certificate

VERIFIER = Path(__file__).resolve().parents[2] / "tools" / "credential-verifier"


def _no_network_prefix() -> list[str]:
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-n", "true"], capture_output=True, check=False).returncode == 0:
        return [unshare, "-n"]
    return []


@pytest.fixture(scope="module")
def dcc_verify():
    """verify(credential, documents=None) -> (exit code, the printed JSON result).

    ``documents`` ({URL: document}) are handed to the verifier besides the credential (a status list
    fetched beforehand); every other URL stays refused.
    """
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not on PATH, so the DCC verifier (tools/credential-verifier) cannot run")
    subprocess.run(["bash", str(VERIFIER / "install.sh")], check=True, timeout=600)
    command = [*_no_network_prefix(), node, str(VERIFIER / "verify.mjs")]

    def verify(credential: dict, documents: dict | None = None) -> tuple[int, dict]:
        extra = []
        if documents is not None:
            with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as handle:
                json.dump(documents, handle, ensure_ascii=False)
            extra = ["--documents", handle.name]
        try:
            done = subprocess.run(
                [*command, *extra],
                input=json.dumps(credential, ensure_ascii=False),
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
        finally:
            if extra:
                Path(extra[1]).unlink()
        assert done.stdout, f"verify.mjs printed nothing; stderr: {done.stderr}"
        return done.returncode, json.loads(done.stdout)

    return verify


def test_dcc_verifier_accepts_our_signed_credential(dcc_verify):
    code, result = dcc_verify(signed_certificate())

    assert (code, result["verified"], result["errors"]) == (0, True, [])
    steps = {step["id"]: step["valid"] for step in result["log"]}
    assert steps["valid_signature"] is True
    assert steps["expiration"] is True
    assert [check["result"]["valid"] for check in result["schema"]] == [True]


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda c: c["credentialSubject"].update(name="山田 太郎"), id="recipient-name"),
        pytest.param(lambda c: c.update(validUntil="2039-03-31T14:59:59Z"), id="validUntil"),
        pytest.param(
            lambda c: c["credentialSubject"]["achievement"]["criteria"].update(narrative="なし"),
            id="criteria",
        ),
    ],
)
def test_dcc_verifier_rejects_a_tampered_copy(dcc_verify, change):
    credential = signed_certificate()
    change(credential)

    code, result = dcc_verify(credential)

    assert (code, result["verified"]) == (1, False)
    assert any("signature" in error for error in result["errors"])


def test_dcc_verifier_counts_expiry_although_the_signature_is_valid(dcc_verify):
    expired = ob3.sign(
        certificate_credential(
            valid_from=datetime(2020, 4, 1, tzinfo=UTC), valid_until=datetime(2023, 3, 31, tzinfo=UTC)
        ),
        ISSUER_KEY,
        ISSUER_METHOD,
    )

    code, result = dcc_verify(expired)

    assert ob3.verify(expired).verified
    assert (code, result["verified"]) == (1, False)
    assert {step["id"]: step["valid"] for step in result["log"]} == {
        "valid_signature": True,
        "expiration": False,
        "registered_issuer": False,
    }
