"""Catalogue search by pinyin, category and attributes (#24 item 6): ``skus.search_text``, the
folded text a SKU is found by (code, name, the name's pinyin and initials, category name,
attribute values; :mod:`transactional.domain.search`), filled for the SKUs already there.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-08 01:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from transactional.db.types import JSONDocument
from transactional.domain.search import search_text

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('skus') as batch:
        batch.add_column(sa.Column('search_text', sa.String(length=4000), nullable=True))
    skus = sa.table('skus', sa.column('id', sa.BigInteger()), sa.column('code', sa.String()),
                    sa.column('name', sa.String()), sa.column('category_id', sa.BigInteger()),
                    sa.column('attributes', JSONDocument), sa.column('search_text', sa.String()))
    categories = sa.table('categories', sa.column('id', sa.BigInteger()), sa.column('name', sa.String()))
    connection = op.get_bind()
    rows = connection.execute(sa.select(skus.c.id, skus.c.code, skus.c.name, skus.c.attributes, categories.c.name)
                              .select_from(skus.join(categories, categories.c.id == skus.c.category_id))).all()
    for sku_id, code, name, attributes, category in rows:
        connection.execute(sa.update(skus).where(skus.c.id == sku_id)
                           .values(search_text=search_text(code, name, category, attributes or {})))


def downgrade() -> None:
    with op.batch_alter_table('skus') as batch:
        batch.drop_column('search_text')
