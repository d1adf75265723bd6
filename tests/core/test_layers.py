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


def test_no_plugin_or_domain_reaches_the_key_module_through_the_storage_package():
    """`storage` does not re-export `keys`, and `storage.keys.…` (an attribute, which import-linter cannot
    see) is refused here, so the no-keys contract cannot be walked around (CONTRACT "Data")."""
    from chalicelib.platform import storage

    assert "keys" not in storage.__all__
    reaching = [str(path.relative_to(ROOT)) for folder in ("plugins", "chalicelib/domain")
                for path in sorted((ROOT / folder).rglob("*.py")) if "storage.keys" in path.read_text()]
    assert reaching == []
