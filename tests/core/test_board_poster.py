"""C4 / issue 22 §5, the 公示栏 on the wall: a grid's board printed as an A4 or A3 PDF — menu, people with
their work phones, the weekly duty, hours and the mini-program code that opens the grid's page — generated on
request, stored, and drawn again only when what it prints changes."""
from __future__ import annotations

import re
import struct
import zlib

import pytest

from chalicelib.platform import aws, config
from tests.core.test_board_rota import GRID, boards_rebuilt, clock, duty, points  # noqa: F401  (fixtures)
from tests.core.test_coverage import assign
from tests.core.test_directory import seed_tree
from tests.core.test_coverage import services  # noqa: F401  (fixture)
from tests.core.test_signin import wechat  # noqa: F401  (fixture: the fake WeChat server)
from tests.helpers import assert_problem, body, calls_during

POSTER = f"/v1/areas/{GRID}/board/poster"


def pdf_of(answer: dict) -> bytes:
    key = f"posters/{GRID}/{answer['version']}-{answer['size']}.pdf"
    assert key in answer["download"] or answer["download"]
    return aws.s3().get_object(Bucket=config.leaflet_bucket(), Key=key)["Body"].read()


def opens(pdf: bytes) -> None:
    """What a reader checks first: the header, the cross-reference table where `startxref` says, and every
    object where the table says it is."""
    assert pdf.startswith(b"%PDF-1.") and pdf.rstrip().endswith(b"%%EOF")
    start = int(re.findall(rb"startxref\s+(\d+)", pdf)[-1])
    assert pdf[start:start + 4] == b"xref"
    count = int(re.match(rb"xref\s+0\s+(\d+)", pdf[start:]).group(1))
    offsets = re.findall(rb"(\d{10}) 00000 n", pdf[start:])
    assert len(offsets) == count - 1
    for number, offset in enumerate(offsets, start=1):
        assert re.match(rb"%d 0 obj" % number, pdf[int(offset):]), number


def text_layer(pdf: bytes) -> bytes:
    """Every stream of the PDF, decoded (ReportLab writes ASCII85 over Flate)."""
    import base64

    out = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        header, data = pdf[pdf.rfind(b" obj", 0, match.start()):match.start()], match.group(1).strip()
        if b"ASCII85Decode" in header:
            data = base64.a85decode(data.removesuffix(b"~>"), adobe=False)
        if b"FlateDecode" in header:
            data = zlib.decompress(data)
        out.append(data)
    return b"\n".join(out)


def png_size(image: bytes) -> tuple[int, int]:
    return struct.unpack(">II", image[16:24])


@pytest.fixture
def board_up(client, points, services):
    """The grid's mediator, on duty every Wednesday at the town's station; a volunteer of the village."""
    p, headers = points, points["headers"]
    assign(client, headers, "mediator", GRID, p["mediator"]["id"])
    assign(client, headers, "legal_literate", "320402001001", p["literate"]["id"])
    assert duty(client, headers, p["station"], p["mediator"]).status_code == 201
    boards_rebuilt()
    return points


def test_the_grid_s_poster_is_a_pdf_with_the_duty_staff_s_work_phone_and_the_mini_program_code(
        client, board_up, wechat):
    """Issue 22 §5 done-when: the PDF opens, prints the duty person's work phone in full (CONTRACT: a staff
    member's published work phone is not personal data), never a volunteer's full number, and embeds the
    mini-program code WeChat drew for the grid's page with the grid's code as scene."""
    answer = body(client.get(POSTER))
    assert (answer["grid"], answer["grid_name"], answer["size"], answer["generated"]) == (GRID, "第一网格", "A4", True)
    pdf = pdf_of(answer)
    opens(pdf)
    assert answer["bytes"] == len(pdf)
    text = text_layer(pdf)
    assert b"(13800001201)" in text, "the duty mediator's work phone, in full"
    assert b"13800001202" not in pdf and b"(138****1202)" in text, "the volunteer's phone stays masked"
    assert b"/STSong-Light" in pdf and b"FontFile" not in pdf, "Chinese in the built-in CID font: no font shipped"
    assert [(c["scene"], c["page"]) for c in wechat.codes] == [(GRID, "pages/board/grid")]
    code = re.search(rb"/Subtype /Image.*?/Width (\d+)", pdf, re.S) or re.search(rb"/Width (\d+).*?/Subtype /Image",
                                                                              pdf, re.S)
    assert code and int(code.group(1)) in png_size(client_code(wechat)), "the mini-program code is embedded"


def client_code(wechat) -> bytes:
    from tools.fake_wechat import code_png

    request = wechat.codes[0]
    return code_png(f"{request['scene']}|{request['page']}", request["width"])


def test_a_poster_is_drawn_again_only_when_what_it_prints_changes(client, board_up, wechat):
    """Regenerated only when the board changes: the same board is the stored PDF (one GetItem, no WeChat
    call, no new object); a changed phone number on the board is a new version; the code is fetched once."""
    first = body(client.get(POSTER))
    calls = calls_during(lambda: client.get(POSTER))
    again = body(client.get(POSTER))
    assert calls == ["GetItem"] and again["generated"] is False and again["version"] == first["version"]
    a3 = body(client.get(POSTER + "?size=A3"))
    assert a3["generated"] is True and a3["version"] == first["version"] and a3["bytes"] != first["bytes"]
    p = board_up
    person = body(client.get(f"/v1/people/{p['mediator']['id']}", headers=p["headers"]))
    changed = client.patch(f"/v1/people/{p['mediator']['id']}", headers={**p["headers"], "If-Match": str(person["version"]),
                                                                        "Content-Type": "application/json"},
                           body='{"phone": "13800001299"}')
    assert changed.status_code == 200, changed.body
    boards_rebuilt()
    moved = body(client.get(POSTER))
    assert moved["generated"] is True and moved["version"] != first["version"]
    assert b"(13800001299)" in text_layer(pdf_of(moved))
    assert len(wechat.codes) == 1, "the grid's code is kept after the first fetch"


def test_a_poster_is_for_a_grid_in_a4_or_a3_and_needs_the_mini_program_code(client, aws_backend, monkeypatch):
    """Bad input like the board's (422 not a grid, 404 unknown), a size other than A4/A3 is 422 naming it;
    without WeChat no poster is drawn (503, never a 500) and nothing is stored."""
    seed_tree()
    assert_problem(client.get("/v1/areas/320402001001/board/poster"), 422, "not_a_grid")
    assert_problem(client.get("/v1/areas/320402001001999/board/poster"), 404, "area_not_found")
    problem = assert_problem(client.get(POSTER + "?size=A5"), 422)
    assert problem["errors"][0]["loc"] == ["query", "size"]
    monkeypatch.setenv("WECHAT_API_BASE", "http://127.0.0.1:9")
    assert client.get(POSTER).status_code == 503
    listed = aws.s3().list_objects_v2(Bucket=config.leaflet_bucket(), Prefix="posters/")
    assert listed.get("KeyCount", 0) == 0
