"""Backup and restore drill: export a stage's table in the format of DynamoDB's export to S3 (DYNAMODB_JSON),
restore it into a fresh table made from infra/resources.json, and compare the two item by item — nothing
lost, nothing changed, personal numbers still sealed (docs/admin-guide.md, 「备份与恢复演练」).

    python -m tools.restore_drill            # against `make dev`'s local stack (DynamoDB Local, local S3)

In production the export is the console's (DynamoDB → 表 → 导出到 S3, which needs point-in-time recovery,
on in the template) and the restore its import or a point-in-time restore. DynamoDB Local implements
neither, so here the export is written by this script in the same layout — `AWSDynamoDB/<id>/manifest-summary.json`,
`manifest-files.json` and gzipped `data/*.json.gz` of `{"Item": {...}}` lines — and restored from those
files: the drill proves our data survives that format and a fresh table, and that the restore reads what
an export writes. The export reads with a Scan: this is an operator's tool, never a request or a job.
"""
from __future__ import annotations

import argparse
import gzip
import json
import re
import uuid
from typing import Any, Iterable, Iterator

from infra import bootstrap

PREFIX = "AWSDynamoDB"
ITEMS_PER_FILE = 1000
# A personal number in clear: an 18-character ID number or an 11-digit mobile phone inside any text.
CLEAR_PII = re.compile(r"(?<![0-9A-Za-z])([1-9][0-9]{16}[0-9Xx]|1[3-9][0-9]{9})(?![0-9A-Za-z])")
SEALED_SUFFIXES = ("_cipher", "_hash", "_masked")
# Records published for the public whole: a grid's board (公示栏) shows staff's work phones in full, which
# are not personal data (CONTRACT "Identity and access"); the people's own records keep them sealed.
PUBLISHED = ("grid-board",)


def _scan(dynamodb, table: str) -> Iterator[dict[str, Any]]:
    for page in dynamodb.get_paginator("scan").paginate(TableName=table, ConsistentRead=True):
        yield from page["Items"]


def export(dynamodb, s3, table: str, bucket: str, prefix: str = "backups") -> str:
    """Write the table to `s3://bucket/<prefix>/AWSDynamoDB/<export id>/`; returns that folder's key."""
    export_id = uuid.uuid4().hex
    root = f"{prefix}/{PREFIX}/{export_id}"
    files, batch, count = [], [], 0

    def flush() -> None:
        if not batch:
            return
        key = f"{root}/data/{uuid.uuid4().hex}.json.gz"
        data = "".join(json.dumps({"Item": item}, ensure_ascii=False) + "\n" for item in batch)
        s3.put_object(Bucket=bucket, Key=key, Body=gzip.compress(data.encode("utf-8")))
        files.append({"itemCount": len(batch), "dataFileS3Key": key})
        batch.clear()

    for item in _scan(dynamodb, table):
        batch.append(item)
        count += 1
        if len(batch) == ITEMS_PER_FILE:
            flush()
    flush()
    s3.put_object(Bucket=bucket, Key=f"{root}/manifest-files.json",
                  Body="".join(json.dumps(f) + "\n" for f in files).encode("utf-8"))
    s3.put_object(Bucket=bucket, Key=f"{root}/manifest-summary.json", Body=json.dumps({
        "version": "2020-06-30", "exportArn": f"local:{table}:{export_id}", "tableArn": f"local:{table}",
        "exportFormat": "DYNAMODB_JSON", "itemCount": count, "outputFormat": "DYNAMODB_JSON",
        "manifestFilesS3Key": f"{root}/manifest-files.json"}).encode("utf-8"))
    return root


def read_export(s3, bucket: str, root: str) -> Iterator[dict[str, Any]]:
    """The items of an export, from its manifest (the console's exports read the same way)."""
    summary = json.loads(s3.get_object(Bucket=bucket, Key=f"{root}/manifest-summary.json")["Body"].read())
    manifest = s3.get_object(Bucket=bucket, Key=summary["manifestFilesS3Key"])["Body"].read().decode("utf-8")
    for line in manifest.splitlines():
        key = json.loads(line)["dataFileS3Key"]
        data = gzip.decompress(s3.get_object(Bucket=bucket, Key=key)["Body"].read()).decode("utf-8")
        for row in data.splitlines():
            yield json.loads(row)["Item"]


def restore(dynamodb, s3, bucket: str, root: str, table: str, params: dict[str, str]) -> int:
    """A fresh table `table` with the records table's definition, filled from the export; its item count."""
    [props] = bootstrap.resources(params, "AWS::DynamoDB::Table")
    dynamodb.create_table(**{**bootstrap.table_request(props), "TableName": table})
    dynamodb.get_waiter("table_exists").wait(TableName=table, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    items = list(read_export(s3, bucket, root))
    for start in range(0, len(items), 25):
        requests = [{"PutRequest": {"Item": item}} for item in items[start:start + 25]]
        while requests:
            left = dynamodb.batch_write_item(RequestItems={table: requests}).get("UnprocessedItems", {})
            requests = left.get(table, [])
    return len(items)


def _key(item: dict[str, Any]) -> tuple[str, str]:
    return item["pk"]["S"], item["sk"]["S"]


def compare(dynamodb, original: str, restored: str) -> dict[str, list]:
    """Item by item: `missing` (in the original, not restored), `extra`, `changed` (same key, other value)."""
    return compare_items(_scan(dynamodb, original), dynamodb, restored)


def compare_items(original: Iterable[dict[str, Any]], dynamodb, restored: str) -> dict[str, list]:
    """`compare` against the items of `original` as they were read (an export: a live table moves on while
    the drill runs — `make dev` rebuilds boards and relays messages every few seconds)."""
    before = {_key(i): i for i in original}
    after = {_key(i): i for i in _scan(dynamodb, restored)}
    return {"missing": sorted(before.keys() - after.keys()), "extra": sorted(after.keys() - before.keys()),
            "changed": sorted(k for k in before.keys() & after.keys() if before[k] != after[k])}


def _strings(value: Any, name: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, k if k not in ("S", "SS", "L", "M") else name)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v, name)
    elif isinstance(value, str):
        yield name, value


def clear_pii(dynamodb, table: str) -> list[tuple[str, str, str]]:
    """(pk, sk, attribute) of every value that holds a personal number in clear; sealed attributes
    (`*_cipher`, `*_hash`, `*_masked`) hold none by construction and are skipped."""
    found = []
    for item in _scan(dynamodb, table):
        if item.get("entity", {}).get("S") in PUBLISHED:
            continue
        for name, text in _strings({k: v for k, v in item.items() if not k.endswith(SEALED_SUFFIXES)}):
            if CLEAR_PII.search(text):
                found.append((*_key(item), name))
    return found


def drill(dynamodb, s3, table: str, bucket: str, params: dict[str, str]) -> dict[str, Any]:
    """Export, restore into `<table>-drill-<id>`, compare it with the export; the restored table is deleted
    afterwards."""
    root = export(dynamodb, s3, table, bucket)
    restored = f"{table}-drill-{root.rsplit('/', 1)[-1][:8]}"
    try:
        count = restore(dynamodb, s3, bucket, root, restored, params)
        return {"export": f"s3://{bucket}/{root}", "restored_table": restored, "items": count,
                **compare_items(read_export(s3, bucket, root), dynamodb, restored),
                "clear_pii": clear_pii(dynamodb, restored)}
    finally:
        dynamodb.delete_table(TableName=restored)


def main(argv: list[str] | None = None) -> int:
    from chalicelib import cli

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stage", default="local")
    args = parser.parse_args(argv)
    from chalicelib.platform import aws, config

    cli._stage_environment(args.stage)
    if args.stage == "local":
        cli._local_aws_environment()  # make dev's DynamoDB Local and S3
    params = bootstrap.local_params(args.stage)
    result = drill(aws.dynamodb(), aws.s3(), config.table_name(), config.ledger_bucket(), params)
    print(json.dumps({**result, "missing": len(result["missing"]), "extra": len(result["extra"]),
                      "changed": len(result["changed"])}, ensure_ascii=False, indent=2))
    ok = not (result["missing"] or result["extra"] or result["changed"] or result["clear_pii"])
    print("恢复演练通过：逐条一致，个人号码仍为密文" if ok else "恢复演练失败：见上")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
