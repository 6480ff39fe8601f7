"""Decision snapshots the lake hands to the transactional service through the inbound door
(``DESIGN.md``, "Closing the loop"): pure table-in, table-out builders, keyed by platform ids."""
