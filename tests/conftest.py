"""Test settings: one thread, fixed seeds, and no network beyond an explicit loopback server."""

from __future__ import annotations

import ipaddress
import os
import random
import socket
import tempfile

import numpy as np
import pytest
import torch

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("GANKIT_PROGRESS", "0")
os.environ["GANKIT_CACHE"] = tempfile.mkdtemp(prefix="gankit-test-cache-")  # never the user's ~/.cache
torch.set_num_threads(1)


def _is_loopback(address) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


@pytest.fixture(autouse=True)
def _seed_and_block_network(request, monkeypatch):
    """Seed every RNG; make any socket connection fail unless the test is marked `loopback`."""
    random.seed(0)
    np.random.seed(0)
    torch.manual_seed(0)
    allow_loopback = request.node.get_closest_marker("loopback") is not None
    real_connect = socket.socket.connect

    def guarded_connect(self, address):
        if allow_loopback and _is_loopback(address):
            return real_connect(self, address)
        raise RuntimeError(f"network access blocked in tests: connect({address!r})")

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect)
    yield
