"""bill freeze: the customers service's copy of a legacy bill with its payments (issue 29)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 12:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('bills', schema=None) as batch_op:
        batch_op.add_column(sa.Column('frozen_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('migrated_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_bills_frozen_at'), ['frozen_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('bills', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bills_frozen_at'))
        batch_op.drop_column('migrated_at')
        batch_op.drop_column('frozen_at')
