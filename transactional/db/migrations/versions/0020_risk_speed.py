"""An index on ``orders(buyer_user_id, supplier_id, placed_at)`` for the risk guard's split
look-back at placement (``ordering/screening.py``: the buyer's latest orders to the supplier
within the split window, newest first, at most ``SPLIT_ROWS``): a backward index scan reads
only those rows, where ``ix_orders_buyer_placed`` read every order of the buyer's window.

Revision ID: 0020
Revises: 0019
"""

from __future__ import annotations

from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_orders_buyer_supplier_placed', 'orders', ['buyer_user_id', 'supplier_id', 'placed_at'])


def downgrade() -> None:
    op.drop_index('ix_orders_buyer_supplier_placed', table_name='orders')
