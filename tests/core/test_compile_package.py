"""Issue 9 (`make package`): the bytecode put into the zip is the one compiled for it, whatever bytecode the
developer's tree had beside its sources."""
from __future__ import annotations

import zipfile

from tools.compile_package import compile_zip


def test_bytecode_from_the_developer_s_tree_is_replaced_not_shipped_twice(tmp_path):
    archive = tmp_path / "deployment.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("chalicelib/greeting.py", "WORDS = '你好'\n")
        z.writestr("chalicelib/__pycache__/greeting.cpython-311.pyc", b"stale bytecode of another machine")
        z.writestr("chalicelib/__pycache__/gone.cpython-311.pyc", b"bytecode of a module since deleted")
    assert compile_zip(archive) == 1
    with zipfile.ZipFile(archive) as z:
        names = z.namelist()
        assert sorted(names) == ["chalicelib/__pycache__/greeting.cpython-311.pyc", "chalicelib/greeting.py"]
        assert z.read("chalicelib/__pycache__/greeting.cpython-311.pyc") != b"stale bytecode of another machine"
