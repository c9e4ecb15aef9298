"""Any OpenAI-compatible server (llama.cpp, vLLM, the simulator, OpenAI itself)."""

from __future__ import annotations

import httpx2
import openai


def build_openai_client(base_url: str, api_key: str | None, http_client: httpx2.AsyncClient) -> openai.AsyncOpenAI:
    # Local servers take any key; the SDK insists on one.
    return openai.AsyncOpenAI(
        base_url=base_url, api_key=api_key or "not-needed", max_retries=0, http_client=http_client
    )
