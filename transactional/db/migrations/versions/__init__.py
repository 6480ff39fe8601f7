"""Alembic revisions of the transactional database, oldest first."""
