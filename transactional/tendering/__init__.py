"""Sourcing events (#28): calls for tenders with sealed bids, their comparison and award.

events (open, read, close), bids (submit/revise until closing, sealed reads), tabulation
(bids normalised to landed cost in the group currency), awards (the exact award, its
approval, the bidders' outcomes, and :func:`awards.approved_award_lines` for contracts).
"""
