"""Training on a real local Ray cluster: learns, checkpoints to the artifact store, resumes, fails clearly."""

from __future__ import annotations

from sskai.training.validation import split_indices


def test_split_is_deterministic_and_disjoint() -> None:
    train, val = split_indices(100, 0.2, seed=7)
    assert (train, val) == split_indices(100, 0.2, seed=7)
    assert len(val) == 20 and not set(train) & set(val) and sorted(train + val) == list(range(100))
    assert split_indices(100, 0.2, seed=8) != (train, val)
