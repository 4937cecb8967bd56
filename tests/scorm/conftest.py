import pytest

from tests.courses.conftest import curriculum, framework  # noqa: F401 (the courses' fixtures)
from tests.scorm.packages import build_package, install_packager


@pytest.fixture(scope="session")
def scorm_zips(tmp_path_factory) -> dict[str, bytes]:
    """{"1.2": zip bytes, "2004": zip bytes}, built once per session by simple-scorm-packager."""
    install_packager()
    root = tmp_path_factory.mktemp("scorm")
    return {
        "1.2": build_package(root / "v12", "1.2").read_bytes(),
        "2004": build_package(root / "v2004", "2004 4th Edition").read_bytes(),
    }


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
