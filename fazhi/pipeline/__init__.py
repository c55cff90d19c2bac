"""The per-document stages as plain functions (``stages``), what a run can skip (``incremental``),
a batch of documents through them (``batch``), failure rows and the progress bar.
``flows/`` wraps these in Prefect tasks and flows."""
