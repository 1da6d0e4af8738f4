"""Setting an installation up for the end-to-end tests as an operator does: the environment of
real mode, the outsider's organisation, every part of the services as a process of its own behind
the gateway."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.processes import Processes, base_environment, free_port, run_command

PASSWORD = "correct-horse-battery"


def create_outsider(env: dict[str, str]) -> None:
    """Eve, of another organisation, who must never see the school's data."""
    run_command(["akta-identity", "create-organisation", "--slug", "other-school", "--name", "Other School"], env)
    run_command(
        ["akta-identity", "create-user", "--organisation", "other-school", "--username", "eve", "--password", PASSWORD],
        env,
    )


def lines_with(log_text: str, correlation_id: str) -> list[str]:
    return [line for line in log_text.splitlines() if correlation_id in line]


def real_mode_environment(tmp_path: Path, postgres_url: str, rabbitmq_url: str, bus_namespace: str, **extra: str) -> dict[str, str]:
    """Real mode against the test's PostgreSQL database and RabbitMQ namespace, with token keys
    made here by `akta-identity generate-keys`."""
    keys = tmp_path / "keys"
    env = base_environment(
        AKTA_MODE="real",
        AKTA_DATA_DIR=str(tmp_path / "var"),
        AKTA_DATABASE_URL=postgres_url,
        AKTA_BUS_URL=rabbitmq_url,
        AKTA_BUS_NAMESPACE=bus_namespace,
        AKTA_TOKEN_PUBLIC_KEY_FILE=str(keys / "public.pem"),
        AKTA_IDENTITY_TOKEN_PRIVATE_KEY_FILE=str(keys / "private.pem"),
        AKTA_RELAY_IDLE_SECONDS="0.05",
        **extra,
    )
    run_command(
        ["akta-identity", "generate-keys", "--private-key", str(keys / "private.pem"), "--public-key", str(keys / "public.pem")],
        env,
    )
    return env


def start_behind_gateway(processes: Processes, env: dict[str, str], services: tuple[str, ...]) -> str:
    """Each service's HTTP API (gunicorn, one worker), relay and worker, and the gateway in front;
    returns the gateway's URL once every service answers ready through it."""
    ports = {service: free_port() for service in (*services, "gateway")}
    service_urls = {service: f"http://127.0.0.1:{ports[service]}" for service in services}
    for service in services:
        processes.start(
            f"{service}-web", [f"akta-{service}", "serve", "--bind", f"127.0.0.1:{ports[service]}", "--workers", "1"], env
        )
    for service in services:
        processes.start(f"{service}-relay", [f"akta-{service}", "relay"], env)
    for service in services:
        processes.start(f"{service}-worker", [f"akta-{service}", "worker"], env)
    processes.start(
        "gateway",
        ["akta-gateway", "serve", "--bind", f"127.0.0.1:{ports['gateway']}", "--workers", "1"],
        {**env, "AKTA_GATEWAY_SERVICE_URLS": json.dumps(service_urls)},
    )
    base_url = f"http://127.0.0.1:{ports['gateway']}"
    for service in services:
        processes.wait_ready(f"{base_url}/api/{service}/readyz")
    return base_url
