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


# A SCO of a multi-SCO package: it starts its session, shows what it resumed with, and waits for the
# learner: 「完了する」 reports completion (and a pass) and commits; for SCORM 2004, 「次へ」 and 「2 へ」
# ask the LMS to go on (adl.nav.request continue, and choice of the item sco_2) and end the session.
MULTI_SCO = """<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>{name}</title></head>
<body><main><h1>{name}</h1><p id="resumed"></p><p id="done"></p>
<button type="button" id="finish">完了する</button>
<button type="button" id="next">次へ</button>
<button type="button" id="choose">2 へ</button></main>
<script>
var v12 = !!window.parent.API, api = window.parent.API || window.parent.API_1484_11;
function set(a, b) {{ return v12 ? api.LMSSetValue(a, "" + b) : api.SetValue(a, "" + b); }}
v12 ? api.LMSInitialize("") : api.Initialize("");
document.getElementById("resumed").textContent = "resumed:" +
  (v12 ? api.LMSGetValue("cmi.suspend_data") : api.GetValue("cmi.suspend_data"));
set("cmi.suspend_data", "{name}:seen");
document.getElementById("finish").onclick = function () {{
  if (v12) {{ set("cmi.core.score.raw", 90); set("cmi.core.lesson_status", "passed"); }}
  else {{ set("cmi.score.scaled", 0.9); set("cmi.completion_status", "completed");
    set("cmi.success_status", "passed"); }}
  document.getElementById("done").textContent = "commit:" + (v12 ? api.LMSCommit("") : api.Commit(""));
}};
document.getElementById("next").onclick = function () {{
  set("adl.nav.request", "continue"); api.Terminate("");
}};
document.getElementById("choose").onclick = function () {{
  set("adl.nav.request", "{{target=sco_2}}choice"); api.Terminate("");
}};
</script></body></html>
"""


def build_multi_sco_package(directory: Path, version: str) -> Path:
    """A two-SCO package: simple-scorm-packager makes single-SCO packages only, so its manifest (of SCO 1,
    ``index.html``) gets a chapter item ``chapter_1`` holding the packager's item (renamed ``sco_1``) and a
    second item ``sco_2`` with its own SCO resource (``sco2.html``), the way authoring tools nest them."""
    import zipfile

    from lxml import etree

    source, output = directory / "source", directory / "output"
    source.mkdir(parents=True)
    output.mkdir()
    (source / "index.html").write_text(MULTI_SCO.format(name="SCO 1"), encoding="utf-8")
    (source / "sco2.html").write_text(MULTI_SCO.format(name="SCO 2"), encoding="utf-8")
    result = subprocess.run(
        ["node", str(TOOLS / "build.js"), version, str(source), str(output)],
        check=True,
        capture_output=True,
        text=True,
    )
    built = Path(result.stdout.strip().splitlines()[-1])
    with zipfile.ZipFile(built) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    root = etree.fromstring(members["imsmanifest.xml"])
    cp = etree.QName(root).namespace
    adlcp = root.nsmap["adlcp"]
    organization = root.find(f"{{{cp}}}organizations/{{{cp}}}organization")
    first = organization.find(f"{{{cp}}}item")
    first.set("identifier", "sco_1")
    first.find(f"{{{cp}}}title").text = "第1節 情報資産"
    chapter = etree.Element(f"{{{cp}}}item", identifier="chapter_1")
    etree.SubElement(chapter, f"{{{cp}}}title").text = "第1章 情報セキュリティの基本"
    first.addprevious(chapter)
    chapter.append(first)
    second = etree.SubElement(chapter, f"{{{cp}}}item", identifier="sco_2", identifierref="resource_2")
    etree.SubElement(second, f"{{{cp}}}title").text = "第2節 パスワード"
    first.addnext(second)
    resources = root.find(f"{{{cp}}}resources")
    scormtype = f"{{{adlcp}}}scormtype" if version == "1.2" else f"{{{adlcp}}}scormType"
    resource = etree.SubElement(
        resources,
        f"{{{cp}}}resource",
        {"identifier": "resource_2", "type": "webcontent", "href": "sco2.html", scormtype: "sco"},
    )
    etree.SubElement(resource, f"{{{cp}}}file", href="sco2.html")
    members["imsmanifest.xml"] = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    rebuilt = directory / f"multi-{built.name}"
    with zipfile.ZipFile(rebuilt, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return rebuilt
