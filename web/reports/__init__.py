"""Batch reports for the CLI: register screening and policy simulation (readers, tables, HTML with SVG charts)."""
