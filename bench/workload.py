"""The benchmark's workload: a company of 300 managers in 10 teams over 36 months
(December 2023 to November 2026), written as the exports the product reads.

    .venv/bin/python bench/workload.py [--scale 1.0] [--check]

Fixed seed, so every run reads the same bytes; written once per scale and kept under
`bench/results/cache/<scale>/` (gitignored), regenerated when GENERATOR changes. At
scale 1.0:

    sales         1,000,000 documents (3 % returns), 20,000 clients
    plan          300 managers x 36 months, with Отдел (does not scale: one row per
                  manager and month is the company's shape, not a volume)
    receivables   200,000 rows in each of two snapshots, 31.10.2026 and 30.11.2026
    activities    500,000 meetings, calls and e-mails, Bitrix24-like statuses
    candidates    100,000 candidates at HeadHunter-like stages, as of 27.11.2026; the
                  invited with invitation and interview dates, who comes set by the
                  source and by confirming (SHOW_BY_SOURCE)

Each kind twice: in the 1C style (Windows-1251, `;`, no-break-space thousands, decimal
comma, dd.mm.yyyy dates, title lines above the header, an «Итого» row at the end) and as
plain UTF-8 CSV (`,`, ISO dates, dot decimals, a header and rows only). The same rows in
both, so DuckDB's `read_csv` of the plain file is the floor for importing the 1C one.
Also a 1C-style .xlsx of every 10th sales document (100,000 rows), and for the growth
figure 1C sales CSVs of every 100th and every 10th document (10,000 and 100,000 rows,
spanning the same three years). `--scale` multiplies every row count but the plan's.

`--check` imports nothing: it inspects every file (kpi.importer.inspect) and prints what
it was recognised as and how many rows were refused (there must be none).
"""

import argparse
import datetime as dt
import json
import math
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / "results" / "cache"
# who comes to an interview, by source (before confirming moves it): the truth the
# attendance forecast's replay is measured against
SHOW_BY_SOURCE = {"hh.ru": 0.45, "SuperJob": 0.4, "Авито Работа": 0.3, "Рекомендация": 0.8,
                  "Сайт компании": 0.6}
GENERATOR = 2  # bump when the files change: a cached workload of another version is rewritten
SEED = 20261130

FIRST_DAY = dt.date(2023, 12, 1)
LAST_DAY = dt.date(2026, 11, 27)  # the last working day with data (a Friday)
MONTHS = 36
AS_OF = (dt.date(2026, 10, 31), dt.date(2026, 11, 30))  # the two receivables snapshots
CANDIDATES_AS_OF = LAST_DAY

MANAGERS = 300
CLIENTS = 20_000
FULL_ROWS = {"sales": 1_000_000, "receivables": 200_000, "activities": 500_000,
             "candidates": 100_000, "xlsx": 100_000}
GROWTH = {"10k": 100, "100k": 10, "1M": 1}  # label -> every n-th sales document
KINDS = ("sales", "plan", "receivables", "activities", "candidates")

SURNAMES = ["Иванов", "Петров", "Смирнов", "Кузнецов", "Попов", "Васильев", "Соколов",
            "Михайлов", "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев",
            "Семёнов", "Егоров", "Павлов", "Козлов", "Степанов", "Николаев", "Орлов",
            "Андреев", "Макаров", "Никитин", "Захаров", "Зайцев", "Соловьёв", "Борисов",
            "Яковлев", "Григорьев", "Романов", "Воробьёв", "Сергеев", "Кузьмин", "Фролов",
            "Александров", "Дмитриев", "Королёв", "Гусев", "Киселёв", "Ахметов", "Нурланов",
            "Жумабаев", "Ильин", "Тарасов", "Белов", "Комаров", "Медведев", "Антонов",
            "Жуков"]
INITIALS = "АБВГДЕИКЛМНОПРСТЮЯ"
TEAMS = ["Москва Север", "Москва Юг", "Санкт-Петербург", "Казань", "Екатеринбург",
         "Новосибирск", "Ростов-на-Дону", "Самара", "Краснодар", "Ключевые клиенты"]
CLIENT_WORDS = ["Ромашка", "Вектор", "Альфа-Трейд", "СеверСталь Сервис", "Гранит",
                "Меридиан", "Океан", "Полюс", "Стройдом", "Техносила", "Агроком", "Восток",
                "Байкал", "Орион", "Сфера", "Лидер", "Прогресс", "Ладога", "Кедр", "Алтын"]
FORMS = ["ООО", "АО", "ИП", "ПАО"]
TITLE = "Организация: ООО «Северный ветер»"

NBSP_MONEY = str.maketrans({",": "\u00a0", ".": ","})


@dataclass
class Workload:
    scale: float
    folder: Path
    manifest: dict
    written: bool = False  # by this call, not read from the cache

    def files(self, kind: str, fmt: str) -> list[Path]:
        """The files of `kind` ("sales", ..., "growth-10k") in `fmt` ("1c", "plain", "xlsx")."""
        return [self.folder / name for name in self.manifest["files"][f"{kind}/{fmt}"]]

    def rows(self, kind: str) -> int:
        return self.manifest["rows"][kind]

    @property
    def title_lines(self) -> int:
        """Lines above the header of the 1C sales CSV (what a pandas script skips)."""
        return self.manifest["sales_title_lines"]


def scale_name(scale: float) -> str:
    return f"{scale:g}"


def ensure(scale: float = 1.0, log=lambda text: print(text, file=sys.stderr)) -> Workload:
    """The workload at this scale, written first if the cache lacks it."""
    folder = CACHE / scale_name(scale)
    manifest_path = folder / "manifest.json"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("generator") == GENERATOR and all(
                (folder / name).exists() for names in manifest["files"].values() for name in names):
            return Workload(scale, folder, manifest)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.rglob("*"):
        if old.is_file():
            old.unlink()
    started = time.perf_counter()
    log(f"writing the workload at scale {scale_name(scale)} to {folder} ...")
    manifest = _generate(scale, folder, log)
    manifest["seconds"] = round(time.perf_counter() - started, 1)
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
    log(f"workload written in {manifest['seconds']} s")
    return Workload(scale, folder, manifest, written=True)


# --- the company -----------------------------------------------------------------------

def manager_names() -> list[str]:
    names, seen, i = [], set(), 0
    while len(names) < MANAGERS:
        surname = SURNAMES[i % len(SURNAMES)]
        first = INITIALS[(i // len(SURNAMES)) % len(INITIALS)]
        second = INITIALS[(i * 7 + i // len(SURNAMES)) % len(INITIALS)]
        female = i % 3 == 2 and surname.endswith(("ов", "ев", "ин", "ёв"))
        name = f"{surname}{'а' if female else ''} {first}.{second}."
        if name not in seen:
            seen.add(name)
            names.append(name)
        i += 1
    return names


def team_of(managers: list[str], rng: random.Random) -> list[str]:
    """Ten teams of 20 to 40 managers."""
    sizes = [20, 24, 26, 28, 30, 30, 32, 34, 36, 40]
    teams = [team for team, size in zip(TEAMS, sizes) for _ in range(size)]
    rng.shuffle(teams)
    return teams[:len(managers)]


def client_names() -> list[str]:
    return [f'{FORMS[j % len(FORMS)]} "{CLIENT_WORDS[j % len(CLIENT_WORDS)]}-{j + 1}"'
            for j in range(CLIENTS)]


def quoted(text: str) -> str:
    """A CSV cell as 1C and Excel write one with quotes in it."""
    return '"' + text.replace('"', '""') + '"' if '"' in text else text


def working_days(first: dt.date, last: dt.date) -> list[dt.date]:
    days, d = [], first
    while d <= last:
        if d.weekday() < 5:
            days.append(d)
        d += dt.timedelta(days=1)
    return days


def money_1c(value: float) -> str:
    """'1 234 567,89' with no-break spaces, as 1C writes it."""
    return f"{value:,.2f}".translate(NBSP_MONEY)


def _ru(d: dt.date) -> str:
    return f"{d:%d.%m.%Y}"


def _write(path: Path, lines: list[str], style: str) -> None:
    if style == "1c":
        path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1251"))
    else:
        path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))


# --- generation ------------------------------------------------------------------------

def _generate(scale: float, folder: Path, log) -> dict:
    rng = random.Random(SEED)
    managers = manager_names()
    teams = team_of(managers, rng)
    clients = client_names()
    clients_q = [quoted(c) for c in clients]
    strength = [rng.uniform(0.4, 1.6) for _ in managers]
    rows = {kind: max(1, round(n * scale)) for kind, n in FULL_ROWS.items()}
    rows["plan"] = MANAGERS * MONTHS
    files: dict[str, list[str]] = {}

    def put(key: str, name: str, lines: list[str], style: str) -> None:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        _write(path, lines, style)
        files.setdefault(key, []).append(name)

    # sales ------------------------------------------------------------------------------
    log("  sales")
    n = rows["sales"]
    days = working_days(FIRST_DAY, LAST_DAY)
    day_ru = [_ru(d) for d in days]
    day_iso = [d.isoformat() for d in days]
    clock = [f"{m // 60:02d}:{m % 60:02d}:00" for m in range(24 * 60)]
    cum, total = [], 0.0
    for s in strength:
        total += s
        cum.append(total)
    per_manager = CLIENTS // MANAGERS
    sales = []  # (day index, minute, manager, client, amount, is return)
    for d in range(len(days)):
        k = (d + 1) * n // len(days) - d * n // len(days)
        minutes = sorted(rng.randrange(9 * 60, 19 * 60) for _ in range(k))
        for minute, m in zip(minutes, rng.choices(range(MANAGERS), cum_weights=cum, k=k)):
            amount = round(rng.lognormvariate(11.3, 0.9), 2)
            back = rng.random() < 0.03
            if back:
                amount = -round(amount * rng.choice((0.2, 0.5, 1.0)), 2)
            sales.append((d, minute, m, m + MANAGERS * rng.randrange(per_manager), amount, back))

    def doc(i: int, back: bool) -> str:
        kind = "Возврат товаров от покупателя" if back else "Реализация товаров и услуг"
        return f"{kind} СВ-{i + 1:07d}"

    title = ["Продажи по менеджерам;;;;", f"Период: {_ru(FIRST_DAY)} - {_ru(LAST_DAY)};;;;",
             f"{TITLE};;;;", ";;;;"]

    def sales_1c(step: int) -> list[str]:
        lines = title + ["Дата;Документ;Менеджер;Контрагент;Сумма"]
        amount = 0.0
        for i in range(0, n, step):
            d, minute, m, c, a, back = sales[i]
            amount += a
            lines.append(f"{day_ru[d]} {clock[minute]};{doc(i, back)};{managers[m]};"
                         f"{clients_q[c]};{money_1c(a)}")
        lines.append(f"Итого;;;;{money_1c(amount)}")
        return lines

    put("sales/1c", f"Продажи_{FIRST_DAY:%Y-%m}_{LAST_DAY:%Y-%m}_1С.csv", sales_1c(1), "1c")
    put("sales/plain", "sales.csv", ["date,document,manager,client,amount"] + [
        f"{day_iso[d]} {clock[minute]},{doc(i, back)},{managers[m]},{clients_q[c]},{a:.2f}"
        for i, (d, minute, m, c, a, back) in enumerate(sales)], "plain")
    for label, step in GROWTH.items():
        if step == 1:
            files[f"growth-{label}/1c"] = files["sales/1c"]
        else:
            put(f"growth-{label}/1c", f"growth/Продажи_{label}_1С.csv", sales_1c(step), "1c")
        rows[f"growth-{label}"] = len(range(0, n, step))
    sales_title_lines = len(title)

    # the same documents as a 1C .xlsx: every 10th, so it spans the three years
    log("  sales .xlsx")
    step = max(1, round(n / rows["xlsx"]))
    rows["xlsx"] = len(range(0, n, step))
    _sales_xlsx(folder / "Продажи_1С.xlsx", [
        (dt.datetime.combine(days[sales[i][0]], dt.time(sales[i][1] // 60, sales[i][1] % 60)),
         doc(i, sales[i][5]), managers[sales[i][2]], clients[sales[i][3]], sales[i][4])
        for i in range(0, n, step)])
    files["sales/xlsx"] = ["Продажи_1С.xlsx"]

    # plans: what each manager usually sells in a month, give or take ---------------------
    log("  plans")
    mean_amount = math.exp(11.3 + 0.9 ** 2 / 2) * 0.97
    month_starts = [dt.date(FIRST_DAY.year + (FIRST_DAY.month - 1 + i) // 12,
                            (FIRST_DAY.month - 1 + i) % 12 + 1, 1) for i in range(MONTHS)]
    plans = []
    for month in month_starts:
        for m in range(MANAGERS):
            usual = n / MONTHS * strength[m] / total * mean_amount
            plan = max(10_000, round(usual * rng.uniform(0.85, 1.25), -4))
            plans.append((month, m, plan, rng.randint(15, 60), rng.randint(1, 6)))
    put("plan/1c", f"Планы_{FIRST_DAY:%Y-%m}_{LAST_DAY:%Y-%m}.csv", [
        f"План продаж на {FIRST_DAY.year}–{LAST_DAY.year};;;;;", ";;;;;",
        "Месяц;Менеджер;Отдел;План, руб.;План активных клиентов;План новых клиентов"] + [
        f"{month:%m.%Y};{managers[m]};{teams[m]};{money_1c(plan)};{active};{new}"
        for month, m, plan, active, new in plans] + [
        f"Итого;;;{money_1c(sum(p[2] for p in plans))};;"], "1c")
    put("plan/plain", "plans.csv", [
        "month,manager,team,plan_amount,active_clients_plan,new_clients_plan"] + [
        f"{month:%Y-%m},{managers[m]},{teams[m]},{plan:.2f},{active},{new}"
        for month, m, plan, active, new in plans], "plain")

    # receivables: two snapshots; the later keeps most of the earlier's documents ---------
    log("  receivables")
    limits = [(500_000, 1_000_000, 2_000_000, 5_000_000)[j % 4] for j in range(CLIENTS)]
    number = [0]

    def debt(as_of: dt.date, max_age: int) -> list:
        number[0] += 1
        c = rng.randrange(CLIENTS)
        doc_date = as_of - dt.timedelta(days=rng.randrange(max_age))
        terms = rng.choice((14, 30, 45, 60))
        if rng.random() < 0.01:  # an advance: a negative balance, shown, never dropped
            return (c, f"Поступление на расчетный счет СВ-{number[0]:07d}", doc_date, None, 0,
                    -round(rng.uniform(10_000, 300_000), 2))
        due = doc_date + dt.timedelta(days=terms) if rng.random() < 0.5 else None
        return (c, f"Реализация товаров и услуг СВ-{number[0]:07d}", doc_date, due,
                None if due else terms, round(rng.lognormvariate(10.8, 1.0), 2))

    m_rows = rows["receivables"]
    first = [debt(AS_OF[0], 150) for _ in range(m_rows)]
    kept = [r if rng.random() < 0.9 else r[:5] + (round(r[5] / 2, 2),)
            for r in first if rng.random() < 0.7][:m_rows]
    second = kept + [debt(AS_OF[1], 30) for _ in range(m_rows - len(kept))]
    for as_of, snapshot in zip(AS_OF, (first, second)):
        snapshot.sort(key=lambda r: (r[0], r[2], r[1]))
        put("receivables/1c", f"Задолженность на {_ru(as_of)}.csv", [
            "Задолженность покупателей по срокам долга;;;;;;;",
            f"Задолженность на {_ru(as_of)};;;;;;;", f"{TITLE};;;;;;;", ";;;;;;;",
            "Контрагент;Менеджер;Документ;Дата документа;Срок оплаты;Отсрочка (дней);"
            "Сумма долга;Кредитный лимит"] + [
            f"{clients_q[c]};{managers[c % MANAGERS]};{d};{_ru(day)};"
            f"{_ru(due) if due else ''};{'' if terms is None else terms};{money_1c(a)};"
            f"{money_1c(limits[c])}" for c, d, day, due, terms, a in snapshot] + [
            f"Итого;;;;;;{money_1c(sum(r[5] for r in snapshot))};"], "1c")
        put("receivables/plain", f"receivables_{as_of.isoformat()}.csv", [
            "client,manager,document,document_date,due_date,deferral,outstanding,credit_limit"] + [
            f"{clients_q[c]},{managers[c % MANAGERS]},{d},{day.isoformat()},"
            f"{due.isoformat() if due else ''},{'' if terms is None else terms},{a:.2f},"
            f"{limits[c]:.2f}" for c, d, day, due, terms, a in snapshot], "plain")

    # activities: meetings, calls and e-mails; a week of planned meetings ahead ----------
    log("  activities")
    n = rows["activities"]
    ahead = working_days(LAST_DAY + dt.timedelta(days=1), LAST_DAY + dt.timedelta(days=7))
    act_days = days + ahead
    slots = [h * 60 + q for h in range(9, 19) for q in (0, 30)]
    activities = []
    future = max(1, n // 200)
    for i in range(n):
        d = (i * len(days) // (n - future)) if i < n - future else \
            len(days) + (i - (n - future)) * len(ahead) // future
        m = rng.choices(range(MANAGERS), cum_weights=cum)[0]
        kind = rng.choices(("Встреча", "Звонок", "Письмо"), (35, 50, 15))[0]
        if d >= len(days):
            kind, status = "Встреча", "Запланирована"
        elif kind == "Встреча":
            status = rng.choices(("Состоялась", "Отменена", "Перенесена"), (85, 10, 5))[0]
        else:
            status = "Выполнено" if rng.random() < 0.92 else "Не выполнено"
        subject = {"Встреча": rng.choice(("Встреча с клиентом", "Презентация", "Переговоры")),
                   "Звонок": "Звонок клиенту", "Письмо": "Письмо клиенту"}[kind]
        activities.append((act_days[d], rng.choice(slots), kind, subject, m,
                           m + MANAGERS * rng.randrange(per_manager), status))
    activities.sort(key=lambda r: (r[0], r[1]))
    put("activities/1c", "Дела_Битрикс24.csv", [
        f"Дела за период {_ru(FIRST_DAY)} - {_ru(act_days[-1])};;;;;;", ";;;;;;",
        "ID;Тип;Тема;Дата начала;Ответственный;Клиент;Статус"] + [
        f"{i + 1};{kind};{subject};{_ru(day)} {clock[minute]};{managers[m]};{clients_q[c]};{status}"
        for i, (day, minute, kind, subject, m, c, status) in enumerate(activities)] + [
        f"Итого;{len(activities)};;;;;"], "1c")
    put("activities/plain", "activities.csv", ["id,type,subject,start,manager,client,status"] + [
        f"{i + 1},{kind},{subject},{day.isoformat()} {clock[minute]},{managers[m]},{clients_q[c]},"
        f"{status}" for i, (day, minute, kind, subject, m, c, status) in enumerate(activities)],
        "plain")

    # candidates: one row each, the stage reached (HeadHunter's words) -------------------
    log("  candidates")
    n = rows["candidates"]
    first_names = ["Алексей", "Мария", "Дмитрий", "Анна", "Сергей", "Ольга", "Айгерим", "Ерлан",
                   "Наталья", "Павел", "Ксения", "Тимур", "Дарья", "Асель", "Игорь", "Елена"]
    sources = {"hh.ru": 50, "SuperJob": 15, "Авито Работа": 15, "Рекомендация": 10,
               "Сайт компании": 10}
    vacancies = ["Менеджер по работе с клиентами", "Торговый представитель",
                 "Аккаунт-менеджер", "Менеджер по продажам", "Руководитель группы продаж"]
    recruiters = ["Орлова Е.В.", "Жумабаева А.Т.", "Савельева О.Н.", "Крылов П.А.",
                  "Белова И.С.", "Тихонова М.Д.", "Ганиева Р.Ф.", "Лисицына Н.Г."]
    span = (CANDIDATES_AS_OF - FIRST_DAY).days + 1

    def candidate(i: int) -> tuple:
        """A candidate of a known process (the forecasts' replay measures against it): a
        third are invited, 1-4 days after responding, to an interview 0-10 days later; who
        comes depends on the source (a referral 80 %, Avito 30 %) and on confirming."""
        day = FIRST_DAY + dt.timedelta(days=i * span // n)
        name, vacancy = f"{rng.choice(SURNAMES)} {rng.choice(first_names)}", rng.choice(vacancies)
        source = rng.choices(list(sources), list(sources.values()))[0]
        recruiter = rng.choice(recruiters)
        if rng.random() >= 0.35:
            return day, name, vacancy, source, recruiter, rng.choices(
                ["Отклик", "Первичный отбор", "Отказ"], [40, 18, 12])[0], None, None
        invited = day + dt.timedelta(days=rng.randint(1, 4))
        interview = invited + dt.timedelta(days=rng.choice([0, 1, 1, 2, 2, 3, 5, 7, 10]))
        confirmed = rng.random() < 0.5
        if interview >= CANDIDATES_AS_OF:
            stage = "Подтвердил участие" if confirmed else "Приглашён на собеседование"
        elif rng.random() < min(0.95, SHOW_BY_SOURCE[source] * (1.3 if confirmed else 0.8)):
            stage = rng.choices(["Пришёл на собеседование", "Оффер", "Вышел на работу"], [7, 3, 3])[0]
        else:
            stage = "Не пришёл на собеседование"
        return day, name, vacancy, source, recruiter, stage, invited, interview

    candidates = sorted((candidate(i) for i in range(n)), key=lambda c: c[0])

    def ru_or_empty(day):
        return _ru(day) if day else ""

    put("candidates/1c", f"Кандидаты_hh_на_{CANDIDATES_AS_OF.isoformat()}.csv", [
        f"Отклики на вакансии на {_ru(CANDIDATES_AS_OF)};;;;;;;", ";;;;;;;",
        "Кандидат;Вакансия;Источник;Рекрутер;Дата отклика;Этап;Дата приглашения;Дата собеседования"] + [
        f"{name};{vacancy};{source};{recruiter};{_ru(day)};{stage};{ru_or_empty(inv)};{ru_or_empty(iv)}"
        for day, name, vacancy, source, recruiter, stage, inv, iv in candidates] + [
        f"Итого;{len(candidates)};;;;;;"], "1c")
    put("candidates/plain", f"candidates_{CANDIDATES_AS_OF.isoformat()}.csv", [
        "candidate,vacancy,source,recruiter,response_date,stage,invited_date,interview_date"] + [
        f"{name},{vacancy},{source},{recruiter},{day.isoformat()},{stage},"
        f"{inv.isoformat() if inv else ''},{iv.isoformat() if iv else ''}"
        for day, name, vacancy, source, recruiter, stage, inv, iv in candidates], "plain")

    return {"generator": GENERATOR, "scale": scale, "seed": SEED, "rows": rows,
            "files": files, "sales_title_lines": sales_title_lines}


def _sales_xlsx(path: Path, rows) -> None:
    """A 1C report saved as .xlsx: title rows, a blank row, the header, data, Итого."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("TDSheet")
    sheet.append(["Продажи по менеджерам"])
    sheet.append([f"Период: {_ru(FIRST_DAY)} - {_ru(LAST_DAY)}"])
    sheet.append([TITLE])
    sheet.append([])
    sheet.append(["Дата", "Документ", "Менеджер", "Контрагент", "Сумма"])
    total = 0.0
    for row in rows:
        total += row[4]
        sheet.append(list(row))
    sheet.append(["Итого", None, None, None, round(total, 2)])
    book.save(path)


# --- the check -------------------------------------------------------------------------

def check(workload: Workload) -> int:
    """Inspect every file into an empty store; 1 if any was refused or refused a row."""
    import tempfile

    sys.path.insert(0, str(ROOT))
    from kpi import importer, reading, store

    db = Path(tempfile.mkdtemp()) / "check.duckdb"
    with store.connect(db) as con:
        reading.save_upload_limit(con, 4096)
    bad = 0
    for key, names in workload.manifest["files"].items():
        for name in names:
            path = workload.folder / name
            result = importer.inspect(path.read_bytes(), path.name, db=db)
            if isinstance(result, importer.Refusal):
                bad += 1
                print(f"{key:<20} {name}: REFUSED {result.reason}")
                continue
            bad += bool(result.refused_rows)
            print(f"{key:<20} {name}: {result.kind}, {result.rows_ok} rows, refused "
                  f"{result.refused_rows}, totals skipped {result.totals_skipped}, "
                  f"as of {result.as_of}, {len(result.months)} months"
                  + "".join(f"\n    {line}" for line in result.problem_lines[:5])
                  + "".join(f"\n    warning: {w}" for w in result.warnings + result.confirm))
    return 1 if bad else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--check", action="store_true", help="inspect every file with the product")
    args = parser.parse_args()
    workload = ensure(args.scale)
    for key, names in workload.manifest["files"].items():
        for name in names:
            print(f"{key:<20} {(workload.folder / name).stat().st_size / 1e6:9.1f} MB  {name}")
    return check(workload) if args.check else 0


if __name__ == "__main__":
    sys.exit(main())
