"""Answers that are not about the directive's content: greetings, thanks, help, an
empty message, and the polite refusal of what the pack does not cover.

A refusal never guesses: it says the directive does not cover the question (a place
or a subject outside it, when the NLU found one) and offers questions it answers.
"""

from __future__ import annotations

from functools import partial

from bot.application.messages import Reply
from bot.application.qa.answer import Answer, make
from bot.application.qa.matching import contains
from bot.application.qa.suggestions import Suggestions
from bot.application.qa.views import directive
from bot.domain.catalog import Catalog
from nlu.engine import Parse
from nlu.normalize import fold_words


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


# The assistant's reminders (how they work), not a command of their own.
REMINDERS = "nhacviec"


def request(parse: Parse, command: str) -> Answer:
    """A request to the assistant itself ("nhắc tôi sau 2 ngày", "cơ quan nào chưa báo
    cáo"): the command that does it, never an answer from the directive (asked to be
    reminded of a duty, how reminders work and /hanchot, not that duty's quote)."""
    # "cho em xin mẫu báo cáo quý": the directive sets no form for it, said first.
    form_asked = "mau" in parse.tokens
    return make(parse, "request", Reply("qa/request", {"command": command, "form": form_asked}))


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
# ... or as it stands today ("tình hình thực hiện của các huyện đến nay").
SHOWING = (("xem",), ("giup",), ("den", "nay"), ("hien", "nay"), ("hien", "tai"), ("bay", "gio"))
# "cách", "hướng dẫn", "như thế nào": how to do it. Asked of an agency the user does
# not speak for ("Sở TT&TT báo cáo tiến độ như thế nào"), it asks what the directive
# makes that agency report.
HOW = (
    ("cach",),
    ("huong", "dan"),
    ("lam", "sao"),
    ("the", "nao", "de"),
    ("nhu", "the", "nao"),
    ("ra", "sao"),
    ("ntn",),
)
# "nhắc tôi 2 ngày nữa", "mai nhắc lại", "để tuần sau nhắc": a reminder put off to a
# later time, which /nhaclai does (folded).
SNOOZE = "nhaclai"
LATER = (
    ("ngay", "nua"),
    ("hom", "nua"),
    ("tuan", "nua"),
    ("thang", "nua"),
    ("tuan", "sau"),
    ("thang", "sau"),
    ("ngay", "mai"),
    ("mai",),
    ("sau",),
    ("lan", "sau"),
)
_WEEKDAY = frozenset({"hai", "ba", "tu", "nam", "sau", "bay"})


# "được nhắc tới", "có nhắc đến", "nhắc tới": mentioned (by the text), not reminded
# ("được nhắc trước hạn" is); folded, "nhắc tới" is "nhắc tôi" (folded words; "tới"
# as typed).
MENTIONED = (("nhac", "den"), ("nhac", "qua"), ("duoc", "nhac", "toi"), ("co", "nhac", "toi"))


def speaks_of_mention(parse: Parse) -> bool:
    """Whether "nhắc" in the message means "mention", not "remind" ("hoãn nhắc đến mai"
    puts a reminder off to a time it names)."""
    if asks_to_snooze(parse.tokens):
        return False
    return _has(parse.tokens, *MENTIONED) or "nhắc tới" in parse.text.lower()


def asks_to_snooze(tokens: tuple[str, ...]) -> bool:
    """A message about being reminded ("nhắc") at a later time it names."""
    if "nhac" not in tokens:
        return False
    weekday = any(
        t == "thu" and tokens[i + 1 : i + 2] and tokens[i + 1] in _WEEKDAY
        for i, t in enumerate(tokens)
    )
    return weekday or _has(tokens, *LATER)


# Correcting a report sent ("sửa", "bổ sung", "nhập sai"): words the directive
# never uses, said with "báo cáo".
EDITING = (("sua",), ("bo", "sung"), ("nhap", "sai"), ("gui", "thieu"), ("gui", "nham"))
# Cancelling one ("hủy", "xóa"), folded ("hủy" is no "huyện", which folds "huyen").
CANCELLING = (("huy",), ("xoa",))
# The speaker's own body ("đơn vị em", "bên mình"), "em" being the speaker there.
MY_UNIT = (("don", "vi", "em"), ("co", "quan", "em"), ("ben", "em"), ("ben", "minh"))
# How much is done so far ("hoàn thành được bao nhiêu % rồi", "đạt bao nhiêu rồi").
DONE_SO_FAR = (("duoc", "bao", "nhieu"), ("bao", "nhieu", "%", "roi"), ("bao", "nhieu", "roi"))
# ... of its work ("hoàn thành", "xong"), not a score ("tỉnh mình được bao nhiêu điểm").
WORK_DONE = (("hoan", "thanh"), ("xong",), PROGRESS)
# How often or by when something is done: asked of the directive's rules (folded).
RULES_ASKED = (("bao", "lau"), ("dinh", "ky"), ("khi", "nao"), ("han",))
# Work coming due ("sắp đến hạn", "sắp hết hạn"), folded.
DUE_SOON = (("sap", "den", "han"), ("sap", "het", "han"), ("sap", "toi", "han"))
# Evidence of a report ("minh chứng"), a word the directive never uses.
EVIDENCE = ("minh", "chung")
EVIDENCE_HOW = "minhchung"
REMINDER = (("nhac", "truoc"), ("lich", "nhac"), ("dat", "nhac"), ("cai", "nhac"), ("nhac", "viec"))
REPORTING = ("bao", "cao")
# The assistant itself ("gửi báo cáo qua bot thế nào"): how to use it, whatever asks how.
ASSISTANT = (("bot",), ("chatbot",), ("tro", "ly"))
# ... or whether it can ("em báo cáo … qua bot được không").
ASKS_HOW = (*HOW, ("the", "nao"), ("ra", "sao"), ("duoc", "khong"), ("co", "duoc"))
# Progress of others than oneself, the summary of every agency (/tonghop): "các" and
# a kind of body ("các huyện", "các sở", "các đơn vị"; not "các nhiệm vụ"), or the
# whole ("chung", "toàn tỉnh", "tổng hợp").
WHOLE = (("chung",), ("toan", "tinh"), ("tong", "hop"), ("thuc", "hien", "chi", "thi"))
NOT_BODIES = frozenset({"nhiem", "viec", "bao", "muc", "van"})
# Asking the assistant to write the quarterly report (/baocaoquy drafts it); not "làm
# báo cáo quý", which also asks what the directive makes Sở TT&TT do.
QUARTERLY = ("bao", "cao", "quy")
DRAFTING = (("soan",), ("viet",), ("du", "thao"))
# ... or to make or send it for one ("làm giúp em báo cáo quý", "gửi giúp báo cáo quý").
DONE_FOR_ME = (("lam", "giup"), ("lap", "giup"), ("gui", "giup"), ("gui", "ho"), ("lam", "ho"))
FOR_ME = (("giup",), *FIRST_PERSON)
# Making or sending a document for the user ("soạn", "viết", "lập", "gửi … file"), with
# FOR_ME: not a question about what the directive asks for.
MAKING: tuple[tuple[str, ...], ...] = (
    *DRAFTING,
    ("lap", "giup"),
    ("lam", "giup"),
    ("gui", "file"),
    ("gui", "tep"),
    ("gui", "ban"),
    ("gui", "giup"),
    ("cho", "xin", "file"),
    ("cho", "xin", "ban"),
)
DRAFTING_FOR_ME = "soanthao"
# Question words that make such a message a question ("ai soạn … cho tôi?").
_TEXT_QUESTIONS = frozenset({"ai", "gi", "nao", "dau", "sao", "khi"})


def _asks_the_text(tokens: tuple[str, ...]) -> bool:
    return bool(_TEXT_QUESTIONS & set(tokens))


# Which bodies lag or are done ("đơn vị nào đang chậm tiến độ", "sở nào chưa hoàn
# thành", "danh sách đơn vị chậm triển khai"): the standing of today, which the
# directive (it sets tasks) cannot know, so the summary of every agency (/tonghop).
# Asked of a kind of body ("... nào", "danh sách ..."), not of a task ("nhiệm vụ nào
# quá hạn": the deadlines).
BODY_KINDS = (
    ("don", "vi"),
    ("co", "quan"),
    ("so",),
    ("nganh",),
    ("huyen",),
    ("xa",),
    ("dia", "phuong"),
)
LIST = ("danh", "sach")
# Not "muộn", which folds as "muốn" does.
# "trễ" (late), not "trẻ" (young: "ưu tiên cán bộ trẻ"), which folds the same: "trễ"
# with a word of time or standing after it.
LATE = (("tre", "han"), ("tre", "tien"), ("bi", "tre"), ("dang", "tre"), ("qua", "han"))
UNDONE = (
    ("hoan", "thanh"),
    ("xong",),
    ("bao", "cao"),
    ("nop",),
    ("trien", "khai"),
    ("thuc", "hien"),
)
# What the directive says of a lagging body: its duty, the sanction ("đơn vị nào chậm
# thì bị xử lý thế nào", "cơ quan nào chịu trách nhiệm nếu chậm").
# Not "bị": "đơn vị nào bị chậm tiến độ" asks which.
CONSEQUENCES = (("trach", "nhiem"), ("phai",), ("thi",), ("neu",), ("xu", "ly"))


def requested_by_shape(parse: Parse) -> str:
    """The command (or the assistant's feature, "nhacviec", "cachbaocao") a request
    asks for: "xem tiến độ của đơn vị tôi" (/tiendo), "hướng dẫn tôi cách báo cáo tiến
    độ" (how to report), "đặt lịch nhắc trước 3 ngày" (how reminders work); "" for a
    question about the directive."""
    tokens = parse.tokens
    has = partial(_has, tokens)
    if asks_to_snooze(tokens):
        return SNOOZE
    if has(*REMINDER):
        return REMINDERS
    if has(EVIDENCE) and has(*ASKS_HOW):
        # "gửi file minh chứng thế nào": how evidence goes with a report.
        return EVIDENCE_HOW
    if contains(tokens, list(QUARTERLY)) and (
        (has(*DRAFTING) and has(*FOR_ME)) or has(*DONE_FOR_ME)
    ):
        return "baocaoquy"
    if (
        has(*MAKING)
        and has(*FOR_ME)
        and not _asks_the_text(tokens)
        and not parse.values("clause")  # "gửi giúp tôi nội dung mục 2.f": the clause
        and parse.intent != "out_of_scope"
    ):
        # "soạn giúp em công văn đôn đốc", "lập giúp kế hoạch … được không ạ", "gửi
        # file pdf chỉ thị cho mình": work the assistant does not do, never a quote of
        # the sentence that names that kind of document. (A poem, which the classifier
        # knows for foreign, is refused as any foreign subject.)
        return DRAFTING_FOR_ME
    if contains(tokens, list(REPORTING)) and has(*CANCELLING):
        # "hủy giúp em báo cáo vừa gửi": what /huy does, and what it cannot (a report
        # sent is kept; /sua corrects it).
        return "huy"
    if contains(tokens, list(REPORTING)) and has(*EDITING):
        # "em lỡ nhập sai số liệu trong báo cáo, sửa lại được không".
        return "sua"
    progress = contains(tokens, list(PROGRESS))
    mine = (has(*FIRST_PERSON) or has(*MY_UNIT)) and not parse.values("agency")
    if mine and has(*DONE_SO_FAR) and has(*WORK_DONE):
        # "đơn vị em hoàn thành được bao nhiêu % rồi": its standing, /tiendo.
        return "tiendo"
    if contains(tokens, list(REPORTING)) and progress and has(*HOW):
        if parse.values("agency") and not has(*FIRST_PERSON, *ASSISTANT):
            return ""  # "Sở TT&TT báo cáo tiến độ như thế nào": what the text says
        return "cachbaocao"
    if contains(tokens, list(REPORTING)) and has(*ASSISTANT) and has(*ASKS_HOW):
        return "cachbaocao"
    progress = progress or (contains(tokens, list(STANDING)) and has(*SHOWING))
    bodies = any(
        t == "cac" and tokens[i + 1 : i + 2] and tokens[i + 1] not in NOT_BODIES
        for i, t in enumerate(tokens)
    )
    if progress and (bodies or has(*WHOLE)):
        return "tonghop"
    if (
        progress
        and parse.values("agency")
        and not mine
        and not contains(tokens, list(REPORTING))
        # "UBND tỉnh nhận cập nhật về tiến độ … bao lâu một lần": what the text rules.
        and not ("nhan" in tokens or has(*RULES_ASKED))
    ):
        # "cho xem tiến độ của huyện Tiên Du": another agency's standing, in the summary
        # of every agency (the directive never speaks of "tiến độ").
        return "tonghop"
    typed = fold_words(parse.text).split()
    if mine and any(contains(typed, list(p)) for p in DUE_SOON):
        # "xem danh sách việc sắp đến hạn của đơn vị tôi": the asker's own duties (the
        # words as typed: "sắp đến" is read as asking the standing of a deadline).
        return "nhiemvu"
    if progress and (mine or (contains(tokens, ["xem"]) and not parse.values("agency"))):
        # "xem tiến độ thực hiện các nhiệm vụ": the asker's own, as /tiendo shows it.
        return "tiendo"
    if asks_which_bodies_lag(tokens):
        return "tonghop"
    return ""


# Who the assistant is asked ("bạn là ai vậy", "bot là ai", "trợ lý là ai thế"), the
# particles closing the question aside (folded).
WHO_IT_IS = (("ban", "la", "ai"), ("bot", "la", "ai"), ("tro", "ly", "la", "ai"))
_CLOSING = frozenset({"vay", "the", "a", "nhi", "day", "ha"})


def asks_who_it_is(tokens: tuple[str, ...]) -> bool:
    while tokens and tokens[-1] in _CLOSING:
        tokens = tokens[:-1]
    return any(tokens == phrase or tokens[-len(phrase) :] == phrase for phrase in WHO_IT_IS)


def asks_which_bodies_lag(tokens: tuple[str, ...]) -> bool:
    """ "đơn vị nào đang chậm tiến độ", "danh sách đơn vị chậm triển khai", "sở nào chưa
    hoàn thành": which bodies (a kind of body with "nào", or a list of them) are late,
    undone or done, and not what befalls them."""
    has = partial(_has, tokens)
    if has(*CONSEQUENCES):
        return False
    opened = next((i for i in range(len(tokens)) if tokens[i : i + len(LIST)] == LIST), -1)
    after = tokens[opened + len(LIST) :] if opened >= 0 else ()
    listed = any(contains(after, list(body)) for body in BODY_KINDS)
    if not (has(*((*body, "nao") for body in BODY_KINDS)) or listed):
        return False
    # Slow at the work itself, or slow at all ("đơn vị nào đang chậm?"); not at what a
    # shortcoming names ("huyện nào chậm kiện toàn ban chỉ đạo": the text's words).
    slow = tokens[-1:] == ("cham",) or has(*(("cham", *u) for u in (*UNDONE, PROGRESS)))
    standing = has(*((w, *u) for w in ("chua", "da") for u in UNDONE))
    return slow or standing or has(*LATE, PROGRESS)


def _has(tokens: tuple[str, ...], *phrases: tuple[str, ...]) -> bool:
    return any(contains(tokens, list(p)) for p in phrases)
