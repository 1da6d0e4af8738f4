"""The document flow over HTTP in both modes, every part started as its own process: in real mode
docstore's blobs are in an S3 server (moto's), its renditions made by its worker process."""

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from akta.bus.naming import BusNames
from akta.contracts import SUBSCRIPTIONS
from akta.storage import blob_store_from_url
from tests.e2e.document_scenario import document_flow
from tests.e2e.installation import (
    PASSWORD,
    create_outsider,
    lines_with,
    real_mode_environment,
    start_behind_gateway,
)
from tests.e2e.scenario import sign_in
from tests.support.environment import delete_bus_namespace
from tests.support.processes import Processes, base_environment, free_port, run_command

SERVICES = ("identity", "cases", "docstore")


def _run_together(*chains: list[list[str]], env: dict[str, str]) -> None:
    """Run chains of commands side by side (each chain in order): most of a command's time is
    Python starting up, and the machine has more than one core."""
    with ThreadPoolExecutor(len(chains)) as pool:
        for done in [pool.submit(lambda chain=chain: [run_command(args, env) for args in chain]) for chain in chains]:
            done.result()


def test_document_flow_embedded(tmp_path):
    port = free_port()
    env = base_environment(AKTA_DATA_DIR=str(tmp_path / "var"), AKTA_DOCSTORE_RENDITION_IDLE_SECONDS="0.1")
    processes = Processes(tmp_path)
    try:
        processes.start("embedded", ["akta-embedded", "run", "--port", str(port)], env)
        base_url = f"http://127.0.0.1:{port}"
        processes.wait_ready(f"{base_url}/api/docstore/readyz")
        create_outsider(env)
        caseworker = sign_in(base_url, "demo-skole", "demo", "demo-demo")
        outsider = sign_in(base_url, "other-school", "eve", PASSWORD)
        uploaded = document_flow(base_url, caseworker, outsider, tmp_path)
        lines = lines_with(processes.output(), uploaded.correlation_id)
        assert any("rendition" in line and "kind=text" in line for line in lines), processes.output()
        assert list((tmp_path / "var" / "blobs").rglob(uploaded.sha256))  # the embedded default: a local directory
    finally:
        processes.stop_all()


def _start_moto(processes: Processes) -> str:
    """moto's S3 server on a free port; its URL as docstore's blob store, with a bucket of its own."""
    port = free_port()
    processes.start("moto", ["moto_server", "-H", "127.0.0.1", "-p", str(port)], base_environment())
    processes.wait_ready(f"http://127.0.0.1:{port}/")
    return f"s3://akta:akta-secret@127.0.0.1:{port}/akta-documents?secure=false&region=us-east-1"


def test_document_flow_real_mode(tmp_path, postgres_url, rabbitmq_url, bus_namespace):
    processes = Processes(tmp_path)
    try:
        blob_store_url = _start_moto(processes)
        env = real_mode_environment(
            tmp_path, postgres_url, rabbitmq_url, bus_namespace,
            AKTA_DOCSTORE_BLOB_STORE_URL=blob_store_url, AKTA_DOCSTORE_RENDITION_IDLE_SECONDS="0.1",
        )
        _run_together(*([[f"akta-{service}", "migrate"]] for service in (*SERVICES, "gateway")), env=env)
        # The organisations reach the services over the bus once their relays and workers run.
        base_url = start_behind_gateway(processes, env, SERVICES)
        _run_together(
            [["akta-identity", "create-organisation", "--slug", "skole", "--name", "Skolen"],
             ["akta-identity", "create-user", "--organisation", "skole", "--username", "anna", "--password", PASSWORD,
              "--role", "caseworker", "--role", "administrator"]],
            [["akta-identity", "create-organisation", "--slug", "other-school", "--name", "Other School"],
             ["akta-identity", "create-user", "--organisation", "other-school", "--username", "eve", "--password", PASSWORD]],
            env=env,
        )
        caseworker = sign_in(base_url, "skole", "anna", PASSWORD)
        outsider = sign_in(base_url, "other-school", "eve", PASSWORD)
        uploaded = document_flow(base_url, caseworker, outsider, tmp_path)

        stored = blob_store_from_url(blob_store_url, Path("unused"))
        assert uploaded.sha256 in {blob.sha256 for blob in stored.iter_blobs()}
        assert not (tmp_path / "var" / "blobs").exists()  # nothing fell back to the local directory
        web_lines = [json.loads(line) for line in lines_with(processes.output("docstore-web"), uploaded.correlation_id)]
        worker_lines = [json.loads(line) for line in lines_with(processes.output("docstore-worker"), uploaded.correlation_id)]
        assert any(line["event"] == "rendition" and line["kind"] == "text" for line in worker_lines), processes.output("docstore-worker")
        assert web_lines, processes.output("docstore-web")
    finally:
        processes.stop_all()
        names = BusNames(bus_namespace)
        queues = [name for s in SUBSCRIPTIONS for name in (names.queue(s), names.dead_letter_queue(s))]
        delete_bus_namespace(rabbitmq_url, bus_namespace, queues)
