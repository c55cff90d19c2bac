"""Reading the lake: SQL (``sql``), exports (``export``), scores against gold (``evaluate``), and
what a rule change did (``diff``)."""
