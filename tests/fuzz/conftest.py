import pytest
from django.db import transaction

from tests.core.matrix import matrix_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The permission matrix's World, built once per module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield matrix_world()
        transaction.set_rollback(True)
