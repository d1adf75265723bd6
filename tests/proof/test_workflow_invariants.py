"""Issue 9 "Workflow invariants" for the legal-aid case workflow (SPEC L6), over HTTP: a hypothesis state
machine sends any step, as the officer (or, to close, the assigned lawyer), with the version last seen or a
stale one, in any order, and checks after every step that

- a step is accepted only when the declared transition table (`plugins.legal_aid.workflow.ACTIONS`) allows
  it from the current status and the version sent is the current one; then the status is the step's target
  and the version is exactly one more;
- anything else is a 409 and changes nothing (the version and the status stay) — or a 404 when a lawyer
  tries to close a case no lawyer has been assigned to (it is not hers to know of);
- the history is append-only: the timeline keeps every earlier entry unchanged and gains one per accepted
  step, and no earlier audit entry changes or disappears.

Bounded: `PROOF_EXAMPLES` applications (default 10 in `make test`, ~10 s; `make proof` runs 50), up to 8 steps
each — the main line is six steps long, so every status is reached.
"""
from __future__ import annotations

import itertools
import os

from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from chalicelib.platform import audit
from chalicelib.platform.timeutil import today_shanghai
from plugins.legal_aid.workflow import ACTIONS
from tests.helpers import body, post

EXAMPLES = max(10, int(os.environ.get("PROOF_EXAMPLES", "10")))
URL = "/v1/legal-aid/applications"
# Each main-line step: its path segment and the status it leads to. Where it may start from is not
# repeated here: it is read from the workflow's own table (ACTIONS), which the machine holds the app to.
STEPS = {"accept": ("accept", "accepted"), "approve": ("approve", "approved"), "reject": ("reject", "rejected"),
         "assign": ("assign", "assigned"), "close": ("close", "closed"), "follow_up": ("follow-up", "followed_up")}
PAYLOADS = {
    "reject": {"reason": "对方已按时足额支付工资，不存在欠薪"},
    "assign": {"lawyer": "lawyer-1"},
    "close": {"kind": "mediated", "amount_recovered": "32000", "summary": "调解结案，老板当场支付工资"},
}


def _payload(action: str) -> dict:
    if action == "follow_up":
        return {"visited_on": today_shanghai().isoformat(), "method": "phone", "satisfaction": "satisfied"}
    return PAYLOADS.get(action, {})


def test_no_illegal_step_is_accepted_versions_only_grow_and_history_is_only_appended(client, token, aws_backend):
    from tests.plugins.legal_aid.conftest import _build_world, application, declare_real_name, id_number

    _build_world()
    officer = token("officer-1", "legal_aid_officer", area="320402")
    lawyer = token("lawyer-1", "lawyer", area="320402")
    applicants = itertools.count(1)

    class LegalAidWorkflow(RuleBasedStateMachine):
        @initialize()
        def submit(self):
            n = next(applicants)
            payload = application(applicant={"id_number": id_number(sequence=f"{n:03d}")})
            declare_real_name(f"r-sm-{n}", payload["applicant"]["id_number"])
            created = post(client, URL, payload, token(f"r-sm-{n}"))
            assert created.status_code == 201, created.body
            self.app = body(created)
            self.timeline = self.app["timeline"]
            self.trail = self._trail()

        def _trail(self) -> list[dict]:
            return audit.trail("legal-aid-application", self.app["id"], limit=100).items

        @rule(action=st.sampled_from(sorted(STEPS)), stale=st.sampled_from([0, 0, 0, -1, 1]))
        def step(self, action, stale):
            self._try(action, stale)

        @rule(reject=st.booleans())
        def advance(self, reject):
            """The next step the table allows (so short runs still reach the end of the line)."""
            status = self.app["status"]["code"]
            allowed = sorted(a for a in STEPS if status in {s.value for s in ACTIONS[a][0]})
            if allowed:
                self._try(allowed[-1] if reject else allowed[0], 0)

        def _try(self, action, stale):
            segment, target = STEPS[action]
            status, version = self.app["status"]["code"], self.app["version"]
            who = lawyer if action == "close" else officer
            sent = version + stale if version + stale >= 1 else version + 1
            answer = post(client, f"{URL}/{self.app['id']}/{segment}", {"version": sent, **_payload(action)}, who)
            allowed = status in {s.value for s in ACTIONS[action][0]} and sent == version
            if allowed:
                assert answer.status_code == 200, (action, status, answer.body)
                after = body(answer)
                assert after["status"]["code"] == target
                assert after["version"] == version + 1
                self.app = after
            elif action == "close" and not self.app.get("lawyer"):  # no lawyer holds it: not her case
                assert answer.status_code == 404, (action, status, answer.body)
            else:
                assert answer.status_code == 409, (action, status, sent, version, answer.body)
                assert body(answer)["code"] in ("illegal_transition", "stale_version"), answer.body

        @invariant()
        def stored_as_last_answered_and_history_only_grows(self):
            stored = client.get(f"{URL}/{self.app['id']}", headers=officer)
            assert stored.status_code == 200, stored.body
            now = body(stored)
            assert (now["status"], now["version"]) == (self.app["status"], self.app["version"])
            assert now["timeline"][:len(self.timeline)] == self.timeline, "an earlier timeline entry changed"
            assert len(now["timeline"]) == self.app["version"], "one timeline entry per accepted step"
            trail = self._trail()
            assert all(entry in trail for entry in self.trail), "an earlier audit entry changed or vanished"
            self.timeline, self.trail = now["timeline"], trail

    run_state_machine_as_test(LegalAidWorkflow, settings=settings(
        max_examples=EXAMPLES, stateful_step_count=8, deadline=None, database=None,
        suppress_health_check=list(HealthCheck)))
