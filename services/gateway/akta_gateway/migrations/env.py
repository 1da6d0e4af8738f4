from akta.db.migrations import run_migrations_in_env
from akta_gateway.session_store import metadata

run_migrations_in_env(metadata)
