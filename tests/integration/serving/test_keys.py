"""An endpoint's key reaches its owner once, through a file only they can read, and can be replaced."""

from __future__ import annotations

import stat

import numpy as np
import pytest
from typer.testing import CliRunner

from sskai.bundles.upload import upload_model
from sskai.errors import EndpointError
from sskai.serving.client import predict
from sskai.serving.keys import collect, hand_over, key_file
from sskai.serving.service import deploy_endpoint, stop_stored_endpoint
from tests.builders import SPOT
from ui.cli import app

runner = CliRunner()


def test_a_handed_over_key_is_the_owners_alone_and_read_once(stores) -> None:
    path = hand_over(stores.settings, "tester", "ep", "the-key")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.parent.parent.stat().st_mode) == 0o700
    assert collect(stores.settings, "tester", "ep") == "the-key"
    assert not path.exists() and collect(stores.settings, "tester", "ep") is None


def test_a_deploy_leaves_its_key_for_the_owner_and_rotation_retires_the_old_one(stores, example_zips) -> None:
    model = upload_model(stores, "mlp", example_zips["mlp"][0])
    record, key = deploy_endpoint(stores, "keyed", model, None, SPOT)
    try:
        assert key_file(stores.settings, "tester", "keyed").read_text() == key  # as a worker's deploy leaves it
        shown = runner.invoke(app, ["endpoints", "key", "keyed"])
        assert shown.exit_code == 0 and key in shown.output
        again = runner.invoke(app, ["endpoints", "key", "keyed"])
        assert again.exit_code == 1 and "rotate-key keyed" in again.output, again.output
        assert "Traceback" not in again.output
        inputs = np.zeros((1, 8), np.float32)
        rotated = runner.invoke(app, ["endpoints", "rotate-key", "keyed"])
        assert rotated.exit_code == 0, rotated.output
        new_key = rotated.output.split("(shown once, keep it):")[1].split()[0]  # alone on its line
        assert predict(record.url, new_key, inputs).shape == (1, 1)
        with pytest.raises(EndpointError, match="401"):
            predict(record.url, key, inputs)
    finally:
        stop_stored_endpoint(stores, record.id)
    missing = runner.invoke(app, ["endpoints", "rotate-key", "keyed"])
    assert missing.exit_code == 1 and "no serving endpoint named keyed" in missing.output
