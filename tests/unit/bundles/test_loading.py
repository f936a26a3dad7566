"""Loading bundles at run time: user code failures and wrong inputs get reasons a person can act on."""

from __future__ import annotations

from pathlib import Path

import pytest

from sskai.bundles.loading import build_model, load_dataset, missing_requirements
from sskai.bundles.spec import DatasetSpec
from sskai.errors import BundleError


def write(directory: Path, files: dict[str, str]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (directory / name).write_text(text)
    return directory


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("raise RuntimeError('no GPU here')\n", "RuntimeError on import: no GPU here"),
        ("def ModelClass():\n    raise ValueError('bad config')\n", "ModelClass\\(\\) raised ValueError"),
        ("def ModelClass():\n    return 42\n", "not a torch.nn.Module"),
        ("ModelClass = 3\n", "not callable"),
    ],
)
def test_user_model_failures_are_reported(tmp_path: Path, source: str, reason: str) -> None:
    with pytest.raises(BundleError, match=reason):
        build_model(write(tmp_path / "m", {"model.py": source}))


def test_weights_that_do_not_fit_are_reported(tmp_path: Path) -> None:
    import torch

    root = write(tmp_path / "m", {"model.py": "from torch import nn\nModelClass = lambda: nn.Linear(3, 1)\n"})
    torch.save({"weight": torch.zeros(5, 5)}, root / "torch.pt")
    with pytest.raises(BundleError, match="do not fit ModelClass"):
        build_model(root)


def test_loader_failures_and_missing_requirements_are_reported(tmp_path: Path) -> None:
    failing = write(tmp_path / "d1", {"loader.py": "def sskai_load_data():\n    return open('/nonexistent').read()\n"})
    with pytest.raises(BundleError, match="sskai_load_data\\(\\) raised FileNotFoundError"):
        load_dataset(failing, DatasetSpec(layout="loader"))
    mismatched = write(
        tmp_path / "d2",
        {"loader.py": "import torch\ndef sskai_load_data():\n    return torch.zeros(3, 2), torch.zeros(4)\n"},
    )
    with pytest.raises(BundleError, match="equal, non-zero lengths"):
        load_dataset(mismatched, DatasetSpec(layout="loader"))
    needs = DatasetSpec(layout="loader", requirements=("surely-not-installed-pkg>=1",))
    with pytest.raises(BundleError, match="surely-not-installed-pkg"):
        load_dataset(mismatched, needs)
    assert missing_requirements(["numpy>=1.0"]) == []
    assert missing_requirements(["numpy<1.0"])[0].startswith("numpy<1.0 (installed:")
