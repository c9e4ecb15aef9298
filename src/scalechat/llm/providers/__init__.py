"""Providers build authenticated SDK clients; `llm.catalog` turns settings into ChatModels."""
