"""The one way user code runs: a confined child process (see :mod:`sskai.sandbox.policy`)."""

from sskai.sandbox.policy import SandboxPolicy, sandbox_environment
from sskai.sandbox.process import SandboxedProcess, python_command, read_result, start_sandboxed

__all__ = [
    "SandboxPolicy",
    "SandboxedProcess",
    "python_command",
    "read_result",
    "sandbox_environment",
    "start_sandboxed",
]
