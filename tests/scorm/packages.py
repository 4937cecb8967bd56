"""SCORM packages built by an independent packager (npm simple-scorm-packager, tools/scorm-packager),
each holding one small SCO that talks to the runtime the way authoring tools' SCOs do: it finds the API
in its parent window, shows the suspend data it resumed with, and reports completion and a score."""

import shutil
import subprocess
from pathlib import Path

TOOLS = Path(__file__).resolve().parents[2] / "tools" / "scorm-packager"

SCO_12 = """<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>SCO 1.2</title></head>
<body><main><h1>情報セキュリティ研修</h1><p id="resumed"></p><p id="done"></p></main>
<script>
var api = window.parent.API;
api.LMSInitialize("");
document.getElementById("resumed").textContent = "resumed:" + api.LMSGetValue("cmi.suspend_data");
api.LMSSetValue("cmi.core.lesson_location", "page-3");
api.LMSSetValue("cmi.suspend_data", "page=3;answers=abc");
api.LMSSetValue("cmi.core.score.raw", "85");
api.LMSSetValue("cmi.core.score.min", "0");
api.LMSSetValue("cmi.core.score.max", "100");
api.LMSSetValue("cmi.core.lesson_status", "passed");
api.LMSSetValue("cmi.core.session_time", "00:01:30");
document.getElementById("done").textContent = "commit:" + api.LMSCommit("");
</script></body></html>
"""

SCO_2004 = """<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>SCO 2004</title></head>
<body><main><h1>情報セキュリティ研修</h1><p id="resumed"></p><p id="done"></p></main>
<script>
var api = window.parent.API_1484_11;
api.Initialize("");
document.getElementById("resumed").textContent = "resumed:" + api.GetValue("cmi.suspend_data");
api.SetValue("cmi.location", "page-3");
api.SetValue("cmi.suspend_data", "page=3;answers=abc");
api.SetValue("cmi.score.raw", "85");
api.SetValue("cmi.score.min", "0");
api.SetValue("cmi.score.max", "100");
api.SetValue("cmi.score.scaled", "0.85");
api.SetValue("cmi.completion_status", "completed");
api.SetValue("cmi.success_status", "passed");
api.SetValue("cmi.session_time", "PT1M30S");
document.getElementById("done").textContent = "commit:" + api.Commit("");
</script></body></html>
"""


def install_packager() -> None:
    if shutil.which("npm") is None or shutil.which("node") is None:
        import pytest

        pytest.skip("Node and npm are needed for the SCORM packager (tools/scorm-packager)")
    subprocess.run([str(TOOLS / "install.sh")], check=True)


def build_package(directory: Path, version: str) -> Path:
    """A SCORM ``version`` ("1.2" or "2004 4th Edition") zip built by simple-scorm-packager."""
    source, output = directory / "source", directory / "output"
    source.mkdir(parents=True)
    output.mkdir()
    (source / "index.html").write_text(SCO_12 if version == "1.2" else SCO_2004, encoding="utf-8")
    result = subprocess.run(
        ["node", str(TOOLS / "build.js"), version, str(source), str(output)],
        check=True,
        capture_output=True,
        text=True,
    )
    return Path(result.stdout.strip().splitlines()[-1])
