"""Ledgers and statistics (issue 23) re-run unchanged on DynamoDB Local and the local S3, so moto's gaps in
conditions and transactions cannot hide a bug: a problem counted once with its marker refused, read and moved
inside real transactions, rolled up child → parent in one Query; mediation's closings in the statistics; the
disputes' register exported record by record to the ledger bucket."""
from __future__ import annotations

import pytest

from tests.core.test_stats import (  # noqa: F401
    test_a_problem_counts_once_a_year_at_its_highest_level_beside_each_service_s_count,
)
from tests.helpers import seed_areas
from tests.plugins.mediation.test_register import (  # noqa: F401
    test_closings_count_grid_or_escalated_and_one_person_s_problem_once,
    test_the_month_s_register_has_a_row_per_dispute_opened_with_names_masked_and_no_numbers,
)

pytestmark = pytest.mark.usefixtures("areas")


@pytest.fixture
def areas(aws_backend):
    seed_areas()
