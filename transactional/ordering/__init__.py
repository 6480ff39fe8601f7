"""Orders from placement to settlement. ``lifecycle.py`` owns every status change and calls
the side effects it triggers (approvals, payments, refunds, postings, rebates) explicitly;
none of them changes an order's status itself. ``placement.py`` creates orders,
``queries.py`` reads them, ``reservation.py`` holds their stock."""
