"""Plain-language reasons for a plan: the tier each allocation reached, why a line has an
excess, and why each other offer of a line was not used (where cheap to tell)."""

from __future__ import annotations

from models.sourcing.model import _ceil, exclusion, tier_ranges
from models.sourcing.spec import Allocation, Offer, Requisition


def allocation_text(offer: Offer, tier: int, quantity: float) -> str:
    """The tier reached by ``quantity`` and, when there is one, what the next tier needs."""
    reached = offer.tiers[tier]
    text = f"tier {tier + 1}/{len(offer.tiers)} (>= {reached.min_qty:g} at {reached.unit_price:g})"
    if tier + 1 < len(offer.tiers):
        nxt = offer.tiers[tier + 1]
        text += f"; next tier >= {nxt.min_qty:g} at {nxt.unit_price:g} needs " \
                f"{nxt.min_qty - quantity:g} more"
    return text


def excess_text(allocations: list[Allocation], offers: dict[str, Offer]) -> str:
    """Why a line bought more than its quantity: the allocations held at a lower bound."""
    causes = []
    for a in allocations:
        offer = offers[a.offer_id]
        k = round(a.quantity / offer.multiple)
        tier = a.tier
        tier_floor = _ceil(offer.tiers[tier].min_qty / offer.multiple)
        moq_floor = _ceil(offer.moq / offer.multiple)
        if k == tier_floor and k > moq_floor and tier > 0:
            causes.append(f"{a.offer_id} bought {a.quantity:g} to reach the tier at "
                          f"{offer.tiers[tier].min_qty:g}")
        elif k == moq_floor and offer.moq > 0:
            causes.append(f"{a.offer_id} held at its MOQ {offer.moq:g}")
        elif offer.multiple != 1:
            causes.append(f"{a.offer_id} sells in multiples of {offer.multiple:g}")
    return "; ".join(causes) or "the cheapest combination buys more than needed"


def not_used_reasons(req: Requisition, allocations: list[Allocation],
                     used: list[str]) -> list[dict[str, str]]:
    """For every offer of a requisition line not in the plan: why (excluded, no reachable
    tier, dearer than what was paid, or the constraint that a cheaper price runs into)."""
    chosen = {a.offer_id for a in allocations}
    need = {line.sku: line.quantity for line in req.lines}
    out = []
    for offer in req.offers:
        if offer.offer_id in chosen or offer.sku not in need:
            continue
        reason = exclusion(req, offer)
        if reason is None:
            reason = _unused_usable(req, offer, allocations, used, need[offer.sku])
        out.append({"offer_id": offer.offer_id, "supplier_id": offer.supplier_id,
                    "sku": offer.sku, "reason": reason})
    return out


def _unused_usable(req: Requisition, offer: Offer, allocations: list[Allocation],
                   used: list[str], quantity: float) -> str:
    ranges = tier_ranges(offer)
    if not ranges:
        return "no price tier reachable within its MOQ, capacity and multiple"
    paid = [a.unit_price for a in allocations if a.sku == offer.sku]
    dearest_paid = max(paid, default=0.0)
    best_t, best_lo, _ = min(ranges, key=lambda r: offer.tiers[r[0]].unit_price)
    best = offer.tiers[best_t].unit_price
    if best >= dearest_paid:
        return f"dearer: its best unit price {best:g} >= {dearest_paid:g} paid on this line"
    reasons = [f"cheaper ({best:g} < {dearest_paid:g} paid) but"]
    lowest_qty = best_lo * offer.multiple
    if lowest_qty > quantity:
        reasons.append(f"that price needs >= {lowest_qty:g} units (line needs {quantity:g})")
    supplier = req.supplier(offer.supplier_id)
    if offer.supplier_id not in used and supplier.fixed_cost > 0:
        reasons.append(f"supplier fixed cost {supplier.fixed_cost:g} outweighs the saving")
    if req.max_suppliers is not None and len(used) >= req.max_suppliers \
            and offer.supplier_id not in used:
        reasons.append(f"max_suppliers {req.max_suppliers} reached")
    if len(reasons) == 1:
        reasons.append("the total is lower without it (tiers, multiples and fixed costs combined)")
    return " ".join([reasons[0], "; ".join(reasons[1:])])
