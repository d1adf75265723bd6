"""Precompile the bytecode of a `chalice package` zip, in place: `python -m tools.compile_package <zip>`.

Lambda unpacks the zip into a read-only /var/task, so Python can neither find nor write `__pycache__`
there: without bytecode in the zip, every cold start compiles every module it imports (the app, pydantic,
powertools, cryptography's Python parts…). Each `.py` gets its `__pycache__/<name>.cpython-311.pyc` with
*unchecked-hash* invalidation (PEP 552): valid whatever mtimes the unzipping gives the sources, never
re-checked against them. Bytecode is specific to the Python minor version, so this must run with the
runtime's Python (the template's `Runtime`, python3.11): it refuses any other.
"""
from __future__ import annotations

import importlib.util
import os
import py_compile
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

# zlib's default level: the prod zip re-deflated at level 9 took 9.2 s of CPU for 28.21 MB, at 6 3.1 s for
# 28.38 MB (0.6 % more, within the 30 MB budget of tests/core/test_packaging.py).
LEVEL = 6
RUNTIME = (3, 11)  # the Lambda runtime of .chalice/config.json / the packaged template
# Left as source: packages no cold start and no common request imports, big enough to matter for the zip
# (compiled, holidays alone adds 1.4 MB): the holiday fallback for a year chinese-calendar lacks, the XLSX
# reader and its XML helper (an XLSX upload), cffi's C parser (used only when building bindings), the
# Powertools utilities the app does not use (it uses the SQS batch processor and Metrics only).
RARELY_IMPORTED = ("holidays/", "openpyxl/", "et_xmlfile/", "pycparser/",
                   *(f"aws_lambda_powertools/{part}/" for part in (
                       "event_handler", "utilities/parser", "utilities/idempotency", "utilities/parameters",
                       "utilities/auth_alpha", "utilities/feature_flags", "utilities/streaming",
                       "utilities/validation", "utilities/kafka")))


def compile_zip(archive: Path) -> int:
    """Add compiled bytecode for every .py in `archive`; returns how many files were compiled."""
    if sys.version_info[:2] != RUNTIME:
        raise SystemExit(f"bytecode for python{RUNTIME[0]}.{RUNTIME[1]} needs that Python, not {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as work:
        root = Path(work, "unzipped")
        with zipfile.ZipFile(archive) as source:
            # Bytecode a developer's tree had beside its sources (Python writes it unless told not to) is
            # dropped: it is recompiled below, and two entries of one name would make the zip ambiguous.
            infos = [info for info in source.infolist() if "__pycache__/" not in info.filename
                     and not info.filename.endswith(".pyc")]
            source.extractall(root, members=infos)
        compiled = []
        for info in infos:
            if not info.filename.endswith(".py") or info.filename.startswith(RARELY_IMPORTED):
                continue
            source_path = root / info.filename
            target = Path(importlib.util.cache_from_source(str(source_path)))
            try:
                py_compile.compile(str(source_path), cfile=str(target), dfile=info.filename, doraise=True,
                                   invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
            except py_compile.PycompileError:  # a template or a file for another Python: left as source
                continue
            compiled.append(target.relative_to(root).as_posix())
        rebuilt = Path(work, "deployment.zip")
        with zipfile.ZipFile(rebuilt, "w", zipfile.ZIP_DEFLATED, compresslevel=LEVEL) as out:
            for info in infos:
                out.writestr(info, (root / info.filename).read_bytes() if not info.is_dir() else b"",
                             zipfile.ZIP_DEFLATED, LEVEL)
            for name in compiled:
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                info.external_attr = 0o644 << 16
                out.writestr(info, (root / name).read_bytes(), zipfile.ZIP_DEFLATED, LEVEL)
        shutil.move(str(rebuilt), archive)
    return len(compiled)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or not os.path.isfile(args[0]):
        print("usage: python -m tools.compile_package <deployment.zip>", file=sys.stderr)
        return 2
    print(f"{compile_zip(Path(args[0]))} modules precompiled into {args[0]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
