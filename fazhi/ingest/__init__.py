"""Ingest: sources and listings, fetching, raw bytes kept, formats and encodings read, text cleaned.

``sources`` expands what the user names into documents; ``fetch`` reads a path
or URL; ``rawstore`` keeps the bytes content-addressed; ``formats`` tells and
reads HTML, DOCX, PDF and text (``decode`` for encodings, ``html`` for the main
text of a page); ``clean`` turns that text into the clean text the extractors read.
"""
