"""Structured JSON logs: the standard library's `logging`, one JSON object a line on stdout, created on first
use (not at import, for cold start).

Never log request or response bodies, ID numbers, phone numbers or tokens: log ids, codes and counts.

Why not Powertools Logger (which this module used before): the lines keep its shape — `level`, `location`
(`function:line`), `message`, `timestamp` (`2024-05-01 08:00:00,123+0000`), `service`, then the call's
`extra` keys (None left out, other values through `str` if JSON cannot hold them); with an exception,
`exception`, `exception_name` and `stack_trace`; `xray_trace_id` under X-Ray; the level from
`AWS_LAMBDA_LOG_LEVEL`, else `POWERTOOLS_LOG_LEVEL`/`LOG_LEVEL`, else INFO — but it cost what the cold routes
and every warm request could not pay. Measured (python3.11 -S, Chalice + boto3 + pydantic + logging already
imported as in the app, the shared 2-core machine at load ~10, medians of 11 alternating interpreters, CPU
time): importing and creating Powertools Logger 12.2 ms, this module 1.7 ms; one access-log line (flushed to
stdout) 76 µs with Powertools, 34 µs here — in a loop, best of 7: 58 µs and 27 µs. Not kept from Powertools:
log sampling, appended keys, JSON-decoding a message that is a JSON string — the app uses none of them.
"""
from __future__ import annotations

import functools
import json
import logging
import os
import sys
import time
import traceback

from chalicelib.platform.config import APP_NAME

# The attributes every LogRecord has (and the two a Formatter may add): anything else came in `extra`,
# which `makeRecord` sets after them — so only the attributes past the first _SET_BY_RECORD are looked at.
_PLAIN = logging.LogRecord("", 0, "", 0, "", (), None).__dict__
_RECORD_FIELDS = frozenset(_PLAIN) | {"message", "asctime"}
_SET_BY_RECORD = len(_PLAIN)
_LEVELS = {"TRACE": "DEBUG", "DEBUG": "DEBUG", "INFO": "INFO", "WARN": "WARNING", "WARNING": "WARNING",
           "ERROR": "ERROR", "FATAL": "CRITICAL", "CRITICAL": "CRITICAL"}


class JsonFormatter(logging.Formatter):
    """A record as one JSON line (the fields of the module's docstring)."""

    def format(self, record: logging.LogRecord) -> str:  # noqa: A003 — logging's name
        line = {"level": record.levelname, "location": f"{record.funcName}:{record.lineno}",
                "message": record.msg if isinstance(record.msg, dict) else record.getMessage(),
                "timestamp": self.formatTime(record), "service": APP_NAME}
        for key, value in list(record.__dict__.items())[_SET_BY_RECORD:]:
            if key not in _RECORD_FIELDS:
                line[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            kind, error, trace = record.exc_info
            line.setdefault("exception", self.formatException(record.exc_info))
            line.setdefault("exception_name", kind.__name__)
            line.setdefault("exception_notes", getattr(error, "__notes__", None))
            line["stack_trace"] = {"type": kind.__name__, "value": str(error), "module": type(error).__module__,
                                   "frames": [{"file": f.filename, "line": f.lineno, "function": f.name,
                                               "statement": f.line} for f in traceback.extract_tb(trace)]}
        trace_id = os.environ.get("_X_AMZN_TRACE_ID")
        if trace_id:
            line["xray_trace_id"] = trace_id.split(";")[0].replace("Root=", "")
        return _json(line)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        return _timestamp(record.created)


_second: tuple[int, str, str] = (-1, "", "")  # the last second formatted: (epoch second, date-time, zone)


def _timestamp(created: float) -> str:
    """`2024-05-01 08:00:00,123+0000`, as logging's default time format gives it (one strftime a second)."""
    global _second
    second, moment, zone = _second
    if int(created) != second:
        local = time.localtime(created)
        second, moment, zone = _second = (int(created), time.strftime("%Y-%m-%d %H:%M:%S", local),
                                          time.strftime("%z", local))
    return f"{moment},{int((created - int(created)) * 1000):03d}{zone}"


# One encoder for every line: `json.dumps` with options builds a new one per call.
_encode = json.JSONEncoder(default=str, separators=(",", ":"), ensure_ascii=False).encode


def _json(line: dict) -> str:
    """One line: None left out, what JSON cannot hold as text."""
    if None in line.values():
        line = {k: v for k, v in line.items() if v is not None}
    return _encode(line)


def info_line(message: str, fields: dict) -> None:
    """What `logger().info(message, extra=fields)` writes — the same line, `location` the caller's — written
    straight to stdout, without a LogRecord, the caller's frame search and a handler: the access log's line,
    written for every request. Measured (warm `GET /v1/health` through the Lambda handler, CPU per request,
    medians of 7 alternating interpreters, the shared 2-core machine): 138–155 µs a request with the line
    through `logging`, 105–117 µs with this one; without any line 61 µs, the bare Chalice floor 37 µs. What
    remains of the line is building it (~25 µs) and its write to stdout (~20 µs), which Lambda needs.
    One prebuilt encoder (`_encode`) instead of `json.dumps` with options, and no filtering pass unless a
    field is None: 23.3 → 19.4 µs a line (medians of 5 alternating interpreters, each the best of 9 × 5000
    lines to /dev/null); the flush stays, so a line is out before Lambda freezes the instance."""
    log = logger()
    if not log.isEnabledFor(logging.INFO):
        return
    caller = sys._getframe(1)
    line = {"level": "INFO", "location": f"{caller.f_code.co_name}:{caller.f_lineno}", "message": message,
            "timestamp": _timestamp(time.time()), "service": APP_NAME, **fields}
    trace_id = os.environ.get("_X_AMZN_TRACE_ID")
    if trace_id:
        line["xray_trace_id"] = trace_id.split(";")[0].replace("Root=", "")
    stream = sys.stdout
    stream.write(_json(line) + "\n")
    stream.flush()


def _level() -> str:
    """Lambda's advanced logging controls first, then the stage's variable, else INFO."""
    chosen = os.environ.get("AWS_LAMBDA_LOG_LEVEL") or os.environ.get("POWERTOOLS_LOG_LEVEL") \
        or os.environ.get("LOG_LEVEL") or "INFO"
    return _LEVELS.get(chosen.upper(), "INFO")


class _Stdout(logging.StreamHandler):
    """A handler writing to whatever `sys.stdout` is when the line is written, not the one it was made with
    (a test's captured output, which changes per test; the same stream in Lambda)."""

    @property
    def stream(self):  # type: ignore[override]
        return sys.stdout

    @stream.setter
    def stream(self, _value) -> None:
        pass


@functools.lru_cache(maxsize=1)
def logger() -> logging.Logger:
    """The app's logger (named after the app): JSON lines on stdout, not passed on to the root logger (in
    Lambda the runtime's own handler sits there and would write each line a second time)."""
    log = logging.getLogger(APP_NAME)
    handler = _Stdout()
    handler.setFormatter(JsonFormatter())
    log.handlers = [handler]
    log.propagate = False
    log.setLevel(_level())
    return log
