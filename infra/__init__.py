"""Shared infrastructure: settings, token signing, the HTTP kit both APIs use (``http/``),
the credit-code validator (``uscc.py``), service registry, deployment manifests."""
