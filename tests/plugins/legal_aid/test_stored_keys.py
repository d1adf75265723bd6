"""Legal aid's record types declare their lists and the core builds their keys: the stored key strings are
byte for byte the ones legal aid built by hand before (with `storage.keys`), so data already in the table
stays readable and every list still finds it."""
from __future__ import annotations

from datetime import timedelta

from chalicelib.platform import storage
from chalicelib.platform.storage import keys
from plugins.legal_aid.demo import _Marker
from plugins.legal_aid.households import Expiry, Household, ImportRecord, Visit
from plugins.legal_aid.models import Application, ClaimTicket, Status, Verdict, stamp
from plugins.legal_aid.queue import QueueEntry

GRID = "320402001001001"


def _application(clock, **fields) -> Application:
    """Only what the keys depend on (the rest of an application plays no part in them)."""
    return Application.model_construct(**{"id": "app-1", "owner": "r-1", "submitted_at": clock.now, "lawyer": None,
                                          "status": Status.submitted, "assigned_at": None, **fields})


def test_an_owned_application_keeps_its_record_key_and_its_owner_list_key(clock):
    app = _application(clock)
    assert app.key_attributes() == {
        **keys.record("legal-aid-application", "app-1"),
        "gsi1pk": keys.owned_by("legal-aid-application", "r-1"),
        "gsi1sk": keys.compose(stamp(clock.now), "app-1"),
    }


def test_an_assigned_application_is_in_its_lawyer_s_open_list_and_a_closed_one_in_the_closed_list(clock):
    assigned = clock.now + timedelta(days=2)
    for status, state in ((Status.assigned, "open"), (Status.closed, "closed")):
        app = _application(clock, lawyer="lawyer-1", status=status, assigned_at=assigned)
        attributes = app.key_attributes()
        assert attributes["gsi2pk"] == keys.owned_by("legal-aid-assignment", "lawyer-1")
        assert attributes["gsi2sk"] == keys.compose(state, stamp(assigned), "app-1")


def test_an_application_filed_on_someone_s_behalf_is_in_no_list_until_claimed(clock):
    assert _application(clock, owner=None).key_attributes() == keys.record("legal-aid-application", "app-1")


def test_a_queue_entry_keeps_its_queue_partition_and_priority_deadline_order(clock):
    deadline = clock.now + timedelta(days=1)
    entry = QueueEntry(queue="320402", application_id="app-1", area=GRID, status=Status.submitted, priority=0,
                       green_channel=True, deadline=deadline, matter_type="labour_pay", applicant_name="王建国",
                       submitted_at=clock.now, major=False, verdict=Verdict.eligible)
    assert entry.key_attributes() == {
        "pk": keys.compose("legal-aid-queue", "320402"),
        "sk": keys.compose(0, stamp(deadline), stamp(clock.now), "app-1"),
    }
    assert entry.to_item()["entity"] == "legal-aid-queue-entry"


def test_an_approved_entry_awaiting_its_lawyer_is_also_listed_by_approval_time(clock):
    """L5: the screening's unassigned check reads this list up to a moment, not the queue."""
    approved = clock.now - timedelta(days=2)
    entry = QueueEntry(queue="320402", application_id="app-1", area=GRID, status=Status.approved, priority=1,
                       green_channel=False, deadline=clock.now, matter_type="traffic_accident", applicant_name="王建国",
                       submitted_at=approved, major=False, verdict=Verdict.eligible, approved_at=approved)
    assert entry.key_attributes() == {
        "pk": keys.compose("legal-aid-queue", "320402"),
        "sk": keys.compose(1, stamp(clock.now), stamp(approved), "app-1"),
        "gsi1pk": keys.compose("legal-aid-approved", "320402"),
        "gsi1sk": keys.compose("approved", stamp(approved), "app-1"),
    }

def test_a_household_keeps_its_area_list_keys_and_leaves_the_unvisited_list_once_visited(clock):
    fields = dict(id="h-1", category="dibao", name="张三", id_cipher="x", id_masked="3204**", grid=GRID,
                  imported_by="officer-1", import_id="imp-1")
    gsi1pk, gsi1sk = keys.area_scoped("legal-aid-household", GRID, "h-1")
    gsi2pk, gsi2sk = keys.area_scoped("legal-aid-household-unvisited", GRID, "h-1")
    assert Household(**fields).key_attributes() == {
        **keys.record("legal-aid-household", "h-1"), "gsi1pk": gsi1pk, "gsi1sk": gsi1sk,
        "gsi2pk": gsi2pk, "gsi2sk": gsi2sk}
    assert Household(**fields, visit_count=1).key_attributes() == {
        **keys.record("legal-aid-household", "h-1"), "gsi1pk": gsi1pk, "gsi1sk": gsi1sk}


def test_a_visit_is_kept_in_its_household_s_partition_by_date(clock):
    visit = Visit(id="v-1", household_id="h-1", visited_on=clock.today, by="gw-1", needs_legal_aid=False)
    assert visit.key_attributes() == {
        "pk": keys.record("legal-aid-household", "h-1")["pk"],
        "sk": keys.compose("visit", clock.today.isoformat(), "v-1"),
    }
    assert visit.to_item()["entity"] == "legal-aid-household-visit"


def test_an_expiring_status_is_listed_under_its_city_and_month(clock):
    until = clock.today + timedelta(days=20)
    reminder = Expiry(household_id="h-1", grid=GRID, valid_until=until)
    assert reminder.key_attributes() == {
        "pk": keys.compose("legal-aid-household-expiry", keys.city_of(GRID), until.strftime("%Y-%m")),
        "sk": keys.compose(GRID, "h-1"),
    }


def test_records_found_by_id_keep_their_entity_and_id_key(clock):
    report = {"id": "imp-1", "file_id": "f-1", "rows": 0, "created": 0, "updated": 0, "unchanged": 0, "failed": 0,
              "errors": []}
    assert ImportRecord(id="imp-1", area="320402", by="officer-1", report=report).key_attributes() == \
        keys.record("legal-aid-household-import", "imp-1")
    assert ClaimTicket(id="c0ffee", application_id="app-1").key_attributes() == keys.record("legal-aid-claim", "c0ffee")
    assert _Marker(id="v1", loaded_at=clock.now.isoformat()).key_attributes() == keys.record("legal-aid-demo", "v1")


def test_the_lists_read_the_same_partitions_and_prefixes_as_before():
    lawyer = Application.listing("legal-aid-assignment")
    assert lawyer.partition("lawyer-1") == keys.owned_by("legal-aid-assignment", "lawyer-1")
    unvisited = Household.listing("legal-aid-household-unvisited")
    assert unvisited.partition("320402") == keys.area_scope_partition("legal-aid-household-unvisited", "3204")
    assert storage._list_prefix(lawyer, "lawyer-1", ("open",)) == "open#"
    assert storage._list_prefix(unvisited, "320402", ()) == "320402"
    assert storage._list_prefix(QueueEntry.listing("legal-aid-queue"), "320402", (0,)) == "0#"
