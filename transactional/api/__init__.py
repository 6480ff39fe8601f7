"""HTTP adapters: one router per resource, each a thin call into a bounded context."""
