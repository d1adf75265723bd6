"""The app's log lines (chalicelib/platform/logs.py): one JSON object a line on stdout, the fields CloudWatch
Logs Insights queries read (`level`, `location`, `message`, `timestamp`, `service`, then the call's extras),
never a second copy through the root logger."""
from __future__ import annotations

import io
from contextlib import redirect_stdout
import json
import logging

from chalicelib.platform import logs
from chalicelib.platform.config import APP_NAME


def lines_of(write) -> list[dict]:
    """What `write(log)` logs through the app's logger, as parsed lines (INFO and up)."""
    log, captured = logs.logger(), io.StringIO()
    level = log.level
    log.setLevel(logging.INFO)
    try:
        with redirect_stdout(captured):  # the handler writes to whatever stdout is at the time
            write(log)
    finally:
        log.setLevel(level)
    return [json.loads(line) for line in captured.getvalue().splitlines()]


def test_a_log_line_is_json_with_the_service_its_location_and_the_extras_in_order():
    def access_log(log):
        log.info("request", extra={"request_id": "req-00000001", "method": "GET", "status": 200, "absent": None,
                                   "odd": {1, 2} - {1, 2}})

    [line] = lines_of(access_log)
    assert list(line) == ["level", "location", "message", "timestamp", "service", "request_id", "method", "status",
                          "odd"]
    assert line["level"] == "INFO" and line["message"] == "request" and line["service"] == APP_NAME
    assert line["location"].startswith("access_log:")
    assert line["odd"] == "set()"  # what JSON cannot hold is written as text; None is left out
    assert len(line["timestamp"]) == len("2024-05-01 08:00:00,123+0000")


def test_a_logged_exception_carries_its_name_trace_and_frames():
    def failing(log):
        try:
            raise ValueError("数据异常")
        except ValueError:
            log.exception("check failed", extra={"check": "c1"})

    [line] = lines_of(failing)
    assert line["level"] == "ERROR" and line["check"] == "c1" and line["exception_name"] == "ValueError"
    assert "Traceback" in line["exception"] and "数据异常" in line["exception"]
    assert line["stack_trace"]["type"] == "ValueError" and line["stack_trace"]["frames"][0]["function"] == "failing"


def test_lines_below_the_level_are_not_written_and_arguments_are_formatted():
    [line] = lines_of(lambda log: (log.debug("hidden"), log.warning("%d rows", 3)))
    assert line["message"] == "3 rows" and line["level"] == "WARNING"


def test_the_level_comes_from_lambda_then_the_stage_else_info(monkeypatch):
    for variable in ("AWS_LAMBDA_LOG_LEVEL", "POWERTOOLS_LOG_LEVEL", "LOG_LEVEL"):
        monkeypatch.delenv(variable, raising=False)
    assert logs._level() == "INFO"
    monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "warning")
    assert logs._level() == "WARNING"
    monkeypatch.setenv("AWS_LAMBDA_LOG_LEVEL", "DEBUG")
    assert logs._level() == "DEBUG"


def test_the_app_logger_does_not_pass_its_lines_to_the_root_logger():
    """In Lambda the runtime's handler sits on the root logger: a passed-on line would be written twice."""
    assert logs.logger() is logging.getLogger(APP_NAME) and logs.logger().propagate is False


def test_the_access_line_written_directly_is_the_line_the_logger_writes():
    """The access log skips `logging`'s record (it is written for every request): same fields, same order,
    its own caller's location, nothing below the level."""
    fields = {"request_id": "req-00000001", "method": "GET", "route": None, "status": 200, "duration_ms": 1.5}

    def both(log):
        log.info("request", extra=fields)
        logs.info_line("request", fields)

    through_logger, direct = lines_of(both)
    assert list(direct) == list(through_logger)
    assert {k: v for k, v in direct.items() if k not in ("timestamp", "location")} == \
        {k: v for k, v in through_logger.items() if k not in ("timestamp", "location")}
    assert direct["location"].startswith("both:") and len(direct["timestamp"]) == len(through_logger["timestamp"])
    log = logs.logger()
    level, captured = log.level, io.StringIO()
    log.setLevel(logging.WARNING)
    try:
        with redirect_stdout(captured):
            logs.info_line("request", fields)
    finally:
        log.setLevel(level)
    assert captured.getvalue() == ""
