"""Issue 14 §2 for legal aid's screening checks (C7, L5–L7): they read tallies and bounded ranges, not the
whole open queue or every unvisited household — the count of unvisited households per grid is a tally kept
in the same transactions as imports and first visits, and the green-channel check reads only the overdue
entries of the queue."""
from __future__ import annotations

from chalicelib import plugin
from chalicelib.domain.areas.models import Area
from chalicelib.platform import aws, storage
from chalicelib.platform.timeutil import today_shanghai
from plugins.legal_aid import hooks, households
from tests.helpers import body, ok, post
from tests.plugins.legal_aid.conftest import GRID, id_number

OTHER_GRID = "320402001001002"


def items_read(action) -> int:
    """Items DynamoDB returned to Query calls made by `action` (what a check is billed for)."""
    counted: list[int] = []
    client = aws.dynamodb()
    client.meta.events.register("after-call.dynamodb.Query", lambda parsed, **_: counted.append(parsed.get("Count", 0)))
    try:
        action()
    finally:
        client.meta.events.unregister("after-call.dynamodb.Query")
    return sum(counted)


def context() -> plugin.ScreeningContext:
    today = today_shanghai()
    return plugin.ScreeningContext(month=f"{today.year:04d}-{today.month:02d}", area="3204", as_of=today)


def import_households(client, people, upload, *rows: str) -> None:
    text = "类别,姓名,身份证号,网格代码,有效期至\n" + "\n".join(rows) + "\n"
    file_id = upload(text.encode(), who="officer", content_type="text/csv")
    assert post(client, "/v1/legal-aid/households/imports", {"file_id": file_id}, people["officer"]).status_code == 201


def row(sequence: str, grid: str = GRID) -> str:
    return f"低保户,张{sequence},{id_number(born='19510101', sequence=sequence)},{grid},2030-01-01"


def test_the_unvisited_count_per_grid_follows_imports_and_first_visits_only(client, people, upload, world):
    import_households(client, people, upload, row("012"), row("013"), row("014"))
    assert households.unvisited_per_grid("3204") == [(GRID, 3)]
    import_households(client, people, upload, row("012"), row("013"), row("014"))  # next year's list, unchanged
    assert households.unvisited_per_grid("3204") == [(GRID, 3)]
    [first, *_] = body(client.get("/v1/legal-aid/households?limit=1", headers=people["officer"]))["items"]
    visit = f"/v1/legal-aid/households/{first['id']}/visits"
    today = today_shanghai().isoformat()
    version = ok(post(client, visit, {"visited_on": today, "version": first["version"]}, people["officer"]), 201)["household"]["version"]
    ok(post(client, visit, {"visited_on": today, "version": version}, people["officer"]), 201)  # a second visit
    assert households.unvisited_per_grid("3204") == [(GRID, 2)]


def test_a_still_unvisited_household_moving_grid_moves_its_count(client, people, upload, world):
    storage.put_new(Area(code=OTHER_GRID, name="第二网格", level="grid", parent="320402001001"))
    import_households(client, people, upload, row("012"), row("013"))
    import_households(client, people, upload, row("012", grid=OTHER_GRID), row("013"))
    assert sorted(households.unvisited_per_grid("3204")) == [(GRID, 1), (OTHER_GRID, 1)]


def test_the_unvisited_check_reads_one_tally_per_grid_not_the_households(client, people, upload, world):
    import_households(client, people, upload, *(row(f"{n:03d}") for n in range(20, 45)))
    found: list[plugin.Finding] = []
    read = items_read(lambda: found.extend(hooks.households_unvisited(context())))
    assert [(f.area, f.title) for f in found] == [(GRID, "25 户困难群体尚未入户走访")] and read == 1


def test_the_green_channel_check_reads_only_the_overdue_entries(clock, client, people, submit):
    with clock.travel(days=-6):
        late = submit()
    for _ in range(3):
        submit()  # green channel, still within their deadline
    found: list[plugin.Finding] = []
    read = items_read(lambda: found.extend(hooks.green_channel_overdue(context())))
    assert [f.record for f in found] == [late["id"]] and read == 1


def test_the_unassigned_check_reads_only_cases_approved_long_enough_ago_however_many_wait(clock, client, people,
                                                                                          submit, step):
    """Reliability (CONTRACT "Data": no check depends on a list's total size; L6): with more cases waiting for
    an officer than one read may hold (storage's 10,000), the approved-but-unassigned check still finds the
    case approved five days ago, reading only the cases approved more than a day before — not the queue."""
    from datetime import timedelta

    from plugins.legal_aid.models import Status, Verdict
    from plugins.legal_aid.queue import NORMAL, QueueEntry

    app = ok(step(submit(matter_type="traffic_accident", categories=[]), "accept"))
    with clock.travel(days=-5):
        ok(step(app, "approve"))
    waiting = [QueueEntry(queue="3204", application_id=f"seeded-{n:05d}", area=GRID,
                          status=Status.approved if n % 2 else Status.accepted, priority=NORMAL, green_channel=False,
                          deadline=clock.now + timedelta(days=3), matter_type="traffic_accident",
                          applicant_name="王建国", submitted_at=clock.now - timedelta(hours=2), major=False,
                          verdict=Verdict.eligible, approved_at=clock.now - timedelta(hours=1) if n % 2 else None)
               for n in range(10_001)]
    storage.batch_write(puts=[entry.to_item() for entry in waiting])
    found: list[plugin.Finding] = []
    read = items_read(lambda: found.extend(hooks.approved_unassigned(context())))
    assert [f.record for f in found] == [app["id"]] and read == 1


def test_a_late_case_leaves_the_unassigned_check_once_its_lawyer_is_assigned(clock, client, people, submit, step):
    """L6: assigning the lawyer removes the case from the list the check reads, green channel or not."""
    late = [ok(step(submit(matter_type="traffic_accident", categories=[]), "accept")), ok(step(submit(), "accept"))]
    with clock.travel(days=-5):
        late = [ok(step(app, "approve")) for app in late]
    assert sorted(f.record for f in hooks.approved_unassigned(context())) == sorted(app["id"] for app in late)
    ok(step(late[0], "assign", lawyer="lawyer-1"))
    assert [f.record for f in hooks.approved_unassigned(context())] == [late[1]["id"]]
