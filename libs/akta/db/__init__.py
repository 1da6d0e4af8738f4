"""SQLAlchemy 2 plumbing: engines per service, unit of work, Alembic migrations."""
