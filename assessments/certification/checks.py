"""System checks: proof files must not live where a web server serves files."""

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, register

from .storage import proof_root


def _inside(path: Path, root: str | None) -> bool:
    if not root:
        return False
    return path.resolve().is_relative_to(Path(root).resolve())


@register()
def proof_root_is_private(app_configs=None, **kwargs) -> list[Error]:
    root = proof_root()
    for setting in ("MEDIA_ROOT", "STATIC_ROOT"):
        if _inside(root, getattr(settings, setting, None)):
            return [
                Error(
                    f"Evidence proofs would be stored under {setting} ({root}), which may be served.",
                    hint="Set PRIVATE_MEDIA_ROOT to a directory outside MEDIA_ROOT and STATIC_ROOT.",
                    id="certification.E001",
                )
            ]
    return []
