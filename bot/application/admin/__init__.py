"""Administration: content management (`content`: versioned edits with history and revert),
the unanswered-questions inbox (`inbox`), content files (`files`: FAQ and duties as
YAML/CSV/XLSX) and the admin chat commands (`commands`)."""
