"""Dealer rebates: dealer accounts and rebate settlement (``dealers.py``), accrual at
delivery and reversal on refunds (``accruals.py``)."""
