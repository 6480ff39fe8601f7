"""What is sold and on what terms: categories and SKUs (``skus.py``), supplier offers
(``offers.py``), warehouses and stock (``stock.py``), promotions and rebate programmes
(``promotions.py``), and bulk loads of all of it (``bulk.py``)."""
