"""intake codes (registering a case from the Prefect form) and per-gate throttles of wrong codes

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('intake_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('code_hash', sqlmodel.sql.sqltypes.AutoString(length=256), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('used_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_intake_codes_username'), 'intake_codes', ['username'], unique=False)
    op.create_table('code_throttles',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('stage', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('window_started', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('paused_until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('case_id', 'stage', 'round')
    )


def downgrade() -> None:
    op.drop_table('code_throttles')
    op.drop_index(op.f('ix_intake_codes_username'), table_name='intake_codes')
    op.drop_table('intake_codes')
