import pytest

from tests.api.tokens import issue


@pytest.fixture
def token(world):
    """Every scope, for the first court, in the liaison officer's name."""
    return issue(world["liaison"], [world.court])


@pytest.fixture
def redis_down(settings):
    """The Redis cache points at a closed port (as tests/core/test_redis_down.py does)."""
    dead = "redis://127.0.0.1:1/0"
    settings.CACHES = {**settings.CACHES, "redis": {**settings.CACHES["redis"], "LOCATION": dead}}
