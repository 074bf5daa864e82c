"""Aggregates PostgreSQL has and Django does not name."""

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
