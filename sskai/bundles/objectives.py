"""Losses and optimizers chosen by name from an allow-list (never ``eval``).

The names live in :mod:`sskai.bundles.objective_names`, which a training config (and so every CLI
command) reads without importing torch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import torch
from torch.nn import functional

from sskai.errors import TrainingFailed


def _cross_entropy(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    # Sequence models return [batch, time, classes]; flatten so one loss serves both.
    if output.ndim > 2:
        return functional.cross_entropy(output.reshape(-1, output.shape[-1]), target.reshape(-1).long())
    return functional.cross_entropy(output, target.reshape(-1).long())


def _regression(fn: Callable[..., torch.Tensor]) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    def loss(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return fn(output, target.reshape(output.shape).to(output.dtype))

    return loss


LOSSES: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = {
    "mse": _regression(functional.mse_loss),
    "l1": _regression(functional.l1_loss),
    "smooth_l1": _regression(functional.smooth_l1_loss),
    "bce_with_logits": _regression(functional.binary_cross_entropy_with_logits),
    "cross_entropy": _cross_entropy,
}

OPTIMIZERS: dict[str, type[torch.optim.Optimizer]] = {
    "sgd": torch.optim.SGD,
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "rmsprop": torch.optim.RMSprop,
}


def compute_loss(name: str, output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    if name not in LOSSES:
        raise TrainingFailed(f"unknown loss {name!r}; choose one of {sorted(LOSSES)}")
    try:
        return LOSSES[name](output, target)
    except (RuntimeError, ValueError) as exc:
        raise TrainingFailed(
            f"loss {name!r} cannot compare output {tuple(output.shape)} with target {tuple(target.shape)}: {exc}"
        ) from exc


def make_optimizer(name: str, params: Iterable[torch.nn.Parameter], learning_rate: float) -> torch.optim.Optimizer:
    if name not in OPTIMIZERS:
        raise TrainingFailed(f"unknown optimizer {name!r}; choose one of {sorted(OPTIMIZERS)}")
    return OPTIMIZERS[name](params, lr=learning_rate)
