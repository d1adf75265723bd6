"""Fixtures shared by the plugins' tests."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="package")
def _moto_copies_a_table_once_per_transaction():
    """moto 5.2's TransactWriteItems deep-copies the whole table once per ITEM of the transaction (to roll
    back on failure); a workflow step writes up to 14 items, and with the demo's area tree stored one copy
    costs more than a second. Keep a copy of only the items the transaction names instead, and put them back
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
