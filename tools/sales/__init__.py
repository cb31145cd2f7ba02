"""Sales over a period: revenue, orders, customers, comparisons and breakdowns."""
