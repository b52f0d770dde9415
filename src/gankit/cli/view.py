"""`gankit view`: serve the read-only page that shows the runs under a folder, live."""

from __future__ import annotations

import argparse
import errno
import ipaddress
import socket
import sys
from pathlib import Path

from gankit.errors import ConfigError
from gankit.view import make_app
from gankit.view.runs import find_run_folders


def is_loopback(host: str) -> bool:
    """Whether an address only this machine can reach."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def any_free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on now, chosen by the system (for tests, benchmarks and scripts)."""
    with bind(host, 0) as sock:
        return sock.getsockname()[1]


def free_port(host: str, start: int) -> int | None:
    """The first port from `start` on that can be bound on `host` (None when none of the next 50 can)."""
    for port in range(start, min(start + 50, 65536)):
        try:
            bind(host, port).close()
        except OSError:
            continue
        return port
    return None


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port (what uvicorn then serves: the port is ours from here on, no race)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


def listen(host: str, port: int) -> socket.socket:
    """Bind the page's port, or refuse a taken one, naming it and suggesting a free one."""
    if not 0 < port < 65536:
        raise ConfigError(f"--port must be between 1 and 65535, got {port}")
    try:
        return bind(host, port)
    except socket.gaierror:
        raise ConfigError(f"--host {host} is not an address of this machine;\nuse --host 127.0.0.1") from None
    except OSError as problem:
        if problem.errno == errno.EADDRINUSE:
            other = free_port(host, port + 1)
            hint = f"try --port {other}" if other else "choose another with --port"
            raise ConfigError(f"port {port} on {host} is already in use (another gankit view, or another program);\n"
                              f"{hint}") from None
        raise ConfigError(f"cannot serve on {host}:{port}: {problem.strerror};\n"
                          "use --host 127.0.0.1 and a port above 1024") from None


def cmd_view(args: argparse.Namespace) -> int:
    """Serve the page until Ctrl-C."""
    root = Path(args.path)
    if not root.is_dir():
        raise ConfigError(f"{root} is not a folder: give a run folder or a folder of runs,\n"
                          f"or train one first: gankit train ring8-tiny --out {root / 'ring8'}")
    sock = listen(args.host, args.port)
    runs = find_run_folders(root)
    address = f"[{args.host}]" if ":" in args.host else args.host
    print(f"gankit view: http://{address}:{args.port}  ({len(runs)} run(s) under {root}; read-only; Ctrl-C stops it)",
          flush=True)  # printed once the port listens: a script may connect as soon as it reads this line
    if not runs:
        print(f"no runs under {root} yet: the page lists them as they are trained")
    if not is_loopback(args.host):
        print(f"warning: serving on {args.host}: anyone who can reach this machine on port {args.port} can see "
              "these runs\n(there is no password); use --host 127.0.0.1 to keep it to this machine", file=sys.stderr)
    import uvicorn  # lazy: the server and its event loop are loaded only on the path that serves

    config = uvicorn.Config(make_app(root, args.detectors, args.host), log_level="warning", access_log=False)
    with sock:
        uvicorn.Server(config).run(sockets=[sock])
    return 0
