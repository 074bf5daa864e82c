# French as written in Canada (fr-CA): 23 novembre 2026, 2026-11-23, 14 h 05, 1 234,50.
from django.conf.locale.fr_CA.formats import *  # noqa: F403

# Django's fr_CA formats write the "h" of "14 h 05" unescaped, which prints the hour again
# (on a 12-hour clock): "14 02 05". Escaped here.
TIME_FORMAT = "H\xa0\\h\xa0i"
DATETIME_FORMAT = "j F Y, H\xa0\\h\xa0i"
SHORT_DATETIME_FORMAT = "Y-m-d H\xa0\\h\xa0i"
