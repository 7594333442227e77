"""covering index for the case list

``reviewkit case list`` reads these columns of every case, newest first (``ORDER BY id DESC``, with
optional status/kind filters). Each ``cases`` row carries its ~9 KB process snapshot inline, so reading
the table walks overflow pages; the index holds just the listed columns, led by ``id`` so it is
already in the listing's order, and the listing reads the index alone (SQLite: ``SCAN cases USING
COVERING INDEX ix_cases_list``; PostgreSQL can answer it with an index-only scan).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ['id', 'number', 'kind', 'process_fingerprint', 'title', 'drafting_unit', 'drafter', 'stage', 'round',
           'status', 'doc_number', 'created_at']


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_list', COLUMNS, unique=False)


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_list')
