from akta.db.migrations import run_migrations_in_env
from akta_retention.adapters.orm import metadata

run_migrations_in_env(metadata)
