"""Evaluation feedback (评价反馈): buyers rate delivered orders; suppliers see their aggregate.

``ratings`` gives, changes and reads one order's rating; ``summary`` is the per-supplier
aggregate (count and means, never who rated). Ratings reach the lake as ``order.rated`` /
``order.rating_changed`` outbox events, where the supplier scorecards read them.
"""
