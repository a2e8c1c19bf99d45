"""survey template freeze: the ticketing service's copy of a legacy survey template (issue 29)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 12:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('survey_templates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('frozen_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('migrated_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_survey_templates_frozen_at'), ['frozen_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('survey_templates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_templates_frozen_at'))
        batch_op.drop_column('migrated_at')
        batch_op.drop_column('frozen_at')
