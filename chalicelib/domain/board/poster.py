"""The 公示栏 on the wall (C4): a grid's board as a printed poster, A4 or A3 PDF.

What it prints is what the grid's board shows that stays true on the wall: the grid and its path, the
service menu, per coverage role the people (name, duty, work phone, hours, institution — staff work phones
in full, volunteers' masked, exactly as the board has them: residents' numbers are never on a board), the
weekly duty rota of its service points by weekday, the service points with their addresses and hours, and
the mini-program code (小程序码) that opens the grid's page in the mini-program (WeChat
`wxacode.getUnlimited`, the grid's code as scene). Dated activities are left to the code: a poster would be
out of date the day after the activity.

- Generated on request (`GET /v1/areas/{code}/board/poster?size=A4`, public like the board), stored in the
  leaflet bucket at `posters/<grid>/<digest>-<size>.pdf`, handed over as a presigned link. The digest is
  the SHA-256 of what the poster prints (`Sheet`) and of the layout's version: a request finds the stored
  PDF with one HEAD and builds nothing while the board shows the same thing; any change the poster shows
  (a phone, a duty, a menu item) is a new key, so a stale poster is never served and old ones stay in the
  bucket for whoever printed them. Why not the board's stamp: it is the city's, moved by every change
  anywhere in the city, and the stored board is rebuilt weekly even when nothing changed.
- The mini-program code of a grid never changes (same scene, same page): fetched once and kept next to the
  posters (`posters/<grid>/code-<page digest>.png`).
- Chinese prints in ReportLab's built-in CID font `STSong-Light` (Adobe-GB1: the PDF names the font, the
  reader supplies it), so no font file ships; digits and Latin letters in Helvetica, a standard PDF font.
  ReportLab is imported only when a poster is drawn: no other cold start pays for it.

DynamoDB: the board's one GetItem (`board.service.grid_board_json`), nothing written.
"""
from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote

from chalicelib.domain.accounts import wechat
from chalicelib.domain.board.service import grid_board_json
from chalicelib.platform import aws, config
from chalicelib.platform.model import Model
from chalicelib.platform.timeutil import today_shanghai

LAYOUT = "poster-1"   # change when the drawing changes: every poster is drawn anew
GRID_PAGE = "pages/board/grid"
CODE_WIDTH = 430
LINK_SECONDS = 900
PDF = "application/pdf"
Size = Literal["A4", "A3"]
WEEKDAY_ORDER = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


class ContactLine(Model):
    role: str
    name: str
    duty: str
    phone: str
    hours: str | None
    institution: str | None


class DutyLine(Model):
    weekday: str
    start: str
    end: str
    duty: str
    service_point: str
    name: str
    phone: str


class PointLine(Model):
    name: str
    kind: str
    address: str | None
    hours: str | None


class Sheet(Model):
    """What a poster prints, and all it prints apart from its printing date."""
    grid: str
    grid_name: str
    path: list[str]
    services: list[str]
    contacts: list[ContactLine]
    duties: list[DutyLine]
    points: list[PointLine]

    def digest(self) -> str:
        return hashlib.sha256(f"{LAYOUT}|{GRID_PAGE}|{self.model_dump_json()}".encode()).hexdigest()[:20]


@dataclass(frozen=True)
class Poster:
    sheet: Sheet
    size: str
    version: str
    key: str
    generated: bool
    length: int
    url: str


def sheet_of(board: dict) -> Sheet:
    """The poster's content from a board as shown today (`GridBoard` JSON): the duties of the coming seven
    days become the weekly rota (each weekday once), in weekday order."""
    contacts = [ContactLine(role=group["title"], name=p["name"], duty=p["duty"], phone=p["phone"], hours=p["hours"],
                            institution=p["institution"]) for group in board["contacts"] for p in group["people"]]
    duties = {(d["weekday"], d["start"], d["end"], d["duty"], d["service_point"], d["person"]["name"],
               d["person"]["phone"]) for d in board["on_duty"]}
    ordered = sorted(duties, key=lambda d: (WEEKDAY_ORDER.index(d[0]) if d[0] in WEEKDAY_ORDER else 9, d[1:]))
    points = [PointLine(name=i["name"], kind=i["kind_title"], address=i["address"], hours=i["hours"])
              for i in board["institutions"] if i["kind"] == "service_platform"]
    return Sheet(grid=board["grid"]["code"], grid_name=board["grid"]["name"], path=[a["name"] for a in board["path"]],
                 services=[m["title"] for m in board["menu"]], contacts=contacts,
                 duties=[DutyLine(weekday=w, start=s, end=e, duty=t, service_point=p, name=n, phone=ph)
                         for w, s, e, t, p, n, ph in ordered], points=points)


def poster(code: str, size: Size) -> Poster:
    """The grid's poster of `size`: the stored one if the board still shows what it prints, else drawn and
    stored now. 404/422 as the board; 502/503/504 when a first mini-program code cannot be had from WeChat."""
    sheet = sheet_of(json.loads(grid_board_json(code)))
    version = sheet.digest()
    key = f"posters/{sheet.grid}/{version}-{size}.pdf"
    bucket, s3 = config.leaflet_bucket(), aws.s3()
    length = _stored_length(bucket, key)
    generated = length is None
    if generated:
        data = render(sheet, size, mini_program_code(sheet.grid))
        filename = f"{sheet.grid_name}公示栏-{size}.pdf"
        s3.put_object(Bucket=bucket, Key=key, Body=data, ContentType=PDF, ContentDisposition=(
            f"attachment; filename=\"poster-{sheet.grid}-{size}.pdf\"; filename*=UTF-8''{quote(filename, safe='')}"))
        length = len(data)
    url = s3.generate_presigned_url("get_object", ExpiresIn=LINK_SECONDS, Params={"Bucket": bucket, "Key": key})
    return Poster(sheet=sheet, size=size, version=version, key=key, generated=generated, length=length, url=url)


def _stored_length(bucket: str, key: str) -> int | None:
    """The stored object's size, or None when there is none. Without s3:ListBucket (our policy grants
    Get/Put on objects only) S3 answers a missing key with 403, not 404: both mean "draw it"; a real
    denial shows at the put that follows."""
    from botocore.exceptions import ClientError

    try:
        return int(aws.s3().head_object(Bucket=bucket, Key=key)["ContentLength"])
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "403", "AccessDenied"):
            return None
        raise


def mini_program_code(grid: str) -> bytes:
    """The grid's mini-program code image: kept in the bucket after the first fetch from WeChat."""
    bucket, s3 = config.leaflet_bucket(), aws.s3()
    key = f"posters/{grid}/code-{hashlib.sha256(f'{GRID_PAGE}|{CODE_WIDTH}'.encode()).hexdigest()[:12]}.png"
    if _stored_length(bucket, key) is not None:
        return s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    image = wechat.miniprogram_code(grid, GRID_PAGE, width=CODE_WIDTH)
    s3.put_object(Bucket=bucket, Key=key, Body=image, ContentType="image/png" if image[:4] == b"\x89PNG" else "image/jpeg")
    return image


# --- drawing --------------------------------------------------------------------------------------

CJK = "STSong-Light"
LATIN = "Helvetica"


def _text(value: str | None) -> str:
    """A value as Paragraph markup: escaped, runs of digits and Latin letters in Helvetica."""
    from xml.sax.saxutils import escape

    out, latin = [], ""
    for ch in value or "":
        if ch.isascii() and (ch.isalnum() or ch in "-*+:./()"):
            latin += ch
            continue
        if latin:
            out.append(f'<font name="{LATIN}">{escape(latin)}</font>')
            latin = ""
        out.append(escape(ch))
    if latin:
        out.append(f'<font name="{LATIN}">{escape(latin)}</font>')
    return "".join(out)


def render(sheet: Sheet, size: str, code_image: bytes) -> bytes:
    """The poster as PDF bytes: one page of `size` (A3 is A4 scaled by √2), more only if a grid's lists
    overflow it."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A3, A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    if CJK not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK))
    page = A3 if size == "A3" else A4
    k = page[0] / A4[0]
    style = ParagraphStyle("body", fontName=CJK, fontSize=9.5 * k, leading=13 * k, wordWrap="CJK")
    small = ParagraphStyle("small", parent=style, fontSize=8 * k, leading=11 * k, textColor=colors.HexColor("#555555"))
    head = ParagraphStyle("head", parent=style, fontSize=13 * k, leading=18 * k, spaceBefore=5 * k, spaceAfter=3 * k,
                          textColor=colors.HexColor("#9B1B1B"))
    title = ParagraphStyle("title", parent=style, fontSize=24 * k, leading=32 * k, alignment=1,
                           textColor=colors.HexColor("#9B1B1B"))
    subtitle = ParagraphStyle("subtitle", parent=style, alignment=1, textColor=colors.HexColor("#333333"))

    def cell(value: str | None, st=style) -> Paragraph:
        return Paragraph(_text(value) or "—", st)

    def table(header: list[str], rows: list[list[str | None]], widths: list[float]) -> Table:
        data = [[cell(h) for h in header], *([cell(v) for v in row] for row in rows)]
        grid = Table(data, colWidths=[w * (page[0] - 30 * mm * k) for w in widths], repeatRows=1)
        grid.setStyle(TableStyle([
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#F3E3E3")),
            ("GRID", (0, 0), (-1, -1), 0.5 * k, colors.HexColor("#B0B0B0")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), 2.5 * k), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5 * k)]))
        return grid

    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=page, leftMargin=15 * mm * k, rightMargin=15 * mm * k,
                            topMargin=14 * mm * k, bottomMargin=14 * mm * k,
                            title=f"{sheet.grid_name}公共法律服务公示栏", author="法网格", subject=sheet.grid)
    code_side = 42 * mm * k
    heading = Table([[[Paragraph(_text(f"{sheet.grid_name}公共法律服务公示栏"), title), Spacer(1, 4 * k),
                       Paragraph(_text(" → ".join(sheet.path)), subtitle),
                       Paragraph(_text(f"网格代码 {sheet.grid}"), subtitle)],
                      [Image(io.BytesIO(code_image), width=code_side, height=code_side),
                       Paragraph("微信扫码 查看本网格<br/>最新值班和主题活动", ParagraphStyle("code", parent=small,
                                                                                   alignment=1))]]],
                    colWidths=[page[0] - 30 * mm * k - code_side - 6 * mm * k, code_side + 6 * mm * k])
    heading.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    story = [heading, Spacer(1, 4 * k),
             Paragraph("服务事项", head), Paragraph(_text("、".join(sheet.services)), style),
             Paragraph("联系人", head),
             table(["角色", "姓名", "职责", "电话", "服务时间", "所属机构"],
                   [[c.role, c.name, c.duty, c.phone, c.hours, c.institution] for c in sheet.contacts],
                   [0.16, 0.11, 0.17, 0.16, 0.17, 0.23]) if sheet.contacts else cell("暂无"),
             Paragraph("值班安排（每周）", head),
             table(["星期", "时间", "值班", "地点", "值班人", "电话"],
                   [[d.weekday, f"{d.start}-{d.end}", d.duty, d.service_point, d.name, d.phone] for d in sheet.duties],
                   [0.08, 0.14, 0.17, 0.31, 0.12, 0.18]) if sheet.duties else cell("暂无值班安排"),
             Paragraph("服务地点", head),
             table(["名称", "地址", "开放时间"], [[p.name, p.address, p.hours] for p in sheet.points],
                   [0.36, 0.38, 0.26]) if sheet.points else cell("暂无"),
             Spacer(1, 6 * k),
             Paragraph(_text(f"公示内容更新于 {today_shanghai().isoformat()}。工作人员电话为公开的工作电话；"
                             "法律明白人、志愿者电话部分隐藏，可扫码或到服务点联系。"), small)]
    doc.build(story)
    return out.getvalue()
