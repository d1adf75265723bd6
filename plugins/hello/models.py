"""What `hello` stores and what its routes take and give. Input models forbid unknown fields; output
models are explicit (a stored record is never returned as it is)."""
from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from pydantic import ConfigDict, Field

from chalicelib.platform import storage
from chalicelib.platform.model import Model

ENTITY = "hello-greeting"
BUSY_GRID = "hello.busy_grid_greetings"


class Greeting(storage.Record):
    """One greeting. Listed in its owner's list ("mine", newest first) and under its grid for staff."""
    entity: ClassVar[str] = ENTITY
    lists: ClassVar[tuple[storage.Listing, ...]] = (
        storage.Listing("hello-greeting", "gsi1", by="owner"),
        storage.Listing("hello-greeting-area", "gsi2", by="area"),
    )
    missing: ClassVar[tuple[str, str]] = ("没有这条问候", "greeting_not_found")

    id: str
    owner: str
    message: str
    grid: str | None = None
    day: date | None = None  # the day it was left, Asia/Shanghai (the screening counts these)

    def place(self, listing: str) -> storage.Place | None:
        if listing == "hello-greeting":
            return storage.Place(of=self.owner, sort=(self.created_at.isoformat(), self.id))
        if listing == "hello-greeting-area" and self.grid:
            return storage.Place(of=self.grid, sort=(self.created_at.isoformat(), self.id))
        return None


class GreetingIn(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    message: str = Field(min_length=1, max_length=200, examples=["你好"])
    grid: str | None = Field(default=None, pattern=r"^\d{15}$", description="所在网格代码（可选）")


class GreetingOut(Model):
    id: str
    message: str
    grid: str | None
    created_at: datetime
    version: int

    @classmethod
    def of(cls, greeting: Greeting) -> "GreetingOut":
        return cls(id=greeting.id, message=greeting.message, grid=greeting.grid, created_at=greeting.created_at,
                   version=greeting.version)


class Hello(Model):
    message: str
