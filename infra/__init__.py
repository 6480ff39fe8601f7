"""Shared infrastructure: settings, token signing, service registry, deployment manifests."""
