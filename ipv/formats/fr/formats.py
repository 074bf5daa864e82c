# French as written in Canada (fr-CA): 1er décembre 2026, 2026-12-01, 9 h 30, 1 234,50.
from django.conf.locale.fr_CA.formats import *  # noqa: F403

# Django's fr_CA formats write the "h" of "14 h 05" unescaped, which prints the hour again
# (on a 12-hour clock): "14 02 05". Escaped here, and the hour has no leading zero: « 9 h 30 ».
# The « 1er » of the first day and the « 18 h » of a full hour are added by
# ipv.core.i18n.date_format, which Django's formatting goes through.
TIME_FORMAT = "G\xa0\\h\xa0i"
# In a sentence: « le 30 novembre 2026 à 14 h 41 ».
DATETIME_FORMAT = "j F Y \\à G\xa0\\h\xa0i"
SHORT_DATETIME_FORMAT = "Y-m-d G\xa0\\h\xa0i"
