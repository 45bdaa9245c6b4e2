"""The export kinds, each described once: its columns and what their headers mean, the
store table, the column that decides a row's month, whether it is a dated snapshot, and
the vocabularies its values are read with. Everything else asks this module.

Headers are matched by meaning, not spelling: `header_tokens` drops case, `ё`, `_`, `-`,
punctuation and units, and a header then names a column when its words equal one of the
column's synonyms. Equality of whole word sequences (not substring) is deliberate: 1C puts
`Сумма НДС` and `Сумма без НДС` beside `Сумма`, and only `Сумма` is the sale amount. A
date or a stage mark is also recognised as a date word plus a word of the column's
meaning (`Дата подтверждения`, `Явка (дата)`, `responded_date`): a list of synonyms
could never keep up with how people name those.
"""

import functools
import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str  # canonical name, also the column in the store
    type: str  # a key of texts.EXPECTED; how the value is parsed
    synonyms: tuple[str, ...]  # Russian first: the first one names the column in messages
    required: bool
    english: str  # the name used when the file's headers are English
    meaning: str = ""  # word stems (regex) of what the column is about; see header_tokens
    # In a grouped 1C report, the group level whose row carries this value for the rows
    # under it (the credit limit sits on the client's group row only).
    per: str = ""


@dataclass(frozen=True)
class Kind:
    name: str
    columns: tuple[Column, ...]
    table: str  # the store table its rows go to
    period: str  # SQL over the stored row: the date whose month a replacement is decided by
    any_of: tuple[str, ...] = ()  # at least one of these columns must be present
    snapshot: bool = False  # stored and replaced per as-of date rather than per month
    dated: bool = False  # rows are true as of a date (snapshots, candidates' stage marks)
    stores_as: str = ""  # another kind whose table and periods it shares (deals -> sales)
    measure: str = ""  # the money a 1C group row subtotals (checked against its rows)
    # a date column whose values must lie near the file's other dates (a year-0001 or
    # 2062 document is a typing error, never a sale of that year)
    plausible_date: str = ""
    # a 1C report of documents exists to export instead of a report of totals (which one:
    # texts.AGGREGATED_HINTS, by kind)
    detail_report: bool = False

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


_MONEY_MEANING = "сумм|выручк|стоимост|оборот|сальдо|amount|sum|revenue|total"


def _c(name, type_, synonyms, required=False, meaning="", per=""):
    english = next((s for s in synonyms if s.isascii()), synonyms[0])
    if type_ == "money":
        meaning = "|".join(m for m in (meaning, _MONEY_MEANING) if m)
    return Column(name, type_, tuple(synonyms), required, english, meaning, per)


MANAGER = ("Менеджер", "Ответственный", "Ответственный менеджер", "Менеджер клиента",
           "Основной менеджер", "Основной менеджер покупателя", "Менеджер покупателя",
           "Менеджер контрагента", "Торговый представитель", "Сотрудник", "KAM", "Manager",
           "Responsible", "Sales manager", "Account manager", "Owner")
CLIENT = ("Контрагент", "Клиент", "Покупатель", "Компания", "Заказчик", "Партнер", "Client",
          "Customer", "Counterparty", "Company", "Account")
TEAM = ("Отдел", "Команда", "Группа", "Подразделение", "Team", "Department", "Group")
DOCUMENT = ("Документ", "Номер", "Номер документа", "Регистратор", "Документ продажи",
            "Документ реализации", "Документ расчетов", "Документ расчетов с клиентом",
            "Расчетный документ", "Документ движения", "Document", "Doc", "Document number",
            "Number", "Invoice")
_DOCUMENT_MEANING = "документ|регистратор|накладн|реализац|отгруз|document|doc|invoice|shipment"

SALES = Kind("sales", (
    _c("doc_date", "timestamp", ("Дата", "Дата документа", "Дата продажи", "Дата реализации",
                                 "Дата и время", "Период", "День", "Date", "Datetime",
                                 "Document date", "Sale date"), True,
       meaning=_DOCUMENT_MEANING + "|продаж|sale"),
    _c("document", "text", DOCUMENT, meaning=_DOCUMENT_MEANING),
    _c("manager", "person", MANAGER, True),
    _c("client", "text", CLIENT, True),
    _c("amount", "money", ("Сумма", "Сумма с НДС", "Сумма продажи", "Сумма документа",
                           "Сумма выручки", "Выручка", "Amount", "Sum", "Total", "Revenue"),
       True),
    _c("doc_type", "doc_type", ("Тип", "Вид документа", "Тип документа", "Вид операции",
                                "Операция", "Type", "Document type", "Doc type")),
    _c("team", "text", TEAM, per="manager"),
), table="sales", period="doc_date", measure="amount", plausible_date="doc_date",
    detail_report=True)

PLAN = Kind("plan", (
    _c("month", "month", ("Месяц", "Период", "Плановый период", "Month", "Period"), True),
    _c("manager", "person", MANAGER, True),
    _c("plan_amount", "money", ("План", "План продаж", "План по выручке", "План сумма",
                                "Plan", "Sales plan", "Plan amount"), True, meaning="план|plan"),
    _c("plan_active", "count", ("План активных клиентов", "План по активной базе",
                                "Активные клиенты план", "План АКБ", "Active clients plan")),
    _c("plan_new", "count", ("План новых клиентов", "План по новым клиентам",
                             "Новые клиенты план", "New clients plan")),
    _c("team", "text", TEAM, per="manager"),
), table="plans", period="month")

RECEIVABLES = Kind("receivables", (
    _c("client", "text", CLIENT, True),
    _c("manager", "person", MANAGER, True),
    _c("document", "text", DOCUMENT, meaning=_DOCUMENT_MEANING),
    _c("doc_date", "date", ("Дата документа", "Дата", "Дата реализации", "Document date",
                            "Date"), True, meaning=_DOCUMENT_MEANING + "|расчет"),
    _c("due_date", "date", ("Срок оплаты", "Дата оплаты по договору", "Оплатить до",
                            "Due date", "Payment due"), meaning="срок|погаш|due"),
    _c("deferral_days", "days", ("Отсрочка", "Отсрочка платежа", "Отсрочка по договору",
                                 "Deferral", "Payment terms"), meaning="отсрочк|deferr"),
    _c("outstanding", "money", ("Сумма долга", "Остаток", "Остаток долга", "Долг",
                                "Задолженность", "Сумма задолженности", "Конечный остаток",
                                "Outstanding", "Balance", "Debt", "Amount due"), True,
       meaning="долг|задолж|остат|debt|outstanding|balance"),
    _c("credit_limit", "money", ("Кредитный лимит", "Лимит", "Лимит задолженности",
                                 "Допустимая сумма задолженности", "Credit limit"),
       meaning="лимит|limit", per="client"),
), table="receivables", period="as_of", snapshot=True, dated=True, measure="outstanding",
    detail_report=True)

ACTIVITIES = Kind("activities", (
    _c("happened_at", "timestamp", ("Дата", "Дата и время", "Начало", "Дата начала", "Срок",
                                    "Дата активности", "Date", "Datetime", "Start",
                                    "Date time"), True,
       meaning="начал|активн|событ|встреч|дел|звон|выполн|заверш|провед|start|activit|event|"
               "meeting|call|done|complet"),
    _c("manager", "person", MANAGER, True),
    _c("activity_type", "activity_type", ("Тип", "Тип активности", "Тип дела", "Вид",
                                          "Вид события", "Activity type", "Type"), True),
    _c("client", "text", CLIENT),
    _c("status", "activity_status", ("Статус", "Состояние", "Результат", "Status",
                                     "State"), True),
    _c("subject", "text", ("Тема", "Описание", "Subject", "Description")),
), table="activities", period="happened_at", plausible_date="happened_at")

CANDIDATES = Kind("candidates", (
    _c("candidate", "text", ("Кандидат", "ФИО", "ФИО кандидата", "Соискатель",
                             "Candidate", "Name", "Full name"), True),
    _c("vacancy", "text", ("Вакансия", "Должность", "Vacancy", "Position", "Job")),
    _c("source", "text", ("Источник", "Канал", "Source", "Channel")),
    _c("recruiter", "person", ("Рекрутер", "Ответственный", "Менеджер по подбору",
                               "Recruiter")),
    _c("responded_on", "date", ("Дата отклика", "Отклик", "Дата добавления",
                                "Response date", "Applied", "Applied on"),
       meaning="откл|добавл|respon|appl"),
    _c("screened", "mark", ("Скрининг", "Отбор", "Screened", "Screening"),
       meaning="скрин|отбор|screen"),
    _c("invited", "mark", ("Приглашён", "Приглашение", "Invited", "Invitation"),
       meaning="приглаш|invit"),
    _c("confirmed", "mark", ("Подтвердил", "Подтверждение", "Confirmed"),
       meaning="подтвер|confirm"),
    _c("interview_on", "date", ("Дата собеседования", "Interview date"),
       meaning="собесед|интервью|interview"),
    _c("attended", "mark", ("Пришёл", "Явка", "Пришёл на собеседование", "Attended",
                            "Showed up"), meaning="явк|явил|приш|attend|show"),
    _c("offer", "mark", ("Оффер", "Offer"), meaning="оффер|offer|предложен"),
    _c("hired", "mark", ("Выход", "Вышел", "Вышел на работу", "Hired"),
       meaning="выход|вышел|вышла|найм|нанят|принят|трудоустр|hire|start|onboard"),
    _c("stage", "stage", ("Этап", "Статус", "Этап подбора", "Stage", "Status")),
    _c("refusal_stage", "stage", ("Этап отказа", "Refused at", "Rejection stage")),
    _c("refused_mark", "mark", ("Дата отказа", "Refusal date", "Rejected on"),
       meaning="отказ|reject|refus|declin"),
), table="candidates", period="coalesce(responded_on, as_of)", dated=True,
    any_of=("stage", "screened", "invited", "confirmed", "attended", "offer", "hired"),
    plausible_date="responded_on")

# A CRM deals export (amoCRM, Bitrix24) is a second source of sales facts: won deals by
# close date. It replaces the sales of the months it covers, like a 1C sales export.
DEALS = Kind("deals", (
    _c("document", "text", ("ID", "ID сделки", "Номер сделки", "Deal ID"), True),
    _c("title", "text", ("Название сделки", "Сделка", "Название", "Deal name", "Title")),
    _c("amount", "money", ("Бюджет", "Сумма", "Сумма сделки", "Бюджет сделки", "Budget",
                           "Amount", "Opportunity"), meaning="бюджет|budget|opportun"),
    _c("manager", "person", ("Ответственный", "Ответственный за сделку", "Менеджер",
                             "Responsible", "Responsible user", "Manager"), True),
    _c("stage", "text", ("Этап сделки", "Стадия сделки", "Этап", "Стадия", "Статус сделки",
                         "Deal stage", "Stage"), True),
    # the column must be there (any_of), its value only for a won deal: an open one has none
    _c("closed_at", "close_date", ("Дата закрытия", "Дата закрытия сделки",
                                   "Предполагаемая дата закрытия", "Close date", "Closed at"),
       meaning="закрыт|close"),
    _c("client", "text", ("Компания", "Компания Название компании", "Контрагент", "Клиент",
                          "Company", "Client")),
    _c("contact_company", "text", ("Компания контакта", "Contact company")),
    _c("contact", "text", ("Полное имя контакта", "Контакт", "Contact", "Contact name")),
), table="sales", period="doc_date", any_of=("closed_at",), stores_as="sales",
    plausible_date="closed_at")

KINDS = {k.name: k for k in (SALES, PLAN, RECEIVABLES, ACTIVITIES, CANDIDATES, DEALS)}


def family(kind_name: str) -> list[str]:
    """The kind and those stored as it: `--kind sales` accepts a 1C or a CRM deals export."""
    return [kind_name] + [k.name for k in KINDS.values() if k.stores_as == kind_name]


# --- value vocabularies ---------------------------------------------------------------
# Stages that mean a deal was won (a setting: a CRM's stage names are the user's own).
WON_STAGES = ("успешно реализовано", "сделка успешна", "сделка заключена", "выиграна",
              "выиграно", "успешно", "закрыта успешно", "won", "closed won")
RETURN_PATTERN = "возврат|return|refund|сторно|credit"

# Funnel stages in order; a candidate who reached one passed all earlier ones.
STAGES = ("responded", "screened", "invited", "confirmed", "attended", "offer", "hired")
STAGE_MARK_COLUMNS = STAGES[1:]

# Values are classified by meaning (see `classify`): word stems per class, not lists of
# spellings, so Bitrix24's «Ожидает выполнения» is planned and «Завершено» held.
ACTIVITY_TYPES = {
    "meeting": r"встреч|визит|выезд|meeting|visit",
    "call": r"звон|телефон|call|phone",
    "other": r"письм|почт|e-?mail|mail|задач|task|\bдело\b|сообщ|message|sms|смс|чат|chat",
}
ACTIVITY_STATUSES = {
    "held": r"провед|состоял|выполн|заверш|сделан|held|done|complet|finish",
    "cancelled": r"^не |^не(выполн|провед|состоял|заверш)|^not |^in?complet|^undone|^un|отмен|"
                 r"перенес|сорвал|cancel|no.?show|missed|fail",
    "planned": r"заплан|ожида|в работе|назнач|треб|не начат|^нов|planned|schedul|open|"
               r"pending|wait|new|to ?do",
}
STAGE_MEANINGS = {
    6: r"вышел|вышла|выход|принят|нанят|трудоустр|hired|started",
    5: r"оффер|offer|предложени",
    2: r"приглаш|invit|собеседование назнач|назначено собеседование",
    3: r"подтверд|confirm",
    4: r"приш[её]л|пришла|явк|явил|собеседован|attend|interview",
    1: r"отбор|скрин|screen",
    0: r"отклик|^нов|respon|appl|new",
}
REFUSAL_PATTERN = r"отказ|reject|refus|declin|^не |^неявк|no.?show"
# A negated stage («Не пришёл на собеседование», «Неявка», «Не вышел на работу») is a refusal
# after the stage before it: the candidate got that far and no further.
NEGATION = r"^(не |неявк|not |no.?show)"
MARK_YES = ("да", "+", "1", "x", "х", "v", "yes", "y", "true", "пришел", "пришла", "был",
            "была", "явился", "явилась", "подтвердил", "подтвердила", "вышел", "вышла")
MARK_NO = ("нет", "-", "0", "no", "n", "false", "не пришел", "не пришла", "не явился")


def value_key(text: str) -> str:
    """A value as values are compared (the SQL macro vkey does the same): lower, ё -> е,
    runs of spaces as one."""
    return " ".join(str(text).replace("\u00a0", " ").replace("\u202f", " ").split()).lower() \
        .replace("ё", "е")


def value_words(words) -> list[str]:
    return [value_key(w) for w in words]


def classify(value: str, meanings: dict) -> object | None:
    """The class whose stems occur earliest in the value (the longest match on a tie).
    In the phrases exports use the head word carries the meaning: «Ожидает выполнения» is
    waiting, «Не состоялась» is a negation, «Не начата» is planned. None when nothing
    matches."""
    key, best = value_key(value), None
    for name, pattern in meanings.items():
        found = re.search(pattern, key)
        if found:
            rank = (found.start(), -(found.end() - found.start()))
            if best is None or rank < best[0]:
                best = (rank, name)
    return best[1] if best else None


def stage_of(value: str) -> int | None:
    """The funnel stage a stage name means; a negated one is the stage before it (a no-show
    was invited, whether or not they confirmed; «не вышел» had an offer)."""
    key = value_key(value)
    negated = re.match(NEGATION, key)
    if negated and not negated.group(0).endswith(" "):  # «неявка», «no show»: attendance
        stage = 4
    else:
        stage = classify(key[negated.end():] if negated else key, STAGE_MEANINGS)
    if stage is None or not negated:
        return stage
    return 2 if stage in (3, 4) else max(stage - 1, 0)


# --- headers --------------------------------------------------------------------------
_UNITS = {"руб", "р", "rub", "rur", "тг", "тенге", "kzt", "дней", "дн", "days", "шт",
          "ед", "pcs"}
# Words that say "a date": with a word of a column's meaning they name that column.
DATE_WORDS = {"дата", "date", "dt", "время", "time", "datetime", "timestamp", "on", "at",
              "день", "day", "и", "and", "of"}
_CAMEL = re.compile(r"(?<=[a-zа-яё])(?=[A-ZА-ЯЁ])")
_WORDS = re.compile(r"[^\W_]+|%")


@functools.lru_cache(maxsize=4096)  # recognition asks of the same few headers for every kind
def header_tokens(text) -> tuple[str, ...]:
    """`Сумма, руб.` -> (сумма); `Отсрочка (дней)` -> (отсрочка); `document_date` and
    `DocumentDate` -> (document, date); `Сумма НДС` stays (сумма, ндс)."""
    text = _CAMEL.sub(" ", unicodedata.normalize("NFKC", str(text)))
    words = _WORDS.findall(text.lower().replace("ё", "е"))
    return tuple(w for w in words if w not in _UNITS)


def header_key(text) -> str:
    return " ".join(header_tokens(text))
