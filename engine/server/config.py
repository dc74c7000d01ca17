"""The settings of one server, handed from `regelwerk serve` to every worker process.

uvicorn starts each worker from an import string, so the settings travel as JSON in an
environment variable that the workers inherit; every worker builds its own engine from them.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field

ENV_VAR = "REGELWERK_SERVE_CONFIG"
MAX_BODY = 1_000_000  # bytes of one request (a case, or one line of a batch)
TIMEOUT = 30.0  # seconds for one request to arrive and be answered (a batch: see below)
BATCH_TIMEOUT = 600.0  # seconds for a whole batch


@dataclass
class ServerConfig:
    rules: list[str] = field(default_factory=list)
    log_path: str | None = None
    no_log: bool = False
    auth: str | None = None  # the auth file
    max_body: int = MAX_BODY
    timeout: float = TIMEOUT
    batch_timeout: float = BATCH_TIMEOUT

    def to_env(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_env(cls) -> ServerConfig:
        text = os.environ.get(ENV_VAR)
        return cls(**json.loads(text)) if text else cls()
