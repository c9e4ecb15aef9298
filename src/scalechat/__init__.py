"""scalechat: a self-hosted enterprise ChatGPT in front of Azure OpenAI."""

__version__ = "0.1.0"
