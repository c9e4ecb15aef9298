"""The built-in simulated model: an OpenAI-compatible server that needs no Azure."""

from scalechat.simulator.app import create_simulator_app
from scalechat.simulator.behaviour import Behaviour

__all__ = ["Behaviour", "create_simulator_app"]
