"""Prefect 3 flows and tasks. They orchestrate ``fazhi.pipeline`` (the stages) and ``fazhi.lake``
(the load) and hold no extraction or storage logic of their own.

``flows.server`` picks the Prefect API before Prefect is imported, so this
package imports nothing eagerly: ``from flows.pipeline import run_pipeline``.
"""
