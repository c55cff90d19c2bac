"""The per-document stages as plain functions (``stages``), what a run can skip (``incremental``),
re-extraction from stored texts (``reextract``), failure rows and the progress bar.
``flows/`` wraps these in Prefect tasks and flows."""
