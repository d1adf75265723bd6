"""The developer command line (README tour): what it talks to on the local stage."""
from __future__ import annotations

import os

from chalicelib import cli

AWS_VARIABLES = ("AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_S3", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID",
                 "AWS_SECRET_ACCESS_KEY")


def _unset(monkeypatch, *names):
    for name in names:
        monkeypatch.setenv(name, "x")  # recorded, so the test's teardown restores what was there
        monkeypatch.delenv(name)


def test_the_screen_command_on_the_local_stage_talks_to_the_dev_servers_local_services(monkeypatch):
    # Seen on the README tour: `cli screen` went to the real AWS and died with NoCredentialsError.
    _unset(monkeypatch, *AWS_VARIABLES)
    monkeypatch.setenv("DYNAMODB_PORT", "8865")
    monkeypatch.setenv("S3_PORT", "8866")
    cli._local_aws_environment()
    assert os.environ["AWS_ENDPOINT_URL_DYNAMODB"] == "http://127.0.0.1:8865"
    assert os.environ["AWS_ENDPOINT_URL_S3"] == "http://127.0.0.1:8866"
    assert os.environ["AWS_ACCESS_KEY_ID"] == "S3RVER"


def test_an_endpoint_the_shell_already_set_is_kept(monkeypatch):
    _unset(monkeypatch, *AWS_VARIABLES, "DYNAMODB_PORT", "S3_PORT")
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:9999")
    cli._local_aws_environment()
    assert os.environ["AWS_ENDPOINT_URL_DYNAMODB"] == "http://127.0.0.1:9999"
    assert os.environ["AWS_ENDPOINT_URL_S3"] == "http://127.0.0.1:8766"


def test_the_screen_command_without_the_local_services_says_so_in_one_line(monkeypatch, capsys, clock):
    """Issue 20 §6: `cli screen` with nothing listening printed a 101-line EndpointConnectionError."""
    import socket

    from chalicelib.platform import aws

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    _unset(monkeypatch, "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_S3")
    monkeypatch.setenv("DYNAMODB_PORT", str(port))
    monkeypatch.setenv("S3_PORT", str(port))
    aws.reset()
    try:
        code = cli.main(["--stage", "local", "screen", "--month", clock.month(), "--area", "3204"])
    finally:
        aws.reset()
    err = capsys.readouterr().err
    assert code == cli.UNREACHABLE and err.count("\n") == 1
    assert f"http://127.0.0.1:{port}" in err and "make dev" in err and "Traceback" not in err
