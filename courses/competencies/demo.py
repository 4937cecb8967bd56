"""Demo competency framework: 自治体DX人材 能力フレームワーク v1.0 from ``fixtures/framework``, as current;
and a reference framework, an abridged demo after the structure of DXリテラシー標準
(``fixtures/demo/reference``), our competencies mapped to its items.

``load`` (called by ``manage.py load_demo``) brings our framework; ``reference_load`` the reference
framework and the mappings, called by the curriculum's demo (``courses.demo``), whose courses are aligned to
its items. A second run adds nothing: a version is left as it is once there, and a pair already mapped is
not mapped again.
"""

import json
from pathlib import Path

from django.conf import settings

from . import csv_io, selectors, services
from .models import CompetencyFramework

FRAMEWORK_CSV = Path(settings.BASE_DIR) / "fixtures" / "framework" / "dx_competency_framework_v1.csv"
REFERENCE_DIR = Path(settings.BASE_DIR) / "fixtures" / "demo" / "reference"
REFERENCE_CASE = REFERENCE_DIR / "dx-literacy-standard.json"
REFERENCE_MAPPINGS = REFERENCE_DIR / "mappings.csv"


class DemoFrameworkError(Exception):
    pass


def load(*, stdout) -> None:
    content = FRAMEWORK_CSV.read_bytes()
    data, problems = csv_io.parse(content)
    if problems or data is None:
        raise DemoFrameworkError(f"{FRAMEWORK_CSV.name}: " + "; ".join(map(str, problems[:10])))
    if selectors.framework_get(title=data.title, version=data.version) is not None:
        stdout.write(f"  {data.title} v{data.version}: already there")
        return
    outcome = services.framework_import_csv(content=content, make_current=True)
    if not outcome.ok:
        raise DemoFrameworkError(f"{FRAMEWORK_CSV.name}: " + "; ".join(outcome.errors[:10]))
    stdout.write(f"  {outcome.framework}: imported as the current framework")


def reference_load(*, framework: CompetencyFramework, stdout) -> CompetencyFramework:
    """The demo's reference framework, imported once, with ``framework``'s (our current one's)
    competencies mapped to its items from ``mappings.csv``."""
    reference = reference_framework()
    if reference is not None:
        stdout.write(f"  {reference}: already there")
    else:
        # the default hierarchy: the four items under the document are the areas, every leaf a competency
        # (データ, デジタル技術, 活用事例・利用方法 and 留意点, one step between, go into their descriptions)
        outcome = services.framework_import_case(content=REFERENCE_CASE.read_bytes(), reference=True)
        if not outcome.ok:
            raise DemoFrameworkError(f"{REFERENCE_CASE.name}: " + "; ".join(outcome.errors[:10]))
        reference = outcome.framework
        stdout.write(f"  {reference}: imported as a reference framework")
    mapped = services.mappings_import_csv(
        framework=framework, reference=reference, content=REFERENCE_MAPPINGS.read_bytes()
    )
    if not mapped.ok:
        raise DemoFrameworkError(f"{REFERENCE_MAPPINGS.name}: " + "; ".join(map(str, mapped.problems[:10])))
    stdout.write(f"  mappings to {reference}: {mapped.created} added, {mapped.unchanged} already there")
    return reference


def reference_framework() -> CompetencyFramework | None:
    """The demo's reference framework if loaded, found by the title and version of its CFDocument."""
    document = json.loads(REFERENCE_CASE.read_text(encoding="utf-8"))["CFDocument"]
    return selectors.framework_get(title=document["title"], version=document["version"])
