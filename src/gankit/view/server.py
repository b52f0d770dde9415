"""The web app of `gankit view`: a page of its own and a small JSON API over the runs under one folder (read only).

Starlette serves it (see docs/architecture.md for why not Gradio). Nothing here writes into a run
folder: pictures made on demand are sent from memory, figures and music go to a scratch folder of
the server's own, deleted when it stops.
"""

from __future__ import annotations

import base64
import math
import os
import shutil
import sys
import tempfile
import traceback
import uuid
import warnings
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import numpy as np
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from gankit.errors import GankitError, GankitWarning
from gankit.losses.adversarial import get_objective
from gankit.run import Run
from gankit.utils import run_dir as rd
from gankit.utils.images import image_bytes
from gankit.utils.run_dir import read_json
from gankit.view import explore, lab, live, panels
from gankit.view.models import RunCache
from gankit.view.runs import find_run_folders, is_run, list_runs, no_runs_message, summarise

STATIC = Path(__file__).parent / "static"
SERVED = {".png": "image/png", ".gif": "image/gif", ".jpg": "image/jpeg", ".wav": "audio/wav", ".mid": "audio/midi"}
MAX_UPLOAD_BYTES = 20 * 2**20
MAX_PIECES = 20  # composed pieces kept in the scratch folder for the page's player and links
LOOPBACK_NAMES = ["127.0.0.1", "localhost", "::1", "[::1]"]
NO_STORE = {"Cache-Control": "no-store"}


class SafeJSON(JSONResponse):
    """JSON whose NaN and infinite numbers (a diverged run logs them) become null instead of failing the answer."""

    def render(self, content: Any) -> bytes:
        """Encode, with non-finite floats as null."""
        return super().render(finite(content))


def finite(value: Any) -> Any:
    """`value` with every NaN or infinite float inside it replaced by None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    return value


class NotFound(Exception):
    """A run or file the request names does not exist (HTTP 404)."""


class Forbidden(Exception):
    """A request from another site (HTTP 403)."""


def inside(base: Path, relative: str) -> Path | None:
    """base/relative with '..' folded away, or None when it leaves base (links inside base are followed as placed)."""
    path = Path(os.path.normpath(base / relative))
    return path if path == base or path.is_relative_to(base) else None


class Viewer:
    """The state behind the page: the root folder, the loaded networks and the scratch folder."""

    def __init__(self, root: Path, scratch: Path, detectors: list[Path] | None = None) -> None:
        self.root = Path(os.path.abspath(root))
        self.scratch = scratch
        self.detectors = [self.root, *(d.resolve() for d in detectors or [])]  # where the Detect panel looks
        self.cache = RunCache()
        self.pieces: list[Path] = []  # composed music, newest last

    def folder(self, run_id: str | None) -> Path:
        """The run folder an id names; ids outside the root or naming no run are refused."""
        if not run_id:
            raise GankitError("say which run: ?run=ID (the ids are listed by /api/runs)")
        folder = inside(self.root, run_id)
        if folder is None or not folder.is_dir() or not is_run(folder):
            raise NotFound(f"no run {run_id!r} under {self.root}")
        return folder

    def run(self, request: Request) -> Run:
        """The named run, loaded at its latest checkpoint."""
        return self.cache.latest(self.folder(request.query_params.get("run")))

    def keep_music(self, folder: Path) -> None:
        """Remember a composed piece's folder; the oldest beyond MAX_PIECES are deleted (the page shows one)."""
        self.pieces.append(folder)
        while len(self.pieces) > MAX_PIECES:
            shutil.rmtree(self.pieces.pop(0), ignore_errors=True)

    def scratch_file(self, suffix: str) -> Path:
        """A new file name in the scratch folder."""
        return self.scratch / f"{uuid.uuid4().hex}{suffix}"

    def scratch_url(self, path: Path) -> str:
        """The URL that serves a scratch file."""
        return f"/api/scratch?name={path.relative_to(self.scratch).as_posix()}"


def display(config: dict[str, Any]) -> dict[str, Any]:
    """How the page reads D's outputs: as probabilities or raw, and where D cannot tell (None: no fixed line)."""
    name = config.get("loss", {}).get("objective", "")
    try:
        objective = get_objective(name)
    except GankitError:
        return {"probability": False, "threshold": None}
    return {"probability": objective.probability, "threshold": lab.decision_line(objective)}


def image_headers(request: Request, name: str) -> dict[str, str]:
    """No caching; with ?download=1, a file name to save under (any script: RFC 6266's UTF-8 form, ASCII fallback)."""
    headers = dict(NO_STORE)
    if request.query_params.get("download") == "1":
        fallback = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in name) or "gankit"
        headers["Content-Disposition"] = f"attachment; filename=\"{fallback}.png\"; filename*=UTF-8''{quote(name)}.png"
    return headers


def png(array: np.ndarray, run: Run, request: Request, name: str) -> Response:
    """An image as PNG with the run's provenance; with ?download=1, as a file to save."""
    return Response(image_bytes(array, run.provenance()), media_type="image/png", headers=image_headers(request, name))


def figure(path: Path, request: Request, name: str) -> Response:
    """A figure the latent tools wrote to the scratch folder (with the run's provenance), sent and deleted."""
    try:
        body = path.read_bytes()
    finally:
        path.unlink(missing_ok=True)
    return Response(body, media_type="image/png", headers=image_headers(request, name))


def _int(request: Request, key: str, default: int) -> int:
    try:
        return int(request.query_params.get(key, default))
    except ValueError:
        raise GankitError(f"{key} must be a whole number, got {request.query_params.get(key)!r}") from None


def _float(request: Request, key: str, default: float) -> float:
    try:
        return float(request.query_params.get(key, default))
    except ValueError:
        raise GankitError(f"{key} must be a number, got {request.query_params.get(key)!r}") from None


def guarded(fn: Callable[[Viewer, Request], Response]) -> Callable[[Request], Response]:
    """An endpoint whose errors become JSON {"error": message}: 400 for bad input, 404 for a missing run, 500 else."""

    def endpoint(request: Request) -> Response:
        """Answer, or say what went wrong."""
        viewer: Viewer = request.app.state.viewer
        try:
            return fn(viewer, request)
        except NotFound as e:
            return SafeJSON({"error": str(e)}, status_code=404)
        except GankitError as e:
            return SafeJSON({"error": str(e)}, status_code=400)
        except Exception as e:  # a bug must not take the server down; the page shows it, the terminal keeps the trace
            traceback.print_exc(file=sys.stderr)
            return SafeJSON({"error": f"internal error: {type(e).__name__}: {e}"}, status_code=500)

    return endpoint


# -- the run list and the live game ---------------------------------------------------------------------------
def runs_endpoint(viewer: Viewer, request: Request) -> Response:
    """GET /api/runs: every run under the root with its state."""
    runs = list_runs(viewer.root)
    return SafeJSON({"root": str(viewer.root), "runs": [r.as_dict() for r in runs],
                         "message": None if runs else no_runs_message(viewer.root)}, headers=NO_STORE)


def run_endpoint(viewer: Viewer, request: Request) -> Response:
    """GET /api/run: what the page can show of one run: its facts, panels and controls."""
    folder = viewer.folder(request.query_params.get("run"))
    summary = summarise(viewer.root, folder)
    config = read_json(folder / rd.CONFIG)
    facts: dict[str, Any] = {**summary.as_dict(), "description": config.get("description", ""),
                             "objective": config.get("loss", {}).get("objective"), **display(config),
                             "panels": ["game"], "controls": {}, "class_names": [], "conditional": False}
    if not summary.problem:  # half written: the game alone
        with viewer.cache.lock:
            try:
                run = viewer.cache.latest(folder)
            except GankitError:  # no checkpoint yet: the game can be watched, nothing drawn
                run = None
            if run is not None:
                facts.update(panels=panels.panels(run), controls=explore.controls(run), conditional=run.conditional,
                             class_names=run.class_names if run.conditional else [])
    return SafeJSON(facts, headers=NO_STORE)


def live_endpoint(viewer: Viewer, request: Request) -> Response:
    """GET /api/live: metrics rows since the client's count, status, newest grid, balancer log."""
    run_id = request.query_params.get("run", "")
    folder = viewer.folder(run_id)
    last = _float(request, "last", math.nan)
    config = read_json(folder / rd.CONFIG)
    answer = live.live(run_id, folder, config, _int(request, "since", 0), display(config),
                       None if math.isnan(last) else last)
    return SafeJSON(answer, headers=NO_STORE)


def file_endpoint(viewer: Viewer, request: Request) -> Response:
    """GET /api/file: a picture or sound inside a run folder (only those; never outside the folder)."""
    folder = viewer.folder(request.query_params.get("run"))
    path = inside(folder, request.query_params.get("path", ""))
    if path is None or path.suffix.lower() not in SERVED or not path.is_file():
        raise NotFound(f"no picture or sound {request.query_params.get('path')!r} in this run")
    return FileResponse(path, media_type=SERVED[path.suffix.lower()], headers=NO_STORE)


def scratch_endpoint(viewer: Viewer, request: Request) -> Response:
    """GET /api/scratch: a file the server made for the page (a piano roll, a WAV, a MIDI file)."""
    path = inside(viewer.scratch, request.query_params.get("name", ""))
    if path is None or not path.is_file() or path.suffix.lower() not in SERVED:
        raise NotFound("that file is gone (the server was restarted?): make it again")
    return FileResponse(path, media_type=SERVED[path.suffix.lower()])


# -- GAN Lab ----------------------------------------------------------------------------------------------------
def lab_steps_endpoint(viewer: Viewer, request: Request) -> Response:
    """GET /api/lab/steps: the saved steps (checkpoints and snapshots) the slider moves over."""
    folder = viewer.folder(request.query_params.get("run"))
    with viewer.cache.lock:
        steps = viewer.cache.saved_steps(folder)
    return SafeJSON({"steps": list(steps)}, headers=NO_STORE)


def lab_endpoint(viewer: Viewer, request: Request) -> Response:
    """GET /api/lab: data, G's samples, D's surface and pull at one saved step (default: the newest)."""
    folder = viewer.folder(request.query_params.get("run"))
    with viewer.cache.lock:
        steps = viewer.cache.saved_steps(folder)
    if not steps:
        raise GankitError("no checkpoint yet: the picture appears once training writes its first one")
    step = _int(request, "step", max(steps))
    if step not in steps:
        raise GankitError(f"no saved step {step}; saved: {', '.join(map(str, steps))}")
    with viewer.cache.lock:
        run = viewer.cache.at(folder, steps[step])
        real = viewer.cache.real_points(folder)
        view = lab.lab_view(run, real, step)
    return SafeJSON(view, headers=NO_STORE)


# -- Explore ----------------------------------------------------------------------------------------------------
def sample_endpoint(viewer: Viewer, request: Request) -> Response:
    """GET /api/explore/sample: G's image for a seed, ψ and class."""
    seed, psi, cls = _int(request, "seed", 0), _float(request, "psi", 1.0), request.query_params.get("cls")
    with viewer.cache.lock:
        run = viewer.run(request)
        image = explore.sample_image(run, seed, psi, cls)
    return png(image, run, request, f"{run.path.name}-seed{seed}" + (f"-{cls}" if cls else ""))


def interpolate_endpoint(viewer: Viewer, request: Request) -> Response:
    """GET /api/explore/interpolate: a strip from endpoint a to b."""
    q = request.query_params
    with viewer.cache.lock:
        run = viewer.run(request)
        image = explore.walk_image(run, q.get("a", "0"), q.get("b", "1"), _int(request, "steps", 9), q.get("cls"))
    return png(image, run, request, f"{run.path.name}-walk-{q.get('a')}-{q.get('b')}")


def arithmetic_endpoint(viewer: Viewer, request: Request) -> Response:
    """GET /api/explore/arithmetic: the figure of a class-name expression."""
    with viewer.cache.lock:
        run = viewer.run(request)
        path = explore.arithmetic_figure(run, request.query_params.get("expr", ""), viewer.scratch_file(".png"),
                                         run.provenance())
    return figure(path, request, f"{run.path.name}-arithmetic")


def mix_endpoint(viewer: Viewer, request: Request) -> Response:
    """GET /api/explore/mix: the style-mixing figure of row and column seeds."""
    q = request.query_params
    with viewer.cache.lock:
        run = viewer.run(request)
        path = explore.mixing_figure(run, q.get("rows", "1,2,3"), q.get("cols", "4,5,6"), _float(request, "psi", 1.0),
                                     viewer.scratch_file(".png"), run.provenance())
    return figure(path, request, f"{run.path.name}-mix")


# -- the applications --------------------------------------------------------------------------------------------
async def _upload(viewer: Viewer, request: Request) -> Path:
    """The request body (an image file's bytes) saved to the scratch folder, refused past MAX_UPLOAD_BYTES.

    Only this page may post: a body must say it is application/octet-stream, which a form on another
    site cannot send without the browser first asking this server (which never says yes), and an
    Origin, when the browser sends one, must be this server's.
    """
    origin = request.headers.get("origin")
    if origin and urlsplit(origin).netloc != request.headers.get("host"):
        raise Forbidden("uploads are taken from this page only")
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/octet-stream":
        raise GankitError("send the image's bytes as application/octet-stream (the page does)")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_UPLOAD_BYTES:
        raise GankitError(f"the upload is {int(declared) / 2**20:.0f} MB; send an image under 20 MB")
    path = viewer.scratch_file(".upload")
    size = 0
    with path.open("wb") as f:
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_UPLOAD_BYTES:
                break
            f.write(chunk)
    if size == 0 or size > MAX_UPLOAD_BYTES:
        path.unlink(missing_ok=True)
        raise GankitError("send an image under 20 MB: drop a PNG or JPEG file on the panel")
    return path


def _data_url(array: np.ndarray) -> str:
    return "data:image/png;base64," + base64.b64encode(image_bytes(array)).decode()


def async_guarded(fn: Callable[[Viewer, Request, Path], Response]) -> Callable[[Request], Any]:
    """guarded, for endpoints that first read an uploaded image (deleted once answered)."""

    async def endpoint(request: Request) -> Response:
        """Read the upload, answer in a worker thread, delete the upload."""
        viewer: Viewer = request.app.state.viewer
        try:
            upload = await _upload(viewer, request)
        except Forbidden as e:
            return SafeJSON({"error": str(e)}, status_code=403)
        except GankitError as e:
            return SafeJSON({"error": str(e)}, status_code=400)
        try:
            return await run_in_threadpool(guarded(lambda v, r: fn(v, r, upload)), request)
        finally:
            upload.unlink(missing_ok=True)

    return endpoint


def translate_endpoint(viewer: Viewer, request: Request, upload: Path) -> Response:
    """POST /api/translate: the uploaded image through every direction of a translation run."""
    with viewer.cache.lock:
        run = viewer.run(request)
        items = panels.translate_both(run, upload)
    return SafeJSON({"items": [{"direction": d, "input": _data_url(x), "output": _data_url(y)} for d, x, y in items]})


def detect_endpoint(viewer: Viewer, request: Request, upload: Path) -> Response:
    """POST /api/detect: every detector's verdict on the upload, and its provenance."""
    with viewer.cache.lock:
        preview, verdict = panels.judge(upload, viewer.detectors, find_run_folders(viewer.root))
    return SafeJSON({"image": _data_url(preview), **verdict})


def text2img_endpoint(viewer: Viewer, request: Request) -> Response:
    """GET /api/text2img: a row of drawings of a caption."""
    with viewer.cache.lock:
        run = viewer.run(request)
        image = panels.caption_row(run, request.query_params.get("caption", ""), _int(request, "seed", 0),
                                   _int(request, "n", 8))
    return png(image, run, request, f"{run.path.name}-caption")


def music_endpoint(viewer: Viewer, request: Request) -> Response:
    """GET /api/music: compose one piece; its piano roll, MIDI and WAV are served from the scratch folder."""
    out = viewer.scratch_file("")
    with viewer.cache.lock:
        piece = panels.compose(viewer.run(request), out, _int(request, "seed", 0), _float(request, "temperature", 1.0))
        viewer.keep_music(out)
    return SafeJSON({"roll": viewer.scratch_url(piece.roll), "midi": viewer.scratch_url(piece.midi),
                     "wav": viewer.scratch_url(piece.wav) if piece.wav else None, "note": piece.note})


def index(request: Request) -> Response:
    """The page."""
    return FileResponse(STATIC / "index.html", headers=NO_STORE)


ROUTES: list[tuple[str, Callable[[Viewer, Request], Response]]] = [
    ("/api/runs", runs_endpoint), ("/api/run", run_endpoint), ("/api/live", live_endpoint),
    ("/api/file", file_endpoint), ("/api/scratch", scratch_endpoint),
    ("/api/lab/steps", lab_steps_endpoint), ("/api/lab", lab_endpoint),
    ("/api/explore/sample", sample_endpoint), ("/api/explore/interpolate", interpolate_endpoint),
    ("/api/explore/arithmetic", arithmetic_endpoint), ("/api/explore/mix", mix_endpoint),
    ("/api/text2img", text2img_endpoint), ("/api/music", music_endpoint),
]
UPLOADS = [("/api/translate", translate_endpoint), ("/api/detect", detect_endpoint)]


def make_app(root: str | Path, detectors: list[str | Path] | None = None, host: str = "127.0.0.1") -> Starlette:
    """The viewer's app over the runs under `root` (a run folder or a folder of runs).

    The Detect panel also uses the detector folders under `detectors`. On a loopback `host`, requests
    must name a loopback host: a page elsewhere cannot reach the viewer by DNS rebinding.
    """

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        """Make the scratch folder for the server's life; gankit's warnings (a resized upload) stay off the terminal."""
        warnings.filterwarnings("ignore", category=GankitWarning)
        with tempfile.TemporaryDirectory(prefix="gankit-view-") as scratch:
            app.state.viewer = Viewer(Path(root), Path(scratch).resolve(), [Path(d) for d in detectors or []])
            yield

    routes = [Route("/", index)]
    routes += [Route(path, guarded(fn)) for path, fn in ROUTES]
    routes += [Route(path, async_guarded(fn), methods=["POST"]) for path, fn in UPLOADS]
    routes.append(Mount("/static", StaticFiles(directory=STATIC), name="static"))
    hosts = [*LOOPBACK_NAMES, host] if host in LOOPBACK_NAMES or host.startswith("127.") else ["*"]
    return Starlette(routes=routes, lifespan=lifespan, middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=hosts)])
