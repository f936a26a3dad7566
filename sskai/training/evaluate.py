"""Entry point of an evaluation process: ``python -m sskai.training.evaluate`` (run in the sandbox).

Loads a model (with trained weights) and a dataset, both user code, and measures the loss on the
dataset's held-out split. Writes ``{"ok": true, "metrics": {...}}`` (or the error) to ``--out``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch
from torch.utils.data import TensorDataset

from sskai.bundles.loading import build_model, load_dataset
from sskai.bundles.spec import DatasetSpec, ModelSpec
from sskai.training.validation import metrics_of, split_indices, validation_totals


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--weights", type=Path)
    parser.add_argument("--dataset", type=Path, required=True)
    parser.add_argument("--spec", required=True, help="the model's ModelSpec as JSON")
    parser.add_argument("--dataset-spec", required=True, help="the dataset's DatasetSpec as JSON")
    parser.add_argument("--loss", required=True)
    parser.add_argument("--validation-fraction", type=float, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    try:
        spec = ModelSpec.model_validate_json(args.spec)
        x, y = load_dataset(args.dataset, DatasetSpec.model_validate_json(args.dataset_spec))
        x = x.to(getattr(torch, spec.input_dtype))
        model = build_model(args.model, weights=args.weights)
        _, held_out = split_indices(len(x), args.validation_fraction, args.seed)
        if not held_out:
            raise ValueError("the held-out split is empty; use a larger validation fraction")
        totals = validation_totals(model, TensorDataset(x, y), held_out, args.loss, spec.task, 256, torch.device("cpu"))
        result = {"ok": True, "metrics": {**metrics_of(totals, spec.task), "samples": len(held_out)}}
    except Exception as exc:  # the user's model or loader: report it, the parent decides
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    args.out.write_text(json.dumps(result))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
