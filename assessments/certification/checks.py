"""System checks: proof files must not live where a web server serves files; the signing keys' KEK is set."""

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


@register(deploy=False)
def credential_kek_is_configured(app_configs=None, **kwargs) -> list[Error]:
    """The key-encryption key of the certificate signing keys: required in production, well-formed."""
    from .kek import ENVIRONMENT_VARIABLE, kek_problem

    problem = kek_problem()
    if problem is None:
        return []
    return [
        Error(
            problem,
            hint=(
                f"Set {ENVIRONMENT_VARIABLE} to 32 random bytes in URL-safe base64 (python -c "
                '"import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())"), '
                "kept outside the database and its backups."
            ),
            id="certification.E002",
        )
    ]
