"""Optional language-model backends: OpenAI-compatible endpoints and Home Assistant's AI task."""
