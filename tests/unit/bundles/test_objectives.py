"""The loss and optimizer allow-lists: the names a config accepts are exactly the code that runs."""

from __future__ import annotations

import subprocess
import sys

import pytest

from sskai.bundles.objective_names import LOSS_NAMES, OPTIMIZER_NAMES
from sskai.bundles.objectives import LOSSES, OPTIMIZERS, make_optimizer
from sskai.errors import TrainingFailed


def test_the_names_a_config_accepts_are_the_ones_with_code() -> None:
    assert tuple(LOSSES) == LOSS_NAMES and tuple(OPTIMIZERS) == OPTIMIZER_NAMES


def test_an_unknown_optimizer_is_refused_with_the_choices() -> None:
    with pytest.raises(TrainingFailed, match="choose one of"):
        make_optimizer("lion", [], 0.1)


def test_a_training_config_does_not_import_torch() -> None:
    """Every CLI command builds its options from the config: torch would cost it seconds."""
    code = "import sys, sskai.training.config; print('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"
