"""Legal aid's bounded screening reads on DynamoDB Local: the unvisited tally inside the import's and the
first visit's transactions (≤ 100 items), the key range of overdue green-channel entries, the approved
entries read by approval time with more than 10,000 cases waiting."""
from __future__ import annotations

import pytest

from tests.plugins.legal_aid.conftest import _build_world, _Tokens, step, submit, upload  # noqa: F401
from tests.plugins.legal_aid.test_screening_reads import *  # noqa: F401,F403


@pytest.fixture
def world(aws_backend):
    _build_world()
    return aws_backend


@pytest.fixture(scope="module")
def people():
    return _Tokens()
