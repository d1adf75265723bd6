"""The integration tier: the same tests, against DynamoDB Local (AWS's own emulator) and the local S3,
started once for the session by tools/devstack — so moto's gaps (transactions, conditions, limits)
cannot hide a bug."""
from __future__ import annotations

import pytest

from tools import devstack


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/integration" in str(item.fspath):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def local_stack():
    with devstack.local_aws(None, devstack.DEFAULT_TOOLS_DIR) as stack:
        yield stack


@pytest.fixture
def aws_backend(local_stack, monkeypatch):
    """Fresh tables and buckets on the emulators for each test (overrides the moto fixture)."""
    from chalicelib.platform import aws
    from infra import bootstrap

    for name, value in local_stack.env().items():
        monkeypatch.setenv(name, value)
    aws.reset()
    dynamodb = aws.dynamodb()
    for table in dynamodb.list_tables()["TableNames"]:
        dynamodb.delete_table(TableName=table)
    params = bootstrap.local_params("local")
    bootstrap.create_tables(dynamodb, params)
    bootstrap.create_buckets(aws.s3(), params, skip=devstack.S3_LOCAL_UNSUPPORTED)
    yield aws
    aws.reset()
