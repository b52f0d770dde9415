"""What a discriminator believes, as logged numbers: mean D(x), mean D(G(z)), its accuracy on each side (every game)."""

from __future__ import annotations

import torch

from gankit.losses.adversarial import Objective
from gankit.training.phase import Stats


def game_stats(real: torch.Tensor, fake: torch.Tensor, objective: Objective) -> Stats:
    """Mean D(x), mean D(G(z)) and D's accuracy on each side, from the logits of a real and a fake batch.

    D(x) is sigmoid(logit) for the original game, the raw output otherwise. Accuracy follows the
    objective's decision rule (see `Objective.decision`): 0.5 means D cannot tell real from fake.
    """
    real, fake = real.detach().float(), fake.detach().float()
    if objective.decision == "relative":
        acc_real, acc_fake = (real > fake.mean()).float().mean(), (fake < real.mean()).float().mean()
    else:
        t = 0.5 if objective.decision == "half" else 0.0
        acc_real, acc_fake = (real > t).float().mean(), (fake < t).float().mean()
    readout = torch.sigmoid if objective.probability else (lambda t: t)
    return {
        "d_real": readout(real).mean(),
        "d_fake": readout(fake).mean(),
        "acc_real": acc_real,
        "acc_fake": acc_fake,
        "acc": (acc_real + acc_fake) / 2,
    }


def mean_into(acc: Stats, new: Stats, i: int) -> Stats:
    """Running mean of repeated D steps' stats (grad norms come from the last step only)."""
    if not acc:
        return dict(new)
    out = {k: acc[k] + (v - acc[k]) / (i + 1) for k, v in new.items() if k in acc}
    out.update({k: v for k, v in new.items() if k not in acc})
    return out
