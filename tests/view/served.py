"""`gankit view`'s app served on a thread on a free loopback port, with helpers to ask it things (for the tests)."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import uvicorn

from gankit.cli.view import any_free_port as free_port
from gankit.view import make_app

FAST = ["--set", "log.progress=false", "--set", "log.tensorboard=false"]
# a 2-D run that keeps a checkpoint every 100 steps: the GAN Lab slider has steps to move over
RING = ["train", "ring8-tiny", *FAST, "--set", "train.steps=400", "--set", "log.every=20",
        "--set", "log.checkpoint_every=100", "--set", "log.keep_checkpoints=10", "--set", "log.sample_every=200"]
DCGAN = ["train", "digits-dcgan-tiny", *FAST, "--set", "train.steps=20", "--set", "log.every=10",
         "--set", "log.sample_every=20", "--set", "log.checkpoint_every=20"]
CDCGAN = ["train", "digits-cdcgan-tiny", *FAST, "--set", "train.steps=60", "--set", "log.every=10",
          "--set", "log.sample_every=30", "--set", "log.checkpoint_every=30"]


class Served:
    """`gankit view`'s app on a thread, with small helpers to ask it things."""

    def __init__(self, root: Path, detectors: list[Path] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(make_app(root, detectors), host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Served:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the viewer did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)

    def get(self, path: str, data: bytes | None = None, headers: dict[str, str] | None = None
            ) -> tuple[int, bytes, dict[str, str]]:
        """Status, body and headers of a GET (or a POST of `data`, sent as the page sends it)."""
        sent = {"Content-Type": "application/octet-stream"} if data is not None else {}
        request = urllib.request.Request(self.url + path, data=data, headers={**sent, **(headers or {})},
                                         method="POST" if data is not None else "GET")
        try:
            with urllib.request.urlopen(request, timeout=60) as r:
                return r.status, r.read(), {k.lower(): v for k, v in r.headers.items()}
        except urllib.error.HTTPError as e:
            return e.code, e.read(), {k.lower(): v for k, v in e.headers.items()}

    def json(self, path: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, dict]:
        """Status and JSON body."""
        status, body, _ = self.get(path, data, headers)
        return status, json.loads(body)

    @property
    def scratch(self) -> Path:
        """The server's scratch folder."""
        return self.server.config.app.state.viewer.scratch
