"""Screening's tasks and automatic report re-run unchanged on DynamoDB Local and the local S3
(tools/devstack): batch reads and writes side by side, conditional moves of a task's status, the task
lists on both indexes, If-Match on closing."""
from __future__ import annotations

from tests.core.test_screening_tasks import *  # noqa: F401,F403
