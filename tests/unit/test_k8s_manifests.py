"""The Kubernetes manifests in k8s/: complete, well-formed, and consistent with the code.

They are checked against the code they run: the console scripts of each package's
pyproject.toml and their click commands, and the settings classes that read the AKTA_*
variables. No cluster and no kubectl are needed.
"""

from __future__ import annotations

import importlib
import json
import os
import tomllib
from functools import cache
from pathlib import Path

import click
import pytest
import yaml

from akta.contracts.subscriptions import SUBSCRIPTIONS
from akta.settings import ServiceSettings
from akta.storage.config import blob_store_from_url
from akta.storage.s3 import S3BlobStore
from akta_docstore.settings import DocstoreSettings
from akta_gateway.settings import GatewaySettings
from akta_identity.settings import IdentitySettings

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "k8s"
NAMESPACE = "akta"
SERVICES = ("identity", "cases", "docstore", "dispatch", "intake", "retention")
# The gateway keeps the web sessions in its own schema, so it has a migration too.
MIGRATED = (*SERVICES, "gateway")
# X-Forwarded-For entries each HTTP API believes: the services sit behind the ingress
# controller and the gateway (which appends the ingress's address), the gateway behind the
# ingress controller alone.
TRUSTED_PROXY_HOPS = {**{service: 2 for service in SERVICES}, "gateway": 1}
# Every service that consumes events (akta.contracts.subscriptions) needs a worker Deployment.
SUBSCRIBERS = tuple(sorted({subscription.service for subscription in SUBSCRIPTIONS}))
# The key of the Secret akta-token-keys only identity's HTTP API may see: it signs the tokens.
PRIVATE_KEY = "token-private-key.pem"
# Applied by hand once, never by `kubectl apply -k` (it would overwrite the real Secrets).
TEMPLATES = {"secret.example.yaml"}
# The docstore's blob store and search URLs, with their keys.
DOCSTORE_SECRET = "akta-docstore-connections"
# The Dockerfile's target docstore-worker: the image with the converters (see the Dockerfile).
DOCSTORE_WORKER_IMAGE = "akta-docstore-worker"
API_VERSIONS = {
    "Namespace": "v1",
    "ConfigMap": "v1",
    "Secret": "v1",
    "Service": "v1",
    "Deployment": "apps/v1",
    "Job": "batch/v1",
    "CronJob": "batch/v1",
    "PodDisruptionBudget": "policy/v1",
    "Ingress": "networking.k8s.io/v1",
}


# ---------------------------------------------------------------------------- reading


@cache
def documents() -> tuple[tuple[str, dict], ...]:
    """(file name, document) for every YAML document in k8s/ but the kustomization."""
    found = []
    for path in sorted(K8S.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        for document in yaml.safe_load_all(path.read_text()):
            if document is not None:
                found.append((path.name, document))
    return tuple(found)


def of_kind(kind: str) -> list[dict]:
    return [document for _, document in documents() if document["kind"] == kind]


def named(kind: str, name: str) -> dict:
    matches = [document for document in of_kind(kind) if document["metadata"]["name"] == name]
    assert len(matches) == 1, f"expected one {kind} named {name}, found {len(matches)}"
    return matches[0]


def pod_specs() -> list[tuple[str, dict]]:
    """(workload name, pod spec) of every Deployment, Job and CronJob."""
    return [
        (workload["metadata"]["name"], pod_template(workload)["spec"])
        for workload in of_kind("Deployment") + of_kind("Job") + of_kind("CronJob")
    ]


def pod_template(workload: dict) -> dict:
    if workload["kind"] == "CronJob":
        return workload["spec"]["jobTemplate"]["spec"]["template"]
    return workload["spec"]["template"]


def containers() -> list[tuple[str, dict, dict]]:
    """(workload name, pod spec, container) of every container, init containers included."""
    return [
        (name, spec, container)
        for name, spec in pod_specs()
        for container in spec.get("initContainers", []) + spec["containers"]
    ]


def only_container(workload: dict) -> dict:
    pod_containers = workload["spec"]["template"]["spec"]["containers"]
    assert len(pod_containers) == 1, workload["metadata"]["name"]
    return pod_containers[0]


@cache
def console_scripts() -> dict[str, str]:
    """Console script name -> "module:attribute", from every package's pyproject.toml."""
    scripts = {}
    for pyproject in [ROOT / "libs" / "pyproject.toml", *sorted(ROOT.glob("services/*/pyproject.toml"))]:
        project = tomllib.loads(pyproject.read_text())["project"]
        scripts.update(project.get("scripts", {}))
    return scripts


def click_command(script: str) -> click.Command:
    module, attribute = console_scripts()[script].split(":")
    return getattr(importlib.import_module(module), attribute)


def settings_class(service: str) -> type[ServiceSettings]:
    """The settings class of a service (or the gateway), found in akta_<service>.settings."""
    module = importlib.import_module(f"akta_{service}.settings")
    classes = [
        value
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, ServiceSettings) and value.service_name == service
    ]
    assert len(classes) == 1, f"akta_{service}.settings should define one settings class"
    return classes[0]


def service_of(container: dict) -> str:
    """`akta-cases serve ...` -> "cases"."""
    return container["command"][0].removeprefix("akta-")


# ---------------------------------------------------------------------------- the files


def test_every_document_is_a_known_kind_in_the_akta_namespace():
    assert documents(), "k8s/ holds no manifests"
    for file_name, document in documents():
        kind = document.get("kind")
        assert kind in API_VERSIONS, f"{file_name}: unexpected kind {kind}"
        assert document.get("apiVersion") == API_VERSIONS[kind], f"{file_name}: {kind} apiVersion"
        metadata = document.get("metadata") or {}
        assert metadata.get("name"), f"{file_name}: a {kind} without metadata.name"
        if kind == "Namespace":
            assert metadata["name"] == NAMESPACE
        else:
            assert metadata.get("namespace") == NAMESPACE, f"{file_name}: {kind} {metadata['name']}"


def test_names_are_unique_per_kind():
    keys = [(document["kind"], document["metadata"]["name"]) for _, document in documents()]
    duplicates = {key for key in keys if keys.count(key) > 1}
    assert not duplicates


def test_the_kustomization_lists_every_manifest_but_the_secret_template():
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    listed = kustomization["resources"]
    assert len(listed) == len(set(listed)), "a file is listed twice"
    on_disk = {path.name for path in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(listed) == on_disk - TEMPLATES
    assert TEMPLATES <= on_disk
    assert not list(K8S.glob("*.yml")), "use the .yaml extension, which the checks read"


def test_the_secret_template_only_holds_placeholders():
    for file_name, document in documents():
        if document["kind"] == "Secret":
            assert file_name in TEMPLATES, f"{file_name}: real Secrets do not belong in the repository"
            assert all("CHANGE-ME" in value for value in document["stringData"].values())


# ---------------------------------------------------------------------------- the services


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_serves_http_with_probes_a_service_and_a_disruption_budget(service):
    http_deployment(service)


def test_the_gateway_serves_http_with_probes_a_service_and_a_disruption_budget():
    http_deployment("gateway")


def http_deployment(name: str) -> None:
    deployment = named("Deployment", name)
    container = only_container(deployment)
    assert container["command"][:2] == [f"akta-{name}", "serve"]
    assert container["command"][2:4] == ["--bind", "0.0.0.0:8000"]
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert {port["containerPort"] for port in container["ports"]} == {8000}

    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/port"] == "8000"
    assert annotations["prometheus.io/path"] == "/metrics"

    service = named("Service", name)
    assert service["spec"]["selector"].items() <= pod_labels.items()
    assert [(port["port"], port["targetPort"]) for port in service["spec"]["ports"]] == [(8000, "http")]

    budget = named("PodDisruptionBudget", name)
    assert budget["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_has_a_relay_with_metrics(service):
    relay = named("Deployment", f"{service}-relay")
    assert only_container(relay)["command"][:2] == [f"akta-{service}", "relay"]
    serves_metrics_on_its_own_port(relay)


@pytest.mark.parametrize("service", MIGRATED)
def test_every_service_and_the_gateway_has_a_migration(service):
    commands = [only_container(job)["command"] for job in of_kind("Job")]
    assert [f"akta-{service}", "migrate"] in commands


def test_every_service_with_subscriptions_is_deployed():
    assert SUBSCRIBERS, "no subscriptions found"
    assert set(SUBSCRIBERS) <= set(SERVICES), "a service consumes events but has no manifests"


@pytest.mark.parametrize("service", SUBSCRIBERS)
def test_every_service_with_subscriptions_has_a_worker_with_metrics(service):
    """Without its worker a service never learns identity's grants (or, for identity, never
    records the audit trail): the events pile up in its queues."""
    worker = named("Deployment", f"{service}-worker")
    assert only_container(worker)["command"][:2] == [f"akta-{service}", "worker"]
    assert worker["spec"]["replicas"] >= 1
    serves_metrics_on_its_own_port(worker)


def serves_metrics_on_its_own_port(deployment: dict) -> None:
    """A relay or worker: `--metrics-port P`, container port P, scrape annotations, and a
    liveness probe on P."""
    name = deployment["metadata"]["name"]
    container = only_container(deployment)
    command = container["command"]
    assert "--metrics-port" in command, f"{name}: serve metrics with --metrics-port"
    port = int(command[command.index("--metrics-port") + 1])
    assert port != 8000
    assert [(p["name"], p["containerPort"]) for p in container["ports"]] == [("metrics", port)], name

    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true", name
    assert annotations["prometheus.io/port"] == str(port), name
    assert annotations["prometheus.io/path"] == "/metrics", name

    for probe in ("startupProbe", "livenessProbe"):
        action = container[probe].get("httpGet") or container[probe]["tcpSocket"]
        assert action["port"] in (port, "metrics"), f"{name}: {probe}"
    assert "readinessProbe" not in container, f"{name}: receives no traffic"
    # Set, prometheus_client would keep the metrics in files, on a read-only filesystem.
    assert "PROMETHEUS_MULTIPROC_DIR" not in environment_of(container), name


def test_the_optional_audit_verification_runs_once_at_a_time():
    cron_jobs = [job for job in of_kind("CronJob") if job["metadata"]["name"] == "identity-audit-verify"]
    if not cron_jobs:
        pytest.skip("k8s/identity-audit-verify.yaml was left out")
    (verify,) = cron_jobs
    assert verify["spec"]["concurrencyPolicy"] == "Forbid"
    (container,) = pod_template(verify)["spec"]["containers"]
    assert container["command"] == ["akta-identity", "audit", "verify"]
    assert pod_template(verify)["spec"]["restartPolicy"] == "Never"


def test_the_optional_fixity_check_runs_once_at_a_time_with_the_blob_store():
    cron_jobs = cron_jobs_named("docstore-fixity")
    if not cron_jobs:
        pytest.skip("k8s/docstore-fixity.yaml was left out")
    (fixity,) = cron_jobs
    assert fixity["spec"]["concurrencyPolicy"] == "Forbid"
    (container,) = pod_template(fixity)["spec"]["containers"]
    assert container["command"] == ["akta-docstore", "fixity"]
    assert pod_template(fixity)["spec"]["restartPolicy"] == "Never"
    assert DOCSTORE_SECRET in secret_refs(container)


def test_the_ingress_leads_to_the_gateway_and_the_gateway_to_every_service():
    (ingress,) = of_kind("Ingress")
    backends = [
        path["backend"]["service"] for rule in ingress["spec"]["rules"] for path in rule["http"]["paths"]
    ]
    assert backends and all(backend["name"] == "gateway" for backend in backends)

    gateway = only_container(named("Deployment", "gateway"))
    urls = json.loads(env_values(gateway)["AKTA_GATEWAY_SERVICE_URLS"])
    assert set(urls) == set(SERVICES)
    for service, url in urls.items():
        named("Service", service)
        assert url == f"http://{service}:8000"


# ---------------------------------------------------------------------------- the commands


def test_every_container_runs_a_console_script_of_the_project():
    for workload, _, container in containers():
        command = container.get("command")
        assert command, f"{workload}: set the command (the image's default runs embedded mode)"
        assert command[0] in console_scripts(), f"{workload}: {command[0]} is no console script"


def test_every_container_command_is_accepted_by_its_command_line():
    for workload, _, container in containers():
        script, *arguments = container["command"]
        command, name = click_command(script), script
        assert isinstance(command, click.Group), script
        while isinstance(command, click.Group):  # down to the command, e.g. `audit verify`
            assert arguments, f"{workload}: {name} needs a command"
            parent, (name, *arguments) = command, arguments
            assert name in parent.commands, f"{workload}: {script} has no command {name}"
            command = parent.commands[name]
        # Parses the options (unknown options, wrong types) without running the command.
        with command.make_context(name, list(arguments)):
            pass


def test_only_services_with_subscriptions_run_a_worker():
    from akta.contracts import subscriptions_of

    for workload, _, container in containers():
        if container["command"][1] == "worker":
            assert subscriptions_of(service_of(container)), f"{workload}: nothing to consume"


# ---------------------------------------------------------------------------- the settings


def allowed_variables() -> set[str]:
    """AKTA_<FIELD> for every settings field, and AKTA_<SERVICE>_<FIELD> for each service's own."""
    classes = {service: settings_class(service) for service in SERVICES}
    classes["gateway"] = GatewaySettings
    assert classes["identity"] is IdentitySettings
    allowed = {f"AKTA_{field.upper()}" for field in ServiceSettings.model_fields}
    for service, settings in classes.items():
        for field in settings.model_fields:
            allowed.add(f"AKTA_{field.upper()}")
            allowed.add(f"AKTA_{service.upper()}_{field.upper()}")
    return allowed


def config_maps() -> dict[str, dict[str, str]]:
    return {document["metadata"]["name"]: document.get("data", {}) for document in of_kind("ConfigMap")}


def secrets() -> dict[str, dict[str, str]]:
    return {document["metadata"]["name"]: document.get("stringData", {}) for document in of_kind("Secret")}


def env_values(container: dict) -> dict[str, str]:
    """The container's `env`, a value taken from a ConfigMap or Secret key (`valueFrom`) read
    from the manifests; an optional reference to a key they do not hold is left out, as
    Kubernetes does."""
    values = {}
    for variable in container.get("env", []):
        reference = variable.get("valueFrom", {})
        if "secretKeyRef" in reference or "configMapKeyRef" in reference:
            key_ref = reference.get("secretKeyRef") or reference["configMapKeyRef"]
            source = secrets() if "secretKeyRef" in reference else config_maps()
            data = source.get(key_ref["name"], {})
            if key_ref["key"] in data:
                values[variable["name"]] = data[key_ref["key"]]
            else:
                assert key_ref.get("optional"), (
                    f"{variable['name']}: no key {key_ref['key']} in {key_ref['name']}"
                )
        else:
            values[variable["name"]] = variable.get("value")
    return values


def environment_of(container: dict) -> dict[str, str]:
    """The variables the container starts with: its envFrom sources, then its env."""
    environment = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            environment.update(config_maps()[source["configMapRef"]["name"]])
        if "secretRef" in source:
            environment.update(secrets()[source["secretRef"]["name"]])
    environment.update(env_values(container))
    return environment


def test_every_akta_variable_is_a_setting():
    allowed = allowed_variables()
    names = [name for data in config_maps().values() for name in data]
    names += [name for data in secrets().values() for name in data]
    names += [name for _, _, container in containers() for name in env_values(container)]
    unknown = sorted({name for name in names if name.startswith("AKTA_")} - allowed)
    assert not unknown, f"no settings field reads {unknown}"


def test_every_variable_value_is_a_string():
    # Kubernetes rejects a number or a boolean as a variable's value.
    for data in list(config_maps().values()) + list(secrets().values()):
        for name, value in data.items():
            assert isinstance(value, str), name
    for workload, _, container in containers():
        for variable in container.get("env", []):
            assert isinstance(variable.get("value", ""), str), f"{workload}: {variable['name']}"


def use_environment_of(container: dict, monkeypatch, **extra: str) -> None:
    """The process environment of the container: only its AKTA_* variables and `extra`."""
    for name in [name for name in os.environ if name.startswith("AKTA_")]:
        monkeypatch.delenv(name)
    for name, value in {**environment_of(container), **extra}.items():
        monkeypatch.setenv(name, value)


def test_every_container_reads_its_settings_in_real_mode(monkeypatch):
    """Build each container's settings from the manifests, as the process would at start."""
    for workload, spec, container in containers():
        use_environment_of(container, monkeypatch)
        service = service_of(container)
        settings = (GatewaySettings if service == "gateway" else settings_class(service))()
        assert settings.mode == "real", workload
        assert settings.effective_log_format == "json", workload
        # The gateway too: its web sessions live in its own schema.
        assert settings.effective_database_url.startswith("postgresql+psycopg://"), workload
        assert settings.effective_database_schema == service, workload
        if service == "gateway":
            if container["command"][1] == "serve":
                assert set(settings.service_urls) == set(SERVICES)
            continue
        assert settings.bus_url.startswith("amqp://"), workload
        mounted = mounted_files(spec, container)
        assert str(settings.token_public_key_file) in mounted, f"{workload}: public key not mounted"
        if service == "identity" and container["command"][1] == "serve":
            assert str(settings.effective_private_key_file) in mounted, f"{workload}: no signing key"


def test_every_http_api_trusts_the_proxies_in_front_of_it(monkeypatch):
    """Services behind ingress and gateway believe two X-Forwarded-For entries, the gateway
    one, so that audit records get the browser's address (akta.service.Service.app)."""
    http_apis = [
        (workload, container) for workload, _, container in containers() if container["command"][1] == "serve"
    ]
    assert {service_of(container) for _, container in http_apis} == set(TRUSTED_PROXY_HOPS)
    for workload, container in http_apis:
        use_environment_of(container, monkeypatch)
        service = service_of(container)
        settings = (GatewaySettings if service == "gateway" else settings_class(service))()
        assert settings.trusted_proxy_hops == TRUSTED_PROXY_HOPS[service], workload


def test_the_gateway_keeps_its_sessions_in_its_own_schema_and_sees_no_other_secret(monkeypatch):
    """The gateway (the only part reachable from outside) gets the database URL from the
    Secret, but neither the broker URL nor the SMTP password."""
    gateway_workloads = [
        (workload, container) for workload, _, container in containers() if service_of(container) == "gateway"
    ]
    assert sorted(container["command"][1] for _, container in gateway_workloads) == ["migrate", "serve"]
    for workload, container in gateway_workloads:
        assert not [source for source in container.get("envFrom", []) if "secretRef" in source], workload
        environment = environment_of(container)
        assert "AKTA_BUS_URL" not in environment, workload
        assert not [name for name in environment if "PASSWORD" in name], workload
        use_environment_of(container, monkeypatch)
        settings = GatewaySettings()
        assert settings.effective_database_url == secrets()["akta-connections"]["AKTA_DATABASE_URL"], workload
        assert settings.effective_database_schema == "gateway", workload


def test_the_session_cookie_is_secure_behind_the_tls_ingress(monkeypatch):
    """TLS ends at the Ingress, so the gateway sees plain HTTP: it must be told."""
    (ingress,) = of_kind("Ingress")
    assert ingress["spec"]["tls"]
    use_environment_of(only_container(named("Deployment", "gateway")), monkeypatch)
    assert GatewaySettings().session_cookie_secure is True


def test_the_cases_worker_reads_the_mail_settings(monkeypatch):
    """The notifier in cases-worker sends the e-mails: the SMTP settings of akta-config and the
    password of the Secret reach it."""
    from akta_cases.settings import CasesSettings

    worker = only_container(named("Deployment", "cases-worker"))
    assert worker["command"][:2] == ["akta-cases", "worker"]
    use_environment_of(worker, monkeypatch)
    settings = CasesSettings()
    config = config_maps()["akta-config"]
    for name in ("AKTA_CASES_SMTP_HOST", "AKTA_CASES_SMTP_PORT", "AKTA_CASES_MAIL_FROM"):
        assert name in config, f"set {name} in akta-config"
    assert settings.smtp_host == config["AKTA_CASES_SMTP_HOST"]
    assert settings.mail_from == config["AKTA_CASES_MAIL_FROM"]
    assert (
        settings.smtp_password.get_secret_value() == secrets()["akta-connections"]["AKTA_CASES_SMTP_PASSWORD"]
    )
    assert "AKTA_CASES_SMTP_PASSWORD" not in config, "the password belongs in the Secret"


def test_only_the_docstore_sees_its_blob_store_and_search_urls(monkeypatch, tmp_path):
    """The blob store's keys reach the docstore parts that read or write document bytes or the
    search index (HTTP API, worker, CronJob), and nothing else: not its relay or migration, no
    other service, not the gateway."""
    holders = sorted(
        (service_of(container), container["command"][1])
        for _, _, container in containers()
        if DOCSTORE_SECRET in secret_refs(container)
    )
    expected = [("docstore", "serve"), ("docstore", "worker")]
    if cron_jobs_named("docstore-fixity"):
        expected.append(("docstore", "fixity"))
    assert holders == sorted(expected)
    for workload, _, container in containers():
        if DOCSTORE_SECRET not in secret_refs(container):
            assert not {"AKTA_DOCSTORE_BLOB_STORE_URL", "AKTA_DOCSTORE_SEARCH_URL"} & set(
                environment_of(container)
            ), workload
            continue
        use_environment_of(container, monkeypatch)
        settings = DocstoreSettings()
        # Real mode without a URL would put the bytes under the read-only data directory.
        assert isinstance(blob_store_from_url(settings.blob_store_url, tmp_path), S3BlobStore), workload
        # Optional: OpenSearch, or left out for the built-in engine.
        assert not settings.search_url or settings.search_url.startswith(("https://", "http://")), workload


def test_docstore_spools_uploads_and_renditions_on_a_sized_volume(monkeypatch):
    """The root filesystem is read-only: the HTTP API spools uploads (and the form parser its
    temporary files, TMPDIR) and the worker makes renditions under data_dir/tmp, an emptyDir
    large enough for the worst case its comment works out."""
    for name in ("docstore", "docstore-worker"):
        deployment = named("Deployment", name)
        spec, container = deployment["spec"]["template"]["spec"], only_container(deployment)
        use_environment_of(container, monkeypatch)
        settings = DocstoreSettings()
        scratch = str(settings.data_dir / "tmp")
        assert scratch in empty_dir_mounts(spec, container), f"{name}: {scratch} is not writable"
        size = empty_dir_size(spec, container, scratch)
        if container["command"][1] == "serve":
            assert env_values(container).get("TMPDIR") == scratch, name
            command = container["command"]
            threads = int(command[command.index("--workers") + 1]) * int(command[command.index("--threads") + 1])
            # Each request thread may hold a multipart upload twice: the parser's copy, the spool.
            assert size >= threads * 2 * settings.max_upload_bytes, name
        else:
            # At least the original and a result of the same size, per rendition thread.
            assert size >= settings.rendition_threads * 2 * settings.max_upload_bytes, name


def test_the_docstore_worker_has_the_converters_memory_and_time_for_a_conversion(monkeypatch):
    deployment = named("Deployment", "docstore-worker")
    spec, container = deployment["spec"]["template"]["spec"], only_container(deployment)
    assert container["image"] == DOCSTORE_WORKER_IMAGE, "the renditions need the image with the converters"
    others = {c["image"] for _, _, c in containers() if c is not container}
    assert others == {"akta"}, "only docstore-worker needs the converters"
    use_environment_of(container, monkeypatch)
    settings = DocstoreSettings()
    # About 1 GiB for the worker process and 1 GiB for each conversion in flight.
    assert quantity(container["resources"]["limits"]["memory"]) >= (1 + settings.rendition_threads) * 2**30
    assert quantity(container["resources"]["requests"]["memory"]) >= 2**30
    # Time to finish the conversion in flight, and to fetch the original and store the result.
    assert spec["terminationGracePeriodSeconds"] >= settings.rendition_timeout_seconds + 30


def test_the_ingress_lets_the_largest_upload_reach_docstore(monkeypatch):
    """Else a file just under docstore's limit gets the ingress's 413 page instead."""
    (ingress,) = of_kind("Ingress")
    body_size = ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-body-size"]
    use_environment_of(only_container(named("Deployment", "docstore")), monkeypatch)
    # docstore accepts a request of the limit plus 1 MiB (multipart headers and form fields).
    assert nginx_size(body_size) >= DocstoreSettings().max_upload_bytes + 2**20


def test_only_the_identity_http_api_sees_the_private_key():
    """Only identity's HTTP app signs tokens (the key is loaded when the app is built); every
    other pod, identity's relay, worker, migration and CronJob included, must not have it."""
    holders = []
    for workload, spec, container in containers():
        sees_it = PRIVATE_KEY in mounted_secret_keys(spec, container).values() or any(
            source.get("secretRef", {}).get("name") == "akta-token-keys"
            for source in container.get("envFrom", [])
        )
        if sees_it:
            holders.append((workload, container["command"][:2]))
    assert holders == [("identity", ["akta-identity", "serve"])]

    pointed_to = [
        workload
        for workload, _, container in containers()
        if "AKTA_IDENTITY_TOKEN_PRIVATE_KEY_FILE" in environment_of(container)
    ]
    assert pointed_to == ["identity"]


def test_every_relay_worker_migration_and_cron_job_starts_without_the_private_key(monkeypatch, tmp_path):
    """Compose each non-HTTP process from its manifest's settings, as its command does first
    (nothing connects yet), in a data directory without keys; a worker must find a handler for
    each of its subscriptions."""
    for workload, _, container in containers():
        service, subcommand = service_of(container), container["command"][1]
        if subcommand == "serve":
            continue
        use_environment_of(container, monkeypatch, AKTA_DATA_DIR=str(tmp_path))
        if service == "gateway":  # `akta-gateway migrate` opens only the gateway's database
            from akta_gateway.bootstrap import open_database

            open_database(GatewaySettings()).engine.dispose()
            continue
        bootstrap = importlib.import_module(f"akta_{service}.bootstrap").bootstrap
        built = bootstrap()
        if subcommand == "worker":
            assert built.worker() is not None, workload
        built.database.engine.dispose()
    assert not any(tmp_path.iterdir()), "a process wrote into its data directory"


def mounted_secret_keys(spec: dict, container: dict) -> dict[str, str]:
    """Path -> Secret key of every Secret file mounted into the container."""
    volumes = {volume["name"]: volume for volume in spec.get("volumes", [])}
    files = {}
    for mount in container.get("volumeMounts", []):
        secret = volumes[mount["name"]].get("secret")
        if secret is None:
            continue
        items = secret.get("items") or [{"key": key, "path": key} for key in secrets()[secret["secretName"]]]
        files.update({f"{mount['mountPath']}/{item['path']}": item["key"] for item in items})
    return files


def mounted_files(spec: dict, container: dict) -> set[str]:
    """Paths of the Secret files mounted into the container."""
    return set(mounted_secret_keys(spec, container))


# ---------------------------------------------------------------------------- the pods


def test_every_reference_resolves():
    for workload, spec, container in containers():
        for source in container.get("envFrom", []):
            if "configMapRef" in source:
                assert source["configMapRef"]["name"] in config_maps(), workload
            if "secretRef" in source:
                assert source["secretRef"]["name"] in secrets(), workload
        for variable in container.get("env", []):
            key_ref = variable.get("valueFrom", {}).get("secretKeyRef")
            if key_ref:
                assert key_ref["name"] in secrets(), f"{workload}: no Secret {key_ref['name']}"
                assert key_ref.get("optional") or key_ref["key"] in secrets()[key_ref["name"]], workload
        volumes = {volume["name"]: volume for volume in spec.get("volumes", [])}
        for mount in container.get("volumeMounts", []):
            assert mount["name"] in volumes, f"{workload}: no volume {mount['name']}"
        for volume in volumes.values():
            if "secret" in volume:
                keys = secrets()[volume["secret"]["secretName"]]
                for item in volume["secret"].get("items", []):
                    assert item["key"] in keys, f"{workload}: no key {item['key']}"


def test_selectors_match_their_pods():
    for deployment in of_kind("Deployment"):
        selector = deployment["spec"]["selector"]["matchLabels"]
        assert selector.items() <= deployment["spec"]["template"]["metadata"]["labels"].items()
    for selector in [service["spec"]["selector"] for service in of_kind("Service")] + [
        budget["spec"]["selector"]["matchLabels"] for budget in of_kind("PodDisruptionBudget")
    ]:
        matching = [
            deployment
            for deployment in of_kind("Deployment")
            if selector.items() <= deployment["spec"]["template"]["metadata"]["labels"].items()
        ]
        assert len(matching) == 1, f"{selector} selects {len(matching)} Deployments"


def test_pods_run_unprivileged_on_a_read_only_root_filesystem():
    for workload, spec, container in containers():
        assert spec["securityContext"]["runAsNonRoot"] is True, workload
        assert spec.get("automountServiceAccountToken") is False, workload
        security = container["securityContext"]
        assert security["readOnlyRootFilesystem"] is True, workload
        assert security["allowPrivilegeEscalation"] is False, workload
        assert security["capabilities"]["drop"] == ["ALL"], workload
        assert "/tmp" in empty_dir_mounts(spec, container), f"{workload}: /tmp must be writable"


def test_http_containers_keep_metrics_in_a_writable_directory():
    for workload, spec, container in containers():
        if container["command"][1] == "serve":
            directory = env_values(container).get("PROMETHEUS_MULTIPROC_DIR")
            assert directory in empty_dir_mounts(spec, container), workload


def test_every_container_has_requests_and_limits():
    for workload, _, container in containers():
        resources = container["resources"]
        for bound in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(resources[bound]), f"{workload}: {bound}"


def empty_dir_mounts(spec: dict, container: dict) -> set[str]:
    empty_dirs = {volume["name"] for volume in spec.get("volumes", []) if "emptyDir" in volume}
    return {mount["mountPath"] for mount in container.get("volumeMounts", []) if mount["name"] in empty_dirs}


def empty_dir_size(spec: dict, container: dict, path: str) -> int:
    """The sizeLimit of the emptyDir mounted at `path`; an emptyDir without one fails."""
    volumes = {volume["name"]: volume for volume in spec.get("volumes", [])}
    (mount,) = [mount for mount in container["volumeMounts"] if mount["mountPath"] == path]
    return quantity(volumes[mount["name"]]["emptyDir"]["sizeLimit"])


def secret_refs(container: dict) -> set[str]:
    """Names of the Secrets the container reads as variables (envFrom)."""
    return {source["secretRef"]["name"] for source in container.get("envFrom", []) if "secretRef" in source}


def cron_jobs_named(name: str) -> list[dict]:
    return [job for job in of_kind("CronJob") if job["metadata"]["name"] == name]


QUANTITY_SUFFIXES = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "k": 10**3, "M": 10**6, "G": 10**9}


def quantity(value: str) -> int:
    """Bytes of a Kubernetes quantity of memory or storage ("4Gi", "512Mi")."""
    for suffix, factor in sorted(QUANTITY_SUFFIXES.items(), key=lambda item: -len(item[0])):
        if value.endswith(suffix):
            return int(value.removesuffix(suffix)) * factor
    return int(value)


def nginx_size(value: str) -> int:
    """Bytes of an nginx size ("210m"): k and m are KiB and MiB there."""
    factors = {"k": 2**10, "m": 2**20, "g": 2**30}
    suffix = value[-1:].lower()
    return int(value[:-1]) * factors[suffix] if suffix in factors else int(value)
