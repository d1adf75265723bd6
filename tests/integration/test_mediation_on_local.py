"""Mediation's stories re-run unchanged on DynamoDB Local and the local S3, so moto's gaps cannot hide a
bug in its transactions: a ticket's dispute settled at the grid with its parties' entries, tallies moved to
the decided tier and the agreement document; the staffing check through a screening run; the watch list
pruned when a window closes; a confirmation taking an agreement out of it."""
from __future__ import annotations

import pytest

from tests.helpers import seed_areas
from tests.plugins.mediation.conftest import TOWN
from tests.plugins.mediation.test_rates import (  # noqa: F401
    test_a_ticket_s_dispute_counts_as_opened_at_the_tier_decided_once_its_parties_are_recorded,
)
from tests.plugins.mediation.test_residents import (  # noqa: F401
    test_the_list_is_paginated_newest_first_in_one_query_and_one_batch_read,
    test_the_resident_whose_ticket_opened_it_follows_it_from_registration,
)
from tests.plugins.mediation.test_story import (  # noqa: F401
    test_a_neighbour_dispute_from_a_ticket_is_settled_by_the_grid_mediator_and_the_party_downloads_it,
    test_after_make_dev_the_staffing_check_names_the_under_staffed_village_committee,
    test_the_grass_roots_share_shows_for_the_district,
)
from tests.plugins.mediation.test_watch import (  # noqa: F401
    test_a_recorded_confirmation_takes_the_agreement_out_of_the_watch_and_the_check,
    test_an_agreement_leaves_the_watch_list_when_its_confirmation_window_closes,
)

pytestmark = pytest.mark.usefixtures("areas")


@pytest.fixture
def areas(aws_backend):
    seed_areas()


@pytest.fixture
def mediator(token):
    return token("m-zhou", "mediator", area=TOWN)
