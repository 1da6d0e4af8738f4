"""The first flow over HTTP in both modes, with every part started as its own process."""

import json

from tests.e2e.browser import browser_sign_in
from tests.e2e.installation import (
    PASSWORD,
    create_outsider,
    lines_with,
    real_mode_environment,
    start_behind_gateway,
)
from tests.e2e.scenario import first_flow, sign_in
from tests.support.processes import Processes, base_environment, free_port, run_command


def test_first_flow_embedded(tmp_path):
    port = free_port()
    env = base_environment(AKTA_DATA_DIR=str(tmp_path / "var"))
    processes = Processes(tmp_path)
    try:
        processes.start("embedded", ["akta-embedded", "run", "--port", str(port)], env)
        base_url = f"http://127.0.0.1:{port}"
        processes.wait_ready(f"{base_url}/api/cases/readyz")
        create_outsider(env)
        caseworker = sign_in(base_url, "demo-skole", "demo", "demo-demo")
        outsider = sign_in(base_url, "other-school", "eve", PASSWORD)
        correlation_id = first_flow(base_url, caseworker, outsider)
        log = processes.output()
        assert "demo data loaded" in log
        lines = lines_with(log, correlation_id)
        assert any("case created" in line for line in lines), log
        assert any("retention entry recorded" in line for line in lines), log
    finally:
        processes.stop_all()


def test_first_flow_real_mode(tmp_path, postgres_url, rabbitmq_url, bus_namespace):
    env = real_mode_environment(tmp_path, postgres_url, rabbitmq_url, bus_namespace)
    for service in ("identity", "cases", "retention", "gateway"):
        run_command([f"akta-{service}", "migrate"], env)
    run_command(["akta-identity", "create-organisation", "--slug", "skole", "--name", "Skolen"], env)
    run_command(
        ["akta-identity", "create-user", "--organisation", "skole", "--username", "anna", "--password", PASSWORD,
         "--role", "caseworker", "--role", "administrator"],
        env,
    )
    create_outsider(env)

    processes = Processes(tmp_path)
    try:
        base_url = start_behind_gateway(processes, env, ("identity", "cases", "retention"))
        caseworker = sign_in(base_url, "skole", "anna", PASSWORD)
        outsider = sign_in(base_url, "other-school", "eve", PASSWORD)
        correlation_id = first_flow(base_url, caseworker, outsider)

        # The web session works through the real-mode proxy too, and ends with sign-out.
        browser, csrf_token = browser_sign_in(base_url, "skole", "anna", PASSWORD)
        assert browser.get("/api/cases/cases").json()["total"] >= 1
        assert browser.post("/logout", data={"csrf_token": csrf_token}).status_code == 303
        assert browser.get("/api/identity/me").status_code == 401

        cases_lines = lines_with(processes.output("cases-web"), correlation_id)
        worker_lines = lines_with(processes.output("retention-worker"), correlation_id)
        assert any(json.loads(line)["event"] == "case created" for line in cases_lines)
        assert any(json.loads(line)["event"] == "retention entry recorded" for line in worker_lines)
    finally:
        processes.stop_all()
