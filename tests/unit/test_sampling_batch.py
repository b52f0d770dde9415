"""How many samples a forward pass takes when the caller does not say: by device, and on a GPU by image size."""

from types import SimpleNamespace

import pytest
import torch

from gankit.run import CPU_BATCH, Run


@pytest.mark.parametrize(("device", "shape", "batch"), [
    ("cpu", [1, 28, 28], CPU_BATCH),
    ("cuda", [1, 28, 28], 4096),   # the fastest of 256/1024/4096 for fashion-dcgan on an H200
    ("cuda", [3, 128, 128], 256),  # the fastest for StyleGAN2 at 128 px; 4096 ran out of memory
    ("cuda", [2], 8192),           # points: capped
])
def test_default_batch_follows_the_device_and_the_sample_size(device, shape, batch):
    run = SimpleNamespace(device=torch.device(device), info={"shape": shape})
    assert Run.batch(run, None) == batch
    assert Run.batch(run, 7) == 7  # a batch the caller gives is kept
