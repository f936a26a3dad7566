"""The held-out split and the loss on it: one definition for training, and for judging a retrained model
against the one serving (both must be measured on the same samples the same way)."""

from __future__ import annotations

import torch
from torch.utils.data import DataLoader, Subset, TensorDataset

from sskai.bundles.objectives import compute_loss


def split_indices(count: int, validation_fraction: float, seed: int) -> tuple[list[int], list[int]]:
    """A seeded permutation cut into (train, validation); the same on every worker and restart."""
    order = torch.randperm(count, generator=torch.Generator().manual_seed(seed)).tolist()
    validation = round(count * validation_fraction)
    return order[validation:], order[:validation]


def validation_totals(
    model: torch.nn.Module,
    dataset: TensorDataset,
    indices: list[int],
    loss_name: str,
    task: str,
    batch_size: int,
    device: torch.device,
) -> torch.Tensor:
    """(loss sum, correct, count) over ``indices``: sums, so shards on several workers add up."""
    model.eval()
    totals = torch.zeros(3, dtype=torch.float64, device=device)
    with torch.no_grad():
        for inputs, targets in DataLoader(Subset(dataset, indices), batch_size=batch_size):
            inputs, targets = inputs.to(device), targets.to(device)
            output = model(inputs)
            count = targets.numel() if task != "regression" else len(targets)
            totals[0] += float(compute_loss(loss_name, output, targets)) * count
            totals[2] += count
            if task != "regression":
                totals[1] += float((output.argmax(dim=-1) == targets).sum())
    return totals


def metrics_of(totals: torch.Tensor, task: str) -> dict[str, float]:
    result = {"val_loss": float(totals[0] / totals[2])}
    if task != "regression":
        result["val_accuracy"] = float(totals[1] / totals[2])
    return result
