"""Upload: versioned, content-addressed bundles; rejections name the problem and lose nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.upload import upload_flow
from sskai.errors import UploadRejected
from tests.builders import MODEL_PY
from tests.helpers import make_zip


@pytest.mark.usefixtures("prefect_server")
def test_the_upload_flow_runs_on_the_prefect_server_and_fails_clearly(home, tmp_path: Path, example_zips) -> None:
    from prefect import get_client  # noqa: F401  (the flow must reach the session's server)

    stored = upload_flow(
        model_name="mlp",
        model_zip=str(example_zips["mlp"][0]),
        dataset_name="mlp",
        dataset_zip=str(example_zips["mlp"][1]),
    )
    assert stored.model_id and stored.dataset_id
    hostile = make_zip(tmp_path / "bomb.zip", {"model.py": MODEL_PY, "zeros.bin": b"\0" * (8 * 1024 * 1024)})
    with pytest.raises(UploadRejected, match="compression ratio"):
        upload_flow(model_name="bomb", model_zip=str(hostile))
