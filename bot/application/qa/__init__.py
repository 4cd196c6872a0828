"""Answer questions about the directive from the knowledge base (see `service`)."""
