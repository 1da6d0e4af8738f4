"""Serving a Flask app under gunicorn from our own command line (gunicorn's custom app API)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from gunicorn.app.base import BaseApplication


class _Application(BaseApplication):
    def __init__(self, load_app: Callable, options: dict) -> None:
        self._load_app = load_app
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self):
        return self._load_app()


def serve_with_gunicorn(load_app: Callable, bind: str, workers: int, threads: int) -> None:
    options = {
        "bind": bind,
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "accesslog": None,
        "graceful_timeout": 20,
        "timeout": 60,
        # The control socket would be written under $HOME, read-only in a hardened container.
        "control_socket_disable": True,
    }
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        _empty_directory(Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]))
        options["child_exit"] = _forget_dead_worker_metrics
    _Application(load_app, options).run()


def _forget_dead_worker_metrics(_server, worker) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def _empty_directory(directory: Path) -> None:
    """Metrics files of a previous run (the directory may outlive a container restart)."""
    directory.mkdir(parents=True, exist_ok=True)
    for leftover in directory.glob("*.db"):
        leftover.unlink()
