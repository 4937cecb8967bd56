"""Where package files live: outside MEDIA_ROOT (``PRIVATE_MEDIA_ROOT/scorm-packages``), with no URL.

Only ``views.package_file`` serves them, after checking who asks; nothing in a package is ever run by the
server. Each package has its own directory, named by a random UUID.
"""

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible

SUBDIRECTORY = "scorm-packages"


def package_root() -> Path:
    private = getattr(settings, "PRIVATE_MEDIA_ROOT", None) or Path(settings.VAR_DIR) / "private"
    return Path(private) / SUBDIRECTORY


@deconstructible(path="courses.scorm.storage.PackageStorage")
class PackageStorage(FileSystemStorage):
    """A file system storage whose location follows the settings (read on each use) and has no URL."""

    def __init__(self) -> None:
        super().__init__(file_permissions_mode=0o600, directory_permissions_mode=0o700)

    @property  # type: ignore[override]
    def base_location(self) -> str:
        return str(package_root())

    @property  # type: ignore[override]
    def location(self) -> str:
        return str(package_root().resolve())

    def url(self, name: str | None) -> str:
        raise ValueError("Package files have no public URL; views.package_file serves them.")


package_storage = PackageStorage()
