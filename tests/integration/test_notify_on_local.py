"""The subscribe-message outbox and the one-transaction ticket create re-run unchanged on DynamoDB Local, so
moto's gaps cannot hide a bug: the grant taken with `ADD … if count >= 1` inside the claim's transaction
(refused on a missing item), the pending list read with BETWEEN on gsi1, a sent message leaving that sparse
index; the one-transaction ticket create in test_intake_on_local.py."""
from __future__ import annotations

from tests.core.test_intake_story import (  # noqa: F401
    test_the_resident_follows_two_questions_to_the_end_and_a_bad_rating_opens_rectification,
)
from tests.core.test_notify import (  # noqa: F401
    desk, wechat,
    test_a_platform_error_is_retried_after_a_backoff_and_takes_one_acceptance_only,
    test_a_resident_without_an_acceptance_left_is_recorded_not_sent_and_not_retried,
    test_a_subscribed_resident_receives_received_routed_and_closed_for_a_routed_question,
)
