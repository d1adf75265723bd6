"""A warm instance's ticket create (one TransactWriteItems: the counter it last wrote, guarded by its
version) re-run on DynamoDB Local, where a lost race is a real TransactionCanceledException."""
from __future__ import annotations

from tests.core.test_intake import (  # noqa: F401
    desk,
    test_a_warm_instance_records_a_ticket_in_one_transaction_and_another_instance_s_numbers_are_respected,
)
