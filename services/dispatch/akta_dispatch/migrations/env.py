from sqlalchemy import MetaData

from akta.db.migrations import run_migrations_in_env

run_migrations_in_env(MetaData())
