"""Console channel: `bot chat` (interactive) and `bot ask` (one-shot and JSON lines)."""
