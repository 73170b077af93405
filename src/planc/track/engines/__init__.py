"""Engines that aggregate actuals where they live: DuckDB over files, SQLAlchemy over a database.

``query`` builds the one aggregation (SQLAlchemy Core); ``fold`` turns its
grouped rows into the same :class:`planc.track.tracking.Actuals` the pandas
reader produces; ``duckdb_files`` runs it over CSV and Parquet exports,
``sql`` over a database or warehouse named in ``actuals.source``; ``rules``
holds their diagnostics (PLC790-PLC799) without importing either library.
"""
