"""A real `regelwerk serve` on a free loopback port, for the tests and the benchmark."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
from ports import free_port  # noqa: F401 - tests import it from here too


class Running:
    """A server process started with `regelwerk --log LOG serve --port P ...`."""

    def __init__(self, folder: Path, *serve_args: str, workers: int = 1, log: bool = True,
                 env: dict | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = folder / "decisions.sqlite"
        self.output = folder / f"server-{self.port}.out"
        logging = ["--log", str(self.log_path)] if log else ["--no-log"]
        cmd = [sys.executable, "-m", "regelwerk", *logging, "serve", "--port", str(self.port),
               "--workers", str(workers), *serve_args]
        environment = {k: v for k, v in os.environ.items() if k != "REGELWERK_LOG"}
        environment.update(env or {})
        with open(self.output, "wb") as out:
            self.process = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT,
                                            env=environment, start_new_session=True)
        self.client = httpx.Client(base_url=self.url, timeout=30)
        self._wait()

    def _wait(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped: {self.output.read_text()}")
            try:
                if httpx.get(self.url + "/api/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the server did not start: {self.output.read_text()}")

    def stop(self) -> None:
        self.client.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> Running:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
