"""The web layer: Flask application, persistence and the `subsidy` command line."""
