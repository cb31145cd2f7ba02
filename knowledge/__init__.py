"""The knowledge base: the shop's documents chunked, embedded and searched with citations."""
