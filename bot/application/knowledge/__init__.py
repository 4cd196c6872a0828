"""The knowledge schema mapped to and from files (the directive pack, YAML) and rows."""
