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
