"""DATABASE_REPLICA_URL: unset, one database and no router; set, a replica alias beside the
primary, a mirror of it for the test runner, with the router."""

import json
import subprocess
import sys

from django.conf import settings

SHOW = (
    "import json; from django.conf import settings;"
    "print(json.dumps({'aliases': sorted(settings.DATABASES),"
    " 'routers': getattr(settings, 'DATABASE_ROUTERS', []),"
    " 'replica': settings.DATABASES.get('replica')}))"
)


def _settings(**env):
    return json.loads(
        subprocess.run(
            [sys.executable, "-c", SHOW],
            cwd=settings.BASE_DIR,
            env={
                "PATH": "/usr/bin:/bin",
                "DJANGO_SETTINGS_MODULE": "tests.settings",
                "DATABASE_URL": "postgres://ipv_app:secret@db.example:5432/ipv",
                "REDIS_URL": "redis://127.0.0.1:1/0",
                **env,
            },
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )


def test_without_a_replica_url_there_is_one_database_and_no_router():
    found = _settings()
    assert found["aliases"] == ["default"]
    assert found["routers"] == []


def test_a_replica_url_adds_the_replica_and_its_router():
    found = _settings(DATABASE_REPLICA_URL="postgres://ipv_app:secret@replica.example:5432/ipv")
    assert found["aliases"] == ["default", "replica"]
    assert found["routers"] == ["ipv.core.replica.ReplicaRouter"]
    replica = found["replica"]
    assert (replica["HOST"], replica["NAME"], replica["USER"]) == (
        "replica.example",
        "ipv",
        "ipv_app",
    )
    assert replica["ENGINE"] == "django.db.backends.postgresql"
    assert replica["TEST"] == {"MIRROR": "default"}
    assert replica["CONN_HEALTH_CHECKS"] is True
