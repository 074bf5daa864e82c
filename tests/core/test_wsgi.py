"""The web process loads its URLconf and both languages' patterns when it starts, before
gunicorn forks its workers from it (--preload), opens no database connection doing so, and puts
what it loaded out of the garbage collector's sight."""

import json
import os
import subprocess
import sys

from django.conf import settings

CHECK = """
import gc
import json
import ipv.wsgi
from django.db import connections
from django.urls import get_resolver
print(json.dumps({
    "languages": sorted(get_resolver()._reverse_dict),
    "connections": [c.alias for c in connections.all() if c.connection is not None],
    "frozen": gc.get_freeze_count(),
}))
"""


def test_starting_the_web_process_loads_the_urls_in_each_language_and_no_connection():
    finished = subprocess.run(
        [sys.executable, "-c", CHECK],
        # Servers that do not exist: starting must not need one (it would fail, not wait).
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": "postgres://nobody@127.0.0.1:9/none",
            "REDIS_URL": "redis://127.0.0.1:9/0",
        },
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    loaded = json.loads(finished.stdout.strip().splitlines()[-1])
    assert loaded["languages"] == sorted(code for code, _name in settings.LANGUAGES)
    assert loaded["connections"] == []
    # What was loaded is out of the collector's sight (gc.freeze): a Django project's worth.
    assert loaded["frozen"] > 100_000
