"""The participants' fixtures (a fixed clock, the world's first person enrolled and agreeing to
email and texts), for the attacks on the messages."""

from tests.notifications.participants.conftest import clock, enrolled  # noqa: F401
