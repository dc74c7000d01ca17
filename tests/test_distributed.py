"""Batches on Dask: a LocalCluster of two worker processes answers every line exactly as the
single-process batch does, in input order, with the same error lines, and every decision is
logged once in the shared PostgreSQL log, also when a partition is decided twice."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from regelwerk.engine.deciding.api import parse_on
from regelwerk.engine.distributed import cluster
from regelwerk.engine.distributed.cluster import decide_file
from regelwerk.engine.distributed.partition import Job, decide_lines, decide_partition
from regelwerk.engine.log.decisionlog import open_log

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import cases as mixed

distributed = pytest.importorskip("distributed")
_LOG_ID = re.compile(rb',"log_id":"[0-9a-f]{20}-[0-9]+"')


@pytest.fixture(scope="module")
def dask_cluster():
    with distributed.LocalCluster(processes=True, n_workers=2, threads_per_worker=1,
                                  dashboard_address=None) as local:
        yield local


@pytest.fixture
def cases_file(tmp_path) -> Path:
    path = tmp_path / "mixed.jsonl"
    mixed.write(str(path), 3000, seed=11)
    return path


def _without_ids(text: bytes) -> list[bytes]:
    return _LOG_ID.sub(b"", text).splitlines()


def test_the_cluster_answers_every_line_as_the_batch_does_and_logs_each_once(
        cli, cases_file, pg_url, dask_cluster, monkeypatch):
    monkeypatch.setattr(cluster, "PARTITION_LINES", 400)  # several partitions per worker
    plain = cli("--no-log", "decide", "--cases", str(cases_file), "--workers", "1")
    on_dask = cli("--log", pg_url, "decide", "--cases", str(cases_file),
                  "--scheduler", dask_cluster.scheduler_address)
    assert on_dask.exit_code == plain.exit_code == 1, on_dask.stderr  # some lines fail
    assert _without_ids(on_dask.stdout_bytes) == _without_ids(plain.stdout_bytes)

    answers = [json.loads(line) for line in on_dask.stdout.splitlines()]
    handed = [a["log_id"] for a in answers if "log_id" in a]
    assert any("error" in a for a in answers) and len(handed) > 2500
    logged = open_log(pg_url).entries()
    assert sorted(e.id for e in logged) == sorted(handed)  # every decision, once
    assert len({e.id for e in logged}) == len(logged)


def test_a_partition_decided_twice_is_logged_once(cases_file, pg_url):
    log = open_log(pg_url)
    job = Job(decision=None, on=parse_on("2026-11-22"), log=log)
    chunk = [(n, line) for n, line in enumerate(cases_file.read_bytes().splitlines()[:50], 1)]
    first = decide_partition(chunk, job, 7)
    again = decide_partition(chunk, job, 7)  # a worker lost after it logged: the task re-run
    assert first == again
    assert log.count() == 50 - first[1]


def test_the_python_call_and_the_dataframe_shape_give_the_same_lines(cases_file, dask_cluster):
    with distributed.Client(dask_cluster) as client:
        text = b"".join(decide_file(cases_file, scheduler=client, on="2026-11-22"))
    lines = cases_file.read_text(encoding="utf-8").splitlines()
    job = Job(on=parse_on("2026-11-22"))
    by_rows = decide_lines(lines[:1000], job, 0) + decide_lines(lines[1000:], job, 1, 1001)
    assert text.decode("utf-8").splitlines() == by_rows
    assert len(by_rows) == len(lines)


def test_scheduler_goes_with_a_batch_and_must_be_reachable(cli, cases_file, monkeypatch):
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", "2s")
    both = cli("decide", "--cases", str(cases_file), "--scheduler", "tcp://127.0.0.1:1",
               "--workers", "2")
    assert both.exit_code == 2 and "--scheduler" in both.stderr
    gone = cli("--no-log", "decide", "--cases", str(cases_file), "--scheduler",
               "tcp://127.0.0.1:1")
    assert gone.exit_code == 2 and "cannot connect" in gone.stderr and gone.stdout == ""
