"""Domain services: accounts and roles, progress reports. Callers own the session."""
