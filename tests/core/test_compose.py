"""The production compose file: its services, the pooler between the site and PostgreSQL, web
and workers that scale, one beat, the daily backup, health checks everywhere, volumes, and a
valid file."""

import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from django.conf import settings

from tests.conftest import require_system_tool

COMPOSE = Path(settings.BASE_DIR, "docker-compose.yml")


def test_it_runs_postgres_18_redis_7_web_worker_and_beat_with_health_checks():
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    assert services["db"]["image"] == "postgres:18"
    assert "shared_preload_libraries=pg_stat_statements" in services["db"]["command"]
    assert services["redis"]["image"] == "redis:7"
    assert "gunicorn" in services["web"]["command"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "ipv", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "ipv", "beat"]
    for name in services:
        if name != "migrate":  # a job: it runs once and exits
            assert services[name]["healthcheck"]["test"], name
    # PostgreSQL 18's image refuses a volume on the old data path.
    assert "pgdata:/var/lib/postgresql" in services["db"]["volumes"]
    assert "redisdata:/data" in services["redis"]["volumes"]


def test_beat_keeps_no_schedule_file():
    """The schedule is in settings and in memory (ipv.core.beat), not in a file that a second
    beat on another machine would not share."""
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    assert not any(
        word.startswith("--schedule") or word == "-s" for word in services["beat"]["command"]
    )
    assert "deploy" not in services["beat"]  # one beat: no replicas


def test_the_site_connects_as_the_application_role_and_only_migrate_as_the_owner():
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    for name in ("web", "worker", "beat"):
        environment = services[name]["environment"]
        assert environment["DATABASE_URL"].startswith("postgres://ipv_app:"), name
        assert "DATABASE_OWNER_URL" not in environment, name
    migrate = services["migrate"]["environment"]
    assert migrate["DATABASE_OWNER_URL"].startswith("postgres://ipv:")
    assert migrate["DATABASE_URL"].startswith("postgres://ipv_app:")
    assert services["db"]["environment"]["POSTGRES_USER"] == "ipv"


def _host(url: str) -> str:
    return url.rpartition("@")[2].partition("/")[0]


def test_the_site_goes_through_pgbouncer_in_transaction_mode_and_migrate_goes_direct():
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    pooler = services["pgbouncer"]
    assert pooler["image"].startswith("edoburu/pgbouncer:v")  # a pinned release, not latest
    assert pooler["environment"]["POOL_MODE"] == "transaction"
    assert pooler["environment"]["DB_HOST"] == "db"
    assert pooler["environment"]["DB_USER"] == "ipv_app"
    assert pooler["environment"]["AUTH_TYPE"] == "scram-sha-256"
    for name in ("web", "worker", "beat"):
        environment = services[name]["environment"]
        assert _host(environment["DATABASE_URL"]) == "pgbouncer:5432", name
        assert environment["DATABASE_POOLER"] == "pgbouncer", name
        assert services[name]["depends_on"]["pgbouncer"]["condition"] == "service_healthy"
        assert "db" not in services[name]["depends_on"], name
    migrate = services["migrate"]["environment"]
    assert _host(migrate["DATABASE_URL"]) == _host(migrate["DATABASE_OWNER_URL"]) == "db:5432"
    assert migrate["DATABASE_POOLER"] == ""
    assert "pgbouncer" not in services["migrate"]["depends_on"]


def test_web_and_workers_scale_and_beat_is_one():
    """`--scale web=3 --scale worker=4`: no container name, no fixed host port on a scaled
    service (the proxy holds the one published port); beat is never scaled."""
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    for name in ("web", "worker", "beat"):
        assert "container_name" not in services[name], name
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
    assert "ports" not in services["web"] and "ports" not in services["worker"]
    assert services["web"]["expose"] == ["8000"]
    assert services["proxy"]["ports"] == ["8000:8000"]
    conf = services["proxy"]["environment"]["PROXY_CONF"]
    assert "proxy_pass $$web" in conf and "set $$web http://web:8000" in conf
    assert "resolver 127.0.0.11" in conf  # follows the replicas as they come and go
    assert "access_log off" in conf  # paths can hold tokens
    assert [name for name, service in services.items() if "beat" in service.get("command", [])] == [
        "beat"
    ]
    assert services["beat"].get("deploy", {}).get("replicas", 1) == 1


def test_beat_is_healthy_while_its_heartbeat_is_fresh():
    beat = yaml.safe_load(COMPOSE.read_text())["services"]["beat"]
    assert beat["healthcheck"]["test"] == ["CMD", "python", "manage.py", "healthcheck", "beat"]


def test_the_web_health_check_asks_healthz_as_the_proxy_would():
    web = yaml.safe_load(COMPOSE.read_text())["services"]["web"]
    probe = " ".join(web["healthcheck"]["test"])
    assert "/healthz" in probe
    assert "X-Forwarded-Proto" in probe


def _compose_command():
    docker = shutil.which("docker")
    if (
        docker
        and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0
    ):
        return [docker, "compose"]
    require_system_tool("docker-compose", package="docker-compose")
    return [shutil.which("docker-compose")]


def test_docker_compose_accepts_the_file(tmp_path):
    command = _compose_command()
    shutil.copy(COMPOSE, tmp_path / "docker-compose.yml")
    shutil.copy(Path(settings.BASE_DIR, ".env.example"), tmp_path / ".env")
    result = subprocess.run(
        [*command, "config", "--quiet"],
        cwd=tmp_path,
        env={
            "PATH": "/usr/bin:/bin:/usr/local/bin",
            "POSTGRES_PASSWORD": "checked-only",
            "POSTGRES_APP_PASSWORD": "checked-only-too",
        },
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_the_image_builds_its_static_files_with_the_settings_it_gives(tmp_path):
    """The Dockerfile runs collectstatic with production settings and throwaway values: run
    it here with exactly those values."""
    dockerfile = Path(settings.BASE_DIR, "Dockerfile").read_text()
    step = dockerfile[
        dockerfile.index("DJANGO_SECRET_KEY=") : dockerfile.index("python manage.py collectstatic")
    ]
    env = dict(word.split("=", 1) for word in step.split() if "=" in word)
    assert set(env) >= {
        "DJANGO_SECRET_KEY",
        "IPV_FIELD_ENCRYPTION_KEY",
        "DATABASE_URL",
        "REDIS_URL",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--dry-run"],
        cwd=settings.BASE_DIR,
        env={"PATH": "/usr/bin:/bin", "IPV_VAR_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_the_compose_file_backs_up_daily_as_the_owner_straight_to_the_database():
    compose = yaml.safe_load(COMPOSE.read_text())
    backup = compose["services"]["backup"]
    command = " ".join(backup["command"])
    assert "manage.py backup" in command and "sleep" in command
    environment = backup["environment"]
    assert environment["DATABASE_OWNER_URL"].startswith("postgres://ipv:")
    assert "@db:5432/ipv" in environment["DATABASE_OWNER_URL"]  # not through a pooler
    assert environment["IPV_BACKUP_KEEP"]
    # The public key comes from .env, as every secret; the private key is never on a server.
    assert "IPV_BACKUP_RECIPIENT" in Path(settings.BASE_DIR, ".env.example").read_text()
    assert "IPV_BACKUP_KEY" not in environment
    assert any(volume.startswith("backups:") for volume in backup["volumes"])
    assert "backups" in compose["volumes"]
    assert "backup_check" in " ".join(backup["healthcheck"]["test"])


def test_the_web_workers_share_an_empty_metrics_directory_and_keep_the_rest():
    """Three gunicorn workers per container: without a shared directory, each scrape would
    count the requests of the one worker that answered it."""
    web = yaml.safe_load(COMPOSE.read_text())["services"]["web"]
    folder = web["environment"]["PROMETHEUS_MULTIPROC_DIR"]
    assert folder in web["tmpfs"]  # empty at each start, as prometheus_client needs
    # The control: the web still has every variable the other services have.
    worker = yaml.safe_load(COMPOSE.read_text())["services"]["worker"]
    assert worker["environment"].items() <= web["environment"].items()
