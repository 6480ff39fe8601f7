"""Supplier standing: the lake's elimination list applied (``inbound``), enforced on new
orders (``enforcement``), lifted per supplier by a confirmed override (``overrides``), and
shown to the supplier itself (``status``)."""
