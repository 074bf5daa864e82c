"""Writes to the confidential store."""

from victims.services.naming import (
    NAMED_PERSON_FIELDS,
    e_referral_submit_naming,
    person_named_later,
    referral_create_naming,
    victims_record,
)

__all__ = [
    "NAMED_PERSON_FIELDS",
    "e_referral_submit_naming",
    "person_named_later",
    "referral_create_naming",
    "victims_record",
]
