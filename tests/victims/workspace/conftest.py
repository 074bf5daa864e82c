import pytest

from tests.victims.outreach import add_outreach


@pytest.fixture
def world(world):
    """The World with its outreach objects (tests/victims/outreach.py)."""
    return add_outreach(world)


@pytest.fixture
def worker_client(client, world):
    client.force_login(world["partner_contact"])
    return client


@pytest.fixture(autouse=True)
def _in_english(english):
    """Addresses and pages in English: the assertions read the English wording."""
