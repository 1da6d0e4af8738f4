"""`akta-identity audit …`: operating the audit trail from the command line."""

from __future__ import annotations

import click
from sqlalchemy import select

from akta_identity.adapters.orm import organisations
from akta_identity.audit import views


@click.group("audit", help="The audit trail: append-only records in a hash chain per organisation.")
def audit() -> None:
    pass


@audit.command("verify", help="Recompute the hash chains; exit 1 and name the first broken link if any.")
@click.option("--organisation", "organisation_slug", default=None, help="Only this organisation (its slug).")
@click.pass_context
def verify(ctx: click.Context, organisation_slug: str | None) -> None:
    from akta_identity.bootstrap import bootstrap

    service = bootstrap()
    slugs = _organisation_slugs(service)
    tenant_ids = None
    if organisation_slug is not None:
        tenant_ids = [tenant_id for tenant_id, slug in slugs.items() if slug == organisation_slug]
        if not tenant_ids:
            raise click.ClickException(f"no organisation {organisation_slug!r}")
    reports = views.verify_chains(service.database, tenant_ids)
    for report in reports:
        name = slugs.get(report.tenant_id, report.tenant_id)
        if report.ok:
            click.echo(f"ok      {name}: {report.checked} records")
        else:
            broken = report.broken
            click.echo(
                f"BROKEN  {name}: sequence {broken.sequence}"
                f" (record {broken.record_id or 'unknown'}): {broken.problem}"
            )
    if not reports:
        click.echo("no audit records yet")
    if any(not report.ok for report in reports):
        ctx.exit(1)


def _organisation_slugs(service) -> dict[str, str]:
    with service.database.session() as session:
        return {row.id: row.slug for row in session.execute(select(organisations.c.id, organisations.c.slug))}
