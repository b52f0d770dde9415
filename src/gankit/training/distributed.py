"""Scale-out on PyTorch's own engine: DistributedDataParallel under torchrun.

`torchrun --nproc_per_node N -m gankit train PRESET` sets RANK, WORLD_SIZE and LOCAL_RANK; gankit
then joins the process group (env:// rendezvous; gloo on CPU, NCCL on CUDA), wraps G and D in DDP,
gives every rank its own noise stream and its slice of each global batch, averages the logged
numbers over ranks, and lets only rank 0 write. Without those variables nothing here is used.
One process under torchrun (`--nproc_per_node 1`) still runs the whole DDP path in a one-rank
group: that is how a machine with one GPU checks the NCCL path (bench.gpu_check).
"""

from __future__ import annotations

import gc
import os
from dataclasses import dataclass
from typing import Any

import torch
import torch.distributed as dist
from torch import nn

from gankit.training.state import Player


@dataclass(frozen=True)
class DistContext:
    """Where this process stands in the job: its rank, the number of processes, its local GPU index."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0
    launched: bool = False  # started by torchrun: DDP even in a one-rank group

    @property
    def enabled(self) -> bool:
        """Whether this process trains through DDP: several processes, or one that torchrun launched."""
        return self.world_size > 1 or self.launched

    @property
    def is_main(self) -> bool:
        """Rank 0: the only one that writes files."""
        return self.rank == 0


def context_from_env() -> DistContext:
    """The torchrun variables (RANK, WORLD_SIZE, LOCAL_RANK), or a single process when they are absent."""
    if "RANK" not in os.environ or "WORLD_SIZE" not in os.environ:
        return DistContext()
    return DistContext(int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"]), int(os.environ.get("LOCAL_RANK", "0")),
                       launched=True)


def current_context() -> DistContext:
    """The context of an initialised process group, else of the environment."""
    if dist.is_available() and dist.is_initialized():
        return DistContext(dist.get_rank(), dist.get_world_size(), int(os.environ.get("LOCAL_RANK", "0")), launched=True)
    return context_from_env()


def init_distributed(device: torch.device) -> tuple[DistContext, torch.device]:
    """Join the process group when launched by torchrun; returns the context and this rank's device."""
    ctx = context_from_env()
    if not ctx.enabled:
        return ctx, device
    if device.type == "cuda":
        device = torch.device("cuda", ctx.local_rank)
        torch.cuda.set_device(device)
    if not dist.is_initialized():
        dist.init_process_group(backend="nccl" if device.type == "cuda" else "gloo")
    return current_context(), device


def wrap_ddp(module: nn.Module, device: torch.device, static_graph: bool = False) -> nn.Module:
    """DistributedDataParallel around a network (rank 0's weights are broadcast at construction).

    `static_graph` lets one backward pass through several forward calls of the module (CycleGAN's
    generators translate and then reconstruct), which needs the same graph at every iteration.
    """
    from torch.nn.parallel import DistributedDataParallel  # lazy: loaded only under torchrun

    ids = [device.index] if device.type == "cuda" else None
    # Buffers are not broadcast before each forward: a D judges real and fake in two forwards before one
    # backward, and cuDNN's batch norm keeps its running statistics for that backward, so an in-place
    # broadcast between the forwards breaks it on GPUs (bench.gpu_check caught this on one H200).
    # The Trainer broadcasts them once per iteration instead (broadcast_buffers below).
    return DistributedDataParallel(module, device_ids=ids, broadcast_buffers=False, static_graph=static_graph)


def broadcast_buffers(module: nn.Module) -> None:
    """Rank 0's buffers (batch norm statistics, spectral norm's vectors, w_avg) on every rank (no-op alone)."""
    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1:
        return
    with torch.no_grad():
        for buffer in module.buffers():
            dist.broadcast(buffer, src=0)


def wrap_player(player: Player, device: torch.device, ddp: bool, compile_mode: str | None,
                static_graph: bool = False) -> None:
    """Give a player its training wrappers, all sharing its weights: DDP under torchrun, torch.compile when asked.

    `compile_mode` is torch.compile's mode ('default', 'reduce-overhead' for CUDA graphs, ...) or None for eager.
    Besides the compiled DDP wrapper, the bare network is compiled too (`Player.local`): D judges G's fakes in
    G's step without DDP, and that pass is compiled as well.
    """
    if ddp:
        player.train_net, player.ddp = wrap_ddp(player.net, device, static_graph), True
    if compile_mode is not None:
        mode = None if compile_mode == "default" else compile_mode
        player.compiled_net = torch.compile(player.net, mode=mode)
        player.train_net = torch.compile(player.train_net, mode=mode) if ddp else player.compiled_net


def average_floats(values: dict[str, float]) -> dict[str, float]:
    """The mean over ranks of each number (keys must be the same on every rank)."""
    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1:
        return values
    keys = sorted(values)
    t = torch.tensor([values[k] for k in keys], dtype=torch.float64)
    dist.all_reduce(t)
    t /= dist.get_world_size()
    return dict(zip(keys, t.tolist()))


def any_rank(flag: bool) -> bool:
    """True on every rank when it is true on any (a stop decision all ranks must share)."""
    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1:
        return flag
    t = torch.tensor([1.0 if flag else 0.0])
    dist.all_reduce(t, op=dist.ReduceOp.MAX)
    return bool(t.item() > 0)


def broadcast_object(obj: Any) -> Any:
    """Rank 0's object on every rank."""
    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1:
        return obj
    box = [obj]
    dist.broadcast_object_list(box, src=0)
    return box[0]


def gather_objects(obj: Any) -> list[Any]:
    """Every rank's object, in rank order, on every rank."""
    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1:
        return [obj]
    out: list[Any] = [None] * dist.get_world_size()
    dist.all_gather_object(out, obj)
    return out


def barrier() -> None:
    """Wait for every rank (no-op for one process)."""
    if dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1:
        dist.barrier()


def close_distributed() -> None:
    """Leave the process group once every rank is done (no-op without one).

    The barrier keeps a rank from tearing its connections down while a peer still uses them, and
    the collection frees the finished game's DDP wrappers, which hold the group: a gloo group left
    to die at interpreter exit aborts the process now and then ("terminate called without an
    active exception").
    """
    if not (dist.is_available() and dist.is_initialized()):
        return
    gc.collect()
    dist.barrier()
    dist.destroy_process_group()
