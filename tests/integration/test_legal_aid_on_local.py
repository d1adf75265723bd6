"""Legal aid re-run unchanged on DynamoDB Local and the local S3 (tools/devstack), so moto's gaps —
transactions of 14 items, conditional writes, sparse indexes, BatchGet — cannot hide a bug: the
migrant worker's story, the workflow's refusals, the conflict check, the queue and the household import."""
from __future__ import annotations

import pytest

from tests.plugins.legal_aid.conftest import _build_world, _Tokens, step, submit, upload  # noqa: F401
from tests.plugins.legal_aid.test_conflicts import (  # noqa: F401
    test_a_lawyer_representing_the_opposing_party_in_an_open_case_is_refused,
    test_the_id_number_tells_namesakes_apart,
)
from tests.plugins.legal_aid.test_households import (  # noqa: F401
    test_a_grid_worker_sees_the_grid_s_unvisited_households_and_records_a_visit,
    test_the_list_is_imported_with_a_per_row_error_report,
)
from tests.plugins.legal_aid.test_queue import (  # noqa: F401
    test_a_case_moves_through_the_queue_and_leaves_it_when_assigned,
    test_every_level_sees_its_own_area_and_nothing_outside,
    test_green_channel_cases_come_first_then_by_deadline,
)
from tests.plugins.legal_aid.test_story import test_a_migrant_worker_s_wage_claim_from_phone_to_follow_up  # noqa: F401
from tests.plugins.legal_aid.test_workflow import (  # noqa: F401
    test_a_major_case_needs_a_pre_case_assessment_before_closing,
    test_a_stale_version_is_a_409_and_changes_nothing,
    test_every_step_the_status_does_not_allow_is_a_409_that_names_the_status,
)


@pytest.fixture
def world(aws_backend):
    _build_world()
    return aws_backend


@pytest.fixture(scope="module")
def people():
    return _Tokens()
