"""Administration: content management (`content`), the unanswered-questions inbox
(`inbox`) and the directive importer (`importer`), which drafts a pack from a text."""
