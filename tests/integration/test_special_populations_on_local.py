"""Special populations re-run unchanged on DynamoDB Local (tools/devstack), so moto's gaps — conditional
transactions, an index entry removed by an update, Query on both indexes — cannot hide a bug in the grants
(S5), the legal-services tickets (S3) or the walkthrough."""
from __future__ import annotations

from tests.plugins.special_populations.conftest import areas, who  # noqa: F401
from tests.plugins.special_populations.test_grants import (  # noqa: F401
    bureau, person,
    test_a_revoked_grant_is_404_again_at_once_and_stays_in_the_districts_list,
    test_an_expired_grant_is_404_the_day_after_its_last_day,
)
from tests.plugins.special_populations.test_legal_help import (  # noqa: F401
    test_updating_the_help_keeps_the_ticket_refuses_to_drop_it_and_opens_one_for_a_new_need,
)
from tests.plugins.special_populations.test_story import (  # noqa: F401
    test_a_release_almost_five_years_ago_is_listed_until_the_anniversary_and_screened_as_leaving,
)
