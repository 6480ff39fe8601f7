"""HTTP adapters of the serving API: one router per resource, thin over the repository."""
