from akta.db.migrations import run_migrations_in_env
from akta_identity.adapters.orm import metadata

run_migrations_in_env(metadata)
