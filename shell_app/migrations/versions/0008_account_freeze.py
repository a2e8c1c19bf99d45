"""account freeze: the identity service's copy of a legacy login account (docs/adr/0032)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 03:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('user_accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('frozen_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('migrated_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_user_accounts_frozen_at'), ['frozen_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('user_accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_accounts_frozen_at'))
        batch_op.drop_column('migrated_at')
        batch_op.drop_column('frozen_at')
