"""Managers' digests: the text, the chart, the .xlsx and the quarterly .docx."""
