"""The knowledge schema mapped to and from its two stores, each with both directions
side by side: `pack` (the YAML pack <-> dataclasses) and `rows` (dataclasses <-> table
rows); `seed` copies a pack into the tables and reads it back with `rows`."""
