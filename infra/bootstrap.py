"""Create the tables and buckets of `infra/resources.json` against any endpoint (moto, DynamoDB Local,
the local S3), so development and tests run on the same definitions production deploys.

Only what the local emulators implement is applied; `Fn::Sub` is resolved with the given parameters.
Safe to run again: existing tables and buckets are left as they are.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

TEMPLATE = Path(__file__).with_name("resources.json")


def load_template() -> dict[str, Any]:
    return json.loads(TEMPLATE.read_text(encoding="utf-8"))


def _resolve(value: Any, params: dict[str, str]) -> Any:
    if isinstance(value, dict) and "Fn::Sub" in value:
        text = value["Fn::Sub"]
        return re.sub(r"\$\{([\w:]+)\}", lambda m: params[m.group(1)], text)
    return value


def resources(params: dict[str, str], kind: str) -> list[dict[str, Any]]:
    return [{k: _resolve(v, params) for k, v in r["Properties"].items()}
            for r in load_template()["Resources"].values() if r.get("Type") == kind]  # untyped: merged into Chalice's


def table_request(props: dict[str, Any]) -> dict[str, Any]:
    return {key: props[key] for key in (
        "TableName", "BillingMode", "AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes")}


def create_tables(dynamodb, params: dict[str, str]) -> list[str]:
    existing = set(dynamodb.list_tables()["TableNames"])
    created = []
    for props in resources(params, "AWS::DynamoDB::Table"):
        name = props["TableName"]
        if name not in existing:
            dynamodb.create_table(**table_request(props))
            dynamodb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
            created.append(name)
        ttl = props.get("TimeToLiveSpecification")
        if ttl:
            try:
                dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
            except dynamodb.exceptions.ClientError as exc:  # already enabled
                if "already enabled" not in str(exc).lower() and "ValidationException" not in str(exc):
                    raise
    return created


def create_buckets(s3, params: dict[str, str], skip: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """`skip`: boto3 method names the local S3 does not implement (tools/devstack.S3_LOCAL_UNSUPPORTED)."""
    existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    created = []
    for props in resources(params, "AWS::S3::Bucket"):
        name = props["BucketName"]
        if name not in existing:
            region = s3.meta.region_name
            location = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
            s3.create_bucket(Bucket=name, **location)
            created.append(name)
        if "put_bucket_versioning" not in skip:
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration=props["VersioningConfiguration"])
        if "put_public_access_block" not in skip:
            s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=props["PublicAccessBlockConfiguration"])
    return created


def create_queues(sqs, params: dict[str, str]) -> list[str]:
    """The queues by name (moto; the local stage has no SQS and delivers screenings in-process)."""
    return [sqs.create_queue(QueueName=props["QueueName"])["QueueUrl"]
            for props in resources(params, "AWS::SQS::Queue")]


def local_params(stage: str) -> dict[str, str]:
    """Local bucket names match the LEDGER_BUCKET / LEAFLET_BUCKET of the local stage (no account id)."""
    return {"StageName": stage, "AWS::AccountId": "local"}
