"""What `hello` stores and what its routes take and give. Input models forbid unknown fields; output
models are explicit (a stored record is never returned as it is)."""
from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import ConfigDict, Field

from chalicelib.platform import storage
from chalicelib.platform.model import Model

ENTITY = "hello-greeting"
BY_OWNER = "hello-greeting-by-owner"           # the list of one resident's greetings, newest first
GREETINGS_PER_GRID = "hello.greetings"        # the tally of a month's greetings per grid (screening tallies)
BUSY_GRID_PARAMETER = "hello.busy_grid_greetings"
BUSY_GRIDS_CHECK = "hello.busy-grids"


class Greeting(storage.Record):
    """One greeting, listed in its owner's list. Staff never list greetings: the screening reads the tally
    the same transaction keeps (one item per grid and month, whatever the number of greetings)."""
    entity: ClassVar[str] = ENTITY
    lists: ClassVar[tuple[storage.Listing, ...]] = (storage.Listing(BY_OWNER, "gsi1", by="owner"),)
    missing: ClassVar[tuple[str, str]] = ("没有这条问候", "greeting_not_found")

    id: str
    owner: str
    message: str
    grid: str | None = None

    def place(self, listing: str) -> storage.Place | None:
        if listing == BY_OWNER:
            return storage.Place(of=self.owner, sort=(self.created_at.isoformat(), self.id))
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
