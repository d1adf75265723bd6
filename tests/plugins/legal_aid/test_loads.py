"""Each lawyer's open legal-aid cases, kept as a tally by the steps that open and end cases (CONTRACT, Data:
counts are kept in the transaction of the event they count, never found by reading a list; SPEC L6), and
the assignable-lawyers page that shows it in one BatchGetItem whatever its size."""
from __future__ import annotations

from chalicelib.platform import audit, storage
from tests.helpers import calls_during, ok
from tests.plugins.legal_aid.test_conflicts import approved
from tests.plugins.legal_aid.test_workflow import follow_up

URL = "/v1/legal-aid/applications"


def open_cases(client, people, app) -> dict[str, int]:
    page = ok(client.get(f"{URL}/{app['id']}/assignable-lawyers", headers=people["officer"]))
    return {item["lawyer"]: item["open_cases"] for item in page["items"]}


def test_a_lawyer_s_open_cases_rise_when_assigned_and_fall_when_the_case_is_closed(client, people, submit, step):
    """SPEC L6: assigning opens a case for the lawyer, closing ends it; the follow-up changes nothing."""
    first = approved(submit, step)
    second = approved(submit, step, matter_type="work_injury", opposing_party={"name": "某厂"})
    first = ok(step(first, "assign", lawyer="lawyer-1"))
    second = ok(step(second, "assign", lawyer="lawyer-1"))
    assert open_cases(client, people, first) == {"lawyer-1": 2, "lawyer-2": 0}
    first = ok(step(first, "close", who="lawyer", kind="settled", amount_recovered="8000", summary="和解"))
    assert open_cases(client, people, first) == {"lawyer-1": 1, "lawyer-2": 0}
    ok(step(first, "follow-up", **follow_up()))
    assert open_cases(client, people, second) == {"lawyer-1": 1, "lawyer-2": 0}


def test_a_step_that_hands_a_case_to_another_lawyer_moves_it_between_their_tallies(client, people, submit, step):
    """Every step's transaction adds what `loads.ops` says: a case handed from one lawyer to another leaves the
    first's count and joins the second's; a step that keeps the case where it is adds nothing."""
    from plugins.legal_aid import loads
    from plugins.legal_aid.service import load

    app = ok(step(approved(submit, step), "assign", lawyer="lawyer-1"))
    held = load(app["id"])
    assert loads.ops(held, held.model_copy(update={"major": True})) == []
    storage.transact(loads.ops(held, held.model_copy(update={"lawyer": "lawyer-2"})))
    assert open_cases(client, people, app) == {"lawyer-1": 0, "lawyer-2": 1}
    parties = storage.find_many(loads.LawyerParties, ["lawyer-1", "lawyer-2"])  # what the conflict check reads
    assert parties["lawyer-1"].entries == {} and parties["lawyer-2"].entries == {app["id"]: loads.parties_entry(held)}


def test_the_assignable_lawyers_are_two_calls_whatever_their_number(client, people, submit, step):
    """Reliability §3: the district's lawyers (the case's id names its area), then the case with their
    institutions and tallies together — no longer one Query of open cases per lawyer shown."""
    from plugins.legal_aid.demo import seed_lawyer

    for n in range(3, 8):
        seed_lawyer(audit.SYSTEM, f"lawyer-{n}", f"律师{n}")
    app = ok(step(approved(submit, step), "assign", lawyer="lawyer-1"))
    seen = []
    calls = calls_during(lambda: seen.append(open_cases(client, people, app)))
    assert seen == [{"lawyer-1": 1, **{f"lawyer-{n}": 0 for n in range(2, 8)}}]
    assert calls == ["Query", "BatchGetItem"]


def test_a_demo_loaded_before_the_tallies_were_kept_has_them_counted_once(client, people, submit, step):
    """`make dev` on an older .data/: the legal-aid demo is there (its first marker) but not the tallies, so
    the loader counts the demo lawyers' open cases once and marks it; the next start changes nothing."""
    from plugins.legal_aid import demo, loads

    app = ok(step(approved(submit, step), "assign", lawyer="lawyer-1"))
    storage.transact([storage.delete(loads.LawyerLoad, "lawyer-1")])  # as stored before the tallies existed
    storage.put_new(demo._Marker(id=demo.MARKER_ID, loaded_at="earlier"))
    storage.put_new(demo._Marker(id=demo.GREEN_MARKER_ID, loaded_at="earlier"))
    assert open_cases(client, people, app)["lawyer-1"] == 0
    demo.load(None)
    assert open_cases(client, people, app)["lawyer-1"] == 1
    storage.transact([storage.add_to(loads.LawyerLoad, "lawyer-1", {"open_cases": 1})])
    demo.load(None)
    assert open_cases(client, people, app)["lawyer-1"] == 2  # counted once only, not again
