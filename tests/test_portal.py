"""The reference portal on its own: a real uvicorn server on 127.0.0.1, plain httpx requests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from unionflow.portal.app import decode_cursor, encode_cursor
from unionflow.portal.faults import FAULTS, FaultPlan, FaultSpecError
from unionflow.portal.server import serve_in_background
from unionflow.sources.folder import read_folder
from unionflow.sources.payloads import RecordKind, payload_text

TOKEN = "portal-test-token-5f1c"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ENDPOINT: dict[RecordKind, str] = {"unit": "units", "submission": "submissions", "review": "reviews"}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic source folder (40 units, planted defects included)."""
    from unionflow.synth import synthesize

    out = tmp_path_factory.mktemp("portal-source")
    synthesize(out, units=40, year=2025, seed=11)
    return out


@pytest.fixture(scope="module")
def portal(folder: Path) -> Iterator[str]:
    with serve_in_background(folder, TOKEN) as url:
        yield url


def _pages(client: httpx.Client, kind: RecordKind, limit: int, **params: Any) -> list[dict[str, Any]]:
    pages = []
    cursor = None
    while True:
        query = {"limit": limit, **params}
        if kind != "unit":
            query.setdefault("year", 2025)
        if cursor:
            query["cursor"] = cursor
        response = client.get(f"/api/v1/{ENDPOINT[kind]}", params=query)
        assert response.status_code == 200, response.text
        page = response.json()
        pages.append(page)
        cursor = page["next_cursor"]
        if cursor is None:
            return pages


def test_the_token_is_required(portal: str) -> None:
    with httpx.Client(base_url=portal) as client:
        missing = client.get("/api/v1/units")
        wrong = client.get("/api/v1/units", headers={"Authorization": "Bearer not-the-token"})
        basic = client.get("/api/v1/units", headers={"Authorization": f"Basic {TOKEN}"})
        right = client.get("/api/v1/units", headers=AUTH)
        post = client.post("/api/v1/allocations/2025", json=[], headers={"Idempotency-Key": "k"})
    assert [missing.status_code, wrong.status_code, basic.status_code, right.status_code] == [
        401,
        401,
        401,
        200,
    ]
    assert missing.headers["www-authenticate"] == "Bearer"
    assert post.status_code == 401
    assert TOKEN not in wrong.text


@pytest.mark.parametrize("kind", ["unit", "submission", "review"])
def test_pages_cover_every_record_once_byte_for_byte(portal: str, folder: Path, kind: RecordKind) -> None:
    expected = read_folder(folder)[kind].payloads
    with httpx.Client(base_url=portal, headers=AUTH) as client:
        pages = _pages(client, kind, limit=7)
    served = [payload_text(item) for page in pages for item in page["items"]]
    # The texts a client lands are exactly the texts the folder source lands: same SHA-256, same replays.
    assert served == expected
    assert len(pages) == -(-len(expected) // 7)
    assert all(len(page["items"]) == 7 for page in pages[:-1])


def test_cursors_are_opaque_and_checked(portal: str) -> None:
    assert decode_cursor(encode_cursor(1234)) == 1234
    with pytest.raises(ValueError):
        decode_cursor("bm90LWEtY3Vyc29y")
    with httpx.Client(base_url=portal, headers=AUTH) as client:
        assert client.get("/api/v1/units", params={"cursor": "garbage!"}).status_code == 400
        assert client.get("/api/v1/units", params={"limit": 0}).status_code == 422
        assert client.get("/api/v1/units", params={"limit": 5001}).status_code == 422
        assert client.get("/api/v1/submissions").status_code == 422  # year is required


def test_year_is_not_a_filter(portal: str, folder: Path) -> None:
    # The folder is one year's source: wrong-year records must reach quarantine as from the folder.
    with httpx.Client(base_url=portal, headers=AUTH) as client:
        pages = _pages(client, "submission", limit=1000, year=1999)
    assert len(pages[0]["items"]) == len(read_folder(folder)["submission"])


def test_updated_since_serves_only_newer_submissions(portal: str, folder: Path) -> None:
    total = len(read_folder(folder)["submission"])
    with httpx.Client(base_url=portal, headers=AUTH) as client:
        first = _pages(client, "submission", limit=10)
        since = first[0]["updated_through"]
        newer = _pages(client, "submission", limit=10, updated_since=since)
        last = first[-1]["updated_through"]
        nothing = _pages(client, "submission", limit=10, updated_since=last)
        naive = client.get(
            "/api/v1/submissions", params={"year": 2025, "updated_since": "2020-01-01T00:00:00"}
        )
    all_items = [item for page in first for item in page["items"]]
    assert [item for page in newer for item in page["items"]] == all_items[10:]
    assert nothing == [{"items": [], "next_cursor": None, "updated_through": None, "refs": []}]
    assert first[-1]["updated_through"] > first[0]["updated_through"]
    assert len(all_items) == total
    assert naive.status_code == 422


def test_posts_are_idempotent(portal: str) -> None:
    rows = [{"unit_id": "BT-C-0001", "amount_cny": 20000}]
    with httpx.Client(base_url=portal, headers=AUTH) as client:
        first = client.post("/api/v1/allocations/2025", json=rows, headers={"Idempotency-Key": "alloc-1"})
        again = client.post("/api/v1/allocations/2025", json=rows, headers={"Idempotency-Key": "alloc-1"})
        other = client.post("/api/v1/allocations/2025", json=rows, headers={"Idempotency-Key": "alloc-2"})
        keyless = client.post("/api/v1/allocations/2025", json=rows)
        assignment = client.post("/api/v1/assignments/2025", json=[], headers={"Idempotency-Key": "alloc-1"})
        received = client.get("/api/v1/_received/allocations/2025").json()
        assignments = client.get("/api/v1/_received/assignments/2025").json()
    assert first.status_code == 201 and again.status_code == 201
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    assert other.json()["receipt"] != first.json()["receipt"]
    assert keyless.status_code == 400
    assert assignment.status_code == 201
    assert [entry["idempotency_key"] for entry in received] == ["alloc-1", "alloc-2"]
    assert received[0]["body"] == rows
    assert len(assignments) == 1


def test_fault_specs_are_parsed_strictly() -> None:
    plan = FaultPlan.parse(
        "429=0.1,503=0.05,502=0.05,504=0.05,slow=0.05,drop=0.05,truncate=0.05,repeat=0.05,seed=7"
    )
    assert plan.seed == 7 and plan.shares["429"] == 0.1 and plan.active
    assert not FaultPlan.parse(None).active
    for bad in ("teapot=0.1", "429=lots", "429=0.6,503=0.6", "429", "503=1.5"):
        with pytest.raises(FaultSpecError):
            FaultPlan.parse(bad)


def test_fault_shares_are_roughly_right_and_deterministic() -> None:
    spec = "429=0.1,503=0.05,502=0.05,504=0.05,slow=0.05,drop=0.05,truncate=0.05,repeat=0.05,seed=7"
    plan = FaultPlan.parse(spec)
    draws = [plan.decide(f"/api/v1/units?cursor={n}", 0)[0] for n in range(20_000)]
    counts = Counter(draws)
    for fault in FAULTS:
        assert abs(counts[fault] / 20_000 - plan.shares[fault]) < 0.01, (fault, counts[fault])
    assert draws == [FaultPlan.parse(spec).decide(f"/api/v1/units?cursor={n}", 0)[0] for n in range(20_000)]
    other = FaultPlan.parse(spec.replace("seed=7", "seed=8"))
    assert draws != [other.decide(f"/api/v1/units?cursor={n}", 0)[0] for n in range(20_000)]
    # A retry of the same request gets a fresh decision.
    assert len({plan.decide("/api/v1/units?", nth)[0] for nth in range(200)}) > 1


def _observe(client: httpx.Client, url: str, cursor: str) -> str:
    """Classify what one request got back."""
    try:
        response = client.get(url)
    except httpx.TimeoutException:
        return "slow"
    except httpx.RemoteProtocolError as problem:
        return "truncate" if "incomplete" in str(problem) or "complete message" in str(problem) else "drop"
    if response.status_code != 200:
        if response.status_code == 429:
            assert response.headers["retry-after"] in {"0", "1"}
        return str(response.status_code)
    try:
        page = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return "truncate"
    return "repeat" if page["next_cursor"] == cursor else "ok"


def test_every_fault_kind_happens_as_planned(folder: Path) -> None:
    spec = "429=0.1,502=0.1,503=0.1,504=0.1,slow=0.1,drop=0.1,truncate=0.15,repeat=0.1,seed=3,sleep=0.4"
    plan = FaultPlan.parse(spec)
    cursor = encode_cursor(5)
    url = f"/api/v1/units?cursor={cursor}&limit=5"
    # A short read timeout makes `slow` (0.4 s) a timeout, as it is for the collector.
    timeout = httpx.Timeout(0.2, connect=2)
    with (
        serve_in_background(folder, TOKEN, faults=spec) as portal,
        httpx.Client(base_url=portal, headers=AUTH, timeout=timeout) as client,
    ):
        seen = [_observe(client, url, cursor) for _ in range(120)]
        stats = client.get("/api/v1/_stats").json()
    predicted = [plan.decide(url, nth)[0] or "ok" for nth in range(120)]
    assert seen == predicted
    assert set(seen) == {*FAULTS, "ok"}
    assert stats["page_requests"] == 120
    assert sum(stats["faults"].values()) == sum(1 for fault in seen if fault != "ok")


def test_a_permanent_outage_after_some_pages(folder: Path) -> None:
    with (
        serve_in_background(folder, TOKEN, faults="fail_after=2") as portal,
        httpx.Client(base_url=portal, headers=AUTH) as client,
    ):
        codes = [client.get("/api/v1/units", params={"limit": 5}).status_code for _ in range(4)]
    assert codes == [200, 200, 503, 503]


def test_serve_command_needs_a_token_and_never_prints_it(folder: Path) -> None:
    command = [
        sys.executable,
        "-c",
        "from flows.cli.portal import portal_app; portal_app()",
        "serve",
        str(folder),
    ]
    env = {k: v for k, v in os.environ.items() if k != "UNIONFLOW_PORTAL_TOKEN"}
    refused = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2
    assert "UNIONFLOW_PORTAL_TOKEN" in refused.stderr and "Traceback" not in refused.stderr

    env["UNIONFLOW_PORTAL_TOKEN"] = TOKEN
    server = subprocess.Popen(
        [*command, "--port", "0"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        url = line.split(" at ")[1].split()[0]
        assert httpx.get(f"{url}/api/v1/units", headers=AUTH, params={"limit": 1}).status_code == 200
    finally:
        server.send_signal(signal.SIGINT)
        out, err = server.communicate(timeout=20)
    assert server.returncode == 0, err
    assert TOKEN not in line + out + err
