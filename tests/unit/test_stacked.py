"""Stacked Fashion-MNIST: the dataset's labels, and mode counting with the shipped classifier."""

import pytest
import torch

from gankit.data.fashion_mnist import find_fashion_mnist
from gankit.data.stacked import mode_name, stack_items
from gankit.errors import DataError
from gankit.metrics.base import MetricError
from gankit.metrics.stacked import stacked_mode_coverage


def test_stack_items_labels_follow_channels():
    x = torch.arange(10, dtype=torch.uint8).view(10, 1, 1, 1).expand(10, 1, 2, 2).contiguous()
    y = torch.arange(10)
    images, labels = stack_items(x, y, 50, seed=3)
    assert images.shape == (50, 3, 2, 2)
    digits = images[:, :, 0, 0].long()
    assert torch.equal(labels, digits[:, 0] * 100 + digits[:, 1] * 10 + digits[:, 2])
    assert torch.equal(stack_items(x, y, 50, seed=3)[0], images)
    assert mode_name(907) == "Ankle boot|T-shirt/top|Sneaker"


def test_mode_counting_with_an_oracle_classifier():
    x = torch.arange(10, dtype=torch.float32).view(10, 1, 1, 1).expand(10, 1, 2, 2).contiguous()
    images, labels = stack_items(x, torch.arange(10), 20_000, seed=0)

    def oracle(ch):
        return torch.nn.functional.one_hot(ch[:, 0, 0, 0].long(), 10).float()

    full = stacked_mode_coverage(images, oracle)
    assert full.value == 1000 and full.extras["reverse_kl"] < 0.03
    collapsed = images.clone()
    collapsed[:, 0] = 3.0  # channel 0 always the same class: at most 100 modes
    part = stacked_mode_coverage(collapsed, oracle)
    assert part.value == 100 and part.extras["reverse_kl"] == pytest.approx(torch.log(torch.tensor(10.0)).item(), abs=0.03)
    with pytest.raises(MetricError, match="N×3×H×W"):
        stacked_mode_coverage(images[:, :1], oracle)


def _have_fashion():
    try:
        find_fashion_mnist()
        return True
    except DataError:
        return False


@pytest.mark.skipif(not _have_fashion(), reason="Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)")
def test_real_stacked_images_cover_nearly_all_modes():
    from gankit.data.registry import load_dataset
    from gankit.metrics.features import load_domain_classifier

    data = load_dataset("stacked-fashion-mnist", split="test", n=5000, seed=1)
    assert data.x.shape == (5000, 3, 28, 28) and len(data.class_names) == 1000
    result = stacked_mode_coverage(data.x, load_domain_classifier("fashion-mnist").logits)
    # 5000 draws over 1000 equally likely modes cover 1000·(1 − e^−5) ≈ 993 of them
    assert result.value >= 950 and result.extras["reverse_kl"] < 0.3
