"""Arrow's memory in the lake's streaming readers and writers: which pool a streaming command
uses, and giving back what a batch freed. Imports nothing of the project, so every part of the
lake (store, staging, merges) and the pipeline can use it without importing each other."""
from __future__ import annotations

import os


def lean_memory_pool() -> None:
    """Arrow's allocations of this process from the C library's ``malloc`` rather than mimalloc
    (pyarrow's default here), unless ``$ARROW_DEFAULT_MEMORY_POOL`` names a pool. A streaming
    command reads and frees row group after row group; mimalloc keeps the freed pages, so the
    process grew with the lake (a re-extraction of 288 documents held 60 MB more than one of 72
    in its batches alone); with ``malloc`` it stays at a batch's size. Buffers already made keep
    their own pool."""
    import pyarrow as pa

    if not os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        pa.set_memory_pool(pa.system_memory_pool())


def release_unused() -> None:
    """Give the memory Arrow's allocator keeps for reuse back to the system. mimalloc (Arrow's
    default pool here) keeps the pages of freed buffers, so a process reading one row group after
    another would keep growing towards the sum of what it read; the streaming readers call this
    after each batch so their resident size stays that of a batch."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
