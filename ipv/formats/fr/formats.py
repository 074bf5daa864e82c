# French as written in Canada (fr-CA): 2026-11-23, 14 h 05, 1 234,50.
from django.conf.locale.fr_CA.formats import *  # noqa: F403
