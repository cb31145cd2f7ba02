"""UI wording in English and Chinese.

Two mechanisms, because two things decide the language: the static page (tabs, buttons, field
labels) follows the browser's locale through Gradio's ``gr.I18n`` (``STATIC``), while
everything produced for one answer (tool messages, badges, table and chart titles) follows the
language of the question it answers (``text``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from copilot.core.text import language_of

Language = str
"""``"en"`` or ``"zh"``."""
Label = Callable[[str], Any]
"""``gr.I18n``: a key -> a label the browser shows in its own locale."""

_DYNAMIC: dict[str, dict[str, str]] = {
    "en": {
        "thinking": "Thinking (step {n})",
        "tool": "Tool",
        "tool_failed": "Tool failed",
        "arguments": "Arguments",
        "result": "Result",
        "no_arguments": "(none)",
        "rows": "{n} rows",
        "checking": "Checking numbers",
        "regenerating": "some numbers were not in the tool results ({numbers}); regenerating",
        "stopped": "■ Stopped.",
        "feedback_saved": "Thank you: your feedback is stored for the evaluators.",
        "no_files": "✖ Choose one or more .csv or .parquet files first.",
        "use_audience": "Plan a campaign for {name}",
        "use_list": "Plan a campaign for this list",
        "audience_from_chat": "Audience from the chat's customer list: {name}.",
        "plan_saved": "✔ Saved as plan {id} (draft). Approve it in the Campaigns tab.",
        "plan_none": "✖ Make a plan first.",
        "whatif": "What if: {changes}.",
        "whatif_same": "What if: the expected result does not move.",
        "fig_profit": "expected profit {a} → {b}",
        "fig_revenue": "expected revenue {a} → {b}",
        "fig_offer_cost": "discount cost {a} → {b}",
        "fig_unallocated": "unallocated budget {a} → {b}",
        "fig_treated": "customers contacted {a} → {b}",
        "fig_lift": "smallest detectable lift {a} → {b} points",
        "camp_plan": "Plan",
        "camp_status": "Status",
        "camp_goal": "Goal",
        "camp_audience": "Audience",
        "camp_budget": "Budget",
        "camp_profit": "Expected profit",
        "camp_created": "Created",
        "camp_none": "No saved plans yet: make one in the Campaign plan tab and press Save.",
        "camp_choose": "✖ Choose a plan in the list first.",
        "camp_frozen": "✖ Plan {id} is already {status}: its audience is frozen.",
        "camp_approved": (
            "✔ Plan {id} approved: {treated} customers to contact with offer code {code}, "
            "{holdout} held out (do not contact them). Download the audience for your "
            "e-mail or SMS tool."
        ),
        "camp_simulated": (
            "✔ Demo: {orders} orders of plan {id}'s campaign simulated (planted rise in "
            "conversion {uplift}). Read it out now."
        ),
        "camp_lesson": "The lesson is saved in the knowledge base; the chat can cite it.",
        "status_draft": "draft",
        "status_approved": "approved",
        "status_running": "running",
        "status_measured": "measured",
        "audience_from_chat_filtered": (
            "Audience from the chat's customer list: the {n} customers of {name} it holds "
            "({filters}). Choosing another audience plans for a whole segment instead."
        ),
        "kb_title": "Title",
        "kb_document": "Document",
        "kb_type": "Type",
        "kb_passages": "Passages",
        "kb_choose": "✖ Choose a document in the list first.",
        "kb_unknown": "✖ That document is no longer in the knowledge base (the list is refreshed).",
        "kb_removed": (
            "✔ {name} removed ({n} passages). Its file stays where it was, so indexing that "
            "folder again would add it back."
        ),
        "kb_removed_upload": "✔ {name} removed ({n} passages) and its uploaded file deleted.",
        "kb_missing_file": "✖ {name}: its file is gone; delete it from the knowledge base instead.",
        "kb_reindexed": "✔ {name} read again: {n} passages.",
        "kb_indexed": (
            "{mark} Documents: {added} added, {updated} updated, {unchanged} unchanged, "
            "{deleted} removed; {chunks} passages embedded; {total} passages in the knowledge base."
        ),
        "kb_skipped": "{name} not indexed: {why}",
        "kb_no_files": "✖ Choose one or more documents first.",
        "kb_reading": "reading the documents and cutting them into passages",
        "kb_embedding": "embedding {n} passages",
        "alt_bar": "{title}, {n} bars: highest {high} ({high_y}), lowest {low} ({low_y}).",
        "alt_line": (
            "{title}, {n} points from {first} to {last}: highest {high_y} at {high}, "
            "lowest {low_y} at {low}."
        ),
        "step_loading": "⏳ Loading the model (first question only)",
        "step_choosing": "⏳ Reading your question, choosing a tool (step {n})",
        "step_running": "⏳ Running {tool}",
        "step_reading": "⏳ Reading the result of {tool}",
        "step_writing": "⏳ Writing the answer",
        "step_checking": "⏳ Checking the figures",
        "model_loading": "⏳ Loading the model {name}: {seconds} s so far. The tabs, data and "
        "plans work meanwhile; a question waits for it.",
        "model_ready": "✔ Model {name} ready (loaded in {seconds} s).",
        "model_failed": "✖ The model did not load: {error}",
        "chat_busy": "Wait for the answer (or press Stop) before changing chats.",
        "args_checked": "Arguments checked against your words",
        "args_dropped": "left out (not in your question): {items}",
        "args_filled": "taken from your question: {items}",
        "args_missing": "missing: {items}",
        "args_instead": "{tool} instead of {was}: your question asks for it",
        "sources": "Sources",
        "error": "✖ Error: {message}",
        "map_columns": (
            "✖ {file}: as a file of {kind}, it has no column recognised as {fields}. "
            "Pick the file's column for each below, then ingest again."
        ),
        "map_pick_all": "pick a column for {fields}",
        "form_goal": "✖ Goal: say what the campaign should achieve (at least 3 characters).",
        "form_budget": "✖ Budget: enter an amount above 0.",
        "form_start": (
            "✖ Start date: {start!r} is not a date; pick one in the calendar (or leave it empty)."
        ),
        "audience_auto": "Chosen from the goal",
        "audience_size": "{name} · {n} customers",
        "offer_auto": "The most profitable (the analysis chooses)",
        "offer_none": "No price offer",
        "offer_pct": "{n}% off",
        "welcome": (
            "**Connected to {shop}**: {customers} customers, {orders} orders from {first} to "
            "{last}, and the shop's documents. Ask about sales and trends, customer segments "
            "and churn, recommendations, prices, campaign results and A/B tests, or ask for a "
            "campaign plan. Every figure comes from a tool run on this data; quotes cite the "
            "documents."
        ),
        "welcome_your_shop": "your shop",
        "welcome_empty": (
            "**No orders loaded yet.** Upload order files (CSV or Parquet) in *Shop data*, or "
            "run `copilot demo` for the demo shop; questions about documents work already."
        ),
        "map_twice": "the column {column!r} is picked for two fields; pick one column per field",
        "chart_profit": "Expected weekly profit by price ({sku})",
        "chart_profit_caption": "current price {current:.2f}, recommended {recommended:.2f}",
        "chart_segments": "Customers per segment",
        "chart_recs": "Recommendation scores",
        "chart_related": "Related products",
        "chart_discount": "Incremental profit by discount depth",
        "chart_elasticity": "Price elasticity per product",
        "chart_trend": "{metric} per {grain} (the last one may be incomplete)",
        "chart_breakdown": "Net sales by {by}",
        "chart_channels": "Channels by {metric}",
        "chart_campaigns": "ROAS per campaign",
        "period_start": "period starting",
        "net_sales": "net sales",
        "channel": "channel",
        "campaign": "campaign",
        "price": "price",
        "profit": "weekly profit",
        "segment": "segment",
        "customers": "customers",
        "product": "product",
        "score": "score",
        "depth": "discount %",
        "elasticity": "elasticity",
        "no_passage": "No passage with id `{citation}` in the knowledge base.",
        "kpi_customers": "customers",
        "kpi_orders": "orders",
        "kpi_revenue": "revenue (net of returns)",
        "kpi_active": "active customers (last {days} days)",
        "kpi_as_of": "data as of",
        "figure": "figure",
        "value": "value",
    },
    "zh": {
        "thinking": "思考中（第 {n} 步）",
        "tool": "工具",
        "tool_failed": "工具出错",
        "arguments": "参数",
        "result": "结果",
        "no_arguments": "（无）",
        "rows": "{n} 行",
        "checking": "核对数字",
        "regenerating": "部分数字不在工具结果中（{numbers}），正在重新生成",
        "stopped": "■ 已停止。",
        "feedback_saved": "谢谢：你的反馈已保存，供评估人员使用。",
        "no_files": "✖ 请先选择一个或多个 .csv 或 .parquet 文件。",
        "use_audience": "为「{name}」制定营销方案",
        "use_list": "为这份名单制定营销方案",
        "audience_from_chat": "目标人群来自对话中的客户名单：{name}。",
        "plan_saved": "✔ 已保存为方案 {id}（草稿）。请在“活动管理”页批准。",
        "plan_none": "✖ 请先生成方案。",
        "whatif": "如果这样调整：{changes}。",
        "whatif_same": "如果这样调整：预期结果不变。",
        "fig_profit": "预期利润 {a} → {b}",
        "fig_revenue": "预期收入 {a} → {b}",
        "fig_offer_cost": "折扣成本 {a} → {b}",
        "fig_unallocated": "未分配预算 {a} → {b}",
        "fig_treated": "触达客户 {a} → {b}",
        "fig_lift": "可检测的最小提升 {a} → {b} 个百分点",
        "camp_plan": "方案",
        "camp_status": "状态",
        "camp_goal": "目标",
        "camp_audience": "目标人群",
        "camp_budget": "预算",
        "camp_profit": "预期利润",
        "camp_created": "创建时间",
        "camp_none": "还没有保存的方案：请在“营销活动方案”页生成并保存。",
        "camp_choose": "✖ 请先在列表中选择一个方案。",
        "camp_frozen": "✖ 方案 {id} 已是“{status}”状态：目标人群已冻结。",
        "camp_approved": (
            "✔ 方案 {id} 已批准：{treated} 位客户使用优惠码 {code} 触达，{holdout} 位留作对照"
            "（不要联系他们）。请下载名单导入邮件或短信工具。"
        ),
        "camp_simulated": (
            "✔ 演示：已模拟方案 {id} 的活动订单 {orders} 笔（植入的转化提升 {uplift}）。"
            "现在可以复盘。"
        ),
        "camp_lesson": "经验已存入知识库，对话中可以引用。",
        "status_draft": "草稿",
        "status_approved": "已批准",
        "status_running": "进行中",
        "status_measured": "已衡量",
        "audience_from_chat_filtered": (
            "目标人群来自对话中的客户名单：{name}中名单所含的 {n} 位客户（{filters}）。"
            "改选其他人群则面向整个分群。"
        ),
        "kb_title": "标题",
        "kb_document": "文档",
        "kb_type": "类型",
        "kb_passages": "段落数",
        "kb_choose": "✖ 请先在列表中选择一个文档。",
        "kb_unknown": "✖ 该文档已不在知识库中（列表已刷新）。",
        "kb_removed": "✔ 已移除 {name}（{n} 个段落）。文件仍在原处，重新索引该文件夹会再次加入。",
        "kb_removed_upload": "✔ 已移除 {name}（{n} 个段落），并删除了上传的文件。",
        "kb_missing_file": "✖ {name}：文件已不存在，请改为从知识库中删除。",
        "kb_reindexed": "✔ 已重新读取 {name}：{n} 个段落。",
        "kb_indexed": (
            "{mark} 文档：新增 {added}，更新 {updated}，未变 {unchanged}，移除 {deleted}；"
            "本次嵌入 {chunks} 个段落；知识库共 {total} 个段落。"
        ),
        "kb_skipped": "{name} 未索引：{why}",
        "kb_no_files": "✖ 请先选择一个或多个文档。",
        "kb_reading": "正在读取文档并切分段落",
        "kb_embedding": "正在嵌入 {n} 个段落",
        "alt_bar": "{title}，共 {n} 个柱：最高 {high}（{high_y}），最低 {low}（{low_y}）。",
        "alt_line": (
            "{title}，从 {first} 到 {last} 共 {n} 个点：最高 {high_y}（{high}），"
            "最低 {low_y}（{low}）。"
        ),
        "step_loading": "⏳ 正在加载模型（仅第一个问题需要）",
        "step_choosing": "⏳ 正在理解问题、选择工具（第 {n} 步）",
        "step_running": "⏳ 正在运行 {tool}",
        "step_reading": "⏳ 正在读取 {tool} 的结果",
        "step_writing": "⏳ 正在撰写回答",
        "step_checking": "⏳ 正在核对数字",
        "model_loading": (
            "⏳ 正在加载模型 {name}：已用 {seconds} 秒。其间可以使用各标签页、数据和方案；"
            "提问会等待模型加载完成。"
        ),
        "model_ready": "✔ 模型 {name} 已就绪（加载用时 {seconds} 秒）。",
        "model_failed": "✖ 模型未能加载：{error}",
        "chat_busy": "请等回答结束（或点击停止）后再切换对话。",
        "args_checked": "已按你的问题核对参数",
        "args_dropped": "已去掉（问题中没有提到）：{items}",
        "args_filled": "已按问题补充：{items}",
        "args_missing": "缺少：{items}",
        "args_instead": "改用 {tool}（而不是 {was}）：你的问题问的是它",
        "sources": "引用来源",
        "error": "✖ 出错：{message}",
        "map_columns": (
            "✖ {file}：按{kind}文件读取时，找不到对应「{fields}」的列。"
            "请在下方为每一项选择文件中的列，然后重新导入。"
        ),
        "map_pick_all": "请为「{fields}」选择一列",
        "form_goal": "✖ 活动目标：请写明活动要达成什么（至少 3 个字）。",
        "form_budget": "✖ 预算：请输入大于 0 的金额。",
        "form_start": "✖ 开始日期：{start!r} 不是日期；请在日历中选择（或不填）。",
        "audience_auto": "根据目标自动选择",
        "audience_size": "{name} · {n} 位客户",
        "offer_auto": "利润最高（由测算决定）",
        "offer_none": "不提供价格优惠",
        "offer_pct": "{n}% 折扣",
        "welcome": (
            "**已连接 {shop}**：{customers} 位客户，{orders} 笔订单（{first} 至 {last}），"
            "以及店铺文档。可以问销售与趋势、客户分群与流失、商品推荐、定价、活动效果和 "
            "A/B 测试，或让我写一份活动方案。每个数字都来自在这些数据上运行的工具；"
            "引用的内容标明出处文档。"
        ),
        "welcome_your_shop": "您的店铺",
        "welcome_empty": (
            "**还没有导入订单。**请在「店铺数据」中上传订单文件（CSV 或 Parquet），"
            "或运行 `copilot demo` 使用演示店铺；关于文档的问题现在就可以问。"
        ),
        "map_twice": "列 {column!r} 被选给了两项；每项请选不同的列",
        "chart_profit": "不同价格下的预期周利润（{sku}）",
        "chart_profit_caption": "当前价格 {current:.2f}，建议价格 {recommended:.2f}",
        "chart_segments": "各客户分群人数",
        "chart_recs": "推荐得分",
        "chart_related": "相关商品",
        "chart_discount": "不同折扣力度的增量利润",
        "chart_elasticity": "各商品的价格弹性",
        "chart_trend": "按{grain}统计的{metric}（最后一期可能不完整）",
        "chart_breakdown": "按{by}划分的净销售额",
        "chart_channels": "各渠道的{metric}",
        "chart_campaigns": "各活动的 ROAS",
        "period_start": "时段起始",
        "net_sales": "净销售额",
        "channel": "渠道",
        "campaign": "活动",
        "price": "价格",
        "profit": "周利润",
        "segment": "分群",
        "customers": "客户数",
        "product": "商品",
        "score": "得分",
        "depth": "折扣 %",
        "elasticity": "弹性",
        "no_passage": "知识库中没有 id 为 `{citation}` 的段落。",
        "kpi_customers": "客户数",
        "kpi_orders": "订单数",
        "kpi_revenue": "销售额（扣除退货）",
        "kpi_active": "活跃客户（近 {days} 天）",
        "kpi_as_of": "数据截至",
        "figure": "指标",
        "value": "数值",
    },
}

STATIC: dict[str, dict[str, str]] = {
    "en": {
        "title": "Marketing copilot",
        "subtitle": "Ask about customers, prices, recommendations and campaigns. "
        "The model frames and phrases; the tools compute.",
        "tab_chat": "Chat",
        "tab_plan": "Campaign plan",
        "tab_campaigns": "Campaigns",
        "save_plan": "Save plan",
        "camp_pick": "Saved plan",
        "camp_approve": "Approve",
        "camp_download": "Download audience (CSV)",
        "camp_with_email": "With e-mail addresses",
        "keep_email": "Keep customers' e-mail addresses (else one known by e-mail is keyed by "
        "a hash)",
        "camp_simulate": "Simulate the campaign (demo)",
        "camp_readout": "Read out",
        "camp_intro": (
            "Approve a saved plan to freeze its audience and split off a random holdout; "
            "download the list for your e-mail or SMS tool; read out the result once the "
            "orders since the start are in."
        ),
        "tab_shop": "Shop data",
        "tab_knowledge": "Knowledge",
        "tab_settings": "Settings",
        "question": "Your question",
        "placeholder": "e.g. What price should I set for CT-0002?",
        "send": "Send",
        "stop": "Stop",
        "new_chat": "New chat",
        "examples": "Examples",
        "chats": "Your chats",
        "chat_title": "Title of this chat",
        "rename": "Rename",
        "delete_chat": "Delete this chat",
        "feedback_comment": "What was wrong with this answer? (optional)",
        "feedback_save": "Send feedback",
        "next_steps": "Next steps",
        "last_result": "Last tool result",
        "chart": "Chart",
        "passage": "Cited passage",
        "citation": "Citation",
        "goal": "Goal",
        "budget": "Budget",
        "audience": "Audience (segment)",
        "channel": "Channel",
        "offer": "Offer",
        "start": "Start date (empty: the Monday after the data ends)",
        "weeks": "Weeks",
        "make_plan": "Make plan",
        "plan": "Plan",
        "narrative": "Narrative (edit before downloading)",
        "edit_plan": "Edit the text",
        "download_csv": "Download the table (CSV)",
        "done_editing": "Done editing",
        "download_md": "Download Markdown",
        "download_json": "Download JSON",
        "kpis": "Key figures",
        "segments": "Segments",
        "top_products": "Top products (last 90 days)",
        "upload_data": "CSV or Parquet files",
        "kind": "File kind",
        "format": "Layout",
        "ingest": "Ingest",
        "ingest_mapped": "Ingest with these columns",
        "ingest_result": "Ingest result",
        "refresh": "Refresh",
        "upload_docs": "Documents (.md, .txt, .pdf)",
        "index": "Index",
        "index_result": "Index result",
        "search": "Search the knowledge base",
        "search_button": "Search",
        "results": "Results",
        "sources": "Indexed documents",
        "kb_pick": "Document",
        "kb_reindex": "Read again",
        "kb_delete": "Delete",
        "settings": "Effective settings (read-only)",
    },
    "zh": {
        "title": "营销助手",
        "subtitle": "询问客户、价格、推荐和营销活动。模型负责理解和表述，工具负责计算。",
        "tab_chat": "对话",
        "tab_plan": "营销活动方案",
        "tab_campaigns": "活动管理",
        "save_plan": "保存方案",
        "camp_pick": "已保存的方案",
        "camp_approve": "批准",
        "camp_download": "下载目标人群（CSV）",
        "camp_with_email": "包含电子邮箱",
        "keep_email": "保存客户电子邮箱（否则仅以邮箱识别的客户按其散列值编号）",
        "camp_simulate": "模拟活动（演示）",
        "camp_readout": "复盘",
        "camp_intro": (
            "批准已保存的方案会冻结目标人群并随机留出对照组；下载名单导入邮件或短信工具；"
            "活动开始后的订单导入后即可复盘。"
        ),
        "tab_shop": "店铺数据",
        "tab_knowledge": "知识库",
        "tab_settings": "设置",
        "question": "你的问题",
        "placeholder": "例如：CT-0002 应该定什么价格？",
        "send": "发送",
        "stop": "停止",
        "new_chat": "新对话",
        "examples": "示例问题",
        "chats": "你的对话",
        "chat_title": "本对话的标题",
        "rename": "重命名",
        "delete_chat": "删除本对话",
        "feedback_comment": "这个回答哪里不对？（可选）",
        "feedback_save": "提交反馈",
        "next_steps": "下一步",
        "last_result": "最近一次工具结果",
        "chart": "图表",
        "passage": "引用的段落",
        "citation": "引用",
        "goal": "目标",
        "budget": "预算",
        "audience": "目标人群（分群）",
        "channel": "渠道",
        "offer": "优惠",
        "start": "开始日期（不填：数据结束后的第一个星期一）",
        "weeks": "周数",
        "make_plan": "生成方案",
        "plan": "方案",
        "narrative": "方案文字（下载前可编辑）",
        "edit_plan": "编辑文字",
        "download_csv": "下载表格（CSV）",
        "done_editing": "完成编辑",
        "download_md": "下载 Markdown",
        "download_json": "下载 JSON",
        "kpis": "关键指标",
        "segments": "客户分群",
        "top_products": "热销商品（近 90 天）",
        "upload_data": "CSV 或 Parquet 文件",
        "kind": "文件类型",
        "format": "格式",
        "ingest": "导入",
        "ingest_mapped": "按所选列导入",
        "ingest_result": "导入结果",
        "refresh": "刷新",
        "upload_docs": "文档（.md、.txt、.pdf）",
        "index": "建立索引",
        "index_result": "索引结果",
        "search": "搜索知识库",
        "search_button": "搜索",
        "results": "结果",
        "sources": "已索引的文档",
        "kb_pick": "文档",
        "kb_reindex": "重新读取",
        "kb_delete": "删除",
        "settings": "当前设置（只读）",
    },
}

EXAMPLES: dict[str, list[str]] = {
    "en": [
        "What price should I set for CT-0002?",
        "Show me my customer segments",
        "Which high-value customers are about to churn?",
        "What is our return policy?",
    ],
    "zh": [
        "为客户 C10001 推荐 5 个商品",
        "我的客户分群是怎样的？",
        "CT-0002 应该定什么价格？",
        "我们的退货政策是什么？",
    ],
}


def language(text: str) -> Language:
    """The language of a question, the same rule the agent uses for its answer."""
    return language_of(text)


def browser_language(accept_language: str | None) -> Language:
    """The language of the browser's ``Accept-Language`` header (its first choice)."""
    first = (accept_language or "").split(",")[0].strip().lower()
    return "zh" if first.startswith("zh") else "en"


def page_language(request: Any) -> Language:
    """The language of the page a Gradio request came from (its browser's first choice)."""
    return browser_language(request.headers.get("accept-language"))


def text(key: str, lang: Language, **values: object) -> str:
    """A label in ``lang`` (English when the language is not translated)."""
    table = _DYNAMIC.get(lang, _DYNAMIC["en"])
    return table[key].format(**values) if values else table[key]
