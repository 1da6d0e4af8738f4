"""Serving a Flask app under gunicorn from our own command line (gunicorn's custom app API)."""

from __future__ import annotations

from collections.abc import Callable

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
    _Application(
        load_app,
        {
            "bind": bind,
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            "accesslog": None,
            "graceful_timeout": 20,
            "timeout": 60,
        },
    ).run()
