"""The agreement document 人民调解协议书 (SPEC M6; 人民调解法 art. 28–29: parties, the main facts and points
in dispute, what was agreed, how and when it is performed; signed or sealed by the parties, signed by the
mediator, sealed by the committee). Generated from the record as a DOCX a clerk opens in Word or WPS, stored
through the core's files linked to the dispute, so whoever may read the dispute — its parties and the
committee — may download it.

The DOCX is written by hand (three small XML parts in a zip; fonts name 宋体 for the Chinese text): no
dependency to ship to Lambda. Party phones and ID numbers are left out — the clerk adds identity details
on the printed copy the parties sign.
"""
from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

from chalicelib.domain.files import service as files
from chalicelib.platform import audit, storage
from chalicelib.platform.auth import Caller
from chalicelib.platform.errors import Conflict
from plugins.mediation.models import ENTITY, KINDS, PARTY_KINDS, PARTY_ROLES, Dispute
from plugins.mediation.service import staff_dispute

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_FIXED_TIME = (2020, 1, 1, 0, 0, 0)  # the zip entries' time: the same record gives the same bytes

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="word/document.xml"/></Relationships>')


def _paragraph(text: str, *, bold: bool = False, size: int = 24, centre: bool = False) -> str:
    alignment = '<w:pPr><w:jc w:val="center"/></w:pPr>' if centre else ""
    style = ('<w:rPr><w:rFonts w:ascii="SimSun" w:hAnsi="SimSun" w:eastAsia="宋体"/>'
             f'{"<w:b/>" if bold else ""}<w:sz w:val="{size}"/></w:rPr>')
    return f'<w:p>{alignment}<w:r>{style}<w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'


def lines(dispute: Dispute) -> list[tuple[str, dict]]:
    """The document's paragraphs, in order, with their style."""
    agreement = dispute.outcome.agreement
    out: list[tuple[str, dict]] = [("人民调解协议书", {"bold": True, "size": 36, "centre": True}),
                                   (f"编号：{agreement.number}", {"centre": True}), ("当事人", {"bold": True})]
    for party in dispute.parties:
        out.append((f"{PARTY_ROLES[party.role]}：{party.name}（{PARTY_KINDS[party.kind]}）", {}))
    out += [("纠纷主要事实、争议事项", {"bold": True}), (f"纠纷类型：{KINDS[dispute.kind]}", {}), (dispute.facts, {}),
            ("经调解，双方当事人自愿达成如下协议", {"bold": True})]
    for number, term in enumerate(agreement.terms, start=1):
        text = f"{number}. {term.text}"
        if term.amount is not None:
            text += f"；金额：{term.amount} 元"
        if term.perform_by is not None:
            text += f"；履行期限：{term.perform_by.isoformat()} 前"
        out.append((text, {}))
    out += [("本协议自各方当事人签名、盖章或者按指印，人民调解员签名并加盖人民调解委员会印章之日起生效。"
             "调解协议书一式三份，双方当事人、人民调解委员会各持一份。", {}),
            (f"双方当事人可以自调解协议生效之日起三十日内（{agreement.confirmation_deadline.isoformat()} 前）"
             "共同向人民法院申请司法确认（《中华人民共和国人民调解法》第三十三条）。", {}),
            ("当事人（签名、盖章或按指印）：", {}), ("", {}), ("人民调解员（签名）：", {}), ("", {}),
            (f"{dispute.holder.seal}（印）", {}), (f"{agreement.signed_on.year} 年 {agreement.signed_on.month} 月 "
                                                 f"{agreement.signed_on.day} 日", {})]
    return out


def render(dispute: Dispute) -> bytes:
    body = "".join(_paragraph(text, **style) for text, style in lines(dispute))
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{_W}"><w:body>'
                f'{body}<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as docx:
        for name, text in (("[Content_Types].xml", _CONTENT_TYPES), ("_rels/.rels", _RELS),
                           ("word/document.xml", document)):
            docx.writestr(zipfile.ZipInfo(name, _FIXED_TIME), text.encode("utf-8"))
    return buffer.getvalue()


def generate(caller: Caller, dispute_id: str) -> files.StoredFile:
    """Render the agreement of a settled dispute and store it as a file of the core's, linked to the dispute:
    the dispute is read (its holder decides access, its agreement is what the document says), then the file,
    its audit entry and the agreement naming it are one transaction — two calls. The agreement is rendered
    from the record, so the read before the write is its floor."""
    dispute = staff_dispute(caller, dispute_id)
    if dispute.outcome is None or dispute.outcome.agreement is None:
        raise Conflict("该纠纷尚未达成调解协议", code="no_agreement")
    stored, ops = files.generated(caller.actor, title=f"人民调解协议书（{dispute.outcome.agreement.number}）",
                                  kind="attachment", area=dispute.grid, content_type=DOCX, content=render(dispute),
                                  linked_record=f"{ENTITY}:{dispute.id}")
    agreement = dispute.outcome.agreement.model_copy(update={"document": stored.id})
    outcome = dispute.outcome.model_copy(update={"agreement": agreement})
    storage.update(dispute, {"outcome": outcome}, expected_version=dispute.version, also=[
        *ops, audit.entry(caller.actor, "update", ENTITY, dispute.id, f"生成调解协议书（文件 {stored.id}）")])
    return stored
