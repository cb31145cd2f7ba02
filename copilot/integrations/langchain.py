"""The copilot's tools as LangChain ``StructuredTool``s and its knowledge base as a LangChain
retriever, for LangChain and LangGraph applications.

Names, descriptions and JSON schemas come from the registry the agent reads. A tool returns
its findings as the message content and the structured result as the artifact
(``response_format="content_and_artifact"``); a refusal (a bad argument, an unknown customer)
raises ``ToolException`` with the tool's own words, which LangChain hands back to the model.

    from copilot.integrations.langchain import copilot_retriever, copilot_tools
    tools = copilot_tools(host)          # host = ToolHost(ToolContext(shop, settings))
    agent = create_react_agent(model, tools)
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.tools import StructuredTool, ToolException
from pydantic import ConfigDict

from copilot.integrations.calls import ToolHost
from tools import Tool
from tools.knowledge_search import knowledge_store


def copilot_tools(host: ToolHost) -> list[StructuredTool]:
    """Every registered tool, bound to ``host`` (one context: models fitted once)."""
    return [_structured(host, t) for t in host.tools.values()]


def _structured(host: ToolHost, tool: Tool) -> StructuredTool:
    def run(**arguments: Any) -> tuple[str, dict[str, Any]]:
        outcome = host.call(tool.name, arguments)
        if outcome.refused or outcome.data is None:
            raise ToolException(outcome.text)
        return outcome.text, outcome.data

    # The schema is passed as JSON so that arguments are validated once, by the tool itself,
    # with its own messages (a second, LangChain-side validation would word them differently).
    return StructuredTool(
        name=tool.name,
        description=tool.description,
        args_schema=tool.json_schema(),
        func=run,
        response_format="content_and_artifact",
        handle_tool_error=True,
    )


class CopilotRetriever(BaseRetriever):
    """Passages of the shop's knowledge base (hybrid search) as ``Document``s whose metadata
    carries the citation id (``citation``) an answer cites them by."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    host: ToolHost
    k: int = 4
    """How many passages to return."""
    type: str | None = None
    """Only passages of this document type (policy, product, campaign, lesson, ...)."""

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        hits = knowledge_store(self.host.ctx).search(query, type=self.type, limit=self.k)
        return [
            Document(
                page_content=str(self.host.scrub(hit.text)),
                metadata={
                    "citation": hit.citation,
                    "title": hit.title,
                    "heading": hit.heading,
                    "type": hit.type,
                    "language": hit.language,
                    "source": hit.source,
                    "score": hit.score,
                },
            )
            for hit in hits
        ]


def copilot_retriever(host: ToolHost, k: int = 4, type: str | None = None) -> CopilotRetriever:
    """The knowledge base as a retriever (``k`` passages, optionally of one ``type``)."""
    return CopilotRetriever(host=host, k=k, type=type)
