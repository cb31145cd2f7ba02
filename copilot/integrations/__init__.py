"""The copilot's tools and knowledge base in other hosts: an MCP server and a LangChain
toolkit, both built from the one tool registry the agent reads (``tools.TOOLS``)."""
