"""The pure rule modules import nothing but the standard library (they run in XBlocks and benchmarks).

A fresh interpreter with ``-I -S`` (no environment, no site-packages) whose path is only the repository
root imports each module; an import hook makes any import of Django, Wagtail or a project app fail, except
the pure proficiency scale (``courses.competencies.scale``) the level rules take their numbers from.
"""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PURE = [
    "assessments.certification.levels",
    "assessments.certification.rules",
    "assessments.certification.defaults",
    "assessments.certification.proofs",
    "assessments.certification.qualification_csv",
    "courses.competencies.scale",
    "courses.profile",
]
SCALE = {"courses", "courses.competencies", "courses.competencies.scale"}
CHECK = textwrap.dedent(
    """
    import importlib, sys
    sys.path[:0] = [ROOT]
    BLOCKED = {"django", "wagtail", "lms_site", "courses", "analytics", "celery", "modelcluster"}

    class Blocker:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED and name not in ALLOWED:
                raise ImportError(f"pure module tried to import {name}")
            return None

    sys.meta_path.insert(0, Blocker())
    importlib.import_module(MODULE)
    top = {n.split(".")[0] for n in sys.modules}
    foreign = sorted(top - set(sys.stdlib_module_names) - {"__main__", "assessments", "courses"})
    project = sorted(
        n for n in sys.modules if n.startswith(("assessments.", "courses")) and n not in ALLOWED
    )
    assert not foreign and not project, (foreign, project)
    print("pure")
    """
)


def run(module: str, code: str = CHECK) -> subprocess.CompletedProcess:
    allowed = {"assessments.certification", *PURE, *SCALE}
    source = f"ROOT = {str(ROOT)!r}\nMODULE = {module!r}\nALLOWED = {allowed!r}\n{code}"
    return subprocess.run(
        [sys.executable, "-I", "-S", "-c", source], capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize("module", PURE)
def test_pure_module_imports_the_standard_library_only(module):
    result = run(module)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "pure"


def test_the_check_catches_a_django_import():
    result = run("assessments.certification.models")
    assert result.returncode != 0
    assert "tried to import django" in result.stderr
