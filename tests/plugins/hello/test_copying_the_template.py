"""CONTRACT "Plugins": adding a service is adding a folder and one line enabling it. `plugins/hello` copied
under a new name into a folder outside the repository — its names changed the way docs/plugins.md §1 says,
in the copy only — and enabled (`ENABLED_PLUGINS`, here the copy alone) passes the plugin contract, the
access matrix and the OpenAPI checks with no file of the repository changed: its rows, bodies and world
come with it (`proof.py`)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
# What a copier renames: the service's name (URL segment, parameter and check prefixes, module) and its
# entity (records, models, routes). Case by case, so `Greeting` becomes `Salutation` and `hello` `salute`.
RENAMES = (("hello", "salute"), ("Hello", "Salute"), ("greeting", "salutation"), ("Greeting", "Salutation"))


def copy_of_the_template(into: Path) -> Path:
    copy = into / "plugins" / "salute"
    shutil.copytree(ROOT / "plugins" / "hello", copy, ignore=shutil.ignore_patterns("__pycache__"))
    for file in copy.iterdir():
        text = file.read_text(encoding="utf-8")
        for old, new in RENAMES:
            text = text.replace(old, new)
        file.write_text(text, encoding="utf-8")
    return copy


def test_a_copy_of_the_template_enabled_by_one_line_passes_the_contract_the_matrix_and_the_openapi_checks(tmp_path):
    copy = copy_of_the_template(tmp_path)
    assert {p.name for p in copy.iterdir()} >= {"__init__.py", "models.py", "service.py", "routes.py", "proof.py"}
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)]), "TEST_ENABLED_PLUGINS": "salute"}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rA", "-x", "-p", "no:cacheprovider", "-k", "salute or not test_contract",
         "tests/plugins/test_contract.py", "tests/proof/test_access_matrix.py", "tests/core/test_openapi_document.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    # The summary's one line per test (`-rA`), which nothing a test writes can interleave with.
    outcomes = dict(line.split(" ", 1)[::-1] for line in run.stdout.splitlines()
                    if line.startswith(("PASSED ", "FAILED ", "ERROR ", "SKIPPED ", "XFAIL ", "XPASS ")))
    contract = {test: result for test, result in outcomes.items() if "test_contract.py" in test and "[salute]" in test}
    assert len(contract) >= 6 and set(contract.values()) == {"PASSED"}, contract
    assert outcomes.get("tests/proof/test_access_matrix.py::"
                        "test_every_caller_gets_exactly_the_declared_outcome_on_every_route") == "PASSED", outcomes
    assert not (ROOT / "plugins" / "salute").exists()  # the repository itself is untouched
