"""customer and catalogue freeze: the customers service's copy of a legacy customer (with their
contracts), product, plan or locale (docs/adr/0025)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 06:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

TABLES = ('customers', 'products', 'plans', 'locales')


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('frozen_at', sa.DateTime(), nullable=True))
            batch_op.add_column(sa.Column('migrated_at', sa.DateTime(), nullable=True))
            batch_op.create_index(batch_op.f(f'ix_{table}_frozen_at'), ['frozen_at'], unique=False)


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_frozen_at'))
            batch_op.drop_column('migrated_at')
            batch_op.drop_column('frozen_at')
