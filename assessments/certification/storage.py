"""Where proof uploads live: outside MEDIA_ROOT, under names nobody can guess, with no URL at all.

Only ``views.proof_download`` streams a proof, after checking who asks. The root is the setting
``PRIVATE_MEDIA_ROOT`` (``var/private`` when unset) plus ``evidence-proofs``; ``checks.py`` refuses a
root inside MEDIA_ROOT or STATIC_ROOT, which a web server may serve.
"""

import secrets
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible

SUBDIRECTORY = "evidence-proofs"


def proof_root() -> Path:
    private = getattr(settings, "PRIVATE_MEDIA_ROOT", None) or Path(settings.VAR_DIR) / "private"
    return Path(private) / SUBDIRECTORY


@deconstructible(path="assessments.certification.storage.ProofStorage")
class ProofStorage(FileSystemStorage):
    """A file system storage whose location follows the settings (read on each use) and has no URL."""

    def __init__(self) -> None:
        super().__init__(file_permissions_mode=0o600, directory_permissions_mode=0o700)

    @property  # type: ignore[override]
    def base_location(self) -> str:
        return str(proof_root())

    @property  # type: ignore[override]
    def location(self) -> str:
        return str(proof_root().resolve())

    def url(self, name: str | None) -> str:
        raise ValueError("Proof files have no public URL; they are streamed by a permission-checked view.")


def proof_upload_to(instance, filename: str) -> str:
    """``ab/<32 random hex>.<ext>``: 128 random bits; the learner's file name is never part of the path."""
    extension = PurePosixPath(filename).suffix.lower()
    token = secrets.token_hex(16)
    return f"{token[:2]}/{token}{extension}"
