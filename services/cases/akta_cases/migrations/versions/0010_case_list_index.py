"""cases: an index for counting a caller's readable cases (access group, status, screening)

The case list counts every case the caller may read (`GET /cases`, its status filter, the
dashboard's critical cases). With only (tenant_id, access_group_id, updated_at) to go by,
PostgreSQL counted them with a parallel scan of the whole table, every tenant's rows included: at
100,000 cases 35-40 ms in three processes per request (see "Cases (issue 4)" in
docs/benchmarks.md, bench/cases.py). With this index it takes the access groups' cases (and the
status) from the index and checks the screening in the heap, in one process: 12-30 ms; for a caller
without single-case grants an index-only scan, 2 ms.

Revision ID: 0010_case_list_index
Revises: 0009_tasks
"""
from alembic import op

revision = "0010_case_list_index"
down_revision = "0009_tasks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_cases_tenant_access_status", "cases", ["tenant_id", "access_group_id", "status", "screening_code"]
    )


def downgrade() -> None:
    op.drop_index("ix_cases_tenant_access_status", "cases")
