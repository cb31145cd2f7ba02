"""The Gradio web UI over the agent and tools (``python app.py``).

Gradio's analytics are switched off before Gradio is first imported (it reads the variable at
import time and would otherwise call out at launch); set ``GRADIO_ANALYTICS_ENABLED=True`` to
opt in. The pure parts (``events``, ``views``, ``shop_view``, ``i18n``) do not import Gradio.
"""

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
