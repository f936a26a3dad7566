"""Checkpoint overhead per training step, synchronous vs asynchronous, for a GPT-2 124M-sized model.

The model (12 layers, 768 wide, 12 heads, 50,257-token vocabulary, tied embeddings: ~124M parameters)
trains with AdamW, so a checkpoint holds weights and two moments: ~1.5 GB. Measured in one run:
- the step time (median);
- synchronous: the loop waits for ``save_checkpoint`` (copy off the device, write, hash);
- asynchronous (sskai's): the loop waits only for ``take_snapshot`` (the copy to CPU memory); the write
  runs in a background thread, and the steps taken meanwhile are timed to catch what it slows;
- each as a share of training time at one checkpoint a minute (SSKAI's own figure was 3.02 s per
  590 s epoch on a T4, 0.51%, reported in its final report).

On CPU the default batch is 1 x 256 tokens; with CUDA present, 8 x 1024 tokens in bf16.

Run: .venv/bin/python benchmarks/checkpoint_overhead.py
(prints a table; writes benchmarks/results/checkpoint_overhead.json)
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import torch
from rich.console import Console
from rich.table import Table
from torch import nn

from sskai.training.checkpoints import BackgroundWriter, LoopPosition, save_checkpoint, take_snapshot

RESULTS = Path(__file__).parent / "results" / "checkpoint_overhead.json"
SSKAI_REPORTED = {"checkpoint_seconds_per_epoch": 3.02, "epoch_seconds": 590.0, "instance": "g4dn.xlarge (1x T4)"}
CHECKPOINT_INTERVAL_SECONDS = 60.0


class Gpt2Small(nn.Module):
    """GPT-2 124M's shape: enough to make the checkpoint as big and the step as heavy as the real one."""

    def __init__(self, vocab: int = 50_257, context: int = 1024, width: int = 768, layers: int = 12, heads: int = 12):
        super().__init__()
        self.tokens = nn.Embedding(vocab, width)
        self.positions = nn.Embedding(context, width)
        block = nn.TransformerEncoderLayer(width, heads, 4 * width, dropout=0.0, batch_first=True, norm_first=True)
        self.blocks = nn.TransformerEncoder(block, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(width)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        length = ids.shape[1]
        x = self.tokens(ids) + self.positions(torch.arange(length, device=ids.device))
        mask = nn.Transformer.generate_square_subsequent_mask(length, device=ids.device)
        return self.norm(self.blocks(x, mask=mask, is_causal=True)) @ self.tokens.weight.T


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=6, help="timed steps (after two warm-up steps)")
    parser.add_argument("--repeats", type=int, default=3, help="checkpoints taken each way")
    args = parser.parse_args()
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    batch, length = (8, 1024) if device.type == "cuda" else (1, 256)
    torch.manual_seed(0)
    model = Gpt2Small().to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    ids = torch.randint(0, 50_257, (batch, length + 1), device=device)
    autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda")

    def step() -> float:
        _sync(device)
        start = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        with autocast:
            logits = model(ids[:, :-1])
        loss = nn.functional.cross_entropy(logits.float().flatten(0, 1), ids[:, 1:].flatten())
        loss.backward()
        optimizer.step()
        _sync(device)
        return time.perf_counter() - start

    parameters = sum(p.numel() for p in model.parameters())
    for _ in range(2):
        step()
    step_seconds = statistics.median(step() for _ in range(args.steps))
    position = LoopPosition(global_step=2 + args.steps)

    with tempfile.TemporaryDirectory(prefix="sskai-ckpt-bench-") as scratch:
        root = Path(scratch)
        sync_seconds = []
        for index in range(args.repeats):
            start = time.perf_counter()
            save_checkpoint(root / f"sync-{index}", model, optimizer, position)
            sync_seconds.append(time.perf_counter() - start)
        checkpoint_bytes = sum(f.stat().st_size for f in (root / "sync-0").iterdir())

        writer = BackgroundWriter(root / "async")
        snapshot_seconds, write_seconds, steps_during = [], [], []
        for _ in range(args.repeats):
            _sync(device)
            start = time.perf_counter()
            snapshot = take_snapshot(model, optimizer, position)
            snapshot_seconds.append(time.perf_counter() - start)
            begun = time.perf_counter()
            writer.start(snapshot, {})
            while not writer.done():
                steps_during.append(step())
            writer.finished()
            write_seconds.append(time.perf_counter() - begun)
        writer.close()

    sync = statistics.median(sync_seconds)
    blocking = statistics.median(snapshot_seconds)
    slowed = statistics.median(steps_during) - step_seconds if steps_during else 0.0
    per_checkpoint_async = blocking + max(slowed, 0.0) * len(steps_during) / args.repeats
    result = {
        "device": torch.cuda.get_device_name(device)
        if device.type == "cuda"
        else f"cpu ({torch.get_num_threads()} threads)",
        "parameters": parameters,
        "tokens_per_step": batch * length,
        "checkpoint_bytes": checkpoint_bytes,
        "step_seconds_median": step_seconds,
        "sync_checkpoint_seconds_median": sync,
        "async_snapshot_seconds_median": blocking,
        "async_background_write_seconds_median": statistics.median(write_seconds),
        "steps_during_background_writes": len(steps_during),
        "step_seconds_during_writes_median": statistics.median(steps_during) if steps_during else None,
        "async_seconds_lost_per_checkpoint": per_checkpoint_async,
        "overhead_at_one_checkpoint_per_minute": {
            "sync": sync / CHECKPOINT_INTERVAL_SECONDS,
            "async": per_checkpoint_async / CHECKPOINT_INTERVAL_SECONDS,
        },
        "async_vs_sync_ratio": per_checkpoint_async / sync,
        "sskai_reported": {
            **SSKAI_REPORTED,
            "overhead": SSKAI_REPORTED["checkpoint_seconds_per_epoch"] / SSKAI_REPORTED["epoch_seconds"],
        },
    }
    table = Table(title=f"Checkpoint overhead, GPT-2 124M-sized + AdamW on {result['device']}")
    table.add_column("")
    table.add_column("seconds the loop loses per checkpoint", justify="right")
    table.add_column("share of training at 1 checkpoint / min", justify="right")
    table.add_row("synchronous", f"{sync:.3f}", f"{result['overhead_at_one_checkpoint_per_minute']['sync']:.2%}")
    table.add_row(
        "asynchronous (sskai)",
        f"{per_checkpoint_async:.3f} (snapshot {blocking:.3f})",
        f"{result['overhead_at_one_checkpoint_per_minute']['async']:.2%}",
    )
    table.add_row(
        "SSKAI, reported (per epoch, T4)", "3.02", f"{result['sskai_reported']['overhead']:.2%} of a 590 s epoch"
    )
    console = Console()
    console.print(table)
    console.print(
        f"{parameters / 1e6:.1f}M parameters, checkpoint {checkpoint_bytes / 1e9:.2f} GB, step {step_seconds:.3f} s "
        f"({batch} x {length} tokens); background write {result['async_background_write_seconds_median']:.2f} s, "
        f"steps during it {result['step_seconds_during_writes_median'] or 0:.3f} s (median)"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2))
    console.print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
