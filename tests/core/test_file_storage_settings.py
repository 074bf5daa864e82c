"""IPV_FILE_STORAGE: unset, files stay in the database and no storage is named for them; s3,
django-storages' S3 storage from the environment, private and encrypted; anything else refused."""

import json
import subprocess
import sys

from django.conf import settings

SHOW = (
    "import json; from django.conf import settings;"
    "print(json.dumps({'backend': settings.IPV_FILE_STORAGE,"
    " 'files': settings.STORAGES.get('files')}))"
)


def _settings(**env):
    return subprocess.run(
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
    )


def test_by_default_files_stay_in_the_database():
    found = json.loads(_settings().stdout)
    assert found == {"backend": "database", "files": None}


def test_s3_is_a_private_encrypted_bucket_named_by_the_environment():
    found = json.loads(
        _settings(
            IPV_FILE_STORAGE="s3",
            AWS_STORAGE_BUCKET_NAME="ipv-files",
            AWS_S3_ENDPOINT_URL="https://s3.example.org",
            AWS_S3_REGION_NAME="ca-central-1",
            AWS_ACCESS_KEY_ID="key-id",
            AWS_SECRET_ACCESS_KEY="key-secret",
        ).stdout
    )
    assert found["backend"] == "s3"
    assert found["files"]["BACKEND"] == "storages.backends.s3.S3Storage"
    options = found["files"]["OPTIONS"]
    assert (options["bucket_name"], options["endpoint_url"], options["region_name"]) == (
        "ipv-files",
        "https://s3.example.org",
        "ca-central-1",
    )
    assert (options["access_key"], options["secret_key"]) == ("key-id", "key-secret")
    assert options["default_acl"] == "private"
    assert options["file_overwrite"] is False
    assert options["object_parameters"] == {"ServerSideEncryption": "AES256"}


def test_an_unknown_backend_is_refused_at_start():
    result = _settings(IPV_FILE_STORAGE="disk")
    assert result.returncode != 0
    assert "IPV_FILE_STORAGE" in result.stderr
