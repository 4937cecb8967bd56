"""Japanese is the source language; the English catalog must cover every string and be compiled."""

import gettext
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
ENTRY = re.compile(r'^msgid ((?:".*"\n)+)msgstr ((?:".*"\n)+)', re.MULTILINE)


def catalog(path: Path) -> dict[str, str]:
    def unquote(block: str) -> str:
        return "".join(eval(line) for line in block.strip().splitlines())  # noqa: S307 - our own .po file

    text = path.read_text(encoding="utf-8") + "\n"
    return {unquote(msgid): unquote(msgstr) for msgid, msgstr in ENTRY.findall(text) if unquote(msgid)}


def test_every_string_has_an_english_translation():
    untranslated = [msgid for msgid, msgstr in catalog(PO).items() if not msgstr]
    assert untranslated == []
    assert "#, fuzzy" not in PO.read_text(encoding="utf-8")


def test_compiled_catalog_matches_the_source():
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for msgid, msgstr in catalog(PO).items():
        assert compiled.gettext(msgid) == msgstr, msgid


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed")
def test_catalog_lists_every_translatable_string_in_the_code(tmp_path):
    for name in (
        "lms_site",
        "courses",
        "assessments",
        "analytics",
        "training",
        "api",
        "lti",
        "locale",
        "manage.py",
    ):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            shutil.copy(source, tmp_path / name)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-obsolete"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        env={"DJANGO_SETTINGS_MODULE": "lms_site.settings.test", "PATH": "/usr/bin:/bin"},
    )
    fresh = set(catalog(tmp_path / "locale" / "en" / "LC_MESSAGES" / "django.po"))
    missing = fresh - set(catalog(PO))
    assert not missing, f"run 'make messages' and translate: {sorted(missing)}"
