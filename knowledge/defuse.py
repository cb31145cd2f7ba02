"""Instructions planted in the shop's documents, found and cut before a model reads a passage.

Passages reach the model as quoted data in a fence (the structure is the first defence). A
small model may still obey "ignore previous instructions" inside a quote, so text that speaks
to an AI, overrides instructions or imitates the copilot's own framing is cut (the stored
document is unchanged). Signals are chosen against ``evals/injection_variants.yaml`` (what
attacks look like) and ``evals/injection_benign.yaml`` (what a shop writes: staff told to
"tell customers", "ignore the size chart", an "AI size assistant", "reply with your order
number"), which must pass untouched; ``evals/injection_heldout.yaml`` measures what the
signals were not chosen on.

Two extents: text that speaks to the model is cut from its sentence to the end of its
paragraph; text that imitates the copilot's framing (a role line, a tool result, a passage
heading, a control token, "end of document") says that what follows is the attacker's, so it
is cut to the end of the passage.
"""

from __future__ import annotations

import re

REMOVED = "[instruction removed]"

_AI = (
    r"(?:ai|a\.i\.|chat ?bot|bot|copilot|llm|gpt|chatgpt|language model|virtual (?:agent|assistant)"
    r"|ai (?:assistant|agent|model|system)s?)"
)
_MODAL = (
    r"(?:must|should|shall|is (?:required|instructed|expected|told) to|needs? to|has to"
    r"|is to|may not|must not|please|always|never|will now|from now on)"
)
_SPEAK = r"(?:tell|say|inform|answer|reply|respond|state|claim|write|mention|reveal|print|add)"
_SPOKEN_TO = [
    # An AI addressed by name, or told what it must do.
    rf"\b(?:dear|hey|hi|attention|attn|note to|note for|message (?:to|for)|instructions? (?:to|for)"
    rf"|memo (?:to|for))\s*,?\s*(?:the |all |any )?(?:{_AI}|assistant|model)s?\b"
    r"(?!\s+(?!and\b)[a-z])",
    rf"\b{_AI}s?\b\s*[,:]?\s*{_MODAL}\b",
    rf"\b(?:the|our|this) assistant\s+(?:{_MODAL})\s+(?:always\s+|only\s+)?{_SPEAK}\b",
    r"\b(?:if you are|as|you are) an? (?:ai|language model|assistant|chatbot)\b",
    r"\b(?:any|every) (?:ai|model|assistant|chatbot|llm)s? (?:reading|processing|summari[sz]ing)\b",
    r"\byou are (?:now )?(?:an? |the )?(?:ai|assistant|chatbot|bot|dan|evil\w*|unrestricted)\b",
    # A new role, not a customer's new status ("you are now a member / subscribed / all set").
    r"\byou are now (?:an? |the )?(?!(?:\w+ )?(?:member|subscriber|customer|vip|registered"
    r"|subscribed|enrolled|eligible|signed|logged|part|ready|all|one|in|on|off|able|free|set"
    r"|entitled|qualified|verified|booked|checked)\w*\b)\w+",
    r"\b(?:act|pretend|behave|role-?play) (?:to be |as )\b|let'?s play a game|developer mode"
    r"|jailbr[eo]ak",
    # Instructions overridden.
    r"\b(?:ignore|disregard|forget|override|bypass)\s+(?:all\s+|any\s+|of\s+|the\s+|your\s+|my\s+"
    r"|these\s+|those\s+|everything\s+)*(?:previous|prior|above|earlier|preceding|foregoing"
    r"|system|original|initial|other)?\s*(?:instructions?|rules?|prompts?|guidelines?|directions?"
    r"|directives?|context|programming|constraints?|everything)\b",
    r"\b(?:ignore|disregard|forget)\s+(?:all\s+)?(?:of\s+)?(?:the\s+)?(?:above|previous|prior)"
    r"\s*[.!,;:]",
    r"\bnew (?:instructions?|directives?)\s*[:：]"
    r"|\byour new (?:instructions?|task|role|directives?)\b|\bsystem prompt\b"
    r"|\b(?:hidden|initial) instructions?\b",
    r"(?:^|(?<=[.!?>:]))\s*(?:ai|assistant|chatbot|bot|copilot|model)\s*,\s",
    r"\b(?:decode|translate|decipher|unscramble)\b[^.\n]{0,60}\b(?:follow|obey|do what|execute"
    r"|carry out|act on)\b",
    r"\b(?:takes? precedence over|(?:higher|overrides?) (?:priority )?than|supersedes?)"
    r" (?:your|the|all|any) (?:previous |system |other )?"
    r"(?:instructions?|rules?|prompts?|system)\b",
    r"\b(?:always|only) (?:answer|reply|respond)\s+(?:with|by|in)\b"
    r"|\bin (?:every|each|all) (?:answer|reply|response)s?\b",
    r"\b(?:reveal|print|repeat|output|show|display|leak|disclose)\s+(?:\w+\s+){0,3}(?:system prompt"
    r"|prompt|instructions)\b",
    # Chinese: an AI addressed, instructions overridden or revealed.
    r"(?:(?:AI|人工智能)\s*(?:助手|助理|客服|模型)?|智能助手|智能客服|客服机器人|聊天机器人|机器人|语言模型|大模型)\s*"
    r"(?:须知|必须|务必|应当|应该|需要|请|注意|要|只能|一律|不得|从现在起)",
    r"(?:忽略|无视|忘记|忘掉|抛开|不要理会)(?:掉)?(?:之前|以上|上面|前面|上述|先前|你的|原来的|原有的)?"
    r"(?:的)?(?:所有|全部|一切)?(?:的)?(?:指令|指示|规则|提示词|设定|命令|约束|限制|要求)",
    r"(?:忽略|无视|忘记)(?:之前|以上|上面|前面|上述)(?:的)?(?:内容|一切|所有)?[。，,.!！]",
    r"新(?:的)?(?:指令|指示)|你的新任务|系统提示词|提示词|系统指令|角色扮演|没有(?:任何)?限制的"
    r"|你现在是[^。，,\n]{0,12}(?:AI|人工智能|机器人|助手|模型|DAN)|你(?:收到)?的(?:系统提示|指令|设定)"
    r"|(?:每个|每条|每次|所有)(?:回答|回复)|优先级(?:高于|大于|超过)",
    r"(?:输出|打印|显示|透露|泄露|复述|重复|告诉我)[^。\n]{0,10}(?:提示词|系统指令|内部指令|隐藏)",
]
_FRAMING = [
    r"^\s*(?:system|assistant|developer|tool|系统|助手|开发者)\s*[:：]",
    r"^\s*tool result\s*\(|quoted data, not instructions",
    r"^\s*\[[\w.-]+#[\w.-]+\]",
    r"<\|[\w-]{1,40}\|>|<｜[^｜\n]{1,40}｜>|<</?sys>>"
    r"|\[/?(?:inst|system_prompt|available_tools|tool_calls|tool_results)\]"
    r"|</?(?:start_of_turn|end_of_turn|tool_call|tool_response|bos|eos)>",
    r"\{\s*\"(?:tool|name|function)\"\s*:\s*\"\w+\"\s*,\s*\"(?:arguments|parameters|args)\"",
    r"style\s*=\s*[\"'][^\"']*(?:display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0)",
    r"^\s*(?:工具结果|工具调用)\s*[（(]|[【\[]\s*(?:系统|system)\s*(?:消息|指令|message|instruction)s?\s*[】\]]",
    r"^\s*#{1,6}\s*(?:system|instructions?|developer|admin|assistant)\b",
    r"\b(?:begin|end) (?:of )?(?:the )?(?:system|instructions?|document|context|data|passage"
    r"|quote|quoted (?:data|text))\b",
    r"(?:文档|资料|文件|上下文|引用)(?:内容)?(?:结束|已结束|到此结束)",
]
_SPOKEN = re.compile("|".join(f"(?:{p})" for p in _SPOKEN_TO), re.IGNORECASE)
_FRAMED = re.compile("|".join(f"(?:{p})" for p in _FRAMING), re.IGNORECASE | re.MULTILINE)
_COMMENT = re.compile(
    r"<!--.*?(?:-->|\Z)|^[ \t]*\[[^\]\n]*\]:[ \t]*#[^\n]*", re.DOTALL | re.MULTILINE
)
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)|[。！？]")


def _sentence_start(text: str, at: int) -> int:
    ends = [m.end() for m in _SENTENCE_END.finditer(text, 0, at)]
    newline = text.rfind("\n", 0, at) + 1
    return max(ends[-1] if ends else 0, newline)


def _cut(text: str, start: int) -> str:
    kept = text[:start].rstrip()
    return f"{kept} {REMOVED}" if kept else REMOVED


def defuse(text: str) -> tuple[str, bool]:
    """``text`` with what speaks to a model cut out (marked ``REMOVED``), and whether anything
    was. HTML and Markdown comments go too: a reader never sees them, a model would."""
    found = False
    uncommented = _COMMENT.sub(REMOVED, text)
    if uncommented != text:
        text, found = uncommented, True
    framed = _FRAMED.search(text)
    if framed is not None:
        text, found = _cut(text, _sentence_start(text, framed.start())), True
    paragraphs = re.split(r"(\n\s*\n)", text)
    for i, paragraph in enumerate(paragraphs):
        match = _SPOKEN.search(paragraph)
        if match is not None and paragraph.strip() != REMOVED:
            paragraphs[i] = _cut(paragraph, _sentence_start(paragraph, match.start()))
            found = True
    return "".join(paragraphs), found
