"""Running Akta's own commands as separate processes, the way an operator does."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_command(args: list[str], env: dict[str, str], input: str | None = None) -> str:
    """Run one command to completion; fail with its output if it fails."""
    result = subprocess.run(
        [str(BIN / args[0]), *args[1:]], env=env, input=input, capture_output=True, text=True, timeout=120
    )
    if result.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result.stdout


@dataclass
class Processes:
    """Background processes with their output in files, stopped together."""

    log_dir: Path
    running: list[tuple[str, subprocess.Popen, Path]] = field(default_factory=list)

    def start(self, name: str, args: list[str], env: dict[str, str]) -> Path:
        log_file = self.log_dir / f"{name}.log"
        handle = log_file.open("w")
        process = subprocess.Popen(
            [str(BIN / args[0]), *args[1:]], env=env, stdout=handle, stderr=subprocess.STDOUT
        )
        self.running.append((name, process, log_file))
        return log_file

    def wait_ready(self, url: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._fail_if_any_died()
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"{url} not ready in {timeout}s\n{self.output()}")

    def output(self, name: str | None = None) -> str:
        return "\n".join(
            f"--- {n} ---\n{log.read_text()}" for n, _, log in self.running if name in (None, n)
        )

    def stop_all(self) -> None:
        for _, process, _ in self.running:
            process.terminate()
        for _, process, _ in self.running:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()

    def _fail_if_any_died(self) -> None:
        for name, process, _ in self.running:
            if process.poll() is not None:
                raise AssertionError(f"{name} exited with {process.returncode}\n{self.output(name)}")


def base_environment(**values: str) -> dict[str, str]:
    """This process's environment without any AKTA_ setting of the developer's, plus `values`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AKTA_")}
    env.update(values)
    return env
