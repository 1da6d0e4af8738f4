from pathlib import Path

import click

from akta.auth.tokens import write_new_keypair
from akta.cli import service_cli
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
