"""How text was folded before the unaccent extension, frozen for the migrations that built
columns and indexes with it (later migrations rebuild them with `ipv.core.search.Unaccented`).

Not loaded as a migration: the loader skips modules whose name starts with an underscore.
"""

from django.db import models
from django.db.models.functions import Coalesce, Concat, Lower

ACCENTED = "ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĲĳĴĵĶķĹĺĻļĽľĿŀŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžſØøĐđŁł"
UNACCENTED = "aaaaaaceeeeiiiinooooouuuuyaaaaaaceeeeiiiinooooouuuuyyaaaaaaccccccccddeeeeeeeeeegggggggghhiiiiiiiiiiijjkkllllllllnnnnnnoooooorrrrrrssssssssttttuuuuuuuuuuuuwwyyyzzzzzzsooddll"


class Folded(models.Func):
    """SQL: translate(lower(the text expressions joined by spaces), ACCENTED, UNACCENTED)."""

    function = "translate"
    output_field = models.TextField()

    def __init__(self, *expressions):
        parts = []
        for expression in expressions:
            if parts:
                parts.append(models.Value(" "))
            parts.append(Coalesce(expression, models.Value(""), output_field=models.TextField()))
        text = parts[0] if len(parts) == 1 else Concat(*parts, output_field=models.TextField())
        super().__init__(Lower(text), models.Value(ACCENTED), models.Value(UNACCENTED))
