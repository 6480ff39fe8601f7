"""Recommendations buyers use: what to reorder now, what goes with it, which supplier to buy from.

* :mod:`.transactions` — the one history frame every recommender reads; leave-last-order-out split;
* :mod:`.signals`, :mod:`.candidates`, :mod:`.ranker`, :mod:`.reasons` — the product recommender
  (reorder rhythm, bought together, similar buyers, trends; gradient-boosted ranker; reasons);
* :mod:`.baselines`, :mod:`.metrics`, :mod:`.evaluate`, :mod:`.cli` — judging it (``grouplake reco``);
* :mod:`.together` — "often ordered together"; :mod:`.suppliers` — supplier recommendation;
* :mod:`.rules` — business rules the transactional service applies (standard library only);
* :mod:`.lake`, :mod:`.train`, :mod:`.score`, :mod:`.snapshot`, :mod:`.gold` — the lake side:
  inputs, training, gold tables, the decision snapshot keyed by platform ids.
"""
