"""Prefect 3 flows and tasks. They orchestrate the stages in ``fazhi.stages``
and ``fazhi.load`` and hold no extraction or storage logic of their own."""
from .pipeline import run_pipeline

__all__ = ["run_pipeline"]
