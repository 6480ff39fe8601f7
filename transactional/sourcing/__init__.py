"""Sourcing plans (#16): a unit's requisition turned into the cheapest supplier combination
by the exact optimiser (``models.sourcing``) from the live offers (``inputs``), stored and,
once accepted, placed as one order per supplier (``plans``)."""
