"""Supplier settlement: the statement run that settles delivered orders through the order
lifecycle (``run.py``), and reading statements and payables (``statements.py``)."""
