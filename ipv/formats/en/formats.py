# English as written in Canada (en-CA): 2026-11-23, 2:05 p.m., 1,234.50.
from django.conf.locale.en_CA.formats import *  # noqa: F403

# Canadian English groups thousands with a comma (1,234.50), as Babel's en_CA does for money.
THOUSAND_SEPARATOR = ","
