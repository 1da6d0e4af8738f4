"""Alembic, driven from code: each service keeps its own migrations folder and version table."""

from __future__ import annotations

import zlib
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData, text

from akta.db.database import Database


def upgrade(database: Database, migrations_dir: Path, revision: str = "heads") -> None:
    """Bring the service's schema to `revision` (every branch head by default: independent
    features may each add a branch off the same parent); safe from several replicas at once."""
    config = _config(database, migrations_dir)
    with database.engine.begin() as connection:
        if database.is_postgresql:
            # Two replicas starting together must not both run the same migration.
            lock_key = zlib.crc32(f"akta-migrate:{database.schema}".encode())
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key})
            connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{database.schema}"'))
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current_revisions(database: Database) -> set[str]:
    from alembic.runtime.migration import MigrationContext

    with database.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"version_table_schema": database.schema}
        )
        return set(context.get_current_heads())


def head_revisions(migrations_dir: Path) -> set[str]:
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    return set(ScriptDirectory.from_config(config).get_heads())


def is_migrated(database: Database, migrations_dir: Path) -> bool:
    """True when every migration this code knows is applied. A database ahead of the code (the
    code rolled back, its schema not) counts as migrated: migrations only add."""
    from alembic.script import ScriptDirectory
    from alembic.script.revision import ResolutionError
    from alembic.util import CommandError

    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    scripts = ScriptDirectory.from_config(config)
    applied: set[str] = set()
    for revision in current_revisions(database):
        try:
            applied.update(script.revision for script in scripts.iterate_revisions(revision, "base"))
        except (ResolutionError, CommandError):
            return True  # a revision this code has never heard of: the database is ahead
    return set(scripts.get_heads()) <= applied


def run_migrations_in_env(target_metadata: MetaData) -> None:
    """Body of every service's `env.py`: migrate on the connection `upgrade` handed over."""
    from alembic import context

    connection = context.config.attributes["connection"]
    schema = context.config.attributes.get("schema")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        version_table_schema=schema,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def _config(database: Database, migrations_dir: Path) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.attributes["schema"] = database.schema
    return config
