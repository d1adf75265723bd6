"""The catalogue of notarial matters (SPEC N1): what each matter is, the materials to bring, how the fee is
charged, and whether it can be done by remote video 远程视频办证 (seed 001 item 10).

The catalogue is content, like a leaflet (《常见公证一本通》): it changes with the notary association's
handbook, not with policy versions. The one number in it that is a rule — the certificate within 15 working
days of acceptance (公证程序规则 第三十五条) — is the policy parameter `notary.certificate_days`, resolved
per area when the catalogue is read. Fees are described by their basis (江苏省公证服务收费标准), never as
a figure the platform would have to keep up to date.
"""
from __future__ import annotations

from dataclasses import dataclass

ID_CARD = "申请人居民身份证（原件）"
HOUSEHOLD = "户口簿（原件）"
PER_CERTIFICATE = "按件计收，依江苏省公证服务收费标准；译文、副本另计"
BY_VALUE = "按所涉财产价额分段累进计收，依江苏省公证服务收费标准"


@dataclass(frozen=True)
class Matter:
    code: str
    name: str
    category: str
    summary: str
    materials: tuple[str, ...]
    fee_basis: str
    remote_video: bool
    home_visit: bool = True          # may be handled at the resident's home through the green channel


MATTERS: tuple[Matter, ...] = (
    Matter("kinship", "亲属关系公证", "民事身份",
           "证明申请人与关系人之间的亲属关系，常用于出国探亲、继承、办理保险理赔。",
           (ID_CARD, HOUSEHOLD, "关系人的身份证明或户籍材料", "能证明亲属关系的档案、出生医学证明等"),
           PER_CERTIFICATE, remote_video=True),
    Matter("birth", "出生公证", "民事身份",
           "证明申请人的出生日期、出生地和父母，常用于出国留学、定居。",
           (ID_CARD, HOUSEHOLD, "出生医学证明（如有）", "父母的身份证明"),
           PER_CERTIFICATE, remote_video=True),
    Matter("marital_status", "婚姻状况公证", "民事身份",
           "证明申请人未婚、已婚、离婚或丧偶，常用于涉外婚姻、出国定居。",
           (ID_CARD, HOUSEHOLD, "婚姻登记机关出具的婚姻登记记录证明或结婚证、离婚证"),
           PER_CERTIFICATE, remote_video=True),
    Matter("no_criminal_record", "无犯罪记录公证", "民事身份",
           "依公安机关出具的无犯罪记录证明办理，常用于出国工作、留学、移民。",
           (ID_CARD, "户籍所在地公安机关出具的无犯罪记录证明"),
           PER_CERTIFICATE, remote_video=True),
    Matter("will", "遗嘱公证", "继承",
           "立遗嘱人亲自到场（或公证员上门）表达处分个人财产的意愿，由公证员审查并出具公证书。",
           (ID_CARD + "（立遗嘱人）", HOUSEHOLD, "遗嘱所涉财产的权属凭证（不动产权证书、存款凭证等）",
            "遗嘱草稿（如有）", "行动不便的，可申请上门办理并提供相应证明"),
           PER_CERTIFICATE, remote_video=False),
    Matter("inheritance", "继承公证", "继承",
           "证明继承人依法继承被继承人的遗产，用于办理不动产过户、存款提取。",
           ("全部继承人的居民身份证", "被继承人的死亡证明", "被继承人与继承人的亲属关系证明",
            "遗产的权属凭证", "遗嘱（如有）"),
           BY_VALUE, remote_video=False),
    Matter("power_of_attorney", "委托书公证", "委托与声明",
           "证明委托人签署委托书的行为真实，常用于委托他人办理房产交易、诉讼、提取存款。",
           (ID_CARD + "（委托人）", "受托人身份证复印件", "委托事项涉及的财产或事务的证明材料"),
           PER_CERTIFICATE, remote_video=True),
    Matter("declaration", "声明书公证", "委托与声明",
           "证明声明人签署声明书的行为真实，如放弃继承权声明、同意出售共有房产声明。",
           (ID_CARD + "（声明人）", HOUSEHOLD, "声明事项涉及的财产或事务的证明材料"),
           PER_CERTIFICATE, remote_video=True),
    Matter("marital_property_agreement", "婚姻财产约定协议公证", "协议",
           "证明夫妻或将要结婚的双方就婚前、婚后财产的约定真实合法。",
           ("双方居民身份证", "结婚证（已婚的）", "协议所涉财产的权属凭证", "协议草稿（如有）"),
           BY_VALUE, remote_video=False),
    Matter("evidence_preservation", "保全证据公证", "保全证据",
           "对可能灭失或以后难以取得的证据（网页、聊天记录、现场状况等）进行保全，供调解、诉讼使用。",
           (ID_CARD, "需保全证据的基本情况说明", "与待证事实相关的材料"),
           "按件或按工作量计收，依江苏省公证服务收费标准", remote_video=False, home_visit=False),
)

BY_CODE = {m.code: m for m in MATTERS}


def find(code: str) -> Matter | None:
    return BY_CODE.get(code)


def search(text: str | None) -> list[Matter]:
    """Matters whose name or category contains `text` (all of them without one)."""
    if not text:
        return list(MATTERS)
    return [m for m in MATTERS if text in m.name or text in m.category]
