"""The apps' layers (README, "Architecture") hold: import-linter's contract passes on the code
as it is, and fails on a copy of it with one import going back up, even from inside a
function. The copy without the back-import passes, so the failures come from that import."""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["ipv", "directory", "referrals", "fees", "sessions_app", "victims"]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

# (module, code appended to it): each goes up the layers.
BACK_IMPORTS = {
    "a completion guard on the referral, imported inside a function": (
        "referrals/models/referral.py",
        "\n\ndef _all_modules_attended(referral):\n"
        "    from sessions_app.completion import modules_attended\n\n"
        "    return modules_attended(referral=referral)\n",
    ),
    "the core reading an agency's referrals": (
        "ipv/core/tenancy.py",
        "\nfrom referrals.selectors import referral_get  # noqa: E402, F401\n",
    ),
    "fees completing a referral": (
        "fees/services.py",
        "\n\ndef _complete(referral, by):\n"
        "    from sessions_app.services.attendance import follow_up\n\n"
        "    follow_up([referral.pk], by)\n",
    ),
    "the accounts' home counting referrals": (
        "ipv/accounts/views.py",
        "\nfrom referrals import selectors as referral_selectors  # noqa: E402, F401\n",
    ),
}
# (module, code appended to it): each has the API read what the court must never see.
FORBIDDEN_IMPORTS = {
    "the API reading a fee": (
        "ipv/api/selectors.py",
        "\n\ndef _fee(referral):\n"
        "    from fees.selectors import account_of\n\n"
        "    return account_of(referral=referral)\n",
    ),
    "the API reading the confidential store": (
        "ipv/api/serializers.py",
        "\nfrom victims.models import Victim  # noqa: E402, F401\n",
    ),
}


def _lint_imports(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def copy(tmp_path):
    """The project's packages (their Python files) and its pyproject.toml, in a new folder."""
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package,
            tmp_path / package,
            ignore=lambda folder, names: [
                name
                for name in names
                if (not name.endswith(".py") and not (Path(folder) / name).is_dir())
                or name == "__pycache__"
            ],
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_code_keeps_its_layers():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


def test_a_copy_of_the_code_keeps_them_too(copy):
    result = _lint_imports(copy)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("case", BACK_IMPORTS)
def test_an_import_back_up_the_layers_breaks_the_contract(copy, case):
    module, code = BACK_IMPORTS[case]
    with (copy / module).open("a") as source:
        source.write(code)
    result = _lint_imports(copy)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Contracts: 1 kept, 1 broken." in result.stdout
    importer = module.removesuffix(".py").replace("/", ".")
    assert f"- {importer} ->" in result.stdout


@pytest.mark.parametrize("case", FORBIDDEN_IMPORTS)
def test_the_api_importing_victims_or_fees_breaks_its_contract(copy, case):
    module, code = FORBIDDEN_IMPORTS[case]
    with (copy / module).open("a") as source:
        source.write(code)
    result = _lint_imports(copy)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "The API never imports victims or fees BROKEN" in result.stdout
    assert "ipv.api." in result.stdout


def test_the_contract_names_every_layer_and_ignores_nothing():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    contract, forbidden = config["contracts"]
    assert forbidden["type"] == "forbidden"
    assert forbidden["source_modules"] == ["ipv.api"]
    assert sorted(forbidden["forbidden_modules"]) == ["fees", "victims"]
    assert "ignore_imports" not in forbidden
    assert contract["type"] == "layers"
    assert contract["layers"] == [
        "ipv.urls",
        "ipv.pages",
        "ipv.figures",
        "victims | ipv.api",
        "sessions_app",
        "fees",
        "referrals",
        "ipv.accounts",
        "directory | ipv.audit | ipv.notifications",
        "ipv.core",
    ]
    assert "ignore_imports" not in contract
    assert not contract.get("exclude_type_checking_imports", False)
    assert sorted(config["root_packages"]) == sorted(PACKAGES)
