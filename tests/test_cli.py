"""The `sskai` command: real flows behind it, and errors as one clear line with a non-zero exit."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from sskai.recommend import Workload
from sskai.training.config import TrainingConfig
from tests.helpers import make_zip
from ui.cli import app

runner = CliRunner()
ON_THE_SERVER = pytest.mark.usefixtures("prefect_server")


@ON_THE_SERVER
def test_examples_upload_profile_recommend_and_costs(home, tmp_path: Path) -> None:
    built = runner.invoke(app, ["examples", str(tmp_path / "ex")])
    assert built.exit_code == 0, built.output
    assert {p.name for p in (tmp_path / "ex").iterdir()} == {
        f"{n}-{k}.zip" for n in ("mlp", "cnn", "gpt") for k in ("model", "data")
    }
    uploaded = runner.invoke(app, ["upload", "model", "cnn", str(tmp_path / "ex" / "cnn-model.zip")])
    assert uploaded.exit_code == 0 and "stored model cnn" in uploaded.output
    data = runner.invoke(app, ["upload", "dataset", "cnn", str(tmp_path / "ex" / "cnn-data.zip")])
    assert data.exit_code == 0, data.output
    profiled = runner.invoke(app, ["profile", "cnn"])
    assert profiled.exit_code == 0 and "parameter_count" in profiled.output and "28,698" in profiled.output
    advised = runner.invoke(app, ["recommend", "cnn", "--requests-per-hour", "100"])
    assert advised.exit_code == 0 and "Serve: serverless" in advised.output and "Train:" in advised.output
    ledger = runner.invoke(app, ["costs", "--by", "month"])
    assert ledger.exit_code == 0 and "Costs by month" in ledger.output


@ON_THE_SERVER
def test_declarations_on_the_command_line(home, tmp_path: Path) -> None:
    source = "from torch import nn\nModelClass = lambda: nn.Linear(6, 1)\n"
    archive = make_zip(tmp_path / "m.zip", {"model.py": source})
    result = runner.invoke(app, ["upload", "model", "lin", str(archive), "--input-shape", "6", "--value-range", "-1,1"])
    assert result.exit_code == 0, result.output


@ON_THE_SERVER
def test_errors_are_one_clear_line(home, tmp_path: Path) -> None:
    evil = make_zip(tmp_path / "evil.zip", {"model.py": "x", "../../etc/cron.d/x": "boom"})
    rejected = runner.invoke(app, ["upload", "model", "evil", str(evil)])
    assert rejected.exit_code == 1 and "error:" in rejected.output and "path traversal" in rejected.output
    named = runner.invoke(app, ["upload", "model", "bad name!", str(evil)])
    assert named.exit_code == 1 and "1-20 characters" in named.output
    missing = runner.invoke(app, ["profile", "nothing"])
    assert missing.exit_code == 1 and "no ready model named 'nothing'" in missing.output
    wrong = runner.invoke(app, ["costs", "--by", "week"], env={"COLUMNS": "200"})
    assert wrong.exit_code == 2 and "'week' is not one of 'day', 'month', 'kind'" in wrong.output
    shape = runner.invoke(app, ["upload", "model", "lin", str(evil), "--input-shape", "abc"])
    assert shape.exit_code == 1 and "--input-shape.0: Input should be a valid integer" in shape.output
    workers = runner.invoke(app, ["train", "m", "d", "--num-workers", "0"])
    assert workers.exit_code == 1 and "--num-workers: Input should be greater than or equal to 1" in workers.output
    markup = make_zip(tmp_path / "markup.zip", {"model.py": "x", "../[/x]": "boom"})
    odd = runner.invoke(app, ["upload", "model", "markup", str(markup)])  # the reason quotes the entry: not markup
    assert odd.exit_code == 1 and "[/x]" in odd.output and "Traceback" not in odd.output


def test_training_and_workload_options_come_from_their_models() -> None:
    """Every field is an option with the model's default: nothing is restated by hand."""
    for command, model in (("train", TrainingConfig), ("recommend", Workload)):
        shown = runner.invoke(app, [command, "--help"], terminal_width=200, env={"COLUMNS": "200"})
        assert shown.exit_code == 0
        for name, field in model.model_fields.items():
            assert "--" + name.replace("_", "-") in shown.output, (command, name)
            if field.description:
                assert field.description.split()[0] in shown.output
    assert "[default: 50]" in runner.invoke(app, ["train", "--help"], env={"COLUMNS": "200"}).output


@ON_THE_SERVER
def test_elect_and_refresh_prices(home, tmp_path: Path) -> None:
    shown = runner.invoke(app, ["elect", "--min-memory-gib", "40", "--region", "eu-west-1", "--top", "2"])
    assert shown.exit_code == 0, shown.output
    assert "best:" in shown.output and "eu-west-1" in shown.output and "USD to finish" in shown.output
    unknown = runner.invoke(app, ["elect", "--election", "cheapest"])
    assert unknown.exit_code == 1 and "unknown election" in unknown.output
    out = tmp_path / "pools.yaml"
    first = runner.invoke(app, ["refresh-prices", "--snapshot", "--output", str(out)])
    second = runner.invoke(app, ["refresh-prices", "--snapshot", "--output", str(out)])
    assert first.exit_code == 0 and "NodePools rewritten" in first.output, first.output
    assert second.exit_code == 0 and "unchanged" in second.output
    assert "kind: NodePool" in out.read_text()


def test_risk_shows_each_pools_figures_and_the_calibration_error(home) -> None:
    shown = runner.invoke(
        app, ["risk", "--instance-type", "p3.2xlarge", "--region", "us-west-2"], env={"COLUMNS": "200"}
    )
    assert shown.exit_code == 0, shown.output
    assert "Spot risk per pool" in shown.output and "p3.2xlarge us-west-2" in shown.output
    assert "0.134" in shown.output and "trace" in shown.output  # the us-west-2 zones' pooled hazard
    assert "Calibration: each traced zone held out" in shown.output and "us-east-1a" in shown.output
