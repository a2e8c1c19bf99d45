"""ticket freeze: the moment the new ticketing took its copy of a legacy ticket

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('frozen_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_tickets_frozen_at'), ['frozen_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tickets_frozen_at'))
        batch_op.drop_column('frozen_at')
