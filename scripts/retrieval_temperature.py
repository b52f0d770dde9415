"""Choose caption retrieval's temperature from the training phrasings alone: leave one out.

    python scripts/retrieval_temperature.py

Each training phrasing of fashion-text is taken out of the memory in turn and retrieved from the others:
the table gives the mean weight that lands on its own class, for each τ. The preset takes the largest τ
within 0.001 of the best (a smooth blend that loses nothing). The held-out phrasings' column is printed
after the choice, as a check, not to make it.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from gankit.data.captions.fashion import HELD_OUT_PHRASINGS, TRAIN_PHRASINGS
from gankit.games.text2img.captions import minilm_embeddings

TAUS = (0.003, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1)


def own_class_weight(queries: torch.Tensor, q_class: torch.Tensor, memory: torch.Tensor, m_class: torch.Tensor,
                     tau: float, leave_out: bool) -> torch.Tensor:
    """Per query: the share of its retrieval weight on memory rows of its own class."""
    sim = F.normalize(queries, dim=1) @ F.normalize(memory, dim=1).T / tau
    if leave_out:
        sim.fill_diagonal_(float("-inf"))
    return (sim.softmax(1) * (q_class[:, None] == m_class[None]).float()).sum(1)


def main() -> None:
    def table(phrasings: dict[str, list[str]]) -> tuple[torch.Tensor, torch.Tensor]:
        pairs = [(k, p) for k, ps in enumerate(phrasings.values()) for p in ps]
        return minilm_embeddings([p for _, p in pairs], torch.device("cpu"), None), torch.tensor([k for k, _ in pairs])

    memory, m_class = table(TRAIN_PHRASINGS)
    held, h_class = table(HELD_OUT_PHRASINGS)
    loo = {tau: float(own_class_weight(memory, m_class, memory, m_class, tau, True).mean()) for tau in TAUS}
    best = max(loo.values())
    chosen = max(tau for tau, w in loo.items() if w >= best - 1e-3)
    print(f"{'tau':>6s}  {'leave-one-out':>13s}  {'held out (check)':>16s}")
    for tau in TAUS:
        check = own_class_weight(held, h_class, memory, m_class, tau, False)
        mark = "  <- chosen" if tau == chosen else ""
        print(f"{tau:6.3f}  {loo[tau]:13.3f}  {float(check.mean()):9.3f} (min {float(check.min()):.2f}){mark}")


if __name__ == "__main__":
    main()
