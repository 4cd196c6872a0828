"""Answers that are not about the directive's content: greetings, thanks, help, an
empty message, and the polite refusal of what the pack does not cover.

A refusal never guesses: it says the directive does not cover the question (a place
or a subject outside it, when the NLU found one) and offers questions it answers.
"""

from __future__ import annotations

from bot.application.messages import Reply
from bot.application.qa.answer import Answer, make
from bot.application.qa.matching import contains
from bot.application.qa.suggestions import Suggestions
from bot.application.qa.views import directive
from bot.domain.catalog import Catalog
from nlu.engine import Parse


def empty(suggestions: Suggestions, parse: Parse) -> Answer:
    """A message with no words: examples of what to ask."""
    return make(parse, "empty", Reply("qa/empty", {"examples": suggestions.defaults()}))


def small_talk(catalog: Catalog, suggestions: Suggestions, parse: Parse) -> Answer:
    """Greeting, goodbye, thanks, help or "I want to report": its template, by intent."""
    held = catalog.held
    topics = [t.name[:1].lower() + t.name[1:] for d in held for t in d.topics]
    data = {
        "directive": directive(catalog),
        "directives": held,  # every active one: the greeting and help name them all
        "topics": list(dict.fromkeys(topics))[:4],
        "examples": suggestions.defaults(),
    }
    reply = Reply(f"qa/{parse.intent}", data)
    return make(parse, parse.intent, reply)


def refuse(
    catalog: Catalog,
    suggestions: Suggestions,
    parse: Parse,
    place: str = "",
    subject: str = "",
    document: str = "",
) -> Answer:
    """The directive does not cover this; the closest questions it does answer (the
    default ones when no word of the question is known)."""
    buttons = suggestions.closest(parse.tokens if parse.known_share > 0 else ())
    data = {
        "directive": directive(catalog),
        "place": place,
        "subject": subject,
        "document": document,
        "held": catalog.held_names,
    }
    reply = Reply("qa/refusal", data, buttons)
    return make(parse, "refusal", reply)


def request(parse: Parse, command: str) -> Answer:
    """A request to the assistant itself ("nhắc tôi sau 2 ngày", "cơ quan nào chưa báo
    cáo"): the command that does it, never a quote of the directive."""
    return make(parse, "request", Reply("qa/request", {"command": command}))


# Requests to the assistant told by their shape rather than by a listed phrase: the
# user speaks of themselves ("của tôi", "đơn vị tôi") or of the assistant's own work
# (its reminders, how a report is sent), which the directive never speaks of.
FIRST_PERSON = (("toi",), ("minh",), ("chung", "toi"))
# How far the work is: a word the directive never uses (it sets tasks, it does not
# report on them), so it asks for the assistant's progress data.
PROGRESS = ("tien", "do")
# "tình hình thực hiện", which the directive does use (Sở TT&TT reports it), is the
# assistant's data only when asked to be shown ("cho xem", "tổng hợp giúp").
STANDING = ("tinh", "hinh", "thuc", "hien")
SHOWING = (("xem",), ("giup",))
# "cách", "hướng dẫn": how to do it. Not "như thế nào": "Sở TT&TT báo cáo tiến độ như
# thế nào" asks what the directive makes an agency report.
HOW = (("cach",), ("huong", "dan"), ("lam", "sao"), ("the", "nao", "de"))
REMINDER = (("nhac", "truoc"), ("lich", "nhac"), ("dat", "nhac"), ("cai", "nhac"), ("nhac", "viec"))
REPORTING = ("bao", "cao")
# The assistant itself ("gửi báo cáo qua bot thế nào"): how to use it, whatever asks how.
ASSISTANT = (("bot",), ("chatbot",), ("tro", "ly"))
ASKS_HOW = (*HOW, ("the", "nao"), ("ra", "sao"))
# Progress of others than oneself, the summary of every agency (/tonghop): "các" and
# a kind of body ("các huyện", "các sở", "các đơn vị"; not "các nhiệm vụ"), or the
# whole ("chung", "toàn tỉnh", "tổng hợp").
WHOLE = (("chung",), ("toan", "tinh"), ("tong", "hop"))
NOT_BODIES = frozenset({"nhiem", "viec", "bao", "muc", "van"})
# Asking the assistant to write the quarterly report (/baocaoquy drafts it); not "làm
# báo cáo quý", which also asks what the directive makes Sở TT&TT do.
QUARTERLY = ("bao", "cao", "quy")
DRAFTING = (("soan",), ("viet",), ("du", "thao"))
FOR_ME = (("giup",), *FIRST_PERSON)


def requested_by_shape(parse: Parse) -> str:
    """The command (or the assistant's feature, "nhacviec", "cachbaocao") a request
    asks for: "xem tiến độ của đơn vị tôi" (/tiendo), "hướng dẫn tôi cách báo cáo tiến
    độ" (how to report), "đặt lịch nhắc trước 3 ngày" (how reminders work); "" for a
    question about the directive."""
    tokens = parse.tokens

    def has(*phrases: tuple[str, ...]) -> bool:
        return any(contains(tokens, list(p)) for p in phrases)

    if has(*REMINDER):
        return "nhacviec"
    if contains(tokens, list(QUARTERLY)) and has(*DRAFTING) and has(*FOR_ME):
        return "baocaoquy"
    progress = contains(tokens, list(PROGRESS))
    mine = has(*FIRST_PERSON) and not parse.values("agency")
    if contains(tokens, list(REPORTING)) and (
        (progress and has(*HOW)) or (has(*ASSISTANT) and has(*ASKS_HOW))
    ):
        return "cachbaocao"
    progress = progress or (contains(tokens, list(STANDING)) and has(*SHOWING))
    bodies = any(
        t == "cac" and tokens[i + 1 : i + 2] and tokens[i + 1] not in NOT_BODIES
        for i, t in enumerate(tokens)
    )
    if progress and (bodies or has(*WHOLE)):
        return "tonghop"
    if progress and mine:
        return "tiendo"
    return ""
