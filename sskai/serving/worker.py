"""Entry point of an inference worker: ``python -m sskai.serving.worker`` (started in the sandbox by the pool).

Loads the user's model once and answers frames on standard input, one at a time. Frames are a kind
byte, a 4-byte big-endian length and the payload: requests carry a plain ``.npy`` array; answers
carry an ``.npy`` array (``K``), a message blaming the request (``I``) or the model (``E``). ``R``
says the model loaded, ``F`` why it did not. Never pickle: arrays go as ``.npy`` without objects.
The user's own prints go to the log, never into the answer stream.
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from pathlib import Path
from typing import BinaryIO

from sskai.bundles.npyfile import array_from_bytes, array_to_bytes

HEADER = struct.Struct(">cI")
READY, LOAD_FAILED, PREDICT, ANSWER, BAD_INPUT, MODEL_ERROR = b"R", b"F", b"P", b"K", b"I", b"E"


def write_frame(stream: BinaryIO, kind: bytes, payload: bytes) -> None:
    stream.write(HEADER.pack(kind, len(payload)) + payload)
    stream.flush()


def read_exact(stream: BinaryIO, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = stream.read(left)
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bundle", type=Path, required=True)
    parser.add_argument("--spec", required=True)
    parser.add_argument("--weights", type=Path)
    args = parser.parse_args(argv)
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # print() in the model goes to the log
    requests = sys.stdin.buffer

    import torch

    from sskai.bundles.spec import ModelSpec
    from sskai.errors import BundleError
    from sskai.serving.predictor import Predictor

    torch.set_num_threads(1)
    try:
        predictor = Predictor(args.bundle, ModelSpec.model_validate_json(args.spec), weights=args.weights)
    except Exception as exc:  # the user's model: report why, the server fails the deploy with it
        write_frame(answers, LOAD_FAILED, f"{type(exc).__name__}: {exc}".encode())
        return 1
    write_frame(answers, READY, b"")
    while True:
        try:
            kind, size = HEADER.unpack(read_exact(requests, HEADER.size))
            payload = read_exact(requests, size)
        except EOFError:
            return 0  # the server closed the pipe: it is stopping
        if kind != PREDICT:
            write_frame(answers, BAD_INPUT, f"unknown frame {kind!r}".encode())
            continue
        try:
            inputs = array_from_bytes(bytearray(payload))  # writable: the model may change its input
            write_frame(answers, ANSWER, array_to_bytes(predictor.predict(inputs)))
        except BundleError as exc:
            write_frame(answers, BAD_INPUT, str(exc).encode())
        except MemoryError:
            write_frame(answers, MODEL_ERROR, b"the model went over the endpoint's memory cap")
        except Exception as exc:  # the user's model failed on this request: say so, keep serving
            write_frame(answers, MODEL_ERROR, f"the model raised {type(exc).__name__}: {exc}".encode())


if __name__ == "__main__":
    sys.exit(main())
