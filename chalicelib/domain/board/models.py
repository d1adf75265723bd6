"""The service menu and the grid board (C4): the `AreaMenu` record, inputs and outputs."""
from __future__ import annotations

import datetime as dt
import re
from typing import ClassVar, Literal

from pydantic import ConfigDict, Field, field_validator

from chalicelib.domain.areas.models import AreaRef
from chalicelib.domain.directory.models import ContactCard, InstitutionCard, ServingInstitution
from chalicelib.domain.rota.models import ActivityCard, DutyEntry
from chalicelib.platform import storage
from chalicelib.platform.model import Model

MAX_X_ITEMS = 10
X_KEY = re.compile(r"^[a-z][a-z0-9-]{1,30}$")


class MenuItemIn(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    key: str = Field(description="英文标识，小写字母、数字和 -", examples=["property-disputes"])
    title: str = Field(min_length=2, max_length=20, examples=["物业纠纷调解"])
    description: str | None = Field(None, max_length=200)

    @field_validator("key")
    @classmethod
    def _key_shape(cls, value: str) -> str:
        if not X_KEY.match(value):
            raise ValueError("应为 2–31 个小写字母、数字或 -，以字母开头")
        return value


class MenuIn(Model):
    model_config = ConfigDict(extra="forbid")
    items: list[MenuItemIn] = Field(max_length=MAX_X_ITEMS, description="本区域自选的 X 项（整体替换）")
    version: int | None = Field(None, ge=1, description="修改已有清单时也可用 If-Match 头传递")


class AreaMenu(storage.Record):
    entity: ClassVar[str] = "area-menu"
    key_fields: ClassVar[tuple[str, ...]] = ("area",)  # `area-menu#<area>`
    area: str
    items: list[MenuItemIn]


class StoredBoard(storage.Record):
    """A grid's board as stored (`grid-board#<grid>`): the rendered JSON of a `GridBoard` holding more dated
    content than one day shows (duties and activities `board.service.DAYS_AHEAD` days further), with what it
    was built against — its city's board stamp, the day (`as_of`), the last day it can serve (`until`) and
    the services shown. Rebuilt, never updated, so no version; the grid is its key and is not repeated."""
    entity: ClassVar[str] = "grid-board"
    key_fields: ClassVar[tuple[str, ...]] = ("grid",)
    grid: str | None = Field(None, exclude=True)
    version: int | None = None
    stamp: int
    as_of: dt.date
    until: dt.date
    services: str
    board: str


class AreaMenuOut(Model):
    area: str
    items: list[MenuItemIn]
    version: int

    @classmethod
    def of(cls, menu: AreaMenu) -> "AreaMenuOut":
        return cls(area=menu.area, items=menu.items, version=menu.version)


class MenuEntry(Model):
    key: str
    title: str
    description: str | None = None
    kind: Literal["core", "x"] = Field(description="core：六项基本服务；x：本地自选")
    enabled_by: AreaRef | None = Field(None, description="启用该 X 项的区域")
    answered_by: str | None = Field(None, description="在网格中承担该服务的覆盖角色（联系人 contacts 中的 role）")


class ServiceMenu(Model):
    area: AreaRef
    items: list[MenuEntry] = Field(description="先六项基本服务（来自启用的服务插件），后本地自选项")


class BoardPerson(ContactCard):
    assigned_to: str = Field(description="分配到的区域名称（本网格或上级）")


class RoleContacts(Model):
    role: str
    title: str
    people: list[BoardPerson]
    institutions: list[InstitutionCard]


class GridBoard(Model):
    grid: AreaRef
    path: list[AreaRef] = Field(description="从市到网格")
    menu: list[MenuEntry]
    contacts: list[RoleContacts] = Field(description="每个覆盖角色的联系人（含上级区域分配的）")
    institutions: list[ServingInstitution] = Field(description="对接本网格（或其上级区域）的机构，近者在前")
    on_duty: list[DutyEntry] = Field(description="今天起 7 天内服务点的值班")
    activities: list[ActivityCard] = Field(description="即将举行的主题活动")
    as_of: dt.date


class PosterQuery(Model):
    model_config = ConfigDict(extra="forbid")
    size: Literal["A4", "A3"] = Field("A4", description="纸张：A4 或 A3")


class PosterOut(Model):
    grid: str
    grid_name: str
    size: Literal["A4", "A3"]
    download: str = Field(description="PDF 的临时下载链接（15 分钟内有效）")
    expires_in: int = Field(description="下载链接的有效秒数")
    version: str = Field(description="公示内容的摘要：内容不变则不变，同一版本不重新生成")
    generated: bool = Field(description="本次请求是否重新生成了 PDF（公示内容有变化或首次生成）")
    bytes: int = Field(description="PDF 大小（字节）")
