"""What the operators watch, added to the template `chalice package` wrote: `python -m infra.operations
build/<stage>/sam.json` (a step of `make package`).

It is computed from the packaged template, not written by hand into `infra/resources.json`, because it is one
set of resources per function Chalice generates: a function added to `app.py` gets its log group (kept 180
days: 网络安全法第二十一条, network logs no less than six months), its alarms (errors, throttles, a run near its
timeout), and — when a schedule invokes it — a dead-letter queue for the invocations that failed every retry.

The alarms (each named `fawangge-<stage>-…`, the name the console shows):
- the API: 5xx responses above 1 % of requests, p95 latency above 2 s (three 5-minute periods running);
- every function: any error, any throttle, a duration above 80 % of its timeout;
- the table: throttled reads or writes, any DynamoDB system error;
- every dead-letter queue: a message in it;
- a screening run finished `done_with_failures` (`ScreeningRunsWithFailures`, `chalicelib/domain/screening`);
- the month's run not finished on the 19th (`ScreeningMonthRunMissing`, counted by the daily sweep);
- the daily sweep not invoked in a day (its function's own invocations; its errors have their own alarm).
Alarms only change state; a bureau subscribes its people to them in the console (docs/admin-guide.md).

One dashboard (`fawangge-<stage>`) shows them, with the business figures the code emits as embedded metrics
(`chalicelib/platform/metrics.py`, namespace `Fawangge`, dimension `service`).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

NAMESPACE = "Fawangge"          # chalicelib.platform.metrics.NAMESPACE (infra imports nothing of the app)
SERVICE = "fawangge"            # the `service` dimension of every metric the code emits
LOG_RETENTION_DAYS = 180
NEAR_TIMEOUT = 0.8
API_5XX_PERCENT = 1
API_P95_MS = 2000
TABLE = "RecordsTable"
# Each operation the app calls, for the table's system errors (the metric has an `Operation` dimension).
TABLE_OPERATIONS = ("GetItem", "BatchGetItem", "Query", "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem",
                    "TransactWriteItems")
SCHEDULED_DLQ = "ScheduledDeadLetters"
DAILY_SWEEP = "DailySweep"
# Business figures (chalicelib.platform.metrics.BUSINESS): what the dashboard's lower half plots.
BUSINESS = (("ApplicationsSubmitted", "法律援助申请"), ("TicketsReceived", "受理工单"), ("TicketsOverdue", "超期工单"),
            ("RatingsBelowSatisfied", "低于满意的评价"), ("ScreeningFindings", "排摸发现"))


def sub(text: str) -> dict[str, str]:
    return {"Fn::Sub": text}


def _alarm(name: str, description: str, *, comparison: str, threshold: float, periods: int = 1,
           missing: str = "notBreaching", **metric: Any) -> dict[str, Any]:
    return {"Type": "AWS::CloudWatch::Alarm", "Properties": {
        "AlarmName": sub(f"fawangge-${{StageName}}-{name}"), "AlarmDescription": description,
        "ComparisonOperator": comparison, "Threshold": threshold, "EvaluationPeriods": periods,
        "DatapointsToAlarm": periods, "TreatMissingData": missing, **metric}}


def _metric(namespace: str, name: str, dimensions: dict[str, Any], stat: str, period: int = 300) -> dict[str, Any]:
    return {"MetricStat": {"Metric": {"Namespace": namespace, "MetricName": name,
                                      "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions.items()]},
                           "Period": period, "Stat": stat}}


def _single(namespace: str, name: str, dimensions: dict[str, Any], stat: str, period: int = 300) -> dict[str, Any]:
    metric = {"Namespace": namespace, "MetricName": name, "Period": period,
              "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions.items()]}
    return {**metric, ("ExtendedStatistic" if stat.startswith("p") else "Statistic"): stat}


def functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: r for k, r in template["Resources"].items() if r.get("Type") == "AWS::Serverless::Function"}


def dead_letter_queues(template: dict[str, Any]) -> list[str]:
    """Every queue another queue or a schedule sends its dead letters to."""
    resources = template["Resources"]
    named = {r["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0] for r in resources.values()
             if r.get("Type") == "AWS::SQS::Queue" and "RedrivePolicy" in r.get("Properties", {})}
    return sorted(named | ({SCHEDULED_DLQ} & set(resources)))


def function_resources(name: str, function: dict[str, Any]) -> dict[str, dict[str, Any]]:
    props = function["Properties"]
    dims = {"FunctionName": {"Ref": name}}
    out = {
        f"{name}Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {
            "LogGroupName": sub(f"/aws/lambda/${{{name}}}"), "RetentionInDays": LOG_RETENTION_DAYS}},
        f"{name}ErrorsAlarm": _alarm(f"{name}-errors", f"{name} 函数出错（每 5 分钟任一次）",
                                     comparison="GreaterThanOrEqualToThreshold", threshold=1,
                                     **_single("AWS/Lambda", "Errors", dims, "Sum")),
        f"{name}ThrottlesAlarm": _alarm(f"{name}-throttles", f"{name} 函数被限流（并发不足）",
                                        comparison="GreaterThanOrEqualToThreshold", threshold=1,
                                        **_single("AWS/Lambda", "Throttles", dims, "Sum")),
        f"{name}NearTimeoutAlarm": _alarm(
            f"{name}-near-timeout", f"{name} 函数运行时间超过超时（{props['Timeout']} 秒）的 {int(NEAR_TIMEOUT * 100)}%",
            comparison="GreaterThanThreshold", threshold=props["Timeout"] * 1000 * NEAR_TIMEOUT,
            **_single("AWS/Lambda", "Duration", dims, "Maximum")),
    }
    return out


def schedule_dead_letters(function: dict[str, Any]) -> bool:
    """A scheduled function's invocations that fail every retry (or that the schedule cannot deliver) land in
    the scheduled dead-letter queue, whose alarm fires, instead of vanishing."""
    events = [e for e in function["Properties"].get("Events", {}).values() if e.get("Type") == "Schedule"]
    for event in events:
        event["Properties"]["DeadLetterConfig"] = {"Arn": {"Fn::GetAtt": [SCHEDULED_DLQ, "Arn"]}}
        event["Properties"]["RetryPolicy"] = {"MaximumRetryAttempts": 2}
    if events:
        function["Properties"]["EventInvokeConfig"] = {
            "MaximumRetryAttempts": 2,
            "DestinationConfig": {"OnFailure": {"Type": "SQS", "Destination": {"Fn::GetAtt": [SCHEDULED_DLQ, "Arn"]}}}}
    return bool(events)


def shared_alarms(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    api = {"ApiName": sub("fawangge-${StageName}"), "Stage": template["Resources"]["RestAPI"]["Properties"]["StageName"]}
    table = {"TableName": {"Ref": TABLE}}
    out = {
        "Api5xxRateAlarm": _alarm(
            "api-5xx-rate", f"接口 5xx 错误超过请求的 {API_5XX_PERCENT}%（连续 3 个 5 分钟）",
            comparison="GreaterThanThreshold", threshold=API_5XX_PERCENT, periods=3,
            Metrics=[{"Id": "errors", "ReturnData": False, **_metric("AWS/ApiGateway", "5XXError", api, "Sum")},
                     {"Id": "requests", "ReturnData": False, **_metric("AWS/ApiGateway", "Count", api, "Sum")},
                     {"Id": "rate", "Label": "5xx %", "ReturnData": True,
                      "Expression": "IF(requests > 0, 100 * errors / requests, 0)"}]),
        "ApiLatencyP95Alarm": _alarm(
            "api-latency-p95", f"接口 p95 延迟超过 {API_P95_MS} 毫秒（连续 3 个 5 分钟）",
            comparison="GreaterThanThreshold", threshold=API_P95_MS, periods=3,
            **_single("AWS/ApiGateway", "Latency", api, "p95")),
        "TableThrottlesAlarm": _alarm(
            "table-throttles", "数据表读写被限流",
            comparison="GreaterThanOrEqualToThreshold", threshold=1,
            Metrics=[{"Id": "reads", "ReturnData": False, **_metric("AWS/DynamoDB", "ReadThrottleEvents", table, "Sum")},
                     {"Id": "writes", "ReturnData": False, **_metric("AWS/DynamoDB", "WriteThrottleEvents", table, "Sum")},
                     {"Id": "throttled", "Label": "throttled", "ReturnData": True, "Expression": "reads + writes"}]),
        "TableSystemErrorsAlarm": _alarm(
            "table-system-errors", "DynamoDB 系统错误（服务端 5xx）",
            comparison="GreaterThanOrEqualToThreshold", threshold=1,
            Metrics=[*({"Id": f"op{i}", "ReturnData": False,
                        **_metric("AWS/DynamoDB", "SystemErrors", {**table, "Operation": op}, "Sum")}
                       for i, op in enumerate(TABLE_OPERATIONS)),
                     {"Id": "errors", "Label": "system errors", "ReturnData": True,
                      "Expression": " + ".join(f"FILL(op{i}, 0)" for i in range(len(TABLE_OPERATIONS)))}]),
        "ScreeningRunWithFailuresAlarm": _alarm(
            "screening-done-with-failures", "主动排摸已完成但有检查项失败（done_with_failures），结果不完整",
            comparison="GreaterThanOrEqualToThreshold", threshold=1,
            **_single(NAMESPACE, "ScreeningRunsWithFailures", {"service": SERVICE}, "Sum")),
        "ScreeningMonthRunMissingAlarm": _alarm(
            "screening-month-run-missing", "本月主动排摸在 19 日仍未完成（18 日的排摸没有执行或没有跑完）",
            comparison="GreaterThanOrEqualToThreshold", threshold=1,
            **_single(NAMESPACE, "ScreeningMonthRunMissing", {"service": SERVICE}, "Sum", period=3600)),
        "DailySweepNotRunAlarm": _alarm(
            "daily-sweep-not-run", "每日巡检（超期工单、到期检查）一天内没有运行",
            comparison="LessThanThreshold", threshold=1, missing="breaching",
            **_single("AWS/Lambda", "Invocations", {"FunctionName": {"Ref": DAILY_SWEEP}}, "Sum", period=86400)),
    }
    for queue in dead_letter_queues(template):
        out[f"{queue}DepthAlarm"] = _alarm(
            f"{queue}-depth", f"死信队列 {queue} 中有消息：有任务多次重试后仍失败",
            comparison="GreaterThanThreshold", threshold=0,
            **_single("AWS/SQS", "ApproximateNumberOfMessagesVisible",
                      {"QueueName": {"Fn::GetAtt": [queue, "QueueName"]}}, "Maximum"))
    return out


def dashboard(template: dict[str, Any], alarms: list[str]) -> dict[str, Any]:
    """One dashboard: the alarms' states first, then the API, the functions, the table, the queues and the
    business figures. Its body is a `Fn::Sub` string: `${X}` are the stack's own names and ARNs."""
    fns = sorted(functions(template))
    api = ["ApiName", "fawangge-${StageName}", "Stage", template["Resources"]["RestAPI"]["Properties"]["StageName"]]

    def graph(title: str, metrics: list[list[Any]], x: int, y: int, stat: str = "Sum", width: int = 12,
              period: int = 300) -> dict:
        return {"type": "metric", "x": x, "y": y, "width": width, "height": 6, "properties": {
            "title": title, "region": "${AWS::Region}", "stat": stat, "period": period, "view": "timeSeries",
            "metrics": metrics}}

    business = [[NAMESPACE, name, "service", SERVICE, {"label": label}] for name, label in BUSINESS]
    widgets = [
        {"type": "alarm", "x": 0, "y": 0, "width": 24, "height": 6,
         "properties": {"title": "告警状态", "alarms": [f"${{{a}.Arn}}" for a in alarms]}},
        graph("接口 5xx 与请求数", [["AWS/ApiGateway", "5XXError", *api], ["AWS/ApiGateway", "Count", *api]], 0, 6),
        graph("接口延迟 p95（毫秒）", [["AWS/ApiGateway", "Latency", *api]], 12, 6, stat="p95"),
        graph("函数错误", [["AWS/Lambda", "Errors", "FunctionName", f"${{{f}}}"] for f in fns], 0, 12),
        graph("函数限流", [["AWS/Lambda", "Throttles", "FunctionName", f"${{{f}}}"] for f in fns], 12, 12),
        graph("函数最长运行时间（毫秒）", [["AWS/Lambda", "Duration", "FunctionName", f"${{{f}}}"] for f in fns],
              0, 18, stat="Maximum"),
        graph("数据表限流", [["AWS/DynamoDB", m, "TableName", f"${{{TABLE}}}"]
                        for m in ("ReadThrottleEvents", "WriteThrottleEvents")], 12, 18),
        graph("死信队列中的消息", [["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", f"${{{q}.QueueName}}"]
                            for q in dead_letter_queues(template)], 0, 24, stat="Maximum"),
        graph("主动排摸：失败的检查、有失败的排摸、用时（秒）",
              [[NAMESPACE, "ScreeningRunsWithFailures", "service", SERVICE],
               [NAMESPACE, "ScreeningMonthRunMissing", "service", SERVICE],
               [NAMESPACE, "ScreeningDuration", "service", SERVICE, {"stat": "Maximum", "yAxis": "right"}]], 12, 24),
        graph("业务数字（每天）", business, 0, 30, width=24, period=86400),
    ]
    return {"Type": "AWS::CloudWatch::Dashboard", "Properties": {
        "DashboardName": sub("fawangge-${StageName}"),
        "DashboardBody": sub(json.dumps({"widgets": widgets}, ensure_ascii=False, separators=(",", ":")))}}


def complete(template: dict[str, Any]) -> dict[str, Any]:
    """The template with the operators' resources added (a new dict; the input is changed in place too)."""
    resources = template["Resources"]
    added: dict[str, dict[str, Any]] = {}
    for name, function in functions(template).items():
        schedule_dead_letters(function)
        added.update(function_resources(name, function))
    added.update(shared_alarms(template))
    alarms = sorted(k for k, r in added.items() if r["Type"] == "AWS::CloudWatch::Alarm")
    added["OperationsDashboard"] = dashboard(template, alarms)
    clash = set(added) & set(resources)
    if clash:
        raise ValueError(f"already in the template: {sorted(clash)}")
    resources.update(added)
    return template


def main(path: str) -> None:
    target = Path(path)
    template = json.loads(target.read_text(encoding="utf-8"))
    target.write_text(json.dumps(complete(template), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
