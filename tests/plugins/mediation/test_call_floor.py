"""Reliability issue §3 ("every read and write at its floor"): the DynamoDB calls of mediation routes,
counted with botocore's `before-call` hook on the client the app uses."""
from __future__ import annotations

import json

import pytest

from chalicelib import plugin
from chalicelib.platform.audit import SYSTEM
from chalicelib.platform import storage
from plugins.mediation import service
from plugins.mediation.models import Mediator
from tests.helpers import calls_during, ok, post
from tests.plugins.mediation.conftest import GRID, dispute, on_roster

pytestmark = pytest.mark.usefixtures("areas")


def test_a_transfer_to_a_named_mediator_reads_the_dispute_and_the_roster_entry_together(client, mediator):
    """Two calls (`service.transfer`): the dispute's id names its grid, so the dispute, the mediator's roster
    entry and the parameters at the grid are one BatchGetItem, then the transaction."""
    on_roster("m-wu")
    opened = ok(post(client, "/v1/mediation/disputes", dispute(), mediator), 201)
    seen = []
    calls = calls_during(lambda: seen.append(post(client, f"/v1/mediation/disputes/{opened['id']}/transfers", {
        "tier": "grid", "mediator": "m-wu", "reason": "指派", "version": 1}, mediator)))
    assert ok(seen[0])["holder"]["name"] == "调解员m-wu" and opened["id"].startswith(GRID + ".")
    assert calls == ["BatchGetItem", "TransactWriteItems"]


def test_a_mediator_recording_the_parties_reads_the_dispute_and_their_roster_entry_together(client, mediator):
    """Two calls: a dispute opened from a ticket names its grid in its id (`<grid>.t<hex>`), so the parameters
    in force there ride in the dispute's and roster entry's BatchGetItem."""
    on_roster("m-zhou")
    ref = service.open_from_ticket(plugin.IntakeRequest(ticket_id="T-2026-0100", category="dispute", area=GRID,
                                                        text="邻居漏水", actor=SYSTEM))
    parties = {"kind": "neighbour", "version": 1,
               "parties": [{"name": "李秀英", "role": "applicant"}, {"name": "张国强", "role": "respondent"}]}
    seen = []
    calls = calls_during(lambda: seen.append(client.put(
        f"/v1/mediation/disputes/{ref.id}/parties", headers={**mediator, "Content-Type": "application/json"},
        body=json.dumps(parties, ensure_ascii=False))))
    recorded = ok(seen[0])
    assert (recorded["tier"], recorded["holder"]["id"]) == ("grid", "m-zhou") and ref.id.startswith(GRID + ".t")
    assert calls == ["BatchGetItem", "TransactWriteItems"]
    assert storage.read(Mediator, "m-zhou").load == 1  # SPEC M3: the load tally, in the same transaction


def test_a_transfer_to_a_committee_reads_its_name_with_the_parameters(client, mediator):
    """Two calls: the grid's areas (the committee's name) ride in the dispute's and parameters' BatchGetItem."""
    opened = ok(post(client, "/v1/mediation/disputes", dispute(), mediator), 201)
    seen = []
    calls = calls_during(lambda: seen.append(post(client, f"/v1/mediation/disputes/{opened['id']}/transfers", {
        "tier": "town", "reason": "上移", "version": 1}, mediator)))
    assert ok(seen[0])["holder"]["kind"] == "committee"
    assert calls == ["BatchGetItem", "TransactWriteItems"]


def test_closing_with_an_agreement_reads_the_dispute_with_its_deadlines_then_writes_once(client, mediator, clock):
    """Two calls: the confirmation and follow-up periods in force at the grid the dispute's id names are read
    in the dispute's own BatchGetItem."""
    from tests.plugins.mediation.test_workflow import agreement, put

    opened = ok(post(client, "/v1/mediation/disputes", dispute(), mediator), 201)
    seen = []
    calls = calls_during(lambda: seen.append(put(client, f"/v1/mediation/disputes/{opened['id']}/outcome",
                                                 agreement(clock), mediator)))
    assert ok(seen[0])["outcome"]["agreement"]["confirmation_deadline"]
    assert calls == ["BatchGetItem", "TransactWriteItems"]
