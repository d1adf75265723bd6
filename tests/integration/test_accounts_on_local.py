"""Issue 4 on DynamoDB Local (AWS's own emulator): the sign-in, refresh-rotation, withdrawal and staff
tests whose correctness rests on conditional transactions, REMOVE of erased attributes and the atomic
ADD of the attempt counters — re-run unchanged — plus the one moto cannot prove: two refreshes of the
same token racing, where exactly one may win (RFC 9700 §4.14.2)."""
from __future__ import annotations

import threading

from tests.core.test_me import (  # noqa: F401 (tests and fixtures re-run here)
    alice, test_one_id_number_belongs_to_one_account, test_setting_the_home_grid_shows_my_grid_with_its_links,
    test_withdrawal_erases_personal_data_keeps_records_and_explains_why,
)
from tests.core.test_signin import (  # noqa: F401
    refresh, signed_in, test_a_first_sign_in_creates_a_resident_and_returns_our_own_short_lived_tokens,
    test_reusing_a_rotated_refresh_token_revokes_the_whole_family,
    test_sign_out_everywhere_ends_every_session_of_the_caller,
    test_too_many_sign_ins_by_one_wechat_user_is_429_while_others_go_on, wechat,
)
from tests.core.test_staff_accounts import (  # noqa: F401
    admin, bound, test_disabling_a_staff_member_revokes_their_refresh_tokens_at_once,
    test_role_and_area_changes_take_effect_at_the_next_refresh,
)


def test_refreshing_the_same_token_twice_at_once_lets_exactly_one_win(client, wechat, aws_backend):  # noqa: F811
    """The race runs at the service layer: Chalice's test client swaps `os.environ` per request and shares
    `current_request`, so it must never be driven from two threads (it leaked environment into later
    tests when it was)."""
    from chalicelib.domain.accounts import service as accounts
    from chalicelib.platform.errors import Problem

    session = signed_in(client, "ok:alice:1")
    barrier = threading.Barrier(2)
    results: list[int] = []

    def go():
        barrier.wait()
        try:
            accounts.refresh(session["refresh_token"], accounts.Origin(source_ip="127.0.0.1", request_id=None))
            results.append(200)
        except Problem as problem:
            results.append(problem.status)

    threads = [threading.Thread(target=go) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Either the second saw the rotated generation, or its conditional write lost: both are reuse, and
    # reuse revokes the family — so the winner's new token is dead too (the client must not race).
    assert sorted(results) in ([200, 401], [401, 401]), results
