"""The fixtures of the victims' messages tests: their fixed clock, a referral naming Sophie."""

from tests.victims.messages.conftest import clock, referral, sophie  # noqa: F401
