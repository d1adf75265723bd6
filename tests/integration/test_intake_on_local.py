"""A ticket's number and calls re-run on DynamoDB Local: the district's counter is one atomic UpdateItem
before the ticket's transaction, a refused create leaves a gap, a keyed retry takes no number."""
from __future__ import annotations

from tests.core.test_intake import (  # noqa: F401
    desk,
    test_a_create_refused_in_its_transaction_leaves_a_gap_and_never_reuses_its_number,
    test_a_replayed_submission_takes_no_number,
    test_a_ticket_create_is_the_policy_read_one_counter_update_and_one_transaction,
    test_numbers_taken_by_another_instance_are_never_handed_out_again,
)
