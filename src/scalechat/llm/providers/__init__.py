"""Providers build authenticated SDK clients; `build_models` turns settings into ChatModels."""
