"""Reliability issue §3 ("every read and write at its floor"): the DynamoDB calls of legal-aid routes,
counted with botocore's `before-call` hook on the client the app uses."""
from __future__ import annotations

from tests.helpers import assert_problem, calls_during, ok
from tests.plugins.legal_aid.test_conflicts import approved


def test_an_assignment_reads_the_case_the_lawyer_and_their_open_cases_parties_together_then_writes_once(submit, step):
    """Two calls (`workflow.assign`): the parties of the lawyer's open cases are kept beside their tally, so
    the conflict check reads them with the case and the account — no Query of the lawyer's list."""
    app = approved(submit, step)
    seen = []
    calls = calls_during(lambda: seen.append(step(app, "assign", lawyer="lawyer-1")))
    assert ok(seen[0])["status"]["code"] == "assigned"
    assert calls == ["BatchGetItem", "TransactWriteItems"]


def test_an_unknown_lawyer_is_a_422_and_an_unknown_case_the_404_of_one(submit, step):
    app = approved(submit, step)
    assert_problem(step(app, "assign", lawyer="nobody-9"), 422, "lawyer_not_found")
    assert_problem(step({**app, "id": "no-such-case"}, "assign", lawyer="lawyer-1"), 404, "application_not_found")
    assert_problem(step(app, "assign", who="other_officer", lawyer="lawyer-1"), 404, "application_not_found")


def test_approving_and_closing_read_the_case_with_the_deadline_in_force_at_its_area_then_write_once(submit, step):
    """Reliability §3: an application's id names the area it was filed at, so the deadline parameter in force
    there is read in the case's own BatchGetItem — two calls, an update's floor."""
    app = ok(step(submit(), "accept"))
    assert app["id"].partition(".")[0].isdigit()  # <area>.<hex>
    seen = []
    calls = calls_during(lambda: seen.append(step(app, "approve")))
    app = ok(seen[0])
    assert calls == ["BatchGetItem", "TransactWriteItems"] and app["deadline"]
    app = ok(step(app, "assign", lawyer="lawyer-1"))
    seen = []
    calls = calls_during(lambda: seen.append(step(app, "close", who="lawyer", kind="settled", amount_recovered="0",
                                                  summary="和解")))
    assert ok(seen[0])["status"]["code"] == "closed"
    assert calls == ["BatchGetItem", "TransactWriteItems"]
