"""Fixtures shared by the plugins' tests."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="package")
def _moto_copies_a_table_once_per_transaction():
    """moto 5.2's TransactWriteItems deep-copies the whole table once per ITEM of the transaction (to roll
    back on failure); a workflow step writes up to 14 items, so a step cost ~0.3 s. Copy each table once per
    transaction instead — the same rollback, ~10× faster. DynamoDB Local (tests/integration) runs the real
    thing."""
    import types

    import moto.dynamodb.models as models

    real_copy = models.copy
    original = models.DynamoDBBackend.transact_write_items

    def transact_write_items(self, transact_items):
        copies: dict[int, object] = {}

        def deepcopy(obj, memo=None):
            if isinstance(obj, models.Table):
                if id(obj) not in copies:
                    copies[id(obj)] = real_copy.deepcopy(obj)
                return copies[id(obj)]
            return real_copy.deepcopy(obj, memo)

        models.copy = types.SimpleNamespace(deepcopy=deepcopy)
        try:
            return original(self, transact_items)
        finally:
            models.copy = real_copy

    models.DynamoDBBackend.transact_write_items = transact_write_items
    yield
    models.DynamoDBBackend.transact_write_items = original
