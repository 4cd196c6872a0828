"""The directive importer: a directive's plain text in, a DRAFT pack for a human to review.

`pipeline.import_directive(text, agencies)` reads the text the way an official does,
one stage a module:

- `reading`: the text normalized (NFC, LF) and each line classified: blank, rule,
  numbered marker ("1." "2)" "I." "1.1." "a)" "Điều 1."), bullet or plain text;
- `front` and `tail`: the front matter (issuer, number, place and date, document type,
  title) off the lines before the body, the recipients and signature off those after;
  `casing` turns their capitals into the body's own case;
- `outline`: the numbered parts nested as the text numbers them, with the preamble
  before the first marker and a closing paragraph after the last bullet;
- `clauses` and `preamble`: each part as a clause (verbatim text, items, draft title)
  with the agencies its heading addresses;
- `duties`: the sentences under a "Nhiệm vụ"-like heading cut into duties, addressed
  to the agencies named (`agencies`), with the deadline or recurrence stated (`dates`);
- `citations`: the documents the body cites;
- `report` and `draft`: the review report, and the draft folder `draft.write_draft`
  writes (directive.yaml, source.txt, import_report.txt).

Every verbatim field of the draft is a slice of the normalized input, so the pack
loader's substring check holds by construction. Curated fields (titles, subjects,
labels) are drafts for the reviewer. What the importer cannot place is listed in
`ImportResult.problems`, one line each, with its line number. The folder loads with
`bot.application.knowledge.pack` once placed under data/directives/.

Callers import each name from the module that defines it (`pipeline.import_directive`,
`draft.write_draft`); this file exports nothing.
"""
