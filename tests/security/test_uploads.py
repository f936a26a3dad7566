"""The hostile-input suite: user code and uploads that try to take, break or outlive the platform.

Each case was a real failure once (see the issue "User code is untrusted"); each test reproduces it
against the real parts: the sandbox's kernel confinement, profiling and endpoint processes, a
training on a Ray cluster of its own, the metadata store and the artifact store."""

from __future__ import annotations

import io
import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from sskai.bundles.upload import upload_dataset, upload_model, upload_note
from sskai.bundles.zipsafe import safe_extract
from sskai.errors import SskaiError, UploadRejected
from sskai.store.metadata import Model
from sskai.store.stores import open_stores
from tests.helpers import make_zip
from tests.security.probes import MODEL_PY, SPEC


def test_twenty_concurrent_uploads_of_one_name_keep_every_hash_true(home: Path, tmp_path: Path) -> None:
    archives = [
        make_zip(tmp_path / f"m{i}.zip", {"model.py": f"# variant {i}\nModelClass = None\n", "sskai.json": SPEC})
        for i in range(20)
    ]
    open_stores()  # the schema exists before the race
    with ThreadPoolExecutor(max_workers=20) as pool:
        records = list(pool.map(lambda archive: upload_model(open_stores(), "race", archive), archives))
    stores = open_stores()
    stored = stores.metadata.list(Model, name="race")
    assert sorted(r.version for r in stored) == list(range(1, 21))
    assert {r.id for r in records} == {r.id for r in stored}
    for record in stored:
        archive = tmp_path / f"check-{record.version}.zip"
        archive.write_bytes(stores.artifacts.get_bytes(record.artifact_key))
        assert safe_extract(archive, tmp_path / f"check-{record.version}").content_sha256 == record.content_sha256


def test_old_content_uploaded_again_says_which_version_it_is_and_how_to_roll_back(stores, tmp_path: Path) -> None:
    def archive(variant: int) -> Path:
        return make_zip(
            tmp_path / f"v{variant}-{time.monotonic_ns()}.zip",
            {"model.py": f"# {variant}\nModelClass = None\n", "sskai.json": SPEC},
        )

    first = upload_model(stores, "clf", archive(1))
    second = upload_model(stores, "clf", archive(2))
    again = upload_model(stores, "clf", archive(1))
    assert again.id == first.id
    note = upload_note(stores, again)
    assert re.search(r"already stored as model clf v1 \(sha256 \w+\), but clf resolves to v2", note)
    assert "`sskai models use clf 1`" in note
    stores.metadata.use_version(Model, stores.settings.owner, "clf", 1)
    assert stores.metadata.find_version(Model, stores.settings.owner, "clf").id == first.id
    assert "resolves to it" in upload_note(stores, first)
    third = upload_model(stores, "clf", archive(3))  # a new upload: the name follows the newest again
    assert stores.metadata.find_version(Model, stores.settings.owner, "clf").id == third.id != second.id


def _npy_claiming(shape: tuple[int, ...]) -> bytes:
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f4", "fortran_order": False, "shape": shape})
    return header.getvalue() + b"\0" * 8


@pytest.mark.parametrize(
    ("kind", "files", "reason"),
    [
        (
            "dataset",
            {"x.npy": _npy_claiming((1 << 34,)), "y.npy": _npy_claiming((1 << 34,))},
            "claims 68,719,476,736 bytes",
        ),
        ("model", {"model.py": MODEL_PY, "sskai.json": SPEC, "a" * 300 + ".txt": "x"}, "name too long"),
        (
            "model",
            {"model.py": MODEL_PY, "sskai.json": SPEC, "data": "x", "data/inner.txt": "y"},
            "both a file and a folder",
        ),
        ("model", {"model.py": MODEL_PY, "sskai.json": "[" * 100_000 + "]" * 100_000}, "sskai.json is over 64 KiB"),
        ("model", {"model.py": MODEL_PY, "sskai.json": "[" * 30_000 + "]" * 30_000}, "nested too deeply"),
        (
            "dataset",
            {
                "sskai.json": '{"layout": "csv", "file": "d.csv", "target": "y"}',
                "d.csv": "a,b,y\n1,nan,2\n" + "1,2,3\n" * 20,
            },
            "column 'b' has an empty, NaN or infinite value \\(first on data row 1\\)",
        ),
        (
            "dataset",
            {
                "x.npy": _npy_claiming((2,))[:-8] + np.array([1.0, np.inf], "<f4").tobytes(),
                "y.npy": _npy_claiming((2,)),
            },
            "x has 1 NaN or infinite",
        ),
    ],
)
def test_hostile_bundles_are_clear_rejections_that_are_not_retried(
    stores, tmp_path: Path, kind: str, files: dict, reason: str
) -> None:
    upload = upload_model if kind == "model" else upload_dataset
    with pytest.raises(UploadRejected, match=reason) as caught:
        upload(stores, "hostile", make_zip(tmp_path / "h.zip", files))
    assert isinstance(caught.value, SskaiError) and not caught.value.retryable
