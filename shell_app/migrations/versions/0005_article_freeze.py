"""article freeze: the knowledge service's copy of a legacy article (docs/adr/0020)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 08:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('frozen_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('migrated_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_articles_frozen_at'), ['frozen_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_articles_frozen_at'))
        batch_op.drop_column('migrated_at')
        batch_op.drop_column('frozen_at')
