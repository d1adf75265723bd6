"""Fixtures for legal aid: Changzhou's slice of the area tree, the policy versions in force (the core's demo
history of the income threshold, legal aid's own defaults), and tokens for the people of the stories."""
from __future__ import annotations

from datetime import date

import pytest

from chalicelib.platform import pii
from tests.helpers import body, post, seed_areas

GRID = "320402001001001"
# Changzhou's history of the hardship standard (as chalicelib/demo/data/policies_demo.json): 2× 低保, then the
# minimum wage from the 2021 notice (常司发〔2021〕89号, 2021-07-20), then the August 2021 minimum wage.
THRESHOLDS = [("2020-01-01", 1790, "常州市最低生活保障标准的2倍"), ("2021-07-20", 2020, "常州市最低工资标准"),
              ("2021-08-01", 2280, "常州市最低工资标准")]
OTHER_DISTRICT = "320404"


def id_number(born: str = "19850715", sequence: str = "001", prefix: str = "320402") -> str:
    first17 = prefix + born + sequence
    return first17 + pii.check_character(first17)


def application(**changes) -> dict:
    """A valid application body (a migrant worker's wage claim); keyword arguments replace parts of it."""
    payload = {
        "applicant": {"name": "王建国", "id_number": id_number(), "phone": "13912345678", "area": GRID,
                      "address": "雕庄街道演示社区 1 号"},
        "household": {"size": 3, "incomes": [{"source": "wage", "monthly_amount": "3000"}]},
        "matter_type": "labour_pay",
        "opposing_party": {"name": "赵大海", "kind": "person"},
        "description": "在工地干了四个月，老板拖欠工资 32,000 元",
        "categories": ["migrant_worker"],
    }
    for key, value in changes.items():
        if key in ("applicant", "household", "opposing_party") and isinstance(value, dict):
            payload[key] = {**payload[key], **value}
        else:
            payload[key] = value
    return payload


def _build_world() -> None:
    """Areas and every policy version the stories need (as `make dev` loads them)."""
    from chalicelib.platform import audit
    from chalicelib.domain.policy import service as policy
    from plugins.legal_aid import params

    seed_areas()
    for effective_from, value, label in THRESHOLDS:
        policy.set_version(audit.SYSTEM, None, params.INCOME_THRESHOLD, area_code="3204", value=value,
                           effective_from=date.fromisoformat(effective_from), label=label,
                           retroactive_reason="录入历史标准")
    policy.set_version(audit.SYSTEM, None, "files.max_upload_mb", area_code="root", value=20,
                       effective_from=date(2020, 1, 1), label="平台默认上传文件大小上限",
                       retroactive_reason="测试用平台默认值")
    params.load_demo(audit.SYSTEM)
    seed_lawyers()


LAWYERS = {"lawyer-1": "周律师", "lawyer-2": "吴律师"}


def seed_lawyers() -> None:
    """The district's lawyers as active staff accounts (assignment checks the account, role and area)."""
    from chalicelib.platform import audit
    from plugins.legal_aid.demo import seed_lawyer

    for sub, name in LAWYERS.items():
        seed_lawyer(audit.SYSTEM, sub, name, area="320402")


def _world_items() -> list[dict]:
    """The items `_build_world` wrote, read back by key (areas) and partition (policy timelines)."""
    from chalicelib.platform.storage import keys
    from chalicelib.platform import storage
    from chalicelib.domain.policy import service as policy
    from plugins.legal_aid import params

    codes = ["32", "3204", "320402", "320404", "320402001", "320402001001", GRID]
    items = storage.get_many([tuple(keys.record("area", c).values()) for c in codes])
    items += storage.get_many([tuple(keys.record("staff-account", sub).values()) for sub in LAWYERS])
    names = [params.INCOME_THRESHOLD, "files.max_upload_mb", params.SPECIAL_GROUPS_EXEMPT, params.ADVANCED_AGE,
             params.UNASSIGNED_ALERT_DAYS, *params.TIMING]
    for name in names:
        for area in ("root", "3204"):
            items += storage.every(policy.Version, policy.PARAMETER_AT, (name, area))  # its timeline and versions
    return items


@pytest.fixture(scope="package")
def _moto():
    """One in-process AWS for the whole legal-aid package (starting moto and its clients costs ~1 s; a
    fresh table costs 10 ms), with the world built once and replayed into each test's fresh table."""
    from moto import mock_aws

    import app  # noqa: F401 — mounting enables legal aid, whose parameters the world sets (else a file run alone fails)
    from chalicelib.platform import aws
    from infra import bootstrap

    with mock_aws():
        aws.reset()
        params = bootstrap.local_params("local")
        bootstrap.create_tables(aws.dynamodb(), params)
        bootstrap.create_buckets(aws.s3(), params)
        _build_world()
        yield params, _world_items()
    aws.reset()


@pytest.fixture
def aws_backend(_moto):
    """A fresh table for every test (the buckets are shared: object keys are unique per upload)."""
    from chalicelib.platform import aws, config
    from infra import bootstrap

    params, _ = _moto
    aws.dynamodb().delete_table(TableName=config.table_name())
    bootstrap.create_tables(aws.dynamodb(), params)
    return aws


@pytest.fixture
def world(aws_backend, _moto):
    from chalicelib.platform import storage

    storage.batch_write(puts=_moto[1])
    return aws_backend


PEOPLE = {
    "resident": ("r-1", "resident", None),
    "neighbour": ("r-2", "resident", None),
    "officer": ("officer-1", "legal_aid_officer", "320402"),
    "town_officer": ("officer-town", "legal_aid_officer", "320402001"),
    "other_officer": ("officer-2", "legal_aid_officer", OTHER_DISTRICT),
    "lawyer": ("lawyer-1", "lawyer", "320402"),
    "lawyer2": ("lawyer-2", "lawyer", "320402"),
    "grid_worker": ("gw-1", "grid_worker", GRID),
}


class _Tokens(dict):
    """Bearer headers made on first use and kept for the package (signing costs ~40 ms each)."""

    def __missing__(self, who: str) -> dict[str, str]:
        from chalicelib.platform.auth import tokens

        sub, role, area = PEOPLE[who]
        self[who] = {"Authorization": "Bearer " + tokens.issue_dev_token(sub, [role], area)}
        return self[who]


@pytest.fixture(scope="package")
def people():
    return _Tokens()


SUBS = {"resident": "r-1", "neighbour": "r-2"}


def declare_real_name(sub: str, id_number_: str, name: str = "王建国") -> None:
    """The resident's account with a real-name declaration (what PATCH /v1/me stores), for SPEC issue 4."""
    from chalicelib.domain.accounts import service as accounts
    from chalicelib.platform import storage

    resident = storage.stamp_new(accounts.Resident(
        sub=sub, name=name, real_name_status="declared", id_number_cipher=pii.encrypt("id_number", id_number_),
        id_number_hash=pii.lookup_hash("id_number", id_number_), id_number_masked=pii.mask_id_number(id_number_)))
    storage.transact([storage.put_op(resident.to_item(), must_not_exist=False)])


@pytest.fixture
def submit(client, people, world):
    """Submit an application as `who`; a resident is first real-name registered with the applicant's ID."""
    def make(who: str = "resident", **changes) -> dict:
        payload = application(**changes)
        if who in SUBS:
            declare_real_name(SUBS[who], payload["applicant"]["id_number"])
        response = post(client, "/v1/legal-aid/applications", payload, people[who])
        assert response.status_code == 201, response.body
        return body(response)
    return make


@pytest.fixture
def step(client, people):
    """POST a workflow step with the version the caller last saw; returns the response."""
    def make(app: dict, action: str, who: str = "officer", **payload):
        return post(client, f"/v1/legal-aid/applications/{app['id']}/{action}",
                    {"version": app["version"], **payload}, people[who])
    return make


@pytest.fixture
def upload(client, people, world):
    """Upload a file through the core's files (/v1/files, presigned POST, confirm); returns its id."""
    import hashlib

    from chalicelib.platform import aws

    def make(data: bytes, who: str = "resident", content_type: str = "application/pdf", area: str = "320402",
             title: str = "工资欠条") -> str:
        created = body(post(client, "/v1/files", {
            "title": title, "kind": "attachment", "area": area, "content_type": content_type,
            "size_bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}, people[who]))
        fields = created["upload"]["fields"]
        from chalicelib.platform import config

        aws.s3().put_object(Bucket=config.ledger_bucket(), Key=fields["key"], Body=data, ContentType=content_type)
        confirmed = post(client, f"/v1/files/{created['id']}/confirm", {}, people[who])
        assert confirmed.status_code == 200, confirmed.body
        return created["id"]
    return make
