"""akta-docstore: the commands every service has, plus reindex, fixity and renditions."""

from __future__ import annotations

import click

from akta.cli import service_cli
from akta.logs import configure_logging
from akta_docstore.bootstrap import bootstrap
from akta_docstore.service_layer import maintenance

main = service_cli(bootstrap, "docstore")


def _started():
    service = bootstrap()
    configure_logging(service.settings.effective_log_format, service.settings.log_level)
    return service


@main.command(help="Rebuild the search index from docstore's tables (one organisation, or all).")
@click.option("--tenant", default=None, help="Organisation id; all when left out.")
def reindex(tenant: str | None) -> None:
    service = _started()
    cases, documents = maintenance.reindex(service, tenant)
    click.echo(f"indexed {cases} cases and {documents} documents into the {service.search.name} engine")


@main.command(help="Re-read every stored blob, check its SHA-256 and size; exit 1 on any mismatch or loss.")
@click.option("--tenant", default=None, help="Organisation id; all when left out.")
def fixity(tenant: str | None) -> None:
    service = _started()
    report = maintenance.check_fixity(service, tenant)
    click.echo(f"checked {report.checked} blobs: {report.ok} intact, {len(report.mismatched)} changed, {len(report.missing)} missing")
    for problem in report.mismatched:
        click.echo(f"CHANGED {problem}")
    for problem in report.missing:
        click.echo(f"MISSING {problem}")
    if report.mismatched or report.missing:
        raise SystemExit(1)


@main.command("retry-renditions", help="Give failed renditions new attempts (e.g. after installing a missing tool).")
@click.option("--tenant", default=None)
def retry_renditions(tenant: str | None) -> None:
    service = _started()
    click.echo(f"{maintenance.retry_failed_renditions(service, tenant)} renditions will be tried again")
