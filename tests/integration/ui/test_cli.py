"""The `sskai` command: real flows behind it, and errors as one clear line with a non-zero exit."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from sskai.plans import Workload
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
    assert profiled.exit_code == 0 and "parameters" in profiled.output and "28,698" in profiled.output
    assert " MiB" in profiled.output and " ms" in profiled.output  # sizes and times in their units
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


def test_bad_inputs_and_trace_windows_are_one_clear_line(home, tmp_path: Path) -> None:
    def run(*arguments: str) -> str:
        result = runner.invoke(app, list(arguments), env={"COLUMNS": "200"})
        assert result.exit_code == 1 and "Traceback" not in result.output, result.output
        return result.output

    assert "no file missing.npy" in run("predict", "ep", "--api-key", "k", "--inputs", "missing.npy")
    assert "not JSON (Expecting value at line 1 column 3)" in run("predict", "ep", "--api-key", "k", "--inputs", "[[")
    (tmp_path / "words.json").write_text('{"inputs": "hello"}')
    assert "give an array of numbers" in run(
        "predict", "ep", "--api-key", "k", "--inputs", str(tmp_path / "words.json")
    )
    (tmp_path / "ok.json").write_text('{"inputs": [[1, 2]]}')
    assert "no running endpoint named 'ep'" in run(
        "predict", "ep", "--api-key", "k", "--inputs", str(tmp_path / "ok.json")
    )
    assert "seconds into the trace, or 'busiest'" in run(
        "train", "m", "d", "--simulate-spot", "g4dn-cluster", "--trace-start", "soon"
    )
    assert "is past its end" in run("train", "m", "d", "--simulate-spot", "g4dn-cluster", "--trace-start", "99999999")
    assert "--trace-start is for a trace" in run(
        "train", "m", "d", "--simulate-spot", "rates", "--trace-start", "busiest"
    )


def test_the_busiest_trace_start_is_where_the_pool_is_lost() -> None:
    from sskai.catalog import load_catalog
    from sskai.localcloud.simulation import SpotSimulation, busiest_start_seconds, losses_of_a_held_job

    world = SpotSimulation(source="trace", trace="v100-us-east-1f").script((), 2, load_catalog()).world
    start = busiest_start_seconds(world, 2, hours=1.0)
    tick, span = int(start // world.tick_seconds), int(3600 // world.tick_seconds)
    losses = losses_of_a_held_job(world, 2).astype(int)
    found = losses[tick : tick + span].sum()
    assert world.capacity[0, tick] >= 2 and found >= 3  # the job starts held, and meets several losses
    sampled = [losses[t : t + span].sum() for t in range(0, world.ticks - span, 7) if world.capacity[0, t] >= 2]
    assert found >= max(sampled)


def test_lists_and_a_training_by_its_short_id(stores, example_zips) -> None:
    from sskai.bundles.upload import upload_dataset, upload_model
    from sskai.store.metadata import Training
    from sskai.training.service import create_training

    model = upload_model(stores, "mlp", example_zips["mlp"][0])
    dataset = upload_dataset(stores, "mlp", example_zips["mlp"][1])
    training = create_training(stores, model, dataset, TrainingConfig(epochs=2), plan=None)
    stores.metadata.update(Training, training.id, history=[{"epoch": 1, "train_loss": 0.5, "val_loss": 0.25}])

    def ok(*arguments: str) -> str:
        result = runner.invoke(app, list(arguments), env={"COLUMNS": "120"})
        assert result.exit_code == 0, result.output
        return result.output

    assert "mlp" in ok("models", "list") and model.id[:8] in ok("models", "list")
    assert dataset.id[:8] in ok("datasets", "list")
    assert training.id[:8] in ok("trainings", "list")
    shown = ok("trainings", "show", training.id[:8])
    assert "epoch 1: train loss 0.5, validation loss 0.25" in shown and "pending" in shown
    short = runner.invoke(app, ["trainings", "show", "ab"])
    assert short.exit_code == 1 and "give at least 4 characters" in short.output
    nothing = runner.invoke(app, ["trainings", "show", "ffffffff"])
    assert nothing.exit_code == 1 and "no training with an id starting 'ffffffff'" in nothing.output


def test_an_ambiguous_prefix_is_refused_with_the_candidates(stores, example_zips) -> None:
    from sskai.bundles.upload import upload_dataset, upload_model
    from sskai.errors import NotFound
    from sskai.store.metadata import Training

    model = upload_model(stores, "mlp", example_zips["mlp"][0])
    dataset = upload_dataset(stores, "mlp", example_zips["mlp"][1])
    for suffix in ("1", "2"):
        record = Training(id=f"abcd{suffix}" + "0" * 31, owner="tester", model_id=model.id, dataset_id=dataset.id)
        stores.metadata.add(record)
    with pytest.raises(NotFound, match=r"2\+ trainings have ids starting 'abcd' \(abcd1.*, abcd2.*\): give more"):
        stores.metadata.find(Training, "abcd")
    assert stores.metadata.find(Training, "abcd2").id.startswith("abcd2")
    with pytest.raises(NotFound):
        stores.metadata.find(Training, "abcd1", owner="someone else")


def test_an_unforeseen_error_is_one_line_with_the_traceback_logged(home, capsys) -> None:
    import typer

    from ui import cli

    try:
        raise RuntimeError("Timed out while attempting to connect to ephemeral Prefect API server.\nmore lines")
    except RuntimeError as exc:
        ended = cli._unexpected(exc)
    assert isinstance(ended, typer.Exit) and ended.exit_code == 1
    shown = capsys.readouterr().out
    assert "start a Prefect server that stays up with `sskai up`" in shown and "more lines" not in shown
    log = home / "logs" / "cli.log"
    assert "Traceback" in log.read_text() and "more lines" in log.read_text()
    assert str(log) in shown.replace("\n", "")


def test_logs_prints_an_endpoints_story_in_order_by_its_short_id(stores, example_zips) -> None:
    from sskai.bundles.upload import upload_model
    from sskai.kinds import ResourceKind, ServingKind, Status
    from sskai.store.metadata import Endpoint

    model = upload_model(stores, "mlp", example_zips["mlp"][0])
    record = stores.metadata.add(
        Endpoint(
            owner="tester",
            name="told",
            model_id=model.id,
            kind=ServingKind.SPOT,
            runtime="local",
            api_key_sha256="-",
            status=Status.STOPPED,
        )
    )
    for message in ("endpoint told serving mlp", "endpoint told: key rotated", "endpoint told stopped"):
        stores.metadata.log("tester", ResourceKind.ENDPOINT, record.id, message)
    shown = runner.invoke(app, ["logs", record.id[:8], "--follow"])  # it has ended: follow returns at once
    assert shown.exit_code == 0, shown.output
    lines = [line for line in shown.output.splitlines() if "endpoint told" in line]
    assert [line.split("info", 1)[1].strip() for line in lines] == [
        "endpoint told serving mlp",
        "endpoint told: key rotated",
        "endpoint told stopped",
    ]
    missing = runner.invoke(app, ["logs", "ffffffff"])
    assert missing.exit_code == 1 and "no training or endpoint of yours has an id starting 'ffffffff'" in missing.output
