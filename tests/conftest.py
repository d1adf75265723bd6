"""Shared fixtures: moto in-process AWS with the production table/bucket definitions, the Chalice test
client on the `local` stage's configuration, and dev tokens for any role."""
from __future__ import annotations

import json
import os
import sys
import tempfile
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


@pytest.fixture(autouse=True)
def clock():
    """Every test starts at the suite's pinned instant (a test that travelled leaves nothing behind)."""
    timeutil.pin(_SUITE_NOW)
    yield Clock(_SUITE_NOW)
    timeutil.pin(_SUITE_NOW)


@pytest.fixture
def aws_backend(monkeypatch):
    """A fresh moto account with the tables and buckets of infra/resources.json. Endpoint variables are
    cleared so that nothing a previous test left behind can point a client at a local server."""
    from moto import mock_aws

    from chalicelib.platform import aws
    from infra import bootstrap

    for variable in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(variable, raising=False)
    with mock_aws():
        aws.reset()
        params = bootstrap.local_params("local")
        bootstrap.create_tables(aws.dynamodb(), params)
        bootstrap.create_buckets(aws.s3(), params)
        yield aws
    aws.reset()


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
