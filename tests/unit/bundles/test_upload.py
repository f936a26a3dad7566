"""Upload: versioned, content-addressed bundles; rejections name the problem and lose nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from sskai.bundles.upload import upload_dataset, upload_model
from sskai.errors import UploadRejected
from sskai.store.metadata import Dataset, LogEntry, Model
from tests.builders import MODEL_PY, MODEL_SPEC_JSON
from tests.helpers import make_zip, read_zip


def test_upload_versions_by_content(stores, tmp_path: Path) -> None:
    first = upload_model(
        stores, "clf", make_zip(tmp_path / "a.zip", {"model.py": MODEL_PY, "sskai.json": MODEL_SPEC_JSON})
    )
    again = upload_model(
        stores, "clf", make_zip(tmp_path / "b.zip", {"sskai.json": MODEL_SPEC_JSON, "model.py": MODEL_PY})
    )
    changed = upload_model(
        stores, "clf", make_zip(tmp_path / "c.zip", {"model.py": MODEL_PY + "\n# v2\n", "sskai.json": MODEL_SPEC_JSON})
    )
    assert (first.version, again.version, changed.version) == (1, 1, 2)
    assert first.id == again.id
    assert first.manifest["input_shape"] == [4]
    assert stores.artifacts.exists(first.artifact_key) and stores.artifacts.exists(changed.artifact_key)
    assert stores.metadata.find_version(Model, "tester", "clf").version == 2


def test_a_rejected_upload_keeps_what_was_stored(stores, tmp_path: Path) -> None:
    good = upload_model(
        stores, "keep", make_zip(tmp_path / "good.zip", {"model.py": MODEL_PY, "sskai.json": MODEL_SPEC_JSON})
    )
    stored_bytes = stores.artifacts.get_bytes(good.artifact_key)
    hostile = make_zip(
        tmp_path / "evil.zip", {"model.py": MODEL_PY, "sskai.json": MODEL_SPEC_JSON, "../../evil.py": "x"}
    )
    with pytest.raises(UploadRejected, match="path traversal"):
        upload_model(stores, "keep", hostile)
    assert [m.version for m in stores.metadata.list(Model, name="keep")] == [1]
    assert stores.artifacts.get_bytes(good.artifact_key) == stored_bytes
    assert any("rejected" in e.message for e in stores.metadata.list(LogEntry, resource_kind="upload"))


@pytest.mark.parametrize(
    ("files", "reason"),
    [
        ({"sskai.json": MODEL_SPEC_JSON}, "no model.py"),
        ({"model.py": "class Other: pass\n", "sskai.json": MODEL_SPEC_JSON}, "does not define ModelClass"),
        ({"model.py": "def broken(:\n", "sskai.json": MODEL_SPEC_JSON}, "does not parse"),
        ({"model.py": MODEL_PY}, "input_shape"),
        ({"model.py": MODEL_PY, "sskai.json": '{"input_shape": [0, 3]}'}, "positive integer"),
        ({"model.py": MODEL_PY, "sskai.json": '{"input_shape": [4], "input_dtype": "complex64"}'}, "input_dtype"),
        ({"model.py": MODEL_PY, "sskai.json": '{"input_shape": [4], "value_range": [1, 0]}'}, "low end"),
        ({"model.py": MODEL_PY, "sskai.json": "{nope"}, "not valid JSON"),
        ({"model.py": MODEL_PY, "sskai.json": MODEL_SPEC_JSON, "torch.pt": b"garbage"}, "not a readable state dict"),
    ],
)
def test_model_bundles_that_break_the_contract_are_refused(stores, tmp_path: Path, files: dict, reason: str) -> None:
    with pytest.raises(UploadRejected, match=reason):
        upload_model(stores, "bad", make_zip(tmp_path / "m.zip", files))
    assert stores.metadata.list(Model, name="bad") == []


@pytest.mark.parametrize(
    ("files", "reason"),
    [
        ({"readme.txt": "hi"}, "no loader.py"),
        ({"loader.py": "def other(): pass\n"}, "does not define sskai_load_data"),
        (
            {"loader.py": "def sskai_load_data(): pass\n", "requirements.txt": "--index-url http://evil\n"},
            "not a package requirement",
        ),
        (
            {"sskai.json": '{"layout": "csv", "file": "d.csv", "target": "y"}', "d.csv": "a,b\n1,2\n"},
            "target column 'y'",
        ),
        ({"sskai.json": '{"layout": "csv", "file": "missing.csv", "target": "y"}'}, "not in the bundle"),
        ({"sskai.json": '{"layout": "npy", "x": "../x.npy", "y": "y.npy"}'}, "outside the bundle"),
    ],
)
def test_dataset_bundles_that_break_the_contract_are_refused(stores, tmp_path: Path, files: dict, reason: str) -> None:
    with pytest.raises(UploadRejected, match=reason):
        upload_dataset(stores, "bad", make_zip(tmp_path / "d.zip", files))


def test_object_arrays_are_refused_without_unpickling(stores, tmp_path: Path) -> None:
    import io

    import numpy as np

    buffer = io.BytesIO()
    np.save(buffer, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    files = {"x.npy": buffer.getvalue(), "y.npy": buffer.getvalue()}
    with pytest.raises(UploadRejected, match="object arrays are refused"):
        upload_dataset(stores, "pickled", make_zip(tmp_path / "d.zip", files))


def test_example_bundles_follow_the_contract(stores, example_zips) -> None:
    for name, (model_zip, data_zip) in example_zips.items():
        model = upload_model(stores, name, model_zip)
        dataset = upload_dataset(stores, name, data_zip)
        assert model.version == dataset.version == 1
    cnn = read_zip(example_zips["cnn"][0])
    assert b"def ModelClass()" in cnn["model.py"]  # a factory function, as SSKAI's ResNet-34 example
    assert stores.metadata.find_version(Dataset, "tester", "mlp").manifest["num_samples"] == 2048
    assert stores.metadata.find_version(Dataset, "tester", "gpt").manifest["x_shape"] == [32]
