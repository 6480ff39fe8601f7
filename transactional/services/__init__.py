"""Use cases of the transactional service over a SQLAlchemy session; never imports FastAPI.

Every function takes the caller's ``Session`` so several use cases can share one database
transaction (the follow-up approvals / payments work composes them that way).
"""
