"""fazhi: the plumbing of fazhi-extract (config, fetching, cleaning, lake storage, CLI).

Extraction logic lives in the ``extractors`` package; Prefect orchestration in
``flows``; table shapes in ``schemas``.
"""
__version__ = "0.1.0"
