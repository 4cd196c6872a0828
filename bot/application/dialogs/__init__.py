"""Channel-agnostic multi-step dialogs whose state lives in the database."""
