"""The permission table as DESIGN.md describes the people who use the system."""

import pytest

from ipv.core.permissions import CAPABILITIES, allows
from tests.factories import AgencyFactory

MANAGER, INTAKE, FACILITATOR, PARTNER = "manager", "intake", "facilitator", "partner_contact"


@pytest.mark.parametrize(
    "capability",
    ["staff.view", "staff.manage", "settings.manage", "audit.view", "messages.manage"],
)
def test_only_managers_run_the_staff_the_settings_and_the_audit_trail(capability):
    assert CAPABILITIES[capability] == {MANAGER}


def test_every_role_reaches_its_agency_home():
    assert CAPABILITIES["agency.view"] == {MANAGER, INTAKE, FACILITATOR, PARTNER}


@pytest.mark.django_db
def test_the_confidential_store_is_for_partner_contact_workers_and_managers_only_if_granted(east):
    agency = AgencyFactory.build(region=east)
    for role in (INTAKE, FACILITATOR, MANAGER):
        assert not allows(roles=frozenset({role}), agency=agency, capability="victims.view")
    assert allows(roles=frozenset({PARTNER}), agency=agency, capability="victims.view")
    agency.managers_see_confidential = True
    assert allows(roles=frozenset({MANAGER}), agency=agency, capability="victims.view")
    assert not allows(roles=frozenset({FACILITATOR}), agency=agency, capability="victims.view")


def test_an_unknown_capability_is_a_programming_error():
    with pytest.raises(KeyError):
        allows(roles=frozenset({MANAGER}), agency=None, capability="staff.veiw")
