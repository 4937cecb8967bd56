"""Schemathesis, an independent API fuzzer, against the live site with a real client token (issue 16):
every operation of /api/schema/, bounded examples in CI (``SCHEMATHESIS_EXAMPLES``, default 25; more with
``make fuzz``), all of its checks: documented status codes, responses valid against the schema, no 500."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import token_for

pytestmark = pytest.mark.django_db(transaction=True)
ST = Path(sys.executable).with_name("st")


def test_schemathesis_finds_nothing_wrong(live_server, client, world, tmp_path):
    token = token_for(client, world["city"])
    examples = os.environ.get("SCHEMATHESIS_EXAMPLES", "25")
    result = subprocess.run(
        [
            str(ST),
            "run",
            f"{live_server.url}/api/schema/",
            "--header",
            f"Authorization: Bearer {token}",
            "--max-examples",
            examples,
            "--checks",
            "all",
            "--report-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
