"""Every expectation suite, in the order they run (see :mod:`expectations.suite`)."""

from expectations.suites.bronze import ERP_FX_RATES, ERP_GOODS_RECEIPTS, ERP_SALES
from expectations.suites.customers import CUSTOMER_LTV, CUSTOMER_RFM, SALES_QUARANTINE
from expectations.suites.stock import INVENTORY_ACCURACY, STOCK_RECONCILIATION
from expectations.suites.supplier_performance import (
    SHIPMENT_TRACKING,
    SUPPLIER_PRICE_HISTORY,
    SUPPLIER_SCORECARDS,
    SUPPLIER_SCORECARDS_CURRENT,
    SUPPLIER_SPEND,
)
from expectations.suites.wms import WMS_RECEIPTS

#: Suites on bronze tables (run before the dbt models).
BRONZE_SUITES = (ERP_SALES, ERP_GOODS_RECEIPTS, ERP_FX_RATES)
#: Suites on the marts (run after them, before publication).
MART_SUITES = (CUSTOMER_RFM, CUSTOMER_LTV, SALES_QUARANTINE, SUPPLIER_SPEND, SUPPLIER_SCORECARDS,
               SUPPLIER_SCORECARDS_CURRENT, SUPPLIER_PRICE_HISTORY, SHIPMENT_TRACKING, STOCK_RECONCILIATION,
               INVENTORY_ACCURACY)
#: Cross-source suites that apply once both sources are ingested.
CROSS_SOURCE_SUITES = (WMS_RECEIPTS,)

ALL_SUITES = (*BRONZE_SUITES, *MART_SUITES, *CROSS_SOURCE_SUITES)


def get_suite(name: str):
    """The suite called ``name``.

    Raises:
        KeyError: no such suite.
    """
    for suite in ALL_SUITES:
        if suite.name == name:
            return suite
    raise KeyError(f"no expectation suite {name!r}; known: {', '.join(s.name for s in ALL_SUITES)}")
