"""The model behind an endpoint: loaded once, run on checked batches. Shared by every serving target."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from sskai.bundles.loading import build_model
from sskai.bundles.spec import ModelSpec
from sskai.serving.requests import check_request


class Predictor:
    def __init__(self, bundle_dir: Path, spec: ModelSpec, weights: Path | None = None) -> None:
        self.spec = spec
        self.model = build_model(bundle_dir, weights=weights).eval()

    def predict(self, inputs: np.ndarray) -> np.ndarray:
        batch = check_request(inputs, self.spec)
        with torch.no_grad():
            output = self.model(torch.from_numpy(np.ascontiguousarray(batch)))
        return output.float().numpy()
