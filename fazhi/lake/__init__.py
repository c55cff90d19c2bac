"""The lake: Parquet tables in committed generations, DuckDB views over them, one writer at a time.

``store`` (the ``Lake``: generations, transactions, views), ``atomic`` (file
replacement), ``lock`` (the writer's flock), ``staging`` (documents staged in
batches during a run), ``sqlmerge`` and ``load`` (the one streaming merge into a
new generation), ``merge`` (one document per content), ``history`` (extractions
and the records of every rule set).
"""
from fazhi.lake.store import Lake

__all__ = ["Lake"]
