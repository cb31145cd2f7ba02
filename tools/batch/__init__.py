"""Batch scoring: every customer and product computed at once and written to tables that
the tools serve from while the data has not changed."""
