"""Finding and running the external programs the converters use."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from akta_docstore.converters.errors import ConversionFailed

Environment = Mapping[str, str]
CONVERTER_NICENESS = 10


@dataclass(frozen=True)
class Finished:
    exit_code: int
    stdout: str
    stderr: str


def program_environment(environment: Environment | None, scratch: Path | None = None) -> dict[str, str]:
    """The environment a program runs with: the caller's, by default this process's. With
    `scratch`, the program's temporary files go there, and away with it even when it is killed."""
    chosen = dict(os.environ if environment is None else environment)
    if scratch is not None:
        chosen["TMPDIR"] = str(scratch)
    return chosen


def find_program(name: str, environment: Environment | None, display_name: str | None = None) -> str:
    """The full path of `name` on the environment's PATH; ConversionFailed when it is not there."""
    search_path = program_environment(environment).get("PATH", os.defpath)
    found = shutil.which(name, path=search_path)
    if found is None:
        raise ConversionFailed(f"{display_name or name} is not installed")
    return found


def run(
    command: list[str], timeout_seconds: float, environment: Environment, display_name: str | None = None
) -> Finished:
    """Run `command` to its end, at a lower CPU priority. Past the timeout, kill it and
    everything it started (it runs in its own process group) and raise ConversionFailed."""
    process = subprocess.Popen(
        _niced(command),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(environment),
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout_seconds)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        raise ConversionFailed(f"{display_name or Path(command[0]).name} timed out after {timeout_seconds:g} s") from None
    except BaseException:
        _kill_group(process)
        raise
    return Finished(
        process.returncode,
        stdout.decode("utf-8", errors="replace"),
        stderr.decode("utf-8", errors="replace"),
    )


def _niced(command: list[str]) -> list[str]:
    """Conversions are background work: where they share cores with the web process and the
    database (a single-host installation), uploads and searches go first. `nice` execs the
    command, so it keeps the process id and group the timeout kills."""
    nice = shutil.which("nice")
    return [nice, "-n", str(CONVERTER_NICENESS), *command] if nice else command


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()
    # Not communicate(): a child that escaped the group could hold the pipes open for ever.
    process.stdout.close()
    process.stderr.close()


def last_line(text: str, limit: int = 300) -> str:
    """The last non-empty line of a program's output: usually its error message."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:limit] if lines else ""
