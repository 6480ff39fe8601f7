"""An index on ``orders(buyer_user_id, placed_at)`` for the risk guard's look-backs at
placement (``ordering/screening.py``: the buyer's orders within the velocity window, and to
the supplier within the split window), which otherwise read all of a buyer's orders.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_orders_buyer_placed', 'orders', ['buyer_user_id', 'placed_at'])


def downgrade() -> None:
    op.drop_index('ix_orders_buyer_placed', table_name='orders')
