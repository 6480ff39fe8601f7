"""Use cases of the transactional service over a SQLAlchemy session; never imports FastAPI.

Every function takes the caller's ``Session`` so several use cases can share one database
transaction: a provider callback captures the payment, posts it to the ledger and moves the
order to ``paid`` in one; a delivery posts the goods and accrues the dealer's rebates in one;
a statement run settles orders, refunds and accruals and exports the payable in one.
"""
