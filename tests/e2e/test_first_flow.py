"""The first flow over HTTP in both modes, with every part started as its own process."""

import json

from tests.e2e.browser import browser_sign_in
from tests.e2e.scenario import first_flow, sign_in
from tests.support.processes import Processes, base_environment, free_port, run_command

PASSWORD = "correct-horse-battery"


def _create_outsider(env: dict[str, str]) -> None:
    run_command(["akta-identity", "create-organisation", "--slug", "other-school", "--name", "Other School"], env)
    run_command(
        ["akta-identity", "create-user", "--organisation", "other-school", "--username", "eve", "--password", PASSWORD],
        env,
    )


def _log_lines_with(log_text: str, correlation_id: str) -> list[str]:
    return [line for line in log_text.splitlines() if correlation_id in line]


def test_first_flow_embedded(tmp_path):
    port = free_port()
    env = base_environment(AKTA_DATA_DIR=str(tmp_path / "var"))
    processes = Processes(tmp_path)
    try:
        processes.start("embedded", ["akta-embedded", "run", "--port", str(port)], env)
        base_url = f"http://127.0.0.1:{port}"
        processes.wait_ready(f"{base_url}/api/cases/readyz")
        _create_outsider(env)
        caseworker = sign_in(base_url, "demo-skole", "demo", "demo-demo")
        outsider = sign_in(base_url, "other-school", "eve", PASSWORD)
        correlation_id = first_flow(base_url, caseworker, outsider)
        log = processes.output()
        assert "demo data loaded" in log
        lines = _log_lines_with(log, correlation_id)
        assert any("case created" in line for line in lines), log
        assert any("retention entry recorded" in line for line in lines), log
    finally:
        processes.stop_all()


def test_first_flow_real_mode(tmp_path, postgres_url, rabbitmq_url, bus_namespace):
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
    )
    run_command(["akta-identity", "generate-keys", "--private-key", str(keys / "private.pem"), "--public-key", str(keys / "public.pem")], env)
    for service in ("identity", "cases", "retention", "gateway"):
        run_command([f"akta-{service}", "migrate"], env)
    run_command(["akta-identity", "create-organisation", "--slug", "skole", "--name", "Skolen"], env)
    run_command(
        ["akta-identity", "create-user", "--organisation", "skole", "--username", "anna", "--password", PASSWORD,
         "--role", "caseworker", "--role", "administrator"],
        env,
    )
    _create_outsider(env)

    ports = {service: free_port() for service in ("identity", "cases", "retention", "gateway")}
    service_urls = {s: f"http://127.0.0.1:{p}" for s, p in ports.items() if s != "gateway"}
    processes = Processes(tmp_path)
    try:
        for service in ("identity", "cases", "retention"):
            processes.start(
                f"{service}-web",
                [f"akta-{service}", "serve", "--bind", f"127.0.0.1:{ports[service]}", "--workers", "1"],
                env,
            )
        for service in ("identity", "cases", "retention"):
            processes.start(f"{service}-relay", [f"akta-{service}", "relay"], env)
        for service in ("identity", "cases", "retention"):
            processes.start(f"{service}-worker", [f"akta-{service}", "worker"], env)
        processes.start(
            "gateway",
            ["akta-gateway", "serve", "--bind", f"127.0.0.1:{ports['gateway']}", "--workers", "1"],
            {**env, "AKTA_GATEWAY_SERVICE_URLS": json.dumps(service_urls)},
        )
        base_url = f"http://127.0.0.1:{ports['gateway']}"
        for service in service_urls:
            processes.wait_ready(f"{base_url}/api/{service}/readyz")
        caseworker = sign_in(base_url, "skole", "anna", PASSWORD)
        outsider = sign_in(base_url, "other-school", "eve", PASSWORD)
        correlation_id = first_flow(base_url, caseworker, outsider)

        # The web session works through the real-mode proxy too, and ends with sign-out.
        browser, csrf_token = browser_sign_in(base_url, "skole", "anna", PASSWORD)
        assert browser.get("/api/cases/cases").json()["total"] >= 1
        assert browser.post("/logout", data={"csrf_token": csrf_token}).status_code == 303
        assert browser.get("/api/identity/me").status_code == 401

        cases_lines = _log_lines_with(processes.output("cases-web"), correlation_id)
        worker_lines = _log_lines_with(processes.output("retention-worker"), correlation_id)
        assert any(json.loads(line)["event"] == "case created" for line in cases_lines)
        assert any(json.loads(line)["event"] == "retention entry recorded" for line in worker_lines)
    finally:
        processes.stop_all()
