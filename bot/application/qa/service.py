"""The Q&A's entry point: which kind of answer a question gets.

The NLU says what kind of question it is (intent) and what it names; this module
decides, in order, whether an admin's FAQ entry, small talk, a refusal, something the
question names outright (a clause, a stated figure, a cited document) or the answerer
for the intent replies, and when the classifier hesitates, lets its top intents
compete on the evidence their answerers find. The answerers live in their own
modules, one per kind of question.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial

from bot.application.messages import Button, Reply
from bot.application.qa import directives
from bot.application.qa.answer import CONFIDENT, Answer, make
from bot.application.qa.asks import DOCUMENT_NUMBER, unsupported_ask
from bot.application.qa.conversation import (
    ASKS_HOW,
    ASSISTANT,
    EVIDENCE_HOW,
    REMINDERS,
    SNOOZE,
    asks_who_it_is,
    empty,
    refuse,
    request,
    requested_by_shape,
    small_talk,
    speaks_of_mention,
)
from bot.application.qa.counts import (
    agency_count,
    asks_agency_count,
    asks_duty_count,
    counted,
    duty_count,
    owned_count,
)
from bot.application.qa.coverage import (
    held_by_one_sentence,
    not_mentioned,
    not_theirs,
    quoted_texts,
    unnamed_bodies,
    with_nearest,
)
from bot.application.qa.deadlines import (
    date_of_subject_first,
    deadline,
    deadline_answer,
    deadline_list,
    no_deadline,
)
from bot.application.qa.document import (
    WHEN_ASKED,
    asked_facts,
    asks_document_fact,
    asks_its_content,
    asks_overview,
    bare_header_fact,
    by_cited_document,
    by_clause,
    metadata,
    names_recipients,
    other_document,
    received_for,
    recipient_only,
    retired_directive,
    structure,
    without_phrase,
)
from bot.application.qa.duties import (
    DUTY_WORDS,
    former_agencies,
    held_by_subject,
    partners,
    responsible,
    responsible_for,
    responsible_reply,
)
from bot.application.qa.duties import agency_duties as duties_of_agencies
from bot.application.qa.faq import FaqAnswers
from bot.application.qa.figures import (
    by_figure_value,
    figure,
    listed_count,
    typed_count,
    uncounted,
)
from bot.application.qa.followup import (
    ABOUT_WORDS,
    ASKING_WORDS,
    MAX_FOLLOW_UP_TOKENS,
    NO_THREAD,
    STATUS_WORDS,
    WHEN_WORDS,
    WHO_WORDS,
    Context,
    about_another,
    all_parts,
    asks_deadline_status,
    asks_in_full,
    asks_only,
    asks_when_only,
    condition_not_when,
    context_of,
    next_intent,
    states_condition,
    subject,
    swapped,
    when_asked,
    without_reference,
)
from bot.application.qa.fuller import in_full
from bot.application.qa.introduction import (
    asks_purpose,
    assessment,
    figure_names_topic,
    purpose,
    purpose_of,
    results,
    shortcomings,
)
from bot.application.qa.matching import STRONG_MATCH, Matcher, best, contains, preceded_by
from bot.application.qa.receivers import asks_receiver, receiver, receiver_answer
from bot.application.qa.suggestions import Suggestions, SuggestionWordings
from bot.application.qa.terms import cited_term, terms_as_topics
from bot.application.qa.topics import asks_which_bodies, passages, passages_holding, topic
from bot.application.qa.views import cited_in
from bot.domain.catalog import Catalog
from bot.domain.knowledge import Duty
from nlu.engine import NluEngine, Parse
from nlu.entities import Entity
from nlu.normalize import fold, fold_words

# An FAQ phrasing this close to the question, holding nearly all its content
# words, answers it before anything else; a weaker FAQ match (down to
# MIN_FAQ_MATCH) answers only when nothing else does.
PREEMPTING_FAQ_MATCH = 0.8
PREEMPTING_FAQ_COVERAGE = 0.8
MIN_FAQ_MATCH = 0.55
# At least this share of a message's content words must be known to the domain
# (directive, FAQ, in-scope training examples) for it to be answered at all.
MIN_KNOWN_SHARE = 0.5
# Below CONFIDENT (answer.py), the classifier's top intents (each at least
# MIN_CANDIDATE) compete on the evidence their handlers find.
MIN_CANDIDATE = 0.15
# Below the calibrated threshold (data/nlu/calibration.yaml, per backend, written by
# `bot nlu eval`) the classifier does not know what kind of question it is: the
# reply offers the closest questions instead. This default applies without one ...
# unless the data matches at least STRONG_MATCH: then the kind of question matters little.
DEFAULT_SUGGEST_BELOW = 0.25
# Answers that do not search (metadata, lists) have no match score to check them
# against, so they need a surer classifier; calibrated on data/nlu/test.yml.
FIXED_MIN_CONFIDENCE = 0.4

# An out-of-scope verdict less likely than not, on a message naming a topic of the
# pack, is checked against the passages instead of refused outright.
UNSURE_OUT_OF_SCOPE = 0.5
# An out-of-scope verdict on a message one passage matches strongly (STRONG_MATCH) and
# holds at least this share of the content words of is overruled by that passage.
COVERED_WORDS = 0.75
SMALL_TALK = frozenset({"greet", "goodbye", "thanks", "help", "report_progress"})
# Small talk that is only that: a word its examples never use ("thời tiết" classified
# as a goodbye) makes the message a question about something else.
PLAIN_SMALL_TALK = frozenset({"greet", "goodbye", "thanks"})
# Intents whose handler answers without searching: they answer only when the
# classifier is confident of them, never as a hesitant first choice or a runner-up.
# Words that date a document ("năm 2021", "ngày 19/4"), folded.
DATING_WORDS = frozenset({"nam", "ngay", "thang"})
FIXED_INTENTS = frozenset({"ask_metadata", "ask_shortcomings", "ask_deadline_list"})
# Answers that answer nothing: a refusal, or the question asked back.
UNANSWERED = frozenset({"refusal", "did_you_mean", "empty", "ask_back"})
# Intents after which, if their handler finds nothing, a quoted passage or an FAQ
# entry may still answer. A figure or a deadline that is not in the data is not
# replaced by some loosely related sentence.
OPEN_INTENTS = frozenset({"ask_topic", "ask_responsible", "ask_agency_duties", "ask_results"})


class QAService:
    def __init__(
        self,
        catalog: Catalog,
        nlu: NluEngine,
        suggestion_wordings: SuggestionWordings,
        generic_words: frozenset[str] = frozenset(),
        suggest_below: float = DEFAULT_SUGGEST_BELOW,
        small_talk_words: frozenset[str] = frozenset(),
    ) -> None:
        """`small_talk_words`: the words of the greeting, goodbye and thanks examples
        (none: every message the classifier calls small talk is taken as such)."""
        self.catalog = catalog
        self.small_talk_words = small_talk_words
        self.nlu = nlu
        self.suggest_below = suggest_below
        self.matcher = Matcher(catalog, generic_words)
        self.faq = FaqAnswers(self.matcher, nlu)
        self.suggested = Suggestions(catalog, suggestion_wordings, self.matcher.generic_words)
        # The answerer for each intent: each returns None when the pack holds nothing
        # matching.
        self._handlers: dict[str, Callable[[Parse], Answer | None]] = {
            "ask_agency_duties": partial(duties_of_agencies, self.matcher),
            "ask_responsible": partial(responsible, self.matcher),
            "ask_deadline": partial(deadline, self.matcher),
            "ask_deadline_list": partial(deadline_list, catalog),
            "ask_topic": partial(topic, self.matcher),
            "ask_figure": partial(figure, self.matcher),
            "ask_metadata": partial(metadata, catalog),
            "ask_shortcomings": partial(shortcomings, catalog),
            "ask_results": partial(results, self.matcher),
        }
        # With several directives, a service per directive answers what is asked of it
        # (`bot.application.qa.directives` chooses); with one, this service does.
        self.by_directive: dict[str, QAService] = {}
        if len(catalog.directives) > 1:
            self.by_directive = {
                directive_id: QAService(
                    catalog.for_directive(directive_id),
                    nlu,
                    suggestion_wordings,
                    generic_words,
                    suggest_below,
                    small_talk_words,
                )
                for directive_id in catalog.directives
            }

    # Entry point.

    def answer(
        self, text: str, context: Context | None = None, parsed: Parse | None = None
    ) -> Answer:
        """The answer to `text`; `context` (the user's last answered question, while
        fresh) lets a follow-up ("còn Sở Nội vụ thì sao?", "hạn khi nào?") be read
        against it; `parsed`: `text` parsed already (by the service of several
        directives, whose NLU is this one's)."""
        if directives.asks_for_directives(text):
            return directives.listing(self.catalog, parsed or self.nlu.parse(text))
        if self.by_directive:
            return self._across_directives(text, context)
        whole = self._one(text, context, parsed)
        whole = directives.named_term(self.matcher, whole, text) or whole
        if parsed is None and whole.parse is not None:
            # "Chỉ thị 06 năm 2020 nói về gì": the year is said to be wrong first, as
            # with several directives (`_across_directives`, which passes `parsed`).
            note = directives.wrong_year_note(self.catalog, whole.parse)
            if note is not None:
                return replace(whole, reply=note, also=(whole.reply, *whole.also))
        parts = all_parts(text, lambda part: bool(self.nlu.parse(part).values("agency")))
        if (
            parts is None
            or _several_header_facts(whole)
            or _recipient_named(whole)
            or (
                # "QĐ 1987 ký ngày nào và về việc gì": its date and subject, in one
                # line; the later parts name nothing else.
                whole.kind == "cited_document"
                and not any(self.nlu.parse(part).entities for part in parts[1:])
            )
        ):
            # "do ai ký, ban hành ngày nào, số hiệu gì": the header's facts, a line
            # each, answer every part at once; split, the parts after the first name
            # nothing of the document and match stray sentences.
            return whole
        # "Sở Nội vụ phải làm gì và hạn khi nào?": the later parts follow the first.
        first = self._one(parts[0], context)
        if first.kind in NOT_ANSWERED:
            return whole
        answers = [first]
        answered_before = False  # a later part whose sentences the first one quotes
        for part in parts[1:]:
            later = self._later_part(part, first, context)
            if later.kind in NOT_ANSWERED:
                continue
            if any(_repeats(a, later) for a in answers):
                # "tổng số CKS bao nhiêu, trong đó của cá nhân bao nhiêu": the first
                # part's figure gives it (its breakdown).
                answered_before = answered_before or later.kind == "figure"
                continue
            if self._quotes_again(later, answers):
                # "… giao cho ai, nội dung gì?": the sentence quoted already.
                answered_before = True
                continue
            answers.append(later)
        if len(answers) == 1:
            return first if answered_before else whole
        if first.kind == "not_mentioned":
            # Its suggestions would come after the later parts' answers, not after it.
            first = replace(first, reply=replace(first.reply, buttons=()))
        replies = []
        offered = set(first.reply.buttons)
        for later in answers[1:]:
            reply = later.reply
            if later.duties and set(later.duties) <= set(first.duties):
                # The same duty's sentence, quoted once: the part says only its fact.
                reply = replace(reply, data={**reply.data, "quoted": True})
            # A choice the first part offers already ("Xem nguyên văn Mục 1.c"): once.
            reply = replace(reply, buttons=tuple(b for b in reply.buttons if b not in offered))
            offered |= set(reply.buttons)
            replies += [reply, *later.also]
        return replace(
            first,
            citations=tuple(dict.fromkeys(c for a in answers for c in a.citations)),
            duties=tuple(dict.fromkeys(d for a in answers for d in a.duties)),
            also=(*first.also, *replies) if first.also else tuple(replies),
        )

    def _quotes_again(self, later: Answer, answers: Sequence[Answer]) -> bool:
        """Whether every sentence `later` quotes is of a duty an earlier answer gave (a
        deadline gave only the piece of its duty stating the date: "hạn chuyển hệ thống
        khi nào, nếu không thể chuyển thì phải làm gì" asks the rest of the sentence)."""
        quoted = quoted_texts(later)
        given = {
            text.strip()
            for answer in answers
            for text in (
                quoted_texts(answer)
                if answer.kind == "deadline"
                else [
                    self.catalog.duties[d][1].text
                    for d in answer.duties
                    if d in self.catalog.duties
                ]
            )
        }
        return bool(quoted) and all(any(q.strip() in g for g in given) for q in quoted)

    def _later_part(self, part: str, first: Answer, context: Context | None) -> Answer:
        """A part after the first of a question asking several things: read as a
        follow-up of the first part's answer, of its subject."""
        subject_ = self._subject(first.parse) if first.parse is not None else ""
        later = self._one(part, context_of(first) or context, inherit=subject_)
        if later.kind in NOT_ANSWERED and first.parse is not None:
            # "Hạn nộp báo cáo quý là khi nào, nộp cho ai?": the part asks about what
            # the first does.
            later = self._one(f"{subject_} {part}", context)
        if later.kind == "deadline_list" and first.duties:
            # "STTTT phải báo cáo ai, bao lâu một lần?": the dates of what the first
            # part is about, never every deadline of the directive.
            later = self._deadlines_of(later.parse or first.parse, first.duties) or later
        return _without_figures_of(first, later)

    def _deadlines_of(
        self, parse: Parse | None, keys: Sequence[str], thread: Context | None = None
    ) -> Answer | None:
        """The deadlines of the duties `keys`: one line when none has a date, after
        the date of a duty on the `thread`'s subject when it gives one ("chuyển hệ
        thống về TTDL": Sở TT&TT's undated part in it, then the task's own date,
        31/12/2019, of Mục 1.c)."""
        duties = [self.catalog.duties[d][1] for d in keys if d in self.catalog.duties]
        if parse is None or not duties:
            return None
        dated = [d for d in duties if d.timing.kind != "continuous"]
        if dated:
            return deadline_answer(self.catalog, parse, dated[:3], 1.0)
        same_subject = self._dated_on_topics(thread, duties) if thread is not None else []
        if not same_subject and thread is not None:
            # "Sở Nội vụ phải làm gì?" then "hạn khi nào?": its own duties have no
            # date; the common ones it has too do (Mục 1.c, 31/12/2019).
            same_subject = [
                a.duty
                for agency_id in thread.agencies
                if agency_id in self.catalog.agencies
                for a in self.catalog.assignments(self.catalog.agencies[agency_id])
                if a.duty.timing.kind != "continuous" and a.duty not in duties
            ]
        if not same_subject:
            return no_deadline(self.catalog, parse, duties)
        return date_of_subject_first(self.catalog, parse, same_subject[:3], duties)

    def _across_directives(self, text: str, context: Context | None) -> Answer:
        """The answer from the directive the question names, follows or fits; the
        question back when several fit."""
        parse = self.nlu.parse(text)
        chosen = directives.named(self.catalog, parse, text)
        if chosen:
            # "Chỉ thị 06/CT-UBND năm 2021 ...": the year is said to be wrong first.
            note = directives.wrong_year_note(self.catalog, parse)
            service = self.by_directive[chosen[0]]
            rest = directives.without_reference(self.catalog, parse)
            asked = replace(self.nlu.parse(rest), text=parse.text) if rest else parse
            found = service.answer(text, context, asked)
            return replace(found, reply=note, also=(found.reply, *found.also)) if note else found
        if not chosen and context is not None:
            followed = directives.from_context(context.duties, self.by_directive)
            chosen = [followed] if followed else []
        if not chosen:
            # An admin's FAQ entry about one directive, asked without naming it.
            faq = self.faq.answer(parse, PREEMPTING_FAQ_MATCH, PREEMPTING_FAQ_COVERAGE)
            chosen = directives.of_faq(faq)
        if not chosen and not parse.values("agency") and asks_duty_count(parse):
            return duty_count(self.catalog, parse)  # a line per directive
        if not chosen and parse.values("agency"):
            # "Sở Nội vụ phải làm gì?" asks of every directive that gives it duties:
            # each answers its part, none is silently left out. Asked about more than
            # its duties ("... về chữ ký điện tử"), of those that fit the question.
            asked_more = bool(parse.values("topic")) or not self.matcher.only_names(
                replace(parse, tokens=tuple(t for t in parse.tokens if t not in DUTY_WORDS))
            )
            fitting = (asked_more and directives.fits(self.catalog, text)) or self.by_directive
            per_directive = directives.agency_parts(
                [
                    (self.catalog.directives[d], self.by_directive[d].answer(text, context, parse))
                    for d in fitting
                ]
            )
            if per_directive is not None:
                return per_directive
        if not chosen and other_document(self.catalog, parse) is None:
            chosen = directives.fits(self.catalog, text, directives.asks_when(parse))
            # An agency that is gone is said to be so whichever directive answers.
            gone_only = parse.values("former_agency") and not parse.values("agency")
            if len(chosen) > 1 and not gone_only:
                return directives.which_one(self.catalog, parse, text, chosen)
        # Nothing named or fitting (small talk, a document not held): the first
        # directive's service answers, and refuses by name what no directive holds.
        service = self.by_directive[chosen[0] if chosen else next(iter(self.by_directive))]
        return service.answer(text, context, parse)

    def _one(
        self, text: str, context: Context | None, parsed: Parse | None = None, inherit: str = ""
    ) -> Answer:
        """`inherit`: the subject of the question this one is the second part of."""
        parse = asks_deadline_status(_question_not_request(parsed or self.nlu.parse(text)))
        parse = share_asked(when_asked(condition_not_when(parse), CONFIDENT))
        if context is not None:
            followed = self._follow_up(parse, context)
            if followed is not None:
                return followed
        alone = self._alone(parse, context)
        if parse.entities or len(parse.tokens) > MAX_FOLLOW_UP_TOKENS:
            return alone
        if all(t in CLOSING_PARTICLES for t in parse.tokens):
            return alone  # "ạ", "aaaa" (a key held down reads "a"): nothing asked of it
        # "chuyển hệ thống về TTDL hạn khi nào, ai hướng dẫn": a second part naming
        # nothing, which the first part's duties do not answer, asks about the first
        # part's subject; "đã cấp bao nhiêu cái rồi?" after answers on digital
        # signatures, "nếu không chuyển được thì sao?" after the deadline of moving
        # systems: a short question naming nothing is asked of what the user was
        # asking about, unless it finds something sure on its own.
        thread = inherit or (self._thread_subject(context) if context is not None else "")
        # A second part is of the first part's subject however well it matches alone
        # ("Hạn chuyển TTDL khi nào và ai phối hợp hướng dẫn": who guides the moving,
        # not whoever guides anything).
        if thread and (inherit or alone.kind in NOT_ANSWERED or alone.evidence < STRONG_MATCH):
            within = self._one(f"{thread} {text}", None)
            # ... and only when what it finds there holds the question's own words:
            # "có bao nhiêu camera?" after digital signatures is about cameras.
            if within.kind not in NOT_ANSWERED and self._holds(within, parse):
                return within
        return alone

    def _holds(self, answer: Answer, parse: Parse) -> bool:
        """Whether the sentences an answer quotes or is about hold every word of the
        question but those that ask, the generic ones and the stopwords."""
        catalog = self.catalog
        ignored = ASKING_WORDS | self.matcher.generic_words | QUANTITY_WORDS
        own = {t for t in parse.tokens if t not in ignored}
        texts = quoted_texts(answer) + [
            catalog.duties[d][1].text for d in answer.duties if d in catalog.duties
        ]
        held = {t for text in texts for t in catalog.normalizer.tokens(text)}
        return own <= held

    def _thread_subject(self, context: Context) -> str:
        """The names of the thread's topics ("" for none)."""
        catalog = self.catalog
        topics = self._thread_topics(context)
        return " ".join(catalog.topics[t].name for t in topics if t in catalog.topics)

    def _thread_topics(self, context: Context) -> list[str]:
        """The topics the last question named, or else those every duty of its answer
        is about."""
        catalog = self.catalog
        if context.topics:
            return list(context.topics)
        duties = [catalog.duties[d][1] for d in context.duties if d in catalog.duties]
        each = [set(d.topics or catalog.clause_of(d).topics) for d in duties]
        return sorted(set.intersection(*each)) if each else []

    def _alone(self, parse: Parse, context: Context | None) -> Answer:
        """The answer to a question read on its own (`context` only says whether
        anything was asked before); "có … X … không" of an X the quotes do not hold is
        said not to be mentioned."""
        answer = self._read_alone(parse, context)
        answer = self._with_remedies(parse, answer)
        if answer.kind == "passages" and answer.duties and _asks_who(parse):
            # "ai phải ưu tiên rút ngắn thời gian xử lý hồ sơ trực tuyến": the sentence
            # found, with whose duty it is, not the sentence alone.
            answer = responsible_for(self.catalog, answer.parse or parse, answer.duties) or answer
        return (
            not_mentioned(self.catalog, parse, answer, self.suggestions(parse.tokens))
            or not_theirs(self.catalog, parse, answer)
            or answer
        )

    @property
    def _shortcomings_labels(self) -> tuple[str, ...]:
        clauses = self.catalog.clauses.values()
        return tuple(c.label for _, c in clauses if c.id.endswith("shortcomings"))

    def _with_remedies(self, parse: Parse, answer: Answer) -> Answer:
        """ "một số đơn vị vẫn duy trì hạ tầng riêng thì CT xử lý thế nào": a shortcoming
        the preamble names, asked what is done about it, followed by the duties the
        directive sets against it (those its words match best)."""
        if (
            answer.kind != "passages"
            # (Its label as cited, qualified by the directive when several are loaded;
            # an imported directive may have no such part.)
            or not all(c.endswith(self._shortcomings_labels) for c in answer.citations)
            or not any(contains(parse.tokens, list(w)) for w in REMEDY_ASKS)
        ):
            return answer
        said = " ".join(quoted_texts(answer))
        asked = replace(parse, tokens=tuple(self.catalog.normalizer.tokens(said)))
        remedies, _ = best(self.matcher.ranked_duties(asked, prefer_dated=True), 2)
        if not remedies:
            return answer
        reply = responsible_reply(self.catalog, asked, remedies)
        clauses = tuple(self.catalog.duty_clause_label(d) for d in remedies)
        if contains(parse.tokens, ["yeu", "cau"]):
            # "… thì chỉ thị yêu cầu thế nào": what it requires first, the shortcoming
            # it answers after.
            return replace(
                answer,
                reply=reply,
                citations=(*clauses, *answer.citations),
                duties=tuple(d.key for d in remedies),
                also=(answer.reply, *answer.also),
            )
        return replace(
            answer,
            citations=(*answer.citations, *clauses),
            also=(*answer.also, replace(reply, data={**reply.data, "remedies": True})),
        )

    def _read_alone(self, parse: Parse, context: Context | None) -> Answer:
        if (
            parse.intent == "ask_responsible"
            and asks_only(parse, WHO_WORDS, self.catalog.stopwords)
            and not (context and context.duties)
        ):
            # "ai làm?" with nothing before it: who does what? Asked back, not refused.
            reply = Reply("qa/ask_back", {}, self.suggestions(("ai", "chiu", "trach", "nhiem")))
            return make(parse, "ask_back", reply)
        if asks_purpose(self.catalog, parse):
            # "mục đích của chỉ thị là gì": its purpose paragraph, not its header
            # (an admin's FAQ entry on it first, as for any question).
            faq = self.faq.answer(parse, PREEMPTING_FAQ_MATCH, PREEMPTING_FAQ_COVERAGE)
            found = faq or purpose(self.catalog, parse)
            if found is not None:
                return found
        # "… để làm gì", "… nhằm mục đích gì" of a duty: the purpose its sentence states.
        of_purpose = purpose_of(self.matcher, parse)
        if of_purpose is not None:
            return of_purpose
        if asks_overview(self.catalog, parse, self.catalog.stopwords):
            # "Chỉ thị 15 quy định gì?": the directive as a whole, its header first.
            return metadata(self.catalog, replace(parse, intent="ask_metadata"), summary=True)
        signers = frozenset(
            w for d in self.catalog.held for w in self.catalog.normalizer.tokens(d.signer_name)
        )
        fact = bare_header_fact(parse, self.catalog.stopwords, signers)
        if fact:
            # "ai ký", "ngày nào?" with nothing before them: asked of the directive itself.
            return metadata(self.catalog, replace(parse, intent="ask_metadata"), fact)
        # ("số hiệu văn bản thành lập BCĐ": of a document it cites, answered below.)
        of_this_one = asks_document_fact(parse) and (
            contains(parse.tokens, ["chi", "thi"]) or by_cited_document(self.catalog, parse) is None
        )
        if names_recipients(parse) or of_this_one or received_for(self.catalog, parse):
            return metadata(self.catalog, replace(parse, intent="ask_metadata"))
        if self._signer_asked(parse):
            # "Phó Chủ tịch UBND tỉnh là ai": the one the text names, its signer.
            return metadata(self.catalog, replace(parse, intent="ask_metadata"), "signer")
        only_received = recipient_only(self.catalog, parse)
        if only_received is not None:
            return only_received
        together = partners(self.catalog, parse)
        if together is not None:
            # "Sở Tài chính phối hợp với sở nào": who shares its duties.
            return together
        parse = self._level_named(self._division_named(self._under_named(parse)))
        if parse.intent != "ask_agency_duties" and self._asks_duties_only(parse):
            # "Cổng thông tin điện tử tỉnh có bị giao việc gì ko": the agency's name
            # reads like a topic to the classifier; the rest asks only for its duties.
            parse = replace(parse, intent="ask_agency_duties", confidence=CONFIDENT)
        return self._answer(parse)

    def _signer_asked(self, parse: Parse) -> bool:
        """Whether a question for a person's name asks for a title the signer holds
        ("phó chủ tịch UBND tỉnh là ai": «KT. Chủ tịch, Phó Chủ tịch UBND tỉnh»)."""
        if not _asks_a_persons_name(parse):
            return False
        asked = f" {' '.join(parse.tokens)} "
        for d in self.catalog.held:
            post = " ".join(self.catalog.normalizer.tokens(d.signer_title))
            # ("chủ tịch … là ai" asks for the chairman, not the deputy who signs.)
            deputy_asked = f" pho {post} " in asked and not post.startswith("pho ")
            if f" {post} " in asked and not deputy_asked:
                return True
        return False

    def _topic_only(self, parse: Parse) -> bool:
        """A question naming topics and asking nothing more specific of them than
        what must be done ("an toàn thông tin cần làm gì")."""
        if directives.asks_when(parse, CONFIDENT) or asks_which_bodies(parse):
            # "khi nào phải báo cáo sự cố ATTT": a date, not the overview (a hesitant
            # guess at a deadline, "chế độ báo cáo … thế nào", is no such question).
            return False
        asked = tuple(t for t in parse.tokens if t not in TOPIC_DUTY_ASKS)
        return bool(asked) and self.matcher.only_names(replace(parse, tokens=asked))

    def _division_named(self, parse: Parse) -> Parse:
        """ "Phòng Nội vụ huyện Tiên Du có nhiệm vụ gì": a district's division, named
        like a department ("Nội vụ"), is of that district (or of the districts'
        group when none is named), to which the directive gives its duties."""
        tokens = parse.tokens
        divisions = [
            e
            for e in parse.entities
            if e.entity == "agency"
            and e.value in self.catalog.agencies
            and self.catalog.agencies[e.value].kind == "department"
            and preceded_by(tokens, e.text.split(), DIVISION_WORDS)
            and ("huyen" in tokens or "xa" in tokens)
        ]
        if not divisions:
            return parse
        districts = [
            e
            for e in parse.entities
            if e.entity == "agency"
            and e.value in self.catalog.agencies
            and self.catalog.agencies[e.value].kind == "district"
        ]
        groups = [
            a.id
            for a in self.catalog.agencies.values()
            if a.kind == "group" and a.member_levels == ("district",)
        ]
        if not districts and len(groups) != 1:
            return parse
        kept = tuple(e for e in parse.entities if e not in divisions)
        if not districts:
            kept = (*kept, Entity("agency", groups[0], "huyen"))
        return replace(parse, entities=kept)

    def _under_named(self, parse: Parse) -> Parse:
        """ "đơn vị thuộc UBND tỉnh phải làm gì": the bodies under an agency are the
        catalog's group whose name says so ("Các sở, ban, ngành, đơn vị thuộc UBND
        tỉnh"), not that agency."""
        entities = list(parse.entities)
        for i, e in enumerate(entities):
            if e.entity != "agency" or not preceded_by(parse.tokens, e.text.split(), UNDER):
                continue
            agency = self.catalog.agencies.get(e.value)
            if agency is None:
                continue
            owned = {f" thuoc {fold_words(n)}" for n in (agency.name, agency.short_name)}
            groups = [
                g
                for g in self.catalog.agencies.values()
                if g.kind == "group" and any(f" {fold_words(g.name)}".endswith(o) for o in owned)
            ]
            if len(groups) == 1:
                entities[i] = replace(e, value=groups[0].id)
        return replace(parse, entities=tuple(entities))

    def _level_named(self, parse: Parse) -> Parse:
        """ "huyện phải làm gì", "xã có nhiệm vụ gì", "địa phương cần làm gì": a level
        of government named bare, asking for its duties, names the catalog's group of
        that level (a bare "huyện" is no agency's alias: in a directive's text it
        qualifies other words, "Phòng Nội vụ huyện")."""
        if parse.entities:
            return parse
        for words, level in LEVEL_WORDS:
            if not contains(parse.tokens, list(words)):
                continue
            groups = [
                a
                for a in self.catalog.agencies.values()
                if a.kind == "group" and a.member_levels == (level,)
            ]
            if len(groups) != 1:
                continue  # no such level any more (a reorganised catalog), or no one
            asked = replace(parse, entities=(Entity("agency", groups[0].id, " ".join(words)),))
            if self._asks_duties_only(asked):
                return replace(asked, intent="ask_agency_duties", confidence=CONFIDENT)
        return parse

    def _asks_duties_only(self, parse: Parse) -> bool:
        """A question naming agencies, and besides their names, only words asking
        what they must do."""
        if not parse.values("agency") or parse.values("topic"):
            return False
        named = {t for e in parse.entities for t in e.text.split()}
        # Not "khi", "hạn": "Sở TT&TT hạn khi nào?" asks for its dates.
        asking = (DUTY_WORDS | ASKING_WORDS | AGENCY_DUTY_ASKS | self.catalog.stopwords) - (
            WHEN_WORDS - {"nao"}
        )
        # "Sở Nội vụ thì sao?", "Nội vụ?" with nothing before: its duties too; the
        # directive's number may be said ("chỉ thị 06 yêu cầu cấp xã những gì").
        rest = [t for t in parse.tokens if t not in named and not any(c.isdigit() for c in t)]
        return all(t in asking for t in rest)

    def _follow_up(self, parse: Parse, context: Context) -> Answer | None:
        stopwords = self.catalog.stopwords
        if asks_in_full(parse, stopwords):
            # "cụ thể hơn đi": the last answer in full (its list whole, its clauses).
            cited = () if context.duties else self._one(context.question, None).citations
            full = in_full(self.matcher, parse, context, cited)
            if full is not None:
                return full
        if about_another(parse):
            return self._own_words_read(self._about_another(parse, context), parse, context)
        document = self._document_referred(parse, context)
        if document is not None:
            # "quyết định đó ban hành ngày nào" after a duty citing QĐ 1987: that one.
            return by_cited_document(self.catalog, self.nlu.parse(document)) or None
        rest = without_reference(parse)
        if rest is not None:
            parse = replace(parse, tokens=rest)
            asking = WHEN_WORDS | STATUS_WORDS | WHO_WORDS
            # "việc đó nộp cho ai?" asks who receives what the duties just answered send.
            of_duties = asks_only(parse, asking, stopwords) or asks_receiver(parse)
            if not (context.duties and of_duties):
                # "ai hướng dẫn việc đó?": the question, about what the last one asked
                # about; "việc đó hạn khi nào?" is about the duties just answered.
                # "việc đó có ưu tiên gì không?": the clauses of the duties just
                # answered are searched first.
                within = self._in_thread_clauses(parse, context)
                if within is not None:
                    return within
                last = self.nlu.parse(context.question)
                return self._one(f"{self._subject(last)} {' '.join(rest)}", None)
        if not context.duties:
            return None
        if asks_receiver(parse):
            # "nộp cho ai" after "hạn nộp báo cáo quý": who receives it, not who sends it.
            keys = self._asked_of(parse, context, WHO_WORDS | RECEIVER_WORDS)
            duties = [self.catalog.duties[d][1] for d in keys if d in self.catalog.duties]
            received = receiver_answer(self.catalog, parse, duties)
            if received is not None:
                return received
        if parse.intent in ("ask_deadline", "ask_deadline_list") or asks_when_only(
            parse, stopwords
        ):
            keys = self._asked_of(parse, context, WHEN_WORDS | STATUS_WORDS)
            return self._deadlines_of(parse, keys, context)
        if parse.intent == "ask_responsible" and not (
            parse.entities and contains(parse.tokens, ["do", "ai"])
        ):
            # ("TTDL do ai quản lý" names what it asks about: answered on its own.)
            keys = self._asked_of(parse, context, WHO_WORDS)
            return responsible_for(self.catalog, parse, keys) if keys else None
        return None

    def _document_referred(self, parse: Parse, context: Context) -> str | None:
        """The cited document "quyết định đó", "nghị định này", "văn bản đó" stands
        for ("Quyết định 1987/QĐ-UBND"): the one of that type the last answer's duties
        (or its question) cite, when exactly one does; None for no such reference."""
        tokens = parse.tokens
        for kind, words in DOCUMENT_REFERENCES:
            if not any(contains(tokens, [*words, tail]) for tail in ("do", "nay", "tren", "ay")):
                continue
            texts = [
                self.catalog.duties[d][1].text for d in context.duties if d in self.catalog.duties
            ]
            cited = {
                c.number: c
                for text in (*texts, context.question)
                for c in cited_in(self.catalog, text)
                if kind is None or fold(c.doc_type) == kind
            }
            if len(cited) == 1:
                only = next(iter(cited.values()))
                return f"{only.doc_type} {only.number}"
        return None

    def _about_another(self, parse: Parse, context: Context) -> Answer:
        last = _question_not_request(self.nlu.parse(context.question))
        asked = swapped(last, parse)
        if parse.values("agency") and not last.values("agency") and asked.values("topic"):
            # "còn Báo Bắc Ninh?" after a question on a topic: that agency's part
            # in the topic (or that it has none), whatever the first question's kind.
            of_agency = self._handlers["ask_agency_duties"]
            answered = of_agency(replace(asked, intent="ask_agency_duties"))
            if answered is not None:
                return self._about_agencies(answered, parse)
        asked = replace(asked, intent=context.intent)
        if context.intent == "ask_metadata":
            # "còn Văn phòng Chính phủ?" after "có gửi Bộ TTTT không?": the same
            # question of the document's header (its recipients) about that body.
            return self._alone(asked, context)
        if context.intent in SPECIFIC_INTENTS and not parse.values("agency"):
            # "còn danh sách cán bộ CNTT thì sao?" after "ai chịu trách nhiệm?": the
            # same kind of question about what it names, not the topics' overviews.
            specific = self._handlers[context.intent](asked)
            topics = self.catalog.topics_named(parse.values("topic"))
            off_topic = (
                specific is not None
                and specific.kind == "figure"
                and bool(topics)
                and not any(figure_names_topic(self.catalog, specific, t) for t in topics)
            )
            if off_topic:
                # "còn an toàn thông tin thì sao?" after "đã cấp bao nhiêu (chữ ký số)?":
                # no figure of it; what the text says of it, not another figure.
                named = " ".join(e.text for e in parse.entities)
                return self._alone(self.nlu.parse(named), None)
            if specific is not None:
                return specific
        return self._about_agencies(self._answer(asked), parse)

    def _about_agencies(self, answer: Answer, parse: Parse) -> Answer:
        """A "còn X thì sao" answer leaves X's duties as the thread when it names none
        of its own, so that "hạn khi nào?" next is asked of X, not of everything. One
        about none of X's duties is no answer about X: X's own duties are ("còn Sở Y
        tế?" after who joins Báo Bắc Ninh's duty); a quoted sentence that is X's duty
        says whose it is ("còn UBND huyện?" after a sentence of the common duties)."""
        agencies = parse.values("agency")
        if not agencies or answer.kind in NO_THREAD:
            return answer
        keys = {
            a.duty.key: None
            for agency_id in agencies
            for a in self.catalog.assignments(self.catalog.agencies[agency_id])
        }
        if not answer.duties:
            return replace(answer, duties=tuple(keys))
        theirs = [d for d in answer.duties if d in keys]
        if not theirs:
            named = tuple(t for e in parse.entities if e.entity == "agency" for t in e.text.split())
            of_agency = replace(parse, intent="ask_agency_duties", tokens=named)
            return self._handlers["ask_agency_duties"](of_agency) or answer
        if answer.kind == "passages" and answer.parse is not None:
            return responsible_for(self.catalog, answer.parse, theirs) or answer
        return answer

    def _own_words_read(self, answer: Answer, parse: Parse, context: Context) -> Answer:
        """ "đơn vị đang dùng CKS công cộng thì sao" after figures on digital signatures:
        a "what about" with words of its own besides a name, which the last question's
        answer about what it names does not hold, is a question of its own when, read
        alone, its answer holds them."""
        named = {t for e in parse.entities for t in e.text.split()}
        ignored = ABOUT_WORDS | self.catalog.stopwords
        said = tuple(t for t in parse.tokens if t not in ignored)
        # The name's words count too: "chữ ký số công cộng" is not the 350 digital
        # signatures of persons, whose sentence says "ký số" and "dùng".
        words = replace(parse, tokens=said)
        if all(t in named for t in said) or self._holds(answer, words):
            return answer
        alone = self._alone(parse, context)
        if alone.kind not in NOT_ANSWERED and self._holds(alone, words):
            return alone
        return answer

    def _in_thread_clauses(self, parse: Parse, context: Context) -> Answer | None:
        """The sentence of the clauses the thread's duties are in that holds every
        word the question asks about (None when none does)."""
        catalog = self.catalog
        ignored = ASKING_WORDS | self.matcher.generic_words | catalog.stopwords
        words = {t for t in parse.tokens if t not in ignored}
        clauses = [catalog.duties[d][1].clause for d in context.duties if d in catalog.duties]
        if not words:
            return None
        return passages_holding(self.matcher, parse, list(dict.fromkeys(clauses)), words)

    def _dated_on_topics(self, context: Context, besides: Sequence[Duty]) -> list[Duty]:
        """The duties besides `besides` that have a date and are about every topic of
        the thread (none for no topic); of the thread's agencies when it names some:
        another's date is no answer about theirs."""
        topics = set(self._thread_topics(context))
        if not topics:
            return []
        catalog = self.catalog
        of_agencies = {
            a.duty.key
            for agency_id in context.agencies
            if agency_id in catalog.agencies
            for a in catalog.assignments(catalog.agencies[agency_id])
        }
        return [
            d
            for _, d in catalog.duties.values()
            if d.timing.kind != "continuous"
            and topics <= set(d.topics)
            and d not in besides
            and (not context.agencies or d.key in of_agencies)
        ]

    def _subject(self, parse: Parse) -> str:
        return subject(parse, self.matcher.generic_words - self.catalog.stopwords)

    def _asked_of(self, parse: Parse, context: Context, asking: frozenset[str]) -> list[str]:
        """The last answer's duties a short follow-up asks about: all of them for one
        made of `asking` words only ("hạn khi nào?") or of words the last question
        said ("nộp cho ai" after "hạn nộp báo cáo quý"); those whose text holds every
        other word of it ("báo cáo cho ai?" after the duties on information security);
        none for a question of its own."""
        stopwords = self.catalog.stopwords
        if asks_only(parse, asking, stopwords):
            return list(context.duties)
        if parse.values("agency") or len(parse.tokens) > MAX_FOLLOW_UP_TOKENS:
            return []
        ignored = asking | ASKING_WORDS | self.matcher.generic_words
        asked = [t for t in parse.tokens if t not in ignored]
        if not asked:
            return []
        said = set(self.nlu.parse(context.question).tokens)
        if all(w in said for w in asked):
            return list(context.duties)
        held = self.matcher.duty_tokens
        return [d for d in context.duties if d in held and all(w in held[d] for w in asked)]

    def _answer(self, parse: Parse) -> Answer:
        if not parse.tokens:
            return empty(self.suggested, parse)
        # An admin's FAQ entry close to the question answers it before any refusal: it
        # is how admins answer what the assistant refused (the unanswered inbox).
        faq = self.faq.answer(parse, PREEMPTING_FAQ_MATCH, PREEMPTING_FAQ_COVERAGE)
        if faq is not None:
            return faq
        requested = self._request(parse)
        if requested == REPORT_COMMAND:
            # The router opens the report dialog for this kind of answer.
            parse = replace(parse, intent=REPORT)
            return small_talk(self.catalog, self.suggested, parse)
        when = any(contains(parse.tokens, list(w)) for w in WHEN_ASKED)
        question = self._without_request(parse) if requested == REMINDERS else None
        if question and (when or "han" in question.tokens) and not self._request(question):
            # "hạn gửi Sở là ngày nào, anh chị nhắc giúp em với": the date asked, then
            # how the assistant reminds; the date alone is what "nhắc giúp" asks for.
            asked = self._answer(question)
            if when and asked.kind not in UNANSWERED:
                return replace(asked, also=(*asked.also, request(parse, requested).reply))
            if asked.kind == "deadline":
                # "nhắc em hạn nộp danh sách …": how the assistant reminds, then the
                # date of the duty named (what a reminder would say), unquoted.
                dated = replace(asked.reply, data={**asked.reply.data, "quoted": True})
                reminded = request(parse, requested)
                return replace(reminded, also=(*reminded.also, dated))
        if requested:
            return request(parse, requested)
        if asks_who_it_is(parse.tokens):
            # "bạn là ai vậy", "bot là ai": what the assistant is and does.
            return small_talk(self.catalog, self.suggested, replace(parse, intent="help"))
        if parse.intent == "help" and _help_with_something_else(parse):
            # "hướng dẫn sử dụng Zalo": help with something else, not with this assistant.
            return self._refuse(parse)
        # Another province, a subject or a document the pack does not hold is refused
        # by name, whatever else the message says.
        if parse.values("place"):
            return self._refuse(parse, place=parse.values("place")[0])
        # A subject the lexicon lists as foreign to the directive is foreign only when
        # the directive's own words (title, clauses) never name it: a directive "về
        # chuyển đổi số" covers it.
        uncovered = [s for s in parse.values("uncovered") if not self.catalog.mentions(s)]
        if parse.values("former_agency"):
            # "Sở GTVT sáp nhập vào đâu" once it is closed: what became of it (below).
            uncovered = []
        if _asks_a_persons_name(parse):
            # "BCĐ gồm bao nhiêu thành viên, ai làm trưởng ban": both not given.
            counted_too = self._uncounted_subject(parse)
            uncovered.append(f"{counted_too} và {PERSONS_NAME}" if counted_too else PERSONS_NAME)
        not_held = unsupported_ask(self.catalog, parse)
        if not_held == DOCUMENT_NUMBER and by_cited_document(self.catalog, parse) is not None:
            not_held = ""  # "số hiệu văn bản thành lập BCĐ": a document it cites
        if not_held:
            uncovered.append(not_held)
        if uncovered:
            # "số điện thoại Sở TT&TT": of the agency named, not its duties.
            # (Not a level's: "cán bộ CNTT cấp xã được hưởng phụ cấp gì" asks of its staff.)
            agencies = [
                self.catalog.agencies[a].short_name
                for a in parse.values("agency")
                if self.catalog.agencies[a].kind != "group"
            ]
            of = f" của {', '.join(agencies)}" if agencies else ""
            gone = None if of else retired_directive(self.catalog, parse, uncovered[0])
            return gone or self._refuse(parse, subject=uncovered[0] + of)
        retired = retired_directive(self.catalog, parse)
        if retired is not None:
            return retired
        document = other_document(self.catalog, parse)
        if document:
            return self._refuse(parse, document=document)
        gone = former_agencies(self.catalog, parse, self.suggestions(parse.tokens))
        if gone is not None:
            # "Sở GTVT phải làm gì" once it is closed: what became of it, never a
            # passage matching the rest of the words; the agencies still active that
            # the question names are answered first.
            asked = self._answer(replace(parse, entities=_without(parse, "former_agency")))
            if parse.values("agency") and asked.kind == "duties":
                return replace(asked, also=(*asked.also, gone.reply))
            return gone
        if asks_agency_count(parse) and not parse.values("agency"):
            # "có bao nhiêu cơ quan được giao nhiệm vụ": counted from the duties.
            return agency_count(self.catalog, parse)
        if asks_duty_count(parse):
            # "bao nhiêu nhiệm vụ": counted from the data whatever kind of question the
            # classifier takes it for (a figure, often).
            if not parse.values("agency"):
                return duty_count(self.catalog, parse)
            return self._handlers["ask_agency_duties"](parse) or self._refuse(parse)
        if (
            parse.intent in SMALL_TALK
            and parse.confidence
            >= (CONFIDENT if parse.intent == "report_progress" else self.suggest_below)
            and self._only_small_talk(parse)
        ):
            # A hesitant greeting is still a greeting; a hesitant "I want to report"
            # must not open a dialog on a question.
            return small_talk(self.catalog, self.suggested, parse)
        if asks_receiver(parse):
            # "báo cáo quý nộp cho ai": the agency the text sends it to.
            received = receiver(self.matcher, parse)
            if received is not None:
                return received
        # A clause, a stated figure or a cited document named outright is answered
        # whatever the classifier thinks of the wording around it.
        # ... unless it asks who does something the figure or document is part of
        # ("ai phải chỉ đạo 100% công việc … có hồ sơ", "… theo Nghị định 43").
        who = _asks_who(parse)
        # ... and a clause named with an agency ("UBND huyện phải làm gì theo mục 2",
        # "Sở Y tế … không thấy tên trong mục 2") asks for that agency's part.
        # ("Nghị định 43/2011 quy định … những mục nào": of that document, not the
        # directive's own parts.)
        named = (
            (None if parse.values("agency") else by_clause(self.catalog, parse))
            or (None if who else by_figure_value(self.matcher, parse))
            or (
                None
                if who and not asks_its_content(parse)
                else by_cited_document(self.catalog, parse)
            )
            or structure(self.catalog, parse)
            or cited_term(self.matcher, parse)
        )
        if named:
            return named
        # "Sở Nội vụ có bao nhiêu cán bộ": of the agency's own (answered below).
        not_counted = self._uncounted_subject(parse)
        listed = (
            listed_count(self.matcher, parse, uncounted(self.matcher, parse))
            if not_counted
            else None
        )
        if listed is not None:
            # "mấy chỉ số đánh giá cấp tỉnh": no figure, but a list after "gồm" counts them.
            return listed
        if not_counted:
            # "tỉnh có bao nhiêu huyện", "BCĐ gồm bao nhiêu thành viên": no figure of
            # the text counts them, and no passage sharing other words is the number.
            return self._refuse(parse, subject=not_counted)
        judged = assessment(self.catalog, parse)
        if judged is not None:
            # "tình hình sử dụng CKS ra sao": what the preamble says of it, good and bad.
            return judged
        bodies, in_general = unnamed_bodies(parse.text)
        if bodies:
            # "xã nào chưa có trang TTĐT": the text names none of them; what it says of
            # them all («hơn 30% UBND cấp xã đã tạo lập …») follows.
            said = self._answer(self.nlu.parse(in_general))
            if said.kind not in UNANSWERED:
                return with_nearest(self.catalog, parse, said, bodies, False, unnamed=True)
        held = held_by_subject(self.matcher, parse)
        if held is not None:
            # "giám đốc sở chịu trách nhiệm cá nhân về gì", whatever kind the
            # classifier took it for: the sentences that say so of that subject.
            return held
        parse = terms_as_topics(self.catalog, parse)
        if parse.values("topic") and not parse.values("agency") and self._topic_only(parse):
            # "khi có sự cố ATTT thì báo cáo thế nào": a condition and what to do then,
            # in the topics' words, is the sentence that says so, not their overview.
            conditional = passages(self.matcher, parse) if states_condition(parse) else None
            # "ai tập huấn về an toàn thông tin": who does what the topics' names say,
            # not everything said of them.
            asks_who = parse.intent == "ask_responsible" and bool(WHO_WORDS & set(parse.tokens))
            doers = self._handlers["ask_responsible"](parse) if asks_who else None
            # "chữ kí số": a topic's name alone asks what the directive says about it
            # ("… cần làm gì": what must be done about it, the same overview).
            of_topic = tuple(t for t in parse.tokens if t not in TOPIC_DUTY_ASKS)
            # "có quy định về tập huấn an toàn thông tin không": the one sentence saying
            # it, not the overview of each topic (of one topic, its overview).
            several = len(set(parse.values("topic"))) > 1
            held = (
                held_by_one_sentence(self.catalog, parse)
                if several and not (conditional or doers)
                else None
            )
            overview = held or topic(self.matcher, replace(parse, tokens=of_topic))
            return conditional or doers or overview or self._refuse(parse)
        if self._covered_topic(parse):
            # "kinh phí thực hiện lấy ở đâu": a topic of the pack, asked in words the
            # classifier has not seen, is answered by the passage that matches it.
            return passages(self.matcher, parse) or self._refuse(parse)
        covered = self._covered_passage(parse)
        if covered is not None:
            # "ưu tiên sản phẩm của doanh nghiệp nào": the classifier calls it foreign,
            # yet one sentence of the text holds nearly every word of it.
            return covered
        if (
            parse.intent == "out_of_scope"
            or _unknown_outside_asides(parse)
            or (parse.known_share < MIN_KNOWN_SHARE and not parse.entities)
        ):
            return self._refuse(parse)
        answer = self._best_answer(parse)
        if parse.confidence < self.suggest_below and (
            answer is None or answer.evidence < STRONG_MATCH
        ):
            return self.suggested.did_you_mean(parse)
        if answer is None and parse.intent in OPEN_INTENTS and not _counts_of_agency(parse):
            answer = self.faq.answer(parse, MIN_FAQ_MATCH) or topic(self.matcher, parse)
        return answer or self._in_clause_named(parse) or self._refuse(parse)

    def _in_clause_named(self, parse: Parse) -> Answer | None:
        """ "ai hướng dẫn các địa phương thực hiện nhiệm vụ ở mục 2.f": the question
        without its reference to the clause, answered from that clause."""
        clauses = [
            self.catalog.clauses[c][1] for c in parse.values("clause") if c in self.catalog.clauses
        ]
        if not clauses:
            return None
        tokens = list(parse.tokens)
        for i, token in enumerate(tokens):
            if token in CLAUSE_WORDS:
                before = i - 1 if i and tokens[i - 1] in CLAUSE_PLACES else i
                rest = tokens[i + 1 :]
                length = next((n for n, t in enumerate(rest) if not _clause_token(t)), len(rest))
                tokens = tokens[:before] + tokens[i + 1 + length :]
                break
        if tuple(tokens) == parse.tokens or not tokens:
            return None
        unreferenced = replace(parse, tokens=tuple(tokens), entities=_without(parse, "clause"))
        answer = self._best_answer(unreferenced)
        labels = {c.label for c in clauses}
        if answer is None or not labels & set(answer.citations):
            return None
        return answer

    def _without_request(self, parse: Parse) -> Parse:
        """The question a request is asked with ("nhắc giúp tôi hạn chuyển hệ thống về
        TTDL"), read again without the request's words: the classifier's doubt was
        about them."""
        request_words = [e.text.split() for e in parse.entities if e.entity == "request"]
        tokens = list(parse.tokens)
        for words in request_words:
            tokens = without_phrase(tokens, tuple(words))
        if not tokens:
            return replace(parse, entities=_without(parse, "request"))
        again = self.nlu.parse(" ".join(tokens))
        return replace(again, text=parse.text, entities=_without(again, "request"))

    def _uncounted_subject(self, parse: Parse) -> str:
        """ "số thành viên" of "BCĐ gồm bao nhiêu thành viên", when no figure counts
        them ("Sở Nội vụ có bao nhiêu cán bộ": of the agency's own, answered below)."""
        not_counted = "" if owned_count(parse) else uncounted(self.matcher, parse)
        if not not_counted:
            return ""
        counted_as = typed_count(parse.text, not_counted, whole=True)
        if fold(counted_as) == counted_as:
            # Typed without diacritics: said as the directive writes it.
            counted_as = self.catalog.spelled(counted_as) or counted_as
        return f"số {counted_as}"

    def _best_answer(self, parse: Parse) -> Answer | None:
        """The classifier's intent, or when it hesitates, whichever of its top intents
        finds the strongest evidence in the data (probability times match score).

        When the first choice is a searching intent and finds nothing, the runners-up
        are not asked: the question's kind is most likely right and the data does
        not hold the answer ("bao nhiêu ..." with no such figure is not a deadline).
        A hesitant figure question that asks for no quantity ("chữ ký số cần văn bản
        gì") is the exception: it was not a figure question.
        """
        first = self._handlers.get(parse.intent)
        if first is None:  # hesitant small talk: not a question we can answer
            return None
        confident = parse.confidence >= CONFIDENT
        fallback = None
        if (
            parse.intent == "ask_metadata"
            and parse.values("agency")
            and not asked_facts(parse.tokens)
        ):
            # "Sở Nội vụ lồng ghép tiêu chí của chỉ thị vào đâu": of the agency's duty
            # (its sentence), or its part in a topic named ("SNV có phải bố trí kinh phí
            # cho ct này"); the header only when none is found.
            on_topic = ("ask_agency_duties",) if parse.values("topic") else ()
            for intent in (*on_topic, "ask_responsible", "ask_topic"):
                found = self._handlers[intent](parse)
                if found is not None:
                    return replace(found, intent=intent)
            return first(parse)
        elif parse.intent in FIXED_INTENTS and parse.confidence >= FIXED_MIN_CONFIDENCE:
            # A hesitant header asking none of its facts ("có được gửi văn bản qua Zalo
            # không, chỉ thị có nói gì"): the runners-up may find what it asks.
            # ("chỉ thị 06 năm 2021 quy định gì" asks of the document, its year aside.)
            ignored = self.matcher.generic_words | self.catalog.stopwords | DATING_WORDS
            headless = (
                parse.intent == "ask_metadata"
                and not asked_facts(parse.tokens)
                and any(t not in ignored and not t.isdigit() for t in parse.tokens)
            )
            if confident or not (parse.values("topic") or headless):
                return first(parse)
            # "Chỉ thị nói gì về Ban chỉ đạo?": a named topic makes a hesitant
            # document-level answer (metadata, shortcomings) compete with the topic's
            # passages; it stays the answer when they find nothing.
            fallback = first(parse)
        if parse.intent not in FIXED_INTENTS:
            answer = first(parse)
            if confident or (answer is None and not _not_a_figure(parse)):
                return answer
            # A hesitant figure question asking for no quantity ("hệ thống QLVB có gì đặc
            # biệt"): its figure is the last resort, after any passage the runners-up find.
            demoted = answer is not None and _not_a_figure(parse)
            if demoted:
                fallback = answer
            best: tuple[float, Answer | None] = (
                (parse.confidence * answer.evidence, answer)
                if answer and not demoted
                else (0.0, None)
            )
        else:
            best = (0.0, None)  # a hesitant fixed intent does not answer
        for intent, probability in parse.ranking[1:3]:
            if probability < MIN_CANDIDATE or intent in FIXED_INTENTS:
                continue
            handler = self._handlers.get(intent)
            runner_up = handler(parse) if handler else None
            if runner_up and probability * runner_up.evidence > best[0]:
                best = (probability * runner_up.evidence, replace(runner_up, intent=intent))
        return best[1] or fallback

    @staticmethod
    def _request(parse: Parse) -> str:
        """The command a request to the assistant asks for ("" for none); "I want to
        report" with a question word is a question about reporting."""
        if speaks_of_mention(parse):
            return ""  # "ICT Index được nhắc tới thế nào": what the text says of it
        commands = parse.values("request")
        shaped = requested_by_shape(parse)
        if not commands or shaped in (SNOOZE, EVIDENCE_HOW):
            # "nhắc tôi 2 ngày nữa": a snooze, whatever phrase of reminding it holds.
            return shaped
        if commands[0] == REPORT_COMMAND and (_asks(parse) or shaped == HOW_TO_REPORT):
            # "hướng dẫn tôi cách gửi báo cáo tiến độ", "em muốn báo cáo tiến độ thì làm
            # thế nào": how to, not the report itself.
            how = shaped == HOW_TO_REPORT or any(contains(parse.tokens, list(w)) for w in ASKS_HOW)
            return HOW_TO_REPORT if how else ""
        return commands[0]

    def is_small_talk(self, text: str) -> bool:
        """Whether `text` is a greeting, goodbye or thanks and nothing else ("xin chào"
        on coming back to a report left open: not the blockers it is asked for)."""
        parse = self.nlu.parse(text)
        return (
            parse.intent in PLAIN_SMALL_TALK
            and bool(self.small_talk_words)
            and (self._only_small_talk(parse))
        )

    def _only_small_talk(self, parse: Parse) -> bool:
        if parse.intent == "help":
            # "nâng cao nhận thức là gì": a topic of the directive, not the assistant's
            # help, whatever words the classifier heard help in.
            return not any(
                e.entity in ("topic", "agency", "term", "clause") for e in parse.entities
            )
        if parse.intent not in PLAIN_SMALL_TALK or not self.small_talk_words:
            return True
        stopwords = self.catalog.stopwords
        return all(t in self.small_talk_words or t in stopwords for t in parse.tokens)

    @staticmethod
    def _covered_topic(parse: Parse) -> bool:
        """A hesitant out-of-scope verdict on a message that names a topic of the
        pack and nothing foreign."""
        return (
            parse.intent == "out_of_scope"
            and parse.confidence < UNSURE_OUT_OF_SCOPE
            and bool(parse.values("topic"))
            and not parse.unknown_words
            and parse.known_share >= MIN_KNOWN_SHARE
        )

    def _covered_passage(self, parse: Parse) -> Answer | None:
        """An out-of-scope verdict on a message of the domain's words, nearly all of
        which one passage holds, matching it strongly: that passage."""
        if (
            parse.intent != "out_of_scope"
            or parse.unknown_words
            or parse.known_share < MIN_KNOWN_SHARE
        ):
            return None
        found = passages(self.matcher, parse, min_coverage=COVERED_WORDS)
        return found if found is not None and found.evidence >= STRONG_MATCH else None

    def _refuse(
        self, parse: Parse, place: str = "", subject: str = "", document: str = ""
    ) -> Answer:
        return refuse(self.catalog, self.suggested, parse, place, subject, document)

    # Answers for commands (/nhiemvu, /hanchot), without a question to parse.

    def agency_duties(self, agency_id: str, complete: bool = False) -> Answer | None:
        if self.by_directive:
            return directives.agency_parts(
                [
                    (self.catalog.directives[d], s.agency_duties(agency_id, complete))
                    for d, s in self.by_directive.items()
                ]
            )
        return duties_of_agencies(
            self.matcher,
            _command_parse(f"agency:{agency_id}", "ask_agency_duties", agency_id),
            complete,
        )

    def deadlines(self) -> Answer | None:
        return deadline_list(self.catalog, _command_parse("deadlines", "ask_deadline_list"))

    def suggestions(self, tokens: Sequence[str], limit: int = 3) -> tuple[Button, ...]:
        """Questions the assistant can answer: the closest to `tokens`, or without
        any match, one each about deadlines, an agency and a topic."""
        return self.suggested.closest(tokens, limit)


def _help_with_something_else(parse: Parse) -> bool:
    """ "hướng dẫn sử dụng Zalo cho người già": asking for help with a thing the
    domain does not know ("zalo"), and not naming this assistant ("trợ lý", "bot")."""
    # (A share of 0 is a message of stopwords only: "giúp tôi với".)
    unknown = parse.unknown_words or 0 < parse.known_share < 1
    return bool(unknown) and not any(contains(parse.tokens, list(w)) for w in ASSISTANT)


# How a question asks what is done about a shortcoming ("xử lý thế nào", "khắc phục
# ra sao", "giải quyết"), folded.
REMEDY_ASKS = (
    ("xu", "ly"),
    ("khac", "phuc"),
    ("giai", "quyet"),
    ("lam", "gi"),
    ("yeu", "cau"),
    ("the", "nao"),
    # "đơn vị có được tự duy trì hạ tầng riêng không": whether it may, which the
    # duties set against the shortcoming tell.
    ("co", "duoc"),
    ("bat", "buoc"),
)


# "… cần làm gì", "… phải thực hiện những việc gì", "nội dung về …", "chỉ thị chỉ đạo
# những gì về …" of a topic: what the directive says must be done about it, its
# overview (folded).
TOPIC_DUTY_ASKS = frozenset(
    {"can", "lam", "phai", "thuc", "hien", "nhung", "viec", "gi", "noi", "dung", "chi", "dao"}
)
# How a follow-up refers to a document the last answer cited (its type, folded;
# None: of any type).
DOCUMENT_REFERENCES: tuple[tuple[str | None, tuple[str, ...]], ...] = (
    ("quyet dinh", ("quyet", "dinh")),
    ("nghi dinh", ("nghi", "dinh")),
    ("chi thi", ("chi", "thi")),
    ("ke hoach", ("ke", "hoach")),
    (None, ("van", "ban")),
)
# What makes an agency named after it the one the bodies asked about belong to
# ("đơn vị thuộc UBND tỉnh"), folded.
UNDER = frozenset({"thuoc"})
# A level of government as officials name it bare, and the level it is (folded).
# What names a division of a district's People's Committee ("Phòng Nội vụ huyện").
DIVISION_WORDS = frozenset({"phong"})
LEVEL_WORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    # "giám đốc sở phải làm gì": the heads of the departments (not an alias: in a
    # directive's text "Giám đốc Sở Tài chính" names one).
    (("giam", "doc", "so"), "province"),
    (("cac", "huyen"), "district"),
    (("huyen",), "district"),
    (("cac", "dia", "phuong"), "district"),
    (("dia", "phuong"), "district"),
    (("cac", "xa"), "commune"),
    (("xa",), "commune"),
    (("phuong",), "commune"),
)
# Words of "có bị giao việc gì không", "phải làm những gì", "yêu cầu đối với … là gì",
# "được phân công gì", "thì sao" besides DUTY_WORDS.
AGENCY_DUTY_ASKS = frozenset(
    {"bi", "lam", "phai", "khong", "nhung", "theo", "chi", "thi", "nay", "cu", "the", "sao"}
    | {"yeu", "cau", "doi", "voi", "la", "hoi", "xin", "phan", "cong", "trien", "khai", "noi"}
    | {"dung", "vai", "tro", "lien", "quan", "nam", "ct", "so", "de", "bat", "buoc"}
    # "e là cb xã, … bắt xã mình phải làm gì": who asks, as an official of it.
    | {"e", "em", "can", "bo"}
    # "đề nghị nêu / liệt kê / cho biết các nhiệm vụ của … tại Chỉ thị".
    | {"de", "nghi", "neu", "liet", "ke", "biet", "tai"}
)
# The words of "nộp cho ai", "gửi về đâu" besides the question word.
RECEIVER_WORDS = frozenset({"nop", "gui", "trinh", "bao", "cao", "cho", "ve", "len", "qua", "dau"})
# Questions asking one thing (who, when, how many) of what they name, which a "còn X
# thì sao?" after them asks of X too.
SPECIFIC_INTENTS = frozenset({"ask_responsible", "ask_deadline", "ask_figure"})
# Answers that leave a part of a two-part question unanswered.
NOT_ANSWERED = NO_THREAD
# The intent, and the command, of "I want to report".
REPORT = "report_progress"
REPORT_COMMAND = "baocao"
HOW_TO_REPORT = "cachbaocao"
# Words that make a message a question: "báo cáo quý gửi ai" asks about the directive,
# "tôi muốn báo cáo" asks to report.
QUESTION_WORDS = frozenset({"ai", "gi", "nao", "dau", "sao", "nhieu", "gio"})


# The words of "bao nhiêu", "số lượng", "rồi": asking how many, said of any subject.
QUANTITY_WORDS = frozenset({"bao", "nhieu", "so", "luong", "roi", "tat", "ca", "tong"})
# How a question asks for a quantity (folded): without any, a hesitant "figure"
# question is most likely another kind. Not "mấy": folded, it is "máy" (a machine).
QUANTITY = ("bao nhieu", "ty le", "so luong", "phan tram", "%", "tong so", "bao lau")


# How a question asks for a share in so many words (folded).
SHARE_ASKED = (("bao", "nhieu", "%"), ("bao", "nhieu", "phan", "tram"), ("may", "phan", "tram"))


def share_asked(parse: Parse) -> Parse:
    """ "chủ tịch UBND huyện phải chỉ đạo bao nhiêu % công việc … có HSCV": a question
    asking "how many percent" is a figure question, however the classifier hesitates
    between it and the agency's duties."""
    if parse.intent == "ask_figure" or parse.confidence >= CONFIDENT:
        return parse
    if not any(contains(parse.tokens, list(p)) for p in SHARE_ASKED):
        return parse
    return replace(parse, intent="ask_figure", confidence=CONFIDENT)


def _not_a_figure(parse: Parse) -> bool:
    asked = " ".join(parse.tokens)
    return parse.intent == "ask_figure" and not any(q in asked for q in QUANTITY)


# "giám đốc Sở Nội vụ tên là gì", "lãnh đạo sở là ai": a person's name, which a
# directive does not give (its signer aside: "ai ký" is asked with "ký"). Folded.
PERSON_TITLES = (
    "giam doc",
    "chu tich",
    "lanh dao",
    "thu truong",
    "truong phong",
    "truong ban",
    "chanh van phong",
    "nguoi dung dau",
)
PERSONS_NAME = "họ tên lãnh đạo, cán bộ"
# Titles that name their body too ("trưởng ban chỉ đạo"), asked of without an agency.
BODY_TITLES = frozenset({"truong ban", "truong phong", "chanh van phong"})


# Particles closing a question ("… là ai vậy ạ"), folded.
CLOSING_PARTICLES = frozenset({"vay", "a", "nhi", "the", "ha", "nhe", "day", "z"})


def _asks_a_persons_name(parse: Parse) -> bool:
    """ "giám đốc Sở Nội vụ tên là gì", "ai là trưởng ban chỉ đạo …": who holds a post,
    of an agency named or of a body the title names ("trưởng ban")."""
    tokens = parse.tokens
    # ("… hiện nay là ai vậy": the particles closing a question aside.)
    while tokens and tokens[-1] in CLOSING_PARTICLES:
        tokens = tokens[:-1]
    asked = " ".join(tokens)
    # Not "được nêu tên", "có tên trong": named by the text, no name asked.
    named_in_text = any(f" {w} ten " in f" {asked} " for w in ("neu", "co", "thay", "ghi"))
    names = (
        ("ten" in tokens and not named_in_text)
        or asked.endswith("la ai")
        or asked.startswith("ai la ")
        # "gồm những ai, ai làm trưởng ban": who holds the post.
        or any(f" ai lam {title} " in f" {asked} " for title in PERSON_TITLES)
    )
    titled = [title for title in PERSON_TITLES if f" {title} " in f" {asked} "]
    # "ai là giám đốc trung tâm dữ liệu": who holds a post is a name, of any body.
    of_body = (
        bool(parse.values("agency"))
        or any(t in BODY_TITLES for t in titled)
        or asked.startswith("ai la ")
    )
    return names and "ky" not in tokens and bool(titled) and of_body


def _counts_of_agency(parse: Parse) -> bool:
    """ "Sở TT&TT có bao nhiêu phòng": a quantity of an agency's own, which no passage
    answers however many of its words it shares."""
    return bool(parse.values("agency")) and counted(parse) is not None


# How a question asks who does something (folded).
WHO_ASKS = (
    ("co", "quan", "nao"),
    ("don", "vi", "nao"),
    ("so", "nao"),
    ("ben", "nao"),
    ("cua", "ai"),
    ("ai", "phai"),
    ("ai", "chiu"),
    ("ai", "lam"),
)


def _asks_who(parse: Parse) -> bool:
    tokens = parse.tokens
    return tokens[:1] == ("ai",) or any(contains(tokens, list(p)) for p in WHO_ASKS)


def _asks(parse: Parse) -> bool:
    return bool(QUESTION_WORDS & set(parse.tokens)) or parse.text.rstrip().endswith("?")


def _repeats(first: Answer, second: Answer) -> bool:
    """The second part's answer says nothing the first's does not: the same duties or
    figures. Not the same citations: two deadlines of Mục 2.f, two figures of the
    preamble are two answers."""
    if second.kind != first.kind or second.reply.template != first.reply.template:
        return False  # who receives a report and who must send it: two answers
    if first.duties or second.duties:
        return set(second.duties) <= set(first.duties)
    if second.kind == "figure":
        return _figures(second) <= _figures(first)
    return set(second.citations) <= set(first.citations)


def _without_figures_of(first: Answer, second: Answer) -> Answer:
    """The second part's figures without those the first part's answer gives ("phát
    hành bao nhiêu, nhận bao nhiêu": each figure once); as it is when none is left."""
    if first.kind != "figure" or second.kind != "figure":
        return second
    shown = _figures(first)
    views = [v for v in second.reply.data.get("figures", ()) if v["figure"].id not in shown]
    if not views or len(views) == len(second.reply.data.get("figures", ())):
        return second
    return replace(
        second, reply=replace(second.reply, data={**second.reply.data, "figures": views})
    )


def _recipient_named(answer: Answer) -> bool:
    """ "VPCP có nhận chỉ thị không, gửi để làm gì": the line of "Nơi nhận" naming the
    body, with what its mark says it gets it for, answers every part."""
    asked = answer.reply.data.get("asked_recipient") if answer.kind == "metadata" else None
    return bool(asked and asked["named"])


def _several_header_facts(answer: Answer) -> bool:
    return answer.kind == "metadata" and len(answer.reply.data.get("facts", ())) > 1


def _figures(answer: Answer) -> set[str]:
    return {
        f.id
        for view in answer.reply.data.get("figures", ())
        for f in (view["figure"], *view["parts"])
    }


def _question_not_request(parse: Parse) -> Parse:
    """A message classified as "I want to report" that asks a question, or speaks of
    what the directive rules on reporting ("quy định về chế độ báo cáo"), is the
    question the classifier ranked next."""
    # "(cho hỏi) về báo cáo": about reporting, as a question opens.
    ruled = parse.tokens[:1] == ("ve",) or any(contains(parse.tokens, list(p)) for p in RULED_ON)
    if parse.intent != REPORT or not (_asks(parse) or ruled):
        return parse
    return next_intent(parse)


# "quy định về …", "chế độ báo cáo", "nội dung …": the directive's rules, not a report.
# ... or how often ("báo cáo … là định kỳ hay đột xuất").
# ... or on which day ("báo cáo quý nộp vào ngày mấy").
RULED_ON = (
    ("quy", "dinh"),
    ("che", "do"),
    ("noi", "dung"),
    ("dinh", "ky"),
    ("dot", "xuat"),
    ("ngay", "may"),
)


def _command_parse(text: str, intent: str, agency_id: str | None = None) -> Parse:
    """A parse standing for a command's request, as sure as the command itself."""
    entities = (Entity("agency", agency_id, ""),) if agency_id else ()
    return Parse(text=text, tokens=(), intent=intent, confidence=1.0, entities=entities)


# Words naming a part of the text ("mục 2.f", "ở khoản 1.c"), folded.
CLAUSE_WORDS = frozenset({"muc", "khoan", "diem"})
CLAUSE_PLACES = frozenset({"o", "tai", "theo", "trong"})


def _clause_token(token: str) -> bool:
    """A number or letter of a clause reference ("2", "f", "2.f", "2f")."""
    return bool(re.fullmatch(r"\d{1,2}(?:[.,]?[a-z])?|[a-z]", token))


def _unknown_outside_asides(parse: Parse) -> bool:
    """Words the assistant does not know, other than in an aside between brackets
    ("CKS công cộng (token của nhà mạng)"): a word it does not know in the question
    itself may be a subject of which the directive says nothing."""
    asides = set(fold_words(" ".join(re.findall(r"\(([^)]*)\)", parse.text))).split())
    return any(w not in asides for w in parse.unknown_words)


def _without(parse: Parse, entity: str) -> tuple[Entity, ...]:
    return tuple(e for e in parse.entities if e.entity != entity)
