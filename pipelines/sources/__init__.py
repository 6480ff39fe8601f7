"""Source connectors: one sub-package per source system (erp, crm, wms, iot).

Each extracts incrementally (watermark / keyset) into Arrow batches for the lake.
"""
