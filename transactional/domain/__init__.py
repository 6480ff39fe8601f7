"""Pure business rules of the transactional service: no FastAPI, no SQLAlchemy, no I/O."""
