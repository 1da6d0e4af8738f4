from pathlib import Path

import click

from akta.errors import AktaError
from akta_identity.bootstrap import bootstrap
from akta_identity.directory_sync import formats, handlers


@click.command(
    "sync-persons",
    help="Import classes, pupils, guardians and staff from an export of the student administrative "
    "system (CSV or JSON) and print what changed.",
)
@click.option("--organisation", required=True, help="The organisation's slug.")
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True)
@click.option(
    "--format", "file_format", type=click.Choice(formats.FORMATS), default=None,
    help="Defaults to json for a .json file, else csv.",
)
@click.option("--dry-run", is_flag=True, help="Report what would change and change nothing.")
@click.option("--full", is_flag=True, help="The file is the whole directory: deactivate who is missing from it.")
def sync_persons(organisation: str, path: Path, file_format: str | None, dry_run: bool, full: bool) -> None:
    service = bootstrap()
    file_format = file_format or ("json" if path.suffix.lower() == ".json" else "csv")
    try:
        incoming = formats.parse(path.read_bytes(), file_format)
        tenant_id = handlers.organisation_id(organisation, service.unit_of_work())
        report = handlers.sync_persons(tenant_id, incoming, service.unit_of_work(), full=full, dry_run=dry_run)
    except AktaError as error:
        raise click.ClickException(f"{path}: {error.detail}") from None
    for line in report_lines(report):
        click.echo(line)


def report_lines(report: handlers.SyncReport) -> list[str]:
    plan = report.plan
    scope = "full import" if report.full else "partial import"
    outcome = "dry run, nothing was changed" if report.dry_run else "applied"
    lines = [
        f"{scope}, {outcome}: create {plan.count('create')}, update {plan.count('update')}, "
        f"deactivate {plan.count('deactivate')}, unchanged {plan.unchanged}"
    ]
    lines += [f"  {change.summary()}" for change in plan.changes]
    lines += [f"note: {note}" for note in report.notes]
    return lines
