"""Fixtures of the XBlock tests: a small in-memory runtime, with no Django anywhere.

These tests belong to the XBlock distribution, not to the site: under the site's suite (pytest-django
with the site's settings) this directory is not collected. Run them with ``make xblock-test`` or
``python -m pytest tests/xblocks`` (``tests/xblocks/pytest.ini`` disables pytest-django).
"""

import pytest


def pytest_ignore_collect(collection_path, config):
    if config.pluginmanager.has_plugin("django"):
        return True
    return None


@pytest.fixture
def runtime():
    from tests.xblocks.runtime import MemoryRuntime

    return MemoryRuntime()
