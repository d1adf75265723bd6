"""Areas (C1): the `Area` record, the code vocabulary, and the inputs and outputs of the area routes.

Codes are the statistical division codes: 2/4/6/9/12 digits; a grid adds 3 digits to its village's code.
"""
from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import ConfigDict, Field, field_validator

from chalicelib.platform import storage
from chalicelib.platform.model import Model

Level = Literal["province", "city", "district", "town", "village", "grid"]
LEVELS: tuple[Level, ...] = ("province", "city", "district", "town", "village", "grid")
CODE_LENGTHS: dict[int, Level] = {2: "province", 4: "city", 6: "district", 9: "town", 12: "village", 15: "grid"}
LEVEL_NAMES = {"province": "省", "city": "市", "district": "区县", "town": "镇街", "village": "村社区", "grid": "网格"}
ROOT = "root"
CHILDREN, OF_LEVEL = "area-children", "area-level"


def level_of(code: str) -> Level:
    if not code.isdigit() or len(code) not in CODE_LENGTHS:
        raise ValueError("区划代码应为 2、4、6、9、12 位数字（网格为 15 位）")
    return CODE_LENGTHS[len(code)]


def parent_of(code: str) -> str | None:
    lengths = sorted(CODE_LENGTHS)
    index = lengths.index(len(code))
    return code[: lengths[index - 1]] if index else None


def ancestors(code: str) -> list[str]:
    """Codes from the root down to and including `code`."""
    return [code[:n] for n in sorted(CODE_LENGTHS) if n <= len(code)]


class Area(storage.Record):
    """An area, in its parent's list of children and in its city's list of areas of its level (a district's
    2,000 grids in one Query)."""
    entity: ClassVar[str] = "area"
    key_fields: ClassVar[tuple[str, ...]] = ("code",)
    lists: ClassVar[tuple[storage.Listing, ...]] = (
        storage.Listing(CHILDREN, "gsi1"),                 # area-children#<parent> / <code>
        storage.Listing(OF_LEVEL, "gsi2", by="area"),      # area-level@<city>#<level> / <code>
    )
    code: str
    name: str
    level: Level
    parent: str | None = None
    status: Literal["active", "retired"] = "active"
    urban_rural: str | None = None

    def place(self, listing: str) -> storage.Place | None:
        if listing == CHILDREN:
            return storage.Place(of=self.parent or ROOT, sort=(self.code,))
        return None if self.level == "province" else storage.Place(of=(self.code, self.level), sort=())

    def jurisdiction(self) -> str:
        return self.code  # an area is its own: its administrators' and those above


class BoardStamp(storage.Record):
    """A city's change counter, added to by every change that grid boards show (see `areas.boards_changed`)."""
    entity: ClassVar[str] = "board-stamp"
    key_fields: ClassVar[tuple[str, ...]] = ("city",)
    city: str | None = None
    stamp: int = 0


BOARD_DIRTY = "board-dirty"


class BoardDirty(storage.Record):
    """An area whose grids' boards must be rebuilt: the board outbox, one entry per area, added to by every
    change a board shows in that change's own transaction (`areas.boards_changed`) and taken by the board
    drain (`board.upkeep`). One partition, bounded by the number of areas changed since the last drain."""
    entity: ClassVar[str] = BOARD_DIRTY
    lists: ClassVar[tuple[storage.Listing, ...]] = (storage.Listing(BOARD_DIRTY, "table"),)  # board-dirty#all / <area>
    area: str
    changes: int = 0
    changed_at: str | None = None
    version: int | None = None

    def place(self, listing: str) -> storage.Place | None:
        return storage.Place(of="all", sort=(self.area,))


class AreaOut(Model):
    code: str = Field(description="统计用区划代码（网格为村代码 + 3 位）", examples=["320402001001"])
    name: str = Field(examples=["红梅新村社区"])
    level: Level = Field(examples=["village"])
    parent: str | None = Field(examples=["320402001"])
    status: Literal["active", "retired"]
    version: int

    @classmethod
    def of(cls, area: Area) -> "AreaOut":
        return cls(code=area.code, name=area.name, level=area.level, parent=area.parent,
                   status=area.status, version=area.version)


class AreaRef(Model):
    code: str
    name: str
    level: str

    @classmethod
    def of(cls, area: Area) -> "AreaRef":
        return cls(code=area.code, name=area.name, level=area.level)


class Breadcrumb(Model):
    items: list[AreaOut] = Field(description="从省到该区域，逐级")


class AreaIn(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    code: str = Field(description="新区域的代码；网格为所属村（社区）代码后加 3 位序号", examples=["320402001001001"])
    name: str = Field(min_length=1, max_length=60, examples=["红梅新村第一网格"])

    @field_validator("code")
    @classmethod
    def _code_shape(cls, code: str) -> str:
        level_of(code)
        if parent_of(code) is None:
            raise ValueError("省级区域由系统预置，不能新建")
        return code


class AreaPatch(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True,
                              json_schema_extra={"examples": [{"name": "茶山街道", "version": 2}]})
    name: str | None = Field(None, min_length=1, max_length=60)
    status: Literal["active", "retired"] | None = None
    version: int | None = Field(None, ge=1, description="也可用 If-Match 头传递")
