"""docs/tour.md works as written (issue 20): each of its ```sh blocks runs in bash, in order, against the local
stage's server (tools/local_api, what `make dev` serves) on a free port, with the demo loaded and the fake WeChat
server beside it; every curl answers 2xx, or the status its line announces (`# → 403`).

The demo is loaded once, on moto, in its tour part (`demo.load(only=TOUR_AREAS)`: every town, and the villages
and grids the tour visits); the whole tree takes minutes on moto. The token commands sign with this process's
DEV_KEY_DIR, which they inherit, as `make dev` and a second terminal share `.data/keys`.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOUR = ROOT / "docs" / "tour.md"
DEV_URL = "http://127.0.0.1:8000"
EXPECTED = re.compile(r"#.*→ (\d{3})\b")
# Each curl of the tour goes through this function: it prints what curl prints, and logs the status.
CURL = r"""
set -e
curl() {
  local out
  out=$(command curl --show-error --write-out '\n%{http_code} %{time_total}s' "$@")
  printf '%s %s\n' "${out##*$'\n'}" "$*" >> "$TOUR_LOG"
  printf '%s\n' "${out%$'\n'*}"
}
"""


def blocks(text: str) -> list[str]:
    return re.findall(r"^```sh\n(.*?)^```", text, flags=re.S | re.M)


def expected_statuses(block: str) -> list[str | None]:
    """The status each curl of `block` announces on its (continued) line, in order; None: any 2xx."""
    statuses, command = [], ""
    for line in block.splitlines():
        command += line + "\n"
        if line.rstrip().endswith("\\"):
            continue
        code = command.split("#", 1)[0]
        found = EXPECTED.search(command)
        statuses += [found.group(1) if found else None] * len(re.findall(r"(?<![\w-])curl ", code))
        command = ""
    return statuses


@pytest.fixture(scope="module")
def tour_stage():
    """moto with the demo's tour part, the fake WeChat server, and the local stage's server on a free port."""
    from chalice.config import Config
    from chalice.local import LocalDevServer
    from moto import mock_aws

    from app import app
    from chalicelib import demo
    from chalicelib.domain.board import upkeep
    from chalicelib.platform import aws
    from tests.conftest import _as_deployed
    from tools import fake_wechat, local_api

    stage = json.loads((ROOT / ".chalice" / "config.json").read_text(encoding="utf-8"))["stages"]["local"]
    mock = mock_aws()
    mock.start()
    try:
        _as_deployed(aws)
        with fake_wechat.running(appid=stage["environment_variables"]["WECHAT_APP_ID"],
                                 secret=stage["environment_variables"]["SECRET_WECHAT_APP_SECRET"]) as (wechat, _), \
                pytest.MonkeyPatch.context() as env:
            env.setenv("WECHAT_API_BASE", wechat)
            loaded = demo.load(only=demo.TOUR_AREAS)
            assert loaded["status"] == "loaded", loaded
            upkeep.drain()  # what `make dev` does every 5 s: the grids' boards
            config = Config.create(chalice_app=app, chalice_stage=local_api.STAGE, project_dir=str(ROOT))
            server = local_api.use_gateway_responses(LocalDevServer(app, config, "127.0.0.1", 0))
            threading.Thread(target=server.serve_forever, daemon=True).start()
            try:
                yield f"http://127.0.0.1:{server.server.server_address[1]}"
            finally:
                server.server.shutdown()
                server.server.server_close()
    finally:
        mock.stop()


def test_every_step_of_the_tour_answers_as_the_tour_says(tour_stage, tmp_path):
    """Issue 20 (the tour): the blocks share one shell state in order, as one reader's terminal would."""
    text = TOUR.read_text(encoding="utf-8")
    script = "\n".join(blocks(text))
    log = tmp_path / "curl.log"
    done = subprocess.run(["bash", "-c", CURL + script.replace(DEV_URL, tour_stage)], cwd=ROOT, timeout=300,
                          capture_output=True, text=True, env={**os.environ, "TOUR_LOG": str(log)})
    calls = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    assert done.returncode == 0, f"{done.stderr}\n--- last calls:\n" + "\n".join(calls[-3:]) + done.stdout[-2000:]
    wanted = expected_statuses(script)
    assert len(calls) == len(wanted), f"{len(wanted)} curls in the tour, {len(calls)} ran:\n" + "\n".join(calls)
    wrong = [f"{call}   (wanted {want or '2xx'})" for call, want in zip(calls, wanted)
             if (call[:3] != want if want else not call.startswith("2"))]
    assert not wrong, "\n".join(wrong) + "\n--- output:\n" + done.stdout[-4000:]


def test_the_tour_counts_each_curl_with_the_status_its_line_announces():
    block = ("curl -s a\nX=$(curl -s -H 'a: b' \\\n   b)   # → 403\n"
             "# curl in a comment\ncurl -s c | head -1   # → 401 no token\n")
    assert expected_statuses(block) == [None, "403", "401"]


def test_make_dev_prints_every_demo_identity_under_its_role_and_the_tour_names_each():
    """Issue 20: the banner lists the core's and each enabled plugin's demo identities by role, with what each can
    try, and the tour's table of identities has every one of them."""
    from chalicelib import demo, plugin
    from tools import dev

    banner, tour = dev._identities(), TOUR.read_text(encoding="utf-8")
    identities = [*demo.IDENTITIES, *(identity for _, identity in plugin.demo_identities())]
    assert {p.name for p, _ in plugin.demo_identities()} >= {"legal-aid", "mediation", "special-populations"}
    for identity in identities:
        options = f"--sub {identity.sub} --role {identity.role}" + (f" --area {identity.area}" if identity.area else "")
        assert options in banner and identity.tries in banner, identity
        assert banner.index(f"\n    {identity.role}\n") < banner.index(options), identity
        assert f"--sub {identity.sub} --role {identity.role}" in tour, identity
