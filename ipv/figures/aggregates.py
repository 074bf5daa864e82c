"""Aggregates PostgreSQL has and Django does not name."""

from contextlib import contextmanager

from django.db import connections, transaction
from django.db.models import Aggregate, FloatField


class Percentile(Aggregate):
    """The continuous percentile `fraction` (0.5: the median) of an expression, with an
    optional FILTER like Django's own aggregates."""

    function = "PERCENTILE_CONT"
    name = "Percentile"
    output_field = FloatField()
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fraction: float, **extra):
        if not 0 <= fraction <= 1:
            raise ValueError("a percentile's fraction lies between 0 and 1")
        super().__init__(expression, fraction=fraction, **extra)


# Memory for one counting query's hash tables. The figures test membership in lists the size of
# a whole table (`referral IN (referrals with an intake done)`); past PostgreSQL's default of
# 4 MB such a list is no longer hashed once but read again for every referral counted: at
# 400,000 referrals the province's roll-up query had run ten minutes when it was stopped; with
# this, two seconds.
COUNTING_WORK_MEM = "64MB"


@contextmanager
def counting(using: str = "default"):
    """A transaction planned for the figures' aggregates: PostgreSQL's JIT compilation off (for
    these it compiles for longer than they run, a second of a re-referral count's) and
    COUNTING_WORK_MEM to hash in. Both are put back after, for the rest of an enclosing
    transaction."""
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('jit'), current_setting('work_mem'), "
            "set_config('jit', 'off', true), set_config('work_mem', %s, true)",
            [COUNTING_WORK_MEM],
        )
        jit, work_mem, *_ = cursor.fetchone()
        yield
        cursor.execute(
            "SELECT set_config('jit', %s, true), set_config('work_mem', %s, true)",
            [jit, work_mem],
        )
