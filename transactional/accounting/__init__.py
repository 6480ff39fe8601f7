"""The books: dated FX rates (``fx.py``), the double-entry ledger (``ledger.py``) and what
each business event posts to it (``postings.py``). Knows nothing of orders beyond their rows."""
