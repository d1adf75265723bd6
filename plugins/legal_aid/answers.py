"""What the application form, the officers' queue and the list of assignable lawyers answer (their routes
import these; an application's read does not)."""
from __future__ import annotations

from datetime import datetime

from pydantic import Field

from chalicelib.platform.model import Model
from plugins.legal_aid.models import Status


class LegalAidCriterionInfo(Model):
    code: str
    title: str


class LegalAidMatterInfo(Model):
    code: str
    label: str
    in_scope: bool = Field(description="属于法律援助事项范围")
    agricultural: bool = Field(description="涉农事项（绿色通道）")


class LegalAidCodeLabel(Model):
    code: str
    label: str


class LegalAidVocabulary(Model):
    criteria: list[LegalAidCriterionInfo]
    matter_types: list[LegalAidMatterInfo]
    categories: list[LegalAidCodeLabel]


# --- the lawyers an officer may assign ------------------------------------------------------------

class LegalAidAssignableLawyer(Model):
    lawyer: str = Field(description="律师账号（指派时填入 lawyer）", examples=["s-2f1c…"])
    name: str = Field(examples=["周律师"])
    firm: str | None = Field(None, description="所在律师事务所或法律援助机构（账号登记了机构时）")
    area: str = Field(description="律师账号所属区域代码")
    open_cases: int = Field(description="在办法律援助案件数")


# --- the officers' queue --------------------------------------------------------------------------

class LegalAidQueueItem(Model):
    id: str
    status: Status
    status_label: str
    green_channel: bool
    priority: int
    deadline: datetime
    overdue: bool
    matter_type: str
    matter_label: str
    area: str
    applicant_name: str
    submitted_at: datetime
    major: bool
    verdict: str
