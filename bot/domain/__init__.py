"""The domain: the knowledge (directive, clauses, duties, agencies), deadlines, the
working calendar, roles and statuses as dataclasses and pure functions. No I/O; imports
nothing from the layers above (only nlu and the settings types)."""
