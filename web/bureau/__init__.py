"""Shared pieces of the bureau's pages (calls, applications, review, audit): below every blueprint that uses them."""
