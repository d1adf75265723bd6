"""Issue 24: `make package STAGE=prod` is the stack a bureau deploys (China regions, the aws-cn partition):
the table, buckets and queues as the administrators need them, every production service enabled, the alarms
and the one dashboard the operators watch — and it lints clean, with the serverless rules, once per run."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.packaging

ROOT = Path(__file__).resolve().parents[2]
STAGE = "prod"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """The template as `make package STAGE=prod` writes it (the zip's own checks are test_packaging's)."""
    out = tmp_path_factory.mktemp("stack") / STAGE
    env = {**os.environ, "AWS_DEFAULT_REGION": "cn-northwest-1"}
    chalice = str(Path(sys.executable).with_name("chalice"))
    subprocess.run([chalice, "package", "--stage", STAGE, "--merge-template", "infra/resources.json", str(out)],
                   cwd=ROOT, env=env, check=True, capture_output=True, timeout=600)
    subprocess.run([sys.executable, "-m", "infra.operations", str(out / "sam.json")], cwd=ROOT,
                   check=True, capture_output=True, timeout=120)
    return out / "sam.json"


@pytest.fixture(scope="module")
def template(stack):
    return json.loads(stack.read_text(encoding="utf-8"))


def of_type(template, kind: str) -> dict:
    return {k: r for k, r in template["Resources"].items() if r.get("Type") == kind}


def test_the_prod_template_lints_clean_with_the_serverless_rules_for_the_china_regions(stack):
    """cfn-lint with .cfnlintrc.yaml (cfn-lint-serverless appended, cn-northwest-1 and cn-north-1): no finding."""
    cfn_lint = str(Path(sys.executable).with_name("cfn-lint"))
    result = subprocess.run([cfn_lint, str(stack)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_arn_names_a_partition_so_the_stack_deploys_in_aws_cn(stack):
    assert "arn:aws" not in stack.read_text(encoding="utf-8")
    assert "${AWS::Partition}" in stack.read_text(encoding="utf-8")


def test_prod_enables_every_production_service_but_the_template_plugin(template):
    shipped = {p.name for p in (ROOT / "plugins").iterdir() if (p / "__init__.py").exists()}
    enabled = template["Resources"]["APIHandler"]["Properties"]["Environment"]["Variables"]["ENABLED_PLUGINS"]
    assert set(enabled.split(",")) == shipped - {"hello"}


def test_the_table_is_recoverable_to_a_point_in_time_and_cannot_be_deleted(template):
    table = template["Resources"]["RecordsTable"]
    assert table["Properties"]["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["Properties"]["DeletionProtectionEnabled"] is True
    assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain"


def test_buckets_are_encrypted_closed_to_the_public_and_expire_superseded_generated_files(template):
    for name, bucket in of_type(template, "AWS::S3::Bucket").items():
        props = bucket["Properties"]
        assert all(props["PublicAccessBlockConfiguration"].values()), name
        assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"], name
        assert props["LifecycleConfiguration"]["Rules"], name
    rules = template["Resources"]["LedgerBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    generated = {r["Prefix"] for r in rules if "NoncurrentVersionExpiration" in r}
    assert generated == {"report/", "ledgers/"}
    assert not any("ExpirationInDays" in r for r in rules), "a current ledger is never deleted"


def test_every_queue_has_a_dead_letter_queue_and_every_schedule_sends_its_failures_to_one(template):
    queues = of_type(template, "AWS::SQS::Queue")
    working = {k for k in queues if not k.endswith("DeadLetters")}
    assert working == {"ScreeningQueue", "NotifyQueue", "BoardQueue", "LedgerQueue"}
    for name in working:
        assert queues[name]["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0] in queues
    for name, function in of_type(template, "AWS::Serverless::Function").items():
        for event in function["Properties"].get("Events", {}).values():
            if event["Type"] == "Schedule":
                assert event["Properties"]["DeadLetterConfig"]["Arn"] == {"Fn::GetAtt": ["ScheduledDeadLetters", "Arn"]}
                assert function["Properties"]["EventInvokeConfig"]["DestinationConfig"]["OnFailure"]["Type"] == "SQS"


def test_the_alarms_watch_the_api_every_function_the_table_every_dead_letter_queue_and_the_screening(template):
    alarms = of_type(template, "AWS::CloudWatch::Alarm")
    watched = {(a["Properties"].get("Namespace"), a["Properties"].get("MetricName")) for a in alarms.values()}
    in_math = {(m["MetricStat"]["Metric"]["Namespace"], m["MetricStat"]["Metric"]["MetricName"])
               for a in alarms.values() for m in a["Properties"].get("Metrics", []) if "MetricStat" in m}
    assert {("AWS/ApiGateway", "5XXError"), ("AWS/ApiGateway", "Count"), ("AWS/DynamoDB", "ReadThrottleEvents"),
            ("AWS/DynamoDB", "WriteThrottleEvents"), ("AWS/DynamoDB", "SystemErrors")} <= in_math
    assert {("AWS/ApiGateway", "Latency"), ("Fawangge", "ScreeningRunsWithFailures"),
            ("Fawangge", "ScreeningMonthRunMissing")} <= watched
    assert alarms["ApiLatencyP95Alarm"]["Properties"]["ExtendedStatistic"] == "p95"
    for name, function in of_type(template, "AWS::Serverless::Function").items():
        for kind in ("Errors", "Throttles", "NearTimeout"):
            assert f"{name}{kind}Alarm" in alarms, (name, kind)
        near = alarms[f"{name}NearTimeoutAlarm"]["Properties"]
        assert near["MetricName"] == "Duration" and near["Threshold"] < function["Properties"]["Timeout"] * 1000
    for name in of_type(template, "AWS::SQS::Queue"):
        if name.endswith("DeadLetters"):
            depth = alarms[f"{name}DepthAlarm"]["Properties"]
            assert (depth["MetricName"], depth["ComparisonOperator"], depth["Threshold"]) == (
                "ApproximateNumberOfMessagesVisible", "GreaterThanThreshold", 0)
    sweep = alarms["DailySweepNotRunAlarm"]["Properties"]
    assert (sweep["MetricName"], sweep["Period"], sweep["TreatMissingData"]) == ("Invocations", 86400, "breaching")


def test_one_dashboard_shows_every_alarm_and_the_business_figures_the_code_emits(template):
    from chalicelib.platform import metrics

    (dashboard,) = of_type(template, "AWS::CloudWatch::Dashboard").values()
    body = json.loads(dashboard["Properties"]["DashboardBody"]["Fn::Sub"])
    (states,) = [w for w in body["widgets"] if w["type"] == "alarm"]
    alarms = of_type(template, "AWS::CloudWatch::Alarm")
    assert sorted(states["properties"]["alarms"]) == sorted(f"${{{name}.Arn}}" for name in alarms)
    plotted = {m[1] for w in body["widgets"] if w["type"] == "metric" for m in w["properties"]["metrics"]
               if m[0] == metrics.NAMESPACE}
    assert plotted == set(metrics.BUSINESS + metrics.OPERATIONS)
