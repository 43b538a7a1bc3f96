"""Data exchange with the city bureau (DOMAIN.md §7; format: docs/exchange-format.md).

Modules: ``format`` (the signed, encrypted zip), ``keys`` (key pairs and partners), ``rows`` (which
tables travel, row ↔ JSON line), ``export`` (the next package), ``importer`` with ``apply_rows`` and
``extras`` (verify, then apply in one transaction), ``receipts`` (acknowledgements), ``shared``
(what the city forwards), ``history`` (packages for the screens and the command line).
"""
