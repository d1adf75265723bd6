"""Files attached to an application (moved from the core's file tests: it is legal aid's link rule)."""
from __future__ import annotations

from chalicelib.domain.files import service as files
from tests.helpers import assert_problem, body, post
from tests.plugins.legal_aid.conftest import application, declare_real_name, id_number


def test_the_legal_aid_officer_of_the_linked_application_reads_its_attachments(client, token, people, upload):
    """The legal-aid plugin's link rule (`views.reader_of`) decides who reads an application's files: its
    applicant and the officers covering it, not other staff of the area nor officers elsewhere."""
    attachment = upload(b"%PDF-1.7\n" + "工资欠条".encode() * 50, title="王建国工资欠条")
    declare_real_name("r-1", id_number())
    submitted = post(client, "/v1/legal-aid/applications", application(attachment_ids=[attachment]),
                     people["resident"])
    assert submitted.status_code == 201, submitted.body
    assert files.get(attachment).linked_record == f"legal-aid-application:{body(submitted)['id']}"
    path = f"/v1/files/{attachment}"
    assert client.get(path, headers=people["officer"]).status_code == 200
    assert client.get(f"{path}/download", headers=people["officer"]).status_code == 200
    assert client.get(path, headers=people["resident"]).status_code == 200
    for stranger in (people["other_officer"], token("pub-1", "publicist", area="320402"), people["neighbour"]):
        assert_problem(client.get(path, headers=stranger), 404, "file_not_found")


def test_an_attachment_linked_elsewhere_after_it_was_checked_leaves_nothing_written(client, people, upload):
    """CONTRACT "Data" (writes that must hold together are one transaction): an application's attachments
    are linked in the application's own transaction (`files.link_ops`), so a file linked elsewhere between
    the check and the write fails the whole write with 409 `file_already_linked` and stores nothing."""
    import pytest

    from chalicelib.platform import storage
    from chalicelib.platform.auth import Caller
    from chalicelib.platform.errors import Conflict
    from plugins.legal_aid.models import ENTITY, ClaimTicket

    attachment = upload(b"%PDF-1.7\n" + "工资欠条".encode() * 50)
    resident = Caller(sub="r-1", roles=frozenset({"resident"}), area=None)
    links = files.link_ops(resident.actor, resident, files.get(attachment), ENTITY, "app-1")
    files.attach(resident.actor, resident, attachment, ENTITY, "app-2")  # meanwhile
    ticket = storage.put_op(storage.stamp_new(ClaimTicket(id="ticket-1", application_id="app-1")).to_item())
    with pytest.raises(Conflict) as refused:
        storage.transact([ticket, *links])
    assert refused.value.code == "file_already_linked"
    assert storage.read(ClaimTicket, "ticket-1", consistent=True) is None
    assert files.get(attachment).linked_record == f"{ENTITY}:app-2"
