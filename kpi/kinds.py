"""The five export kinds: their columns, header synonyms and value types.

A header matches a column when, normalised by `header_key`, it equals one of the
column's synonyms. Exact matching (not substring) is deliberate: 1C puts `Сумма НДС` and
`Сумма без НДС` beside `Сумма`, and only `Сумма` is the sale amount.
"""

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str  # canonical name, also the column in the store
    type: str  # a key of texts.EXPECTED; how the value is parsed
    synonyms: tuple[str, ...]  # Russian first: the first one names the column in messages
    required: bool
    english: str  # the name used when the file's headers are English


@dataclass(frozen=True)
class Kind:
    name: str
    columns: tuple[Column, ...]
    any_of: tuple[str, ...] = ()  # at least one of these columns must be present
    snapshot: bool = False  # stored per as-of date rather than per month
    stores_as: str = ""  # another kind whose table and periods it shares (deals -> sales)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _c(name, type_, synonyms, required=False):
    english = next((s for s in synonyms if s.isascii()), synonyms[0])
    return Column(name, type_, tuple(synonyms), required, english)


MANAGER = ("Менеджер", "Ответственный", "Ответственный менеджер", "Менеджер клиента",
           "Торговый представитель", "Сотрудник", "KAM", "Manager", "Responsible",
           "Sales manager", "Account manager", "Owner")
CLIENT = ("Контрагент", "Клиент", "Покупатель", "Компания", "Заказчик", "Client",
          "Customer", "Counterparty", "Company", "Account")
TEAM = ("Отдел", "Команда", "Группа", "Подразделение", "Team", "Department", "Group")
DOCUMENT = ("Документ", "Номер", "Номер документа", "Регистратор", "Документ продажи",
            "Document", "Doc", "Document number", "Number", "Invoice")

SALES = Kind("sales", (
    _c("doc_date", "timestamp", ("Дата", "Дата документа", "Дата продажи", "Дата реализации",
                                 "Date", "Document date", "Sale date"), True),
    _c("document", "text", DOCUMENT),
    _c("manager", "person", MANAGER, True),
    _c("client", "text", CLIENT, True),
    _c("amount", "money", ("Сумма", "Сумма с НДС", "Сумма продажи", "Сумма документа",
                           "Выручка", "Amount", "Sum", "Total", "Revenue"), True),
    _c("doc_type", "doc_type", ("Тип", "Вид документа", "Тип документа", "Вид операции",
                                "Операция", "Type", "Document type")),
    _c("team", "text", TEAM),
))

PLAN = Kind("plan", (
    _c("month", "month", ("Месяц", "Период", "Month", "Period"), True),
    _c("manager", "person", MANAGER, True),
    _c("plan_amount", "money", ("План", "План продаж", "План по выручке", "План, сумма",
                                "Plan", "Sales plan", "Plan amount"), True),
    _c("plan_active", "count", ("План активных клиентов", "План по активной базе",
                                "Активные клиенты план", "План АКБ", "Active clients plan")),
    _c("plan_new", "count", ("План новых клиентов", "План по новым клиентам",
                             "Новые клиенты план", "New clients plan")),
    _c("team", "text", TEAM),
))

RECEIVABLES = Kind("receivables", (
    _c("client", "text", CLIENT, True),
    _c("manager", "person", MANAGER, True),
    _c("document", "text", DOCUMENT),
    _c("doc_date", "date", ("Дата документа", "Дата", "Дата реализации", "Document date",
                            "Date"), True),
    _c("due_date", "date", ("Срок оплаты", "Дата оплаты по договору", "Оплатить до",
                            "Due date", "Payment due")),
    _c("deferral_days", "days", ("Отсрочка", "Отсрочка (дней)", "Отсрочка, дней",
                                 "Отсрочка дней", "Отсрочка платежа", "Deferral days",
                                 "Payment terms", "Deferral")),
    _c("outstanding", "money", ("Сумма долга", "Остаток", "Остаток долга", "Долг",
                                "Задолженность", "Сумма задолженности", "Outstanding",
                                "Balance", "Debt", "Amount due"), True),
    _c("credit_limit", "money", ("Кредитный лимит", "Лимит", "Лимит задолженности",
                                 "Credit limit")),
), snapshot=True)

ACTIVITIES = Kind("activities", (
    _c("happened_at", "timestamp", ("Дата", "Дата и время", "Начало", "Дата начала", "Срок",
                           "Дата активности", "Date", "Start", "Date time"), True),
    _c("manager", "person", MANAGER, True),
    _c("activity_type", "activity_type", ("Тип", "Тип активности", "Тип дела", "Вид",
                                          "Вид события", "Activity type", "Type"), True),
    _c("client", "text", CLIENT),
    _c("status", "activity_status", ("Статус", "Состояние", "Результат", "Status",
                                     "State"), True),
    _c("subject", "text", ("Тема", "Описание", "Subject", "Description")),
))

CANDIDATES = Kind("candidates", (
    _c("candidate", "text", ("Кандидат", "ФИО", "ФИО кандидата", "Соискатель",
                             "Candidate", "Name", "Full name"), True),
    _c("vacancy", "text", ("Вакансия", "Должность", "Vacancy", "Position", "Job")),
    _c("source", "text", ("Источник", "Канал", "Source", "Channel")),
    _c("recruiter", "person", ("Рекрутер", "Ответственный", "Менеджер по подбору",
                               "Recruiter")),
    _c("responded_on", "date", ("Дата отклика", "Отклик", "Дата добавления",
                                "Response date", "Applied", "Applied on"), False),
    _c("screened", "mark", ("Скрининг", "Отбор", "Дата скрининга", "Screened", "Screening")),
    _c("invited", "mark", ("Дата приглашения", "Приглашён", "Приглашен", "Приглашение",
                           "Invited", "Invitation date")),
    _c("confirmed", "mark", ("Подтвердил", "Подтверждение", "Confirmed")),
    _c("interview_on", "date", ("Дата собеседования", "Interview date")),
    _c("attended", "mark", ("Пришёл", "Пришел", "Явка", "Пришёл на собеседование",
                            "Attended", "Showed up")),
    _c("offer", "mark", ("Оффер", "Дата оффера", "Offer", "Offer date")),
    _c("hired", "mark", ("Выход", "Дата выхода", "Вышел", "Вышел на работу", "Hired",
                         "Start date")),
    _c("stage", "stage", ("Этап", "Статус", "Этап подбора", "Stage", "Status")),
    _c("refusal_stage", "stage", ("Этап отказа", "Refused at", "Rejection stage")),
), any_of=("stage", "screened", "invited", "confirmed", "attended", "offer", "hired"))

# A CRM deals export (amoCRM, Bitrix24) is a second source of sales facts: won deals by
# close date. It replaces the sales of the months it covers, like a 1C sales export.
DEALS = Kind("deals", (
    _c("document", "text", ("ID", "ID сделки", "Номер сделки", "Deal ID"), True),
    _c("title", "text", ("Название сделки", "Сделка", "Название", "Deal name", "Title")),
    _c("amount", "money", ("Бюджет", "Сумма", "Сумма сделки", "Бюджет сделки", "Budget",
                           "Amount", "Opportunity")),
    _c("manager", "person", ("Ответственный", "Ответственный за сделку", "Менеджер",
                             "Responsible", "Responsible user", "Manager"), True),
    _c("stage", "text", ("Этап сделки", "Стадия сделки", "Этап", "Стадия", "Статус сделки",
                         "Deal stage", "Stage"), True),
    # the column must be there (any_of), its value only for a won deal: an open one has none
    _c("closed_at", "close_date", ("Дата закрытия", "Дата закрытия сделки",
                                   "Предполагаемая дата закрытия", "Close date", "Closed at")),
    _c("client", "text", ("Компания", "Компания: Название компании", "Контрагент", "Клиент",
                          "Company", "Client")),
    _c("contact_company", "text", ("Компания контакта", "Contact company")),
    _c("contact", "text", ("Полное имя контакта", "Контакт", "Contact", "Contact name")),
), any_of=("closed_at",), stores_as="sales")

KINDS = {k.name: k for k in (SALES, PLAN, RECEIVABLES, ACTIVITIES, CANDIDATES, DEALS)}


def family(kind_name: str) -> list[str]:
    """The kind and those stored as it: `--kind sales` accepts a 1C or a CRM deals export."""
    return [kind_name] + [k.name for k in KINDS.values() if k.stores_as == kind_name]
# Stages that mean a deal was won (a setting: a CRM's stage names are the user's own).
WON_STAGES = ("успешно реализовано", "сделка успешна", "сделка заключена", "выиграна",
              "выиграно", "успешно", "закрыта успешно", "won", "closed won")

# Funnel stages in order; a candidate who reached one passed all earlier ones.
STAGES = ("responded", "screened", "invited", "confirmed", "attended", "offer", "hired")
STAGE_MARK_COLUMNS = STAGES[1:]

# Value vocabularies, matched after lower-casing, trimming and ё -> е.
RETURN_WORDS = ("возврат", "возврат товаров от покупателя", "возврат от покупателя",
                "return", "refund", "credit note", "сторно")
SALE_WORDS = ("реализация", "реализация товаров и услуг", "продажа", "отгрузка",
              "реализация товаров", "реализация услуг", "sale", "invoice", "shipment")
ACTIVITY_TYPES = {
    "meeting": ("встреча", "meeting", "визит", "visit", "выезд к клиенту", "личная встреча"),
    "call": ("звонок", "телефонный звонок", "исходящий звонок", "входящий звонок", "call",
             "phone call", "outgoing call", "incoming call"),
    "other": ("письмо", "email", "e-mail", "электронное письмо", "задача", "task", "дело",
              "сообщение", "message", "sms", "смс"),
}
ACTIVITY_STATUSES = {
    "held": ("проведена", "проведено", "состоялась", "состоялось", "выполнена", "выполнено",
             "завершена", "завершено", "held", "done", "completed", "complete"),
    "cancelled": ("отменена", "отменено", "не состоялась", "перенесена", "cancelled",
                  "canceled", "no show"),
    "planned": ("запланирована", "запланировано", "в работе", "ожидает", "planned",
                "scheduled", "open"),
}
MARK_YES = ("да", "+", "1", "x", "х", "v", "yes", "y", "true", "пришел", "пришла", "был",
            "была", "явился", "явилась", "подтвердил", "подтвердила", "вышел", "вышла")
MARK_NO = ("нет", "-", "0", "no", "n", "false", "не пришел", "не пришла", "не явился")
# Regular expressions (RE2) for stage names, checked in this order: the first match wins.
# "Приглашён на собеседование" must be "invited", so invited is tried before attended.
STAGE_PATTERNS = (
    (6, r"вышел|вышла|выход|принят|нанят|трудоустр|hired|started"),
    (5, r"оффер|offer|предложени"),
    (2, r"приглаш|invit"),
    (3, r"подтверд|confirm"),
    (4, r"приш[её]л|пришла|явк|явил|собеседован|attend|interview"),
    (1, r"отбор|скрин|screen"),
    (0, r"отклик|нов|respon|appl|new"),
)
REFUSAL_PATTERN = r"отказ|reject|refus|declin"


_UNIT_SUFFIX = re.compile(r"[,(]\s*(руб\.?|₽|₸|тг\.?|тенге|kzt|rub|дней|дн\.?|шт\.?)\)?$")


def header_key(text: str) -> str:
    """Normalise a header for matching: case, ё, spaces, trailing ':' or '*', a unit suffix."""
    key = " ".join(str(text).replace("\u00a0", " ").split()).lower().replace("ё", "е")
    key = key.strip(" :*")
    return _UNIT_SUFFIX.sub("", key).strip(" ,")


def value_words(words) -> list[str]:
    """Vocabulary in the form values are compared in SQL (lower, ё -> е, trimmed)."""
    return [w.lower().replace("ё", "е").strip() for w in words]
