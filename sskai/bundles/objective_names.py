"""The names of the losses and optimizers a training may ask for (their code: :mod:`sskai.bundles.objectives`).

Apart from it because a training config validates a name without needing torch.
"""

from __future__ import annotations

LOSS_NAMES = ("mse", "l1", "smooth_l1", "bce_with_logits", "cross_entropy")
OPTIMIZER_NAMES = ("sgd", "adam", "adamw", "rmsprop")
