"""CONTRACT "Layout": the core's layers, plugins independent of each other, no import cycles between the
domain's features nor between the platform's parts — `lint-imports` with the repository's `.importlinter`,
run here so that `make test` (and CI) fails on a broken layer with import-linter's own report."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_import_keeps_the_layers_and_the_independence_and_acyclic_contracts():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    assert lint_imports.exists(), f"{lint_imports} missing: install requirements-dev.txt"
    result = subprocess.run(
        [str(lint_imports), "--config", str(ROOT / ".importlinter"), "--no-cache"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=120)
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert "0 broken" in report, report
