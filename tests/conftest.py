"""Shared fixtures: moto in-process AWS with the production table/bucket definitions, the Chalice test
client on the `local` stage's configuration, and dev tokens for any role."""
from __future__ import annotations

import functools
import json
import os
import sys
import tempfile
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chalicelib.platform import timeutil  # noqa: E402  (after the path)
from tests.helpers import Clock  # noqa: E402

# The local stage's variables, set before `app` is imported (Chalice's test client sets them only while a
# request runs; code under test outside a request must see the same ones).
_STAGE = json.loads((ROOT / ".chalice" / "config.json").read_text(encoding="utf-8"))
os.environ.update(_STAGE["environment_variables"])
os.environ.update(_STAGE["stages"]["local"]["environment_variables"])
# `TEST_ENABLED_PLUGINS` replaces the local stage's list of plugins, before `app` is imported: `none` (or
# empty) enables no plugin, which is how `make test` proves the core's tests stand without any service.
_ONLY_PLUGINS = os.environ.get("TEST_ENABLED_PLUGINS")
if _ONLY_PLUGINS is not None:
    os.environ["ENABLED_PLUGINS"] = "" if _ONLY_PLUGINS.strip().lower() in ("", "none") else _ONLY_PLUGINS
os.environ.update({
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "cn-northwest-1", "DEV_KEY_DIR": tempfile.mkdtemp(prefix="fawangge-keys-"),
    "POWERTOOLS_LOG_LEVEL": "WARNING",
})
for variable in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_S3", "AWS_PROFILE"):
    os.environ.pop(variable, None)

# The app is built once, as Lambda builds it, before any test runs: the stage's plugins are enabled from the
# start, so what a test enables or disables for a block is restored to the same state whatever the order.
import app  # noqa: E402,F401


def _pinned_now() -> datetime:
    text = os.environ.get("TEST_NOW")
    if text:
        return timeutil.parse_moment(text)
    return datetime.now(timeutil.SHANGHAI).replace(hour=10, minute=0, second=0, microsecond=0)


_SUITE_NOW = _pinned_now()
timeutil.pin(_SUITE_NOW)  # already while test modules are collected, so module-level dates agree


# With pytest-xdist (`make test` runs a worker per core, `--dist loadgroup`), the tests of a costly shared
# fixture stay on one worker: DynamoDB Local and the local S3 start once, the Lambda zip is built once.
_GROUPS = (("tests/integration/", "integration"), ("tests/core/test_packaging.py", "packaging"))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """The groups by path. xdist 3.8 marks a test's group by rewriting a node attribute pytest 9.2 no longer
    reads, so `xdist_group` marks were silently ignored: each worker started its own DynamoDB Local and
    built its own zip. xdist's scheduler still takes the biggest group first."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class ByPath(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return next((group for prefix, group in _GROUPS if nodeid.startswith(prefix)), nodeid)

    return ByPath(config, log)


@pytest.fixture(autouse=True)
def clock():
    """Every test starts at the suite's pinned instant (a test that travelled leaves nothing behind)."""
    timeutil.pin(_SUITE_NOW)
    yield Clock(_SUITE_NOW)
    timeutil.pin(_SUITE_NOW)


# moto's services kept from one test to the next: their tables and buckets are created once and emptied
# before each test (creating them and boto3's clients afresh was most of the unit suite's time).
_KEPT_SERVICES = ("dynamodb", "s3")


@contextmanager
def _keeping(services):
    """moto resets every service it has data for when a mock starts or stops; these are left out."""
    from moto.core.base_backend import BackendDict

    kept = [backend for backend in BackendDict._instances if backend.service_name in services]
    BackendDict._instances[:] = [backend for backend in BackendDict._instances if backend not in kept]
    try:
        yield
    finally:
        BackendDict._instances.extend(backend for backend in kept if backend not in BackendDict._instances)


def _empty_bucket(s3, name: str) -> None:
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=name):
        versions = [{"Key": v["Key"], "VersionId": v["VersionId"]}
                    for v in page.get("Versions", []) + page.get("DeleteMarkers", [])]
        if versions:
            s3.delete_objects(Bucket=name, Delete={"Objects": versions, "Quiet": True})


@functools.cache
def _deployed() -> tuple[dict[str, str], frozenset[str], frozenset[str]]:
    from infra import bootstrap

    params = bootstrap.local_params("local")
    return (params, frozenset(t["TableName"] for t in bootstrap.resources(params, "AWS::DynamoDB::Table")),
            frozenset(b["BucketName"] for b in bootstrap.resources(params, "AWS::S3::Bucket")))


def _as_deployed(aws) -> None:
    """The tables and buckets of infra/resources.json, empty; any other table or bucket gone. moto's stores
    are read (and the tables emptied) in place: through the API, the calls cost more than most tests."""
    from moto.dynamodb.models import dynamodb_backends
    from moto.s3.models import s3_backends

    from infra import bootstrap

    params, tables, buckets = _deployed()
    found = set()
    for _, _, backend in dynamodb_backends.iter_backends():
        for name in list(backend.tables):
            if name in tables:
                backend.tables[name].items.clear()
                found.add(name)
            else:
                aws.dynamodb().delete_table(TableName=name)
    if found != tables:
        bootstrap.create_tables(aws.dynamodb(), params)
    found = set()
    for _, _, backend in s3_backends.iter_backends():
        for name, bucket in list(backend.buckets.items()):
            if bucket.keys:
                _empty_bucket(aws.s3(), name)
            if name in buckets:
                found.add(name)
            else:
                aws.s3().delete_bucket(Bucket=name)
    if found != buckets:
        bootstrap.create_buckets(aws.s3(), params)


@pytest.fixture(scope="session", autouse=True)
def _moto_copies_only_the_items_a_transaction_names():
    """moto 5.2's TransactWriteItems deep-copies the whole table once per ITEM of the transaction (to roll
    back on failure); a workflow step writes up to 14 items, and with the demo's area tree stored one copy
    costs more than a second (the access matrix alone spent 56 of its 154 s in these copies). Keep a copy of only the items the transaction names instead, and put them back
    where moto would have put back the whole table — the same rollback at the cost of a few items. DynamoDB
    Local (tests/integration) runs the real thing."""
    import types

    import moto.dynamodb.models as models
    from moto.dynamodb.exceptions import (MockValidationException, MultipleTransactionsException,
                                          TransactionCanceledException)

    real_copy = models.copy
    original = models.DynamoDBBackend.transact_write_items
    # The failures on which moto restores its copy of the tables (any other leaves them as they are).
    rolled_back = (TransactionCanceledException, MultipleTransactionsException, MockValidationException)
    kept_as_is = types.SimpleNamespace(
        deepcopy=lambda obj, memo=None: obj if isinstance(obj, models.Table) else real_copy.deepcopy(obj, memo))

    def transact_write_items(self, transact_items):
        before = []
        for item in transact_items[:100]:
            _, op = next(iter(item.items()))
            table = self.tables.get(op.get("TableName"))
            try:
                hash_key, range_key = self.get_keys_value(table, op.get("Item") or op.get("Key") or {})
            except Exception:  # no such table, or no key: moto refuses the transaction itself
                continue
            found = table.get_item(hash_key, range_key)
            before.append((table, hash_key, range_key, real_copy.deepcopy(found)))
        models.copy = kept_as_is  # moto's "copy" of each table is the table itself: restored item by item
        try:
            return original(self, transact_items)
        except rolled_back:
            for table, hash_key, range_key, item in reversed(before):
                if range_key is None:
                    table.items.pop(hash_key, None) if item is None else table.items.__setitem__(hash_key, item)
                elif item is None:
                    table.items.get(hash_key, {}).pop(range_key, None)
                else:
                    table.items[hash_key][range_key] = item
            raise
        finally:
            models.copy = real_copy

    models.DynamoDBBackend.transact_write_items = transact_write_items
    yield
    models.DynamoDBBackend.transact_write_items = original


@pytest.fixture(scope="session", autouse=True)
def _moto_sorts_a_table_by_plain_key_values():
    """moto 5.2 answers every Query on an index by sorting the WHOLE table by its primary key first, comparing
    its DynamoType wrappers (each comparison recomputes both values): with the tour's demo part stored, one
    Query on an index cost ~63 ms, and the month's screening over it (1,057 such Queries) 66 of its 91 s.
    The same order from the plain values (a number as a Decimal, as moto compares it; text and binary as
    they are), each computed once per sort."""
    from decimal import Decimal

    from moto.dynamodb.models.table import Table

    original = Table.all_items

    def plain(value):
        return Decimal(value.value) if value.type == "N" else value.value

    def all_items(self):
        items = [item for kept in self.items.values()
                 for item in (kept.values() if self.range_key_attr else (kept,))]
        return sorted(items, key=lambda x: (plain(x.hash_key), plain(x.range_key)) if x.range_key
                      else plain(x.hash_key))

    Table.all_items = all_items
    yield
    Table.all_items = original


@pytest.fixture(scope="session", autouse=True)
def _moto_sizes_an_item_once():
    """moto 5.2 checks an item's 400 KB limit on each attribute it sets, summing the sizes of all the
    attributes set before it: a record of n attributes costs n² size walks on every write (1.4 of the 4.1 s a
    sample of core tests spent in transactions). The same limit checked once, on the whole item."""
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models import dynamo_type
    from moto.dynamodb.models.utilities import bytesize

    original = dynamo_type.Item.__init__

    def __init__(self, hash_key, range_key, attrs):
        self.hash_key, self.range_key = hash_key, range_key
        self.attrs = dynamo_type.LimitedSizeDict()
        for key, value in attrs.items():
            dict.__setitem__(self.attrs, key, dynamo_type.DynamoType(value))
        if sum(bytesize(key) + value.size() for key, value in self.attrs.items()) > 405000:
            raise ItemSizeTooLarge

    dynamo_type.Item.__init__ = __init__
    yield
    dynamo_type.Item.__init__ = original


@pytest.fixture
def aws_backend(monkeypatch):
    """moto's in-process AWS with the tables and buckets of infra/resources.json, as a fresh account would
    have them: empty tables and buckets, no other service's data (KMS keys, queues), no cached lookups of
    the app's. Endpoint variables are cleared so that nothing a previous test left behind can point a
    client at a local server."""
    from moto import mock_aws

    from chalicelib.platform import aws

    for variable in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(variable, raising=False)
    mock = mock_aws()
    with _keeping(_KEPT_SERVICES):
        mock.start()
    try:
        _as_deployed(aws)
        yield aws
    finally:
        with _keeping(_KEPT_SERVICES):
            mock.stop()


@pytest.fixture
def app(aws_backend):
    from app import app as chalice_app

    return chalice_app


@pytest.fixture
def client(app):
    from chalice.test import Client

    with Client(app, stage_name="local", project_dir=str(ROOT)) as test_client:
        yield test_client.http


@pytest.fixture
def token():
    from chalicelib.platform.auth import tokens

    def make(sub: str = "resident-1", *roles: str, area: str | None = None) -> dict[str, str]:
        return {"Authorization": "Bearer " + tokens.issue_dev_token(sub, list(roles or ["resident"]), area)}

    return make


def body(response) -> dict:
    return json.loads(response.body)
