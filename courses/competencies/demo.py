"""Demo competency framework: 自治体DX人材 能力フレームワーク v1.0 from ``fixtures/framework``, as current.

Loaded by ``manage.py load_demo``; a second run adds nothing (the version is left as it is once there).
"""

from pathlib import Path

from django.conf import settings

from . import csv_io, selectors, services

FRAMEWORK_CSV = Path(settings.BASE_DIR) / "fixtures" / "framework" / "dx_competency_framework_v1.csv"


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
