"""Datasette plugin of ``fazhi browse``: the ``review`` column of records as a link."""
from datasette import hookimpl
from markupsafe import Markup, escape


@hookimpl
def render_cell(value, column, table):
    if column == "review" and isinstance(value, str) and value.startswith("/review/"):
        return Markup(f'<a class="review-link" href="{escape(value)}">review</a>')
    return None
