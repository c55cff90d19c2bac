"""Arrow schemas of every lake table and the DuckDB views made from them.

This package is the single source of truth for table shapes: the loader
writes Parquet with these schemas, and the views are generated from them.
"""
from .tables import TABLES, TableSpec, table_spec
from .views import view_sql, views_sql

__all__ = ["TABLES", "TableSpec", "table_spec", "view_sql", "views_sql"]
