"""Example bundles in the SSKAI contract, built with generated data (no downloads).

Each example is a model zip and a dataset zip. The model sources live beside this file; the data
is generated from a fixed seed so the same bundles come out every time.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sskai.training.config import TrainingConfig

SOURCES = Path(__file__).parent


@dataclass(frozen=True)
class Example:
    name: str
    summary: str
    model_files: Callable[[], dict[str, bytes]]
    dataset_files: Callable[[], dict[str, bytes]]
    train_config: TrainingConfig
    sample_request: Callable[[], np.ndarray]


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def _manifest(**values: object) -> bytes:
    return json.dumps(values, indent=2).encode()


def _source(example: str, name: str) -> bytes:
    return (SOURCES / example / name).read_bytes()


# ---- regression MLP, CSV dataset layout ----


def _mlp_model() -> dict[str, bytes]:
    import torch

    from sskai.bundles.loading import build_model

    torch.manual_seed(0)
    buffer = io.BytesIO()
    torch.save(build_model(SOURCES / "mlp_regression").state_dict(), buffer)
    return {
        "model.py": _source("mlp_regression", "model.py"),
        "torch.pt": buffer.getvalue(),
        "sskai.json": _manifest(input_shape=[8], input_dtype="float32", value_range=[-5.0, 5.0], task="regression"),
    }


def _mlp_data() -> dict[str, bytes]:
    rng = np.random.default_rng(0)
    x = np.clip(rng.normal(size=(2048, 8)), -5, 5).astype(np.float32)
    y = np.sin(x[:, 0]) + 0.5 * x[:, 1] * x[:, 2] - 0.3 * x[:, 3] + 0.05 * rng.normal(size=2048)
    header = ",".join([f"f{i}" for i in range(8)] + ["target"])
    rows = "\n".join(",".join(f"{v:.6f}" for v in (*xi, yi)) for xi, yi in zip(x, y, strict=True))
    return {
        "data.csv": f"{header}\n{rows}\n".encode(),
        "sskai.json": _manifest(layout="csv", file="data.csv", target="target"),
    }


# ---- CIFAR-shaped CNN, user loader layout ----


def _cnn_data() -> dict[str, bytes]:
    rng = np.random.default_rng(1)
    count, classes = 1024, 10
    labels = rng.integers(0, classes, size=count)
    # Each class has its own colour and stripe direction, so the task is learnable but not trivial.
    palette = rng.uniform(40, 215, size=(classes, 3))
    grid = np.arange(32)
    stripes_h = np.sin(grid / 2.0)[None, :, None] * np.ones((32, 1, 1))
    stripes_v = stripes_h.transpose(1, 0, 2)
    images = rng.normal(0, 25, size=(count, 32, 32, 3))
    for index, label in enumerate(labels):
        pattern = stripes_h if label % 2 else stripes_v
        images[index] += palette[label] + 30 * pattern
    images = np.clip(images, 0, 255).astype(np.uint8).transpose(0, 3, 1, 2)
    return {
        "loader.py": _source("cifar_cnn", "loader.py"),
        "images.npy": _npy(images),
        "labels.npy": _npy(labels.astype(np.int64)),
        "requirements.txt": b"numpy>=1.24\ntorch>=2.0\n",
    }


def _cnn_model() -> dict[str, bytes]:
    return {
        "model.py": _source("cifar_cnn", "model.py"),
        "sskai.json": _manifest(
            input_shape=[3, 32, 32], input_dtype="float32", value_range=[0.0, 1.0], task="classification"
        ),
    }


# ---- tiny GPT, npy layout ----


def _gpt_data() -> dict[str, bytes]:
    rng = np.random.default_rng(2)
    count, context, vocab = 1024, 32, 64
    starts = rng.integers(0, vocab, size=(count, 1))
    strides = rng.integers(1, 4, size=(count, 1))
    sequences = (starts + strides * np.arange(context + 1)[None, :]) % vocab
    return {
        "x.npy": _npy(sequences[:, :-1].astype(np.int64)),
        "y.npy": _npy(sequences[:, 1:].astype(np.int64)),
        "sskai.json": _manifest(layout="npy", x="x.npy", y="y.npy"),
    }


def _gpt_model() -> dict[str, bytes]:
    return {
        "model.py": _source("tiny_gpt", "model.py"),
        "sskai.json": _manifest(input_shape=[32], input_dtype="int64", value_range=[0, 63], task="causal_lm"),
    }


EXAMPLES: dict[str, Example] = {
    "mlp": Example(
        name="mlp",
        summary="regression MLP on 8 generated features (CSV dataset, torch.pt weights)",
        model_files=_mlp_model,
        dataset_files=_mlp_data,
        train_config=TrainingConfig(epochs=4, batch_size=64, learning_rate=0.003, optimizer="adam", loss="mse"),
        sample_request=lambda: np.random.default_rng(3).normal(size=(2, 8)).astype(np.float32),
    ),
    "cnn": Example(
        name="cnn",
        summary="small ResNet on CIFAR-shaped generated images (factory ModelClass, loader.py dataset)",
        model_files=_cnn_model,
        dataset_files=_cnn_data,
        train_config=TrainingConfig(
            epochs=2, batch_size=64, learning_rate=0.003, optimizer="adam", loss="cross_entropy"
        ),
        sample_request=lambda: np.random.default_rng(3).uniform(size=(2, 3, 32, 32)).astype(np.float32),
    ),
    "gpt": Example(
        name="gpt",
        summary="tiny GPT-style causal LM on generated token sequences (npy dataset)",
        model_files=_gpt_model,
        dataset_files=_gpt_data,
        train_config=TrainingConfig(
            epochs=3, batch_size=32, learning_rate=0.003, optimizer="adamw", loss="cross_entropy"
        ),
        sample_request=lambda: (np.arange(32)[None, :] % 64).astype(np.int64),
    ),
}


def write_zip(path: Path, files: dict[str, bytes]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in sorted(files.items()):
            zf.writestr(name, data)
    return path


def build_example(name: str, directory: Path) -> tuple[Path, Path]:
    """Write ``<name>-model.zip`` and ``<name>-data.zip`` into ``directory``."""
    example = EXAMPLES[name]
    model_zip = write_zip(Path(directory) / f"{name}-model.zip", example.model_files())
    data_zip = write_zip(Path(directory) / f"{name}-data.zip", example.dataset_files())
    return model_zip, data_zip
