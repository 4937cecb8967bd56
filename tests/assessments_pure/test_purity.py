"""The pure packages import nothing but the standard library (and defusedxml for the formats).

They ship inside the Open edX XBlock and run in benchmarks, where Django is not configured. Each check
runs a fresh interpreter with ``-I -S`` (no environment, no site-packages, no .pth hooks) whose path is
only the repository root and, for the formats, the site-packages directory holding defusedxml; an
import hook makes any attempt to import Django, Wagtail or another project app fail loudly.
"""

import subprocess
import sys
import textwrap
from pathlib import Path

import defusedxml

ROOT = Path(__file__).resolve().parents[2]
XBLOCK_SRC = ROOT / "assessments" / "xblocks" / "src"
SITE_PACKAGES = Path(defusedxml.__file__).resolve().parents[1]

CHECK = textwrap.dedent(
    """
    import importlib, pkgutil, sys
    sys.path[:0] = PATHS
    BLOCKED = {"django", "wagtail", "lms_site", "courses", "analytics", "celery", "xblock", "rest_framework"}

    class Blocker:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ImportError(f"pure package tried to import {name}")
            return None

    sys.meta_path.insert(0, Blocker())
    for package_name in PACKAGES:
        package = importlib.import_module(package_name)
        for module in pkgutil.iter_modules(package.__path__):
            importlib.import_module(f"{package_name}.{module.name}")
    allowed = set(sys.stdlib_module_names) | {"__main__", "assessments", "dx_assessment"} | ALLOWED
    foreign = sorted({name.split(".")[0] for name in sys.modules} - allowed)
    pure = ("dx_assessment.grading", "assessments.formats")
    project = sorted(n for n in sys.modules if n.startswith(("assessments.", "dx_assessment."))
                     and not n.startswith(pure))
    assert not foreign and not project, (foreign, project)
    print("pure")
    """
)


def _run(packages: list[str], paths: list[Path], allowed: set[str]) -> subprocess.CompletedProcess:
    code = f"PATHS = {[str(p) for p in paths]!r}\nPACKAGES = {packages!r}\nALLOWED = {allowed!r}\n{CHECK}"
    return subprocess.run(
        [sys.executable, "-I", "-S", "-c", code], capture_output=True, text=True, timeout=60, check=False
    )


def test_grading_imports_with_the_standard_library_only():
    run = _run(["dx_assessment.grading"], [XBLOCK_SRC], set())
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "pure"


def test_formats_import_with_the_standard_library_and_defusedxml_only():
    run = _run(
        ["dx_assessment.grading", "assessments.formats"], [ROOT, XBLOCK_SRC, SITE_PACKAGES], {"defusedxml"}
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "pure"


def test_the_import_check_catches_a_django_import():
    """The check itself works: a module importing django fails it."""
    code = CHECK.replace("for package_name in PACKAGES:", "import django\nfor package_name in PACKAGES:")
    run = subprocess.run(
        [
            sys.executable,
            "-I",
            "-S",
            "-c",
            f"PATHS = [{str(SITE_PACKAGES)!r}]\nPACKAGES = []\nALLOWED = set()\n{code}",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode != 0
    assert "tried to import django" in run.stderr
