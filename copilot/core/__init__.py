"""The bottom layer: settings, errors, redaction and small text and file helpers.

Everything else may import from here; nothing here imports another part of the copilot, so
the shop, the knowledge base, the tools and the model backends can share these without
depending on one another.
"""
