from pathlib import Path

import click

from akta.auth.tokens import write_new_keypair
from akta.cli import service_cli
from akta_identity.access import handlers as access
from akta_identity.audit.cli import audit
from akta_identity.bootstrap import bootstrap
from akta_identity.directory_sync.cli import sync_persons
from akta_identity.service_layer import handlers

main = service_cli(bootstrap, "identity")
main.add_command(audit)
main.add_command(sync_persons)


@main.command("generate-keys", help="Write a new Ed25519 token signing key pair as PEM files.")
@click.option("--private-key", type=click.Path(path_type=Path), required=True)
@click.option("--public-key", type=click.Path(path_type=Path), required=True)
def generate_keys(private_key: Path, public_key: Path) -> None:
    if private_key.exists():
        raise click.ClickException(f"{private_key} exists; refusing to overwrite a signing key")
    write_new_keypair(private_key, public_key)
    click.echo(f"wrote {private_key} and {public_key}")


@main.command("create-organisation", help="Create an organisation (tenant).")
@click.option("--slug", required=True)
@click.option("--name", required=True)
def create_organisation(slug: str, name: str) -> None:
    service = bootstrap()
    organisation = handlers.create_organisation(slug, name, service.unit_of_work())
    click.echo(f"created organisation {organisation.slug} ({organisation.id})")


@main.command("create-user", help="Create a user with a password in an organisation.")
@click.option("--organisation", required=True, help="The organisation's slug.")
@click.option("--username", required=True)
@click.option("--display-name", default="")
@click.option("--role", "roles", multiple=True, default=["caseworker"], show_default=True)
@click.password_option()
def create_user(organisation: str, username: str, display_name: str, roles: tuple[str, ...], password: str) -> None:
    service = bootstrap()
    user = handlers.create_user(organisation, username, display_name, password, list(roles), service.unit_of_work())
    click.echo(f"created user {user.username} ({user.id})")


def _tenant(service, organisation: str) -> str:
    with service.unit_of_work() as uow:
        found = uow.directory.organisation_by_slug(organisation)
        if found is None:
            raise click.ClickException(f"no organisation {organisation!r}")
        return found.id


def _user_id(service, tenant_id: str, username: str) -> str:
    with service.unit_of_work() as uow:
        user = uow.directory.user_by_username(tenant_id, username)
        if user is None:
            raise click.ClickException(f"no user {username!r}")
        return user.id


organisation_option = click.option("--organisation", required=True, help="The organisation's slug.")


@main.command("change-user", help="Change a user's display name, roles or unit.")
@organisation_option
@click.option("--username", required=True)
@click.option("--display-name", default=None)
@click.option("--role", "roles", multiple=True, help="Replaces the user's roles; repeat for several.")
@click.option("--unit-id", default=None)
def change_user(organisation: str, username: str, display_name: str | None, roles: tuple[str, ...], unit_id: str | None) -> None:
    service = bootstrap()
    tenant_id = _tenant(service, organisation)
    access.change_user(service.unit_of_work(), tenant_id, _user_id(service, tenant_id, username), display_name, list(roles) or None, unit_id)
    click.echo(f"changed user {username}")


@main.command("deactivate-user", help="Deactivate a user (never deleted: the audit trail names them).")
@organisation_option
@click.option("--username", required=True)
def deactivate_user(organisation: str, username: str) -> None:
    service = bootstrap()
    tenant_id = _tenant(service, organisation)
    access.deactivate_user(service.unit_of_work(), tenant_id, _user_id(service, tenant_id, username))
    click.echo(f"deactivated user {username}")


@main.command("create-access-group", help="Create an access group.")
@organisation_option
@click.option("--name", required=True)
@click.option("--description", default="")
def create_access_group(organisation: str, name: str, description: str) -> None:
    service = bootstrap()
    group = access.create_access_group(service.unit_of_work(), _tenant(service, organisation), name, description)
    click.echo(f"created access group {group.name} ({group.id})")


@main.command("grant", help="Give a user read or write on an access group, a screening code or a case.")
@organisation_option
@click.option("--username", required=True)
@click.option("--scope-kind", type=click.Choice(["access_group", "screening_code", "case"]), required=True)
@click.option("--scope-id", required=True, help="Access group id, screening code or case id.")
@click.option("--permission", type=click.Choice(["read", "write"]), default="read", show_default=True)
@click.option("--until", "valid_until", type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M"]), default=None,
              help="Last moment the grant works (UTC).")
def grant(organisation: str, username: str, scope_kind: str, scope_id: str, permission: str, valid_until) -> None:
    from datetime import UTC

    service = bootstrap()
    tenant_id = _tenant(service, organisation)
    given = access.give_grant(
        service.unit_of_work(), tenant_id, "user", _user_id(service, tenant_id, username), scope_kind, scope_id, permission,
        valid_until=valid_until.replace(tzinfo=UTC) if valid_until else None,
    )
    click.echo(f"granted ({given.id})")


@main.command("revoke-grant", help="Withdraw a grant.")
@organisation_option
@click.option("--grant-id", required=True)
def revoke_grant(organisation: str, grant_id: str) -> None:
    service = bootstrap()
    access.revoke_grant(service.unit_of_work(), _tenant(service, organisation), grant_id)
    click.echo(f"revoked grant {grant_id}")


@main.command("create-service-account", help="Create a service account for an integration and issue its first API key.")
@organisation_option
@click.option("--name", required=True)
@click.option("--scope", "scopes", multiple=True, required=True, help="E.g. cases:read; repeat for several.")
def create_service_account(organisation: str, name: str, scopes: tuple[str, ...]) -> None:
    service = bootstrap()
    tenant_id = _tenant(service, organisation)
    account = access.create_service_account(service.unit_of_work(), tenant_id, name, list(scopes))
    key, full_key = access.issue_api_key(service.unit_of_work(), tenant_id, account.id)
    click.echo(f"created service account {account.name} ({account.id})")
    click.echo(f"API key {key.id} (shown once): {full_key}")


@main.command("revoke-api-key", help="Revoke an API key at once.")
@organisation_option
@click.option("--account-id", required=True)
@click.option("--key-id", required=True)
def revoke_api_key(organisation: str, account_id: str, key_id: str) -> None:
    service = bootstrap()
    access.revoke_api_key(service.unit_of_work(), _tenant(service, organisation), account_id, key_id)
    click.echo(f"revoked API key {key_id}")
