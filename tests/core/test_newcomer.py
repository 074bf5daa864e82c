"""A newcomer's first commands: `make test` names the Debian packages it lacks instead of
failing somewhere inside, and `make manage` / `make shell` work in debug with no key set."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
# Variables that would hide what a newcomer's shell lacks.
SET_BY_THE_TESTS = {"DJANGO_SECRET_KEY", "IPV_FIELD_ENCRYPTION_KEY", "DJANGO_SETTINGS_MODULE"}


def _path_without(tmp_path, *commands) -> str:
    """A PATH with every command of this machine but `commands`."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for directory in ("/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"):
        for tool in Path(directory).iterdir() if Path(directory).is_dir() else []:
            target = bin_dir / tool.name
            if tool.name not in commands and not target.exists():
                target.symlink_to(tool)
    return str(bin_dir)


def _make(*args, env=None):
    environment = {k: v for k, v in os.environ.items() if k not in SET_BY_THE_TESTS}
    return subprocess.run(
        [shutil.which("make"), "-s", *args],
        cwd=ROOT,
        env={**environment, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_make_test_without_chromium_says_what_to_install(tmp_path):
    result = _make("system", env={"PATH": _path_without(tmp_path, "chromium")})
    assert result.returncode != 0
    [install] = [line for line in result.stdout.splitlines() if "apt-get install" in line]
    assert "chromium" in install.split()
    assert "bash .ci/run" in result.stdout


def test_make_test_goes_on_when_nothing_is_missing():
    # The control: this machine (like CI, after .ci/run) has every package.
    result = _make("system")
    assert (result.returncode, result.stdout) == (0, "")


@pytest.mark.django_db
def test_a_management_command_runs_in_debug_without_keys_set_by_hand():
    result = _make("manage", "ARGS=check --fail-level WARNING")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
