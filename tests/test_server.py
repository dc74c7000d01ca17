"""`regelwerk serve`: a real server on a free loopback port, called over HTTP.

Each answer is held against what the command line gives for the same case: the same
decision, the same trail, the same one-line messages, with an HTTP status that says what
kind of failure it is.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import jsonschema
import pytest
from conftest import DATA
from serving import Running, free_port

ROOT = Path(__file__).resolve().parents[1]
AUTH = DATA / "server" / "auth.toml"
AUTH_TOKEN = DATA / "server" / "auth-token.toml"
AUDITOR = "rw_test-auditor-token-0123456789abcdefghijklmnop"
DECIDER = "rw_test-decide-token-0123456789abcdefghijklmnopq"
DUUR = json.loads((ROOT / "examples" / "duur.json").read_text())
ON = "2026-11-22"


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with Running(tmp_path_factory.mktemp("serve"), "--auth", str(AUTH)) as running:
        yield running


@pytest.fixture(scope="module")
def engine():
    from regelwerk import Engine

    return Engine()


def no_traceback(response: httpx.Response) -> None:
    assert "Traceback" not in response.text and 'File "' not in response.text


# ------------------------------------------------------------------ deciding


def test_health_names_the_rules_and_the_log(server):
    data = server.client.get("/api/health").json()
    assert data["status"] == "ok"
    assert data["decisions"] >= 10 and data["rulesets"] >= 6
    assert data["log"] is True and data["decide"] == "open"


def test_decide_answers_as_the_command_line_and_logs_it(server, engine, cli):
    response = server.client.post(f"/api/decide/go.jobtraining.duur?on={ON}", json=DUUR)
    assert response.status_code == 200
    data = response.json()
    log_id = data.pop("log_id")
    assert data == engine.decide("go.jobtraining.duur", DUUR, ON).as_dict()
    assert data["result"]["einddatum"] == "2026-06-30"
    shown = cli.json("--log", str(server.log_path), "log", "show", log_id)
    assert shown["id"] == log_id and shown["facts"] == DUUR
    assert shown["result"] == data["result"]


def test_explain_gives_the_trail_of_explain_format_json(server, cli, tmp_path):
    response = server.client.post(f"/api/explain/go.jobtraining.duur?on={ON}", json=DUUR)
    assert response.status_code == 200
    case = tmp_path / "duur.json"
    case.write_text(json.dumps(DUUR))
    expected = cli.json("--no-log", "explain", "go.jobtraining.duur", "--case", str(case),
                        "--on", ON)
    assert response.json() == expected


@pytest.mark.parametrize(("path", "body", "status", "message"), [
    ("/api/decide/go.jobtraining.duurx", {}, 404, "unknown decision 'go.jobtraining.duurx'; "
                                                 "did you mean go.jobtraining.duur"),
    ("/api/decide/go.jobtraining.duur", {"aanstellingen": []}, 422,
     "go.jobtraining.duur: vormingsattest.datum: missing"),
    ("/api/decide/go.jobtraining.duur", {**DUUR, "vormingsattest": {"datum": "2025-02-30"}},
     422, "vormingsattest.datum: '2025-02-30' does not exist: February 2025 has 28 days"),
    ("/api/decide/go.jobtraining.duur?on=1990-01-01", DUUR, 422,
     "no version of go.jobtraining is in force on 1990-01-01"),
    ("/api/decide/go.jobtraining.duur?on=2026-13-01", DUUR, 422,
     "peildatum '2026-13-01' does not exist: there is no month 13"),
    ("/api/decide/go.jobtraining.duur?peildatum=2026-01-01", DUUR, 400,
     "unknown query parameter 'peildatum' (known: on)"),
    ("/api/decide/go.jobtraining.duur", [1, 2], 422, "a case must be an object of facts"),
])
def test_a_case_that_cannot_be_decided_gets_the_cli_message_and_its_status(
        server, path, body, status, message):
    response = server.client.post(path, json=body)
    assert response.status_code == status, response.text
    assert message in response.json()["error"]
    assert "\n" not in response.json()["error"]
    no_traceback(response)


@pytest.mark.parametrize(("raw", "message"), [
    (b'{"vormingsattest": ', "request body: invalid JSON at line 1 column 20"),
    (b'{"a": NaN}', "NaN is not allowed"),
    (b'{"a": 1, "a": 2}', "duplicate key 'a'"),
    (b'{"a": 1e999}', "1e999"),
    (b"[" * 100_000 + b"]" * 100_000, "nesting too deep (more than 64 levels)"),
    (b"\xff\xfe", "not UTF-8"),
    (b"", "the request body is empty"),
])
def test_hostile_bodies_get_one_line_and_400(server, raw, message):
    response = server.client.post("/api/decide/go.jobtraining.duur", content=raw)
    assert response.status_code == 400, response.text
    assert message in response.json()["error"]
    no_traceback(response)


def test_a_body_over_the_limit_is_413(server):
    big = b'{"x": "' + b"a" * 1_100_000 + b'"}'
    response = server.client.post("/api/decide/go.jobtraining.duur", content=big)
    assert response.status_code == 413
    assert "limit of 1,000,000 bytes" in response.json()["error"]


def test_unknown_endpoint_and_method_are_json_errors(server):
    assert server.client.get("/api/nothing").status_code == 404
    assert "no such endpoint" in server.client.get("/api/nothing").json()["error"]
    response = server.client.get("/api/decide/go.jobtraining.duur")
    assert response.status_code == 405 and "GET is not allowed" in response.json()["error"]


# ------------------------------------------------------------------ batch


def test_batch_answers_every_line_in_order_as_decide_cases(server, cli, tmp_path):
    lines = [
        {"decision": "go.jobtraining.mentor",
         "case": {"trainee": {"onderwijsniveau": "SO", "scholengroep": "SG Gent"}}},
        "not json",
        {"decision": "go.jobtraining.duur", "case": {}},
        {"decision": "go.jobtraining.duur", "case": DUUR},
    ]
    body = "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n"
    response = server.client.post(f"/api/batch?on={ON}", content=body.encode())
    assert response.status_code == 200
    got = [json.loads(line) for line in response.text.splitlines()]
    cases = tmp_path / "cases.jsonl"
    cases.write_text(body)
    expected = [json.loads(line) for line in
                cli("--no-log", "decide", "--cases", str(cases), "--on", ON).stdout.splitlines()]
    assert [{k: v for k, v in g.items() if k != "log_id"} for g in got] == expected
    assert got[1] == {"line": 2, "error": "invalid JSON at column 1: Expecting value"}
    assert got[0]["log_id"] and got[3]["log_id"]


def test_batch_streams_the_first_answer_before_the_input_ends(server):
    """The reply's first line arrives while the request is still open: nothing waits for
    (or holds) the whole input."""
    line = json.dumps({"decision": "go.jobtraining.duur", "on": ON, "case": DUUR}) + "\n"
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(b"POST /api/batch HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                     b"Content-Type: application/x-ndjson\r\n\r\n")
        sock.sendall(b"%x\r\n%s\r\n" % (len(line), line.encode()))
        received = b""
        while b"einddatum" not in received:
            chunk = sock.recv(65536)
            assert chunk, "the server closed the connection"
            received += chunk
        assert b"200 OK" in received
        sock.sendall(b"%x\r\n%s\r\n0\r\n\r\n" % (len(line), line.encode()))
        while not received.endswith(b"0\r\n\r\n"):
            received += sock.recv(65536)
    assert received.count(b"einddatum") == 2


def test_batch_line_over_the_limit_is_an_error_line_and_the_rest_go_on(server):
    good = json.dumps({"decision": "go.jobtraining.duur", "on": ON, "case": DUUR})
    body = f'{good}\n{{"x": "{"a" * 1_100_000}"}}\n{good}\n'
    response = server.client.post("/api/batch", content=body.encode())
    got = [json.loads(line) for line in response.text.splitlines()]
    assert len(got) == 3 and got[0]["result"] == got[2]["result"]
    assert got[1] == {"line": 2, "error": "the line is longer than the limit of 1,000,000 bytes"}


def test_batch_with_an_unknown_decision_is_404_before_any_line(server):
    response = server.client.post("/api/batch?decision=nope.nope", content=b"{}\n")
    assert response.status_code == 404 and "unknown decision 'nope.nope'" in response.text


# ------------------------------------------------------------------ rules and schemas


def test_rule_sets_versions_and_the_document_as_of_a_date(server, cli):
    listed = server.client.get(f"/api/rulesets?on={ON}").json()["rulesets"]
    job = next(r for r in listed if r["id"] == "go.jobtraining")
    assert job["in_force"] == "2024-02-02" and "go.jobtraining.duur" in job["decisions"]
    doc = server.client.get(f"/api/rulesets/go.jobtraining?on={ON}").json()
    assert doc == cli.json("--no-log", "rules", "docs", "go.jobtraining", "--on", ON)
    params = {p["name"]: p for d in doc["decisions"] for p in d["parameters"]}
    assert params["duur_maanden"]["citation"].endswith("§4.2")
    html = server.client.get(f"/api/rulesets/go.jobtraining/docs?on={ON}")
    assert html.headers["content-type"].startswith("text/html") and "duur_maanden" in html.text
    missing = server.client.get("/api/rulesets/go.jobtrainig")
    assert missing.status_code == 404 and "did you mean go.jobtraining" in missing.text


def test_decision_detail_has_parameters_with_citations(server):
    data = server.client.get(f"/api/decisions/go.jobtraining.duur?on={ON}").json()
    assert data["ruleset"]["version"] == "2024-02-02"
    duur = next(p for p in data["parameters"] if p["name"] == "duur_maanden")
    assert duur["value"] == 10 and "§4.2" in duur["citation"]
    listed = server.client.get(f"/api/decisions?on={ON}").json()["decisions"]
    assert {d["id"] for d in listed} >= {"go.jobtraining.duur", "ovsg.klacht.antwoordtermijn"}


def _worked_examples():
    from regelwerk.engine.authoring.examples import example_files_in_use
    from regelwerk.engine.deciding.api import Engine

    for example_file in example_files_in_use(Engine().catalog):
        yield from example_file.examples


def test_every_worked_example_fits_its_facts_schema_and_wrong_types_do_not(server):
    checked = 0
    for example in _worked_examples():
        if example.expect_error:
            continue
        on = example.on.isoformat() if hasattr(example.on, "isoformat") else example.on
        schema = server.client.get(f"/api/decisions/{example.decision}/schema?on={on}").json()
        facts = json.loads(json.dumps(example.facts, default=str))
        jsonschema.Draft202012Validator(schema).validate(facts)
        checked += 1
    assert checked >= 20
    schema = server.client.get(f"/api/decisions/go.jobtraining.duur/schema?on={ON}").json()
    validator = jsonschema.Draft202012Validator(schema)
    assert validator.is_valid(DUUR)
    assert not validator.is_valid({**DUUR, "aanstellingen": [{"van": "2025-09-01",
                                                              "soort": "vast"}]})
    assert not validator.is_valid({"aanstellingen": []})  # vormingsattest.datum is required


def test_openapi_is_valid_and_has_every_decision_with_its_fact_schema(server):
    from openapi_spec_validator import validate

    spec = server.client.get("/openapi.json").json()
    validate(spec)
    decisions = [d["id"] for d in server.client.get("/api/decisions").json()["decisions"]
                 if d["in_force"]]
    for did in decisions:
        body = spec["paths"][f"/api/decide/{did}"]["post"]["requestBody"]
        assert body["content"]["application/json"]["schema"] == {
            "$ref": f"#/components/schemas/facts.{did}"}
        assert f"facts.{did}" in spec["components"]["schemas"]
    for path in ("/api/batch", "/api/log/{id}", "/api/log/{id}/trail", "/api/rulesets/{ruleset}",
                 "/api/health", "/api/decisions/{decision}/schema"):
        assert path in spec["paths"], path


# ------------------------------------------------------------------ who may do what


def test_reading_the_log_needs_an_auditor_token(server, cli):
    decided = server.client.post(f"/api/decide/go.jobtraining.duur?on={ON}", json=DUUR).json()
    path = f"/api/log/{decided['log_id']}"
    nobody = server.client.get(path)
    assert nobody.status_code == 401 and nobody.headers["www-authenticate"] == "Bearer"
    assert server.client.get(path, headers=bearer("rw_wrong")).status_code == 401
    decider = server.client.get(path, headers=bearer(DECIDER))
    assert decider.status_code == 403 and "role auditor" in decider.json()["error"]
    assert server.client.get("/api/log", headers=bearer(DECIDER)).status_code == 403
    entry = server.client.get(path, headers=bearer(AUDITOR)).json()
    assert entry["id"] == decided["log_id"] and entry["facts"] == DUUR
    trail = server.client.get(path + "/trail", headers=bearer(AUDITOR)).json()
    expected = cli.json("--log", str(server.log_path), "explain", "--id", decided["log_id"])
    assert trail == expected
    listed = server.client.get("/api/log?limit=1", headers=bearer(AUDITOR)).json()["entries"]
    assert [e["id"] for e in listed] == [decided["log_id"]]
    unknown = server.client.get("/api/log/abcdef0123-1", headers=bearer(AUDITOR))
    assert unknown.status_code == 404 and "no decision 'abcdef0123-1'" in unknown.text


def test_deciding_may_need_a_token(tmp_path):
    with Running(tmp_path, "--auth", str(AUTH_TOKEN)) as running:
        url = f"/api/decide/go.jobtraining.duur?on={ON}"
        assert running.client.post(url, json=DUUR).status_code == 401
        assert running.client.post("/api/batch", content=b"{}\n").status_code == 401
        assert running.client.post(url, json=DUUR, headers=bearer(DECIDER)).status_code == 200
        assert running.client.post(url, json=DUUR, headers=bearer(AUDITOR)).status_code == 200


def test_serve_token_makes_a_token_the_server_accepts(tmp_path, cli):
    auth = tmp_path / "auth.toml"
    made = cli("serve-token", "--role", "auditor", "--name", "Alice")
    assert made.exit_code == 0
    token = made.stdout.strip()
    auth.write_text('decide = "token"\n' + made.stderr)
    assert token not in auth.read_text()
    with Running(tmp_path, "--auth", str(auth)) as running:
        assert running.client.get("/api/log", headers=bearer(token)).status_code == 200
        assert running.client.get("/api/log", headers=bearer(token + "x")).status_code == 401


# ------------------------------------------------------------------ limits and starting


def test_a_request_body_that_does_not_arrive_in_time_is_408(tmp_path):
    with Running(tmp_path, "--timeout", "1") as running, \
            socket.create_connection(("127.0.0.1", running.port), timeout=10) as sock:
        sock.sendall(b"POST /api/decide/go.jobtraining.duur HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Length: 100\r\n\r\n{")
        started = time.monotonic()
        reply = sock.recv(65536)
        while not reply.endswith(b"}"):
            more = sock.recv(65536)
            assert more, reply
            reply += more
        assert reply.startswith(b"HTTP/1.1 408"), reply
        assert b"did not arrive within 1 s" in reply
        assert time.monotonic() - started < 10


def test_concurrent_decisions_on_two_workers_are_all_logged(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    with Running(tmp_path, workers=2) as running:
        def decide(_):
            with httpx.Client(base_url=running.url, timeout=30) as client:
                return [client.post(f"/api/decide/go.jobtraining.duur?on={ON}",
                                    json=DUUR).json()["log_id"] for _ in range(25)]

        with ThreadPoolExecutor(4) as pool:
            ids = [i for batch in pool.map(decide, range(4)) for i in batch]
    from regelwerk import DecisionLog

    assert len(set(ids)) == 100
    assert DecisionLog(running.log_path).count() == 100


def _serve(*args: str, env_extra: str = "") -> subprocess.CompletedProcess:
    code = (f"import sys; {env_extra}from regelwerk.engine.cli import main; "
            f"sys.argv = ['regelwerk', *{list(args)!r}]; main()")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=False)


def test_serve_without_the_extra_says_how_to_install_it():
    done = _serve("--no-log", "serve", env_extra="sys.modules['uvicorn'] = None; ")
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "error: regelwerk serve needs the server extra: pip install 'regelwerk[server]' "
        "(from a clone: pip install '.[server]')")


def test_serve_refuses_a_bad_auth_file_and_a_port_in_use(tmp_path):
    bad = tmp_path / "auth.toml"
    bad.write_text('[[token]]\nname = "x"\nrole = "auditor"\nsha256 = "rw_plaintext"\n')
    done = _serve("--no-log", "serve", "--port", str(free_port()), "--auth", str(bad))
    assert done.returncode == 2
    assert done.stderr.strip().endswith("sha256 must be 64 hex digits, the hash of the token "
                                        "(see 'regelwerk serve-token'), never the token itself")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = _serve("--no-log", "serve", "--port", str(port))
    assert done.returncode == 2
    assert done.stderr.strip() == f"error: cannot listen on 127.0.0.1:{port}: in use"


def test_an_unknown_name_is_404_in_dutch_too(tmp_path):
    """The status comes from the kind of error, not from the words of its message."""
    with Running(tmp_path, log=False, env={"REGELWERK_LANG": "nl"}) as running:
        missing = running.client.post(f"/api/decide/go.jobtraining.duurx?on={ON}", json=DUUR)
        assert missing.status_code == 404, missing.text
        assert missing.json()["error"].startswith("onbekende beslissing 'go.jobtraining.duurx'")
        bad_case = running.client.post(f"/api/decide/go.jobtraining.duur?on={ON}",
                                       content=b"{not json")
        assert bad_case.status_code == 400
