"""Answer questions about the directive from the knowledge base.

The NLU says what kind of question it is (intent) and what it names (agencies,
topics, dates, clauses); retrieval finds the duty, passage or figure it is about.
Every answer is built from the pack's data and cites its clause; when nothing in
the pack matches well enough, the answer is a polite refusal with suggestions,
never a guess.

- `service`: `QAService`, the entry point; picks which kind of answer a question gets.
- `answer`: the `Answer` record every answerer returns.
- `matching`: retrieval and ranking of duties, passages, figures and FAQ entries.
- answerers, one module per kind of question: `duties` (an agency's duties, who is
  responsible), `deadlines`, `topics` (quoted passages, topic overviews), `figures`,
  `document` (metadata, a named clause or cited document), `introduction` (results,
  shortcomings), `faq`, `conversation` (small talk, refusals).
- `suggestions`: questions offered as buttons ("did you mean", under a refusal).
- `views`: the data handed to the templates (`timing_view`, duty and passage views).

Import from the modules themselves; this package re-exports nothing, so the modules
can import one another without going through it.
"""
