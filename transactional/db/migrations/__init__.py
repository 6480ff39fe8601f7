"""Alembic environment of the transactional database (run via ``transactional.migrations``)."""
