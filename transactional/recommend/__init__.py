"""Recommendations where buyers order: the lake's decision snapshot applied through the
inbound door (:mod:`.inbound`), read back with the business rules on the live catalogue
(:mod:`.live`, :mod:`.queries`)."""
