"""The demo group simulator: deterministic source systems of a whole group enterprise.

Company names, aliases and credit codes: :mod:`pipelines.demo.companies`
(``generate_supplier_records``). The generative settings: ``profiles/benchmark.toml``.
"""
