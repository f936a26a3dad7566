"""The `sskai` command: real flows behind it, and errors as one clear line with a non-zero exit."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from tests.helpers import make_zip
from ui.cli import app

runner = CliRunner()


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
    assert advised.exit_code == 0 and "Serving: serverless" in advised.output and "Training:" in advised.output
    ledger = runner.invoke(app, ["costs", "--by", "month"])
    assert ledger.exit_code == 0 and "Cost summary" in ledger.output


def test_declarations_on_the_command_line(home, tmp_path: Path) -> None:
    source = "from torch import nn\nModelClass = lambda: nn.Linear(6, 1)\n"
    archive = make_zip(tmp_path / "m.zip", {"model.py": source})
    result = runner.invoke(app, ["upload", "model", "lin", str(archive), "--input-shape", "6", "--value-range", "-1,1"])
    assert result.exit_code == 0, result.output


def test_errors_are_one_clear_line(home, tmp_path: Path) -> None:
    evil = make_zip(tmp_path / "evil.zip", {"model.py": "x", "../../etc/cron.d/x": "boom"})
    rejected = runner.invoke(app, ["upload", "model", "evil", str(evil)])
    assert rejected.exit_code == 1 and "error:" in rejected.output and "path traversal" in rejected.output
    named = runner.invoke(app, ["upload", "model", "bad name!", str(evil)])
    assert named.exit_code == 1 and "1-20 characters" in named.output
    missing = runner.invoke(app, ["profile", "nothing"])
    assert missing.exit_code == 1 and "no ready model named 'nothing'" in missing.output
    wrong = runner.invoke(app, ["costs", "--by", "week"])
    assert wrong.exit_code == 1


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
