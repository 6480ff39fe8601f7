"""Supplier onboarding: applications and their four-eyes review (``applications.py``),
qualification documents stored by content hash (``documents.py``)."""
