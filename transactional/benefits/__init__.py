"""Customer benefits: the lake's customer segments act on the platform.

Segment → benefit policies per business unit (``policies``), applied to the customers
through the inbound door (``inbound``, ``granting``), the payment terms each order is placed
on and its coupon (``checkout``, ``redemption``), coupon campaigns (``coupons``), the
customer 360 of benefits (``customers``); pure rules in ``rules``.
"""
