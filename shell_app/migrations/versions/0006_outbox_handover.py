"""outbox handover: the notifications service's copy of a legacy message, and who owns a part

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 03:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('frozen_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('migrated_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_notifications_frozen_at'), ['frozen_at'], unique=False)
    op.create_table('part_owners',
    sa.Column('part', sa.String(length=40), nullable=False),
    sa.Column('owner', sa.String(length=40), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('part', name=op.f('pk_part_owners'))
    )


def downgrade() -> None:
    op.drop_table('part_owners')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_frozen_at'))
        batch_op.drop_column('migrated_at')
        batch_op.drop_column('frozen_at')
