import os
import shutil

import pytest
from django.utils import translation

from tests.factories import RegionFactory, UserFactory


@pytest.fixture
def east(db):
    return RegionFactory(slug="east", name_fr="Est", name_en="East", position=4)


@pytest.fixture
def northwest(db):
    return RegionFactory(slug="northwest", name_fr="Nord-Ouest", name_en="Northwest", position=6)


@pytest.fixture
def admin_user(db):
    return UserFactory(
        email="admin@example.org", full_name="Alex Admin", is_staff=True, is_superuser=True
    )


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def french():
    with translation.override("fr"):
        yield


def require_system_tool(command, *, package):
    """Skip when a Debian tool is missing on a workstation; fail in CI, which installs it."""
    if shutil.which(command):
        return
    message = f"{command} is missing: apt-get install {package}"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)
