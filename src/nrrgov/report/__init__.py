"""The static HTML report, built from the output tables with Jinja2."""
