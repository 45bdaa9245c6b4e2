"""Write the bundled sample exports of a fictional company, ООО «Северный ветер».

Run `python data/make_samples.py` to regenerate `data/samples/`; the output is committed so
the app has data at first launch. Deterministic (fixed seed). Each file imitates one real
export style, so the sample also exercises the reader:
sales September: 1C CSV, UTF-8 with BOM, title lines, NBSP thousands, `руб.`, an Итого row;
sales October: 1C .xlsx with title lines and a totals row; sales November (to the 20th):
Excel "Unicode text" (UTF-16, tab); plans: 1C CSV in Windows-1251; receivables: 1C .xlsx
with `На дату:` and a CSV with the date in its name; activities: Bitrix24 CSV (every
field quoted, trailing `;`, BOM); candidates: an HH-style CSV with a date per stage.
"""

import datetime as dt
import io
import random
from pathlib import Path

import holidays
import openpyxl

OUT = Path(__file__).resolve().parent / "samples"
rng = random.Random(20261124)

TEAMS = {
    "Москва": ["Иванов И.И.", "Петрова А.С.", "Смирнов О.В.", "Ёлкина М.П."],
    "Регионы": ["Кузнецов Д.А.", "Ахметов Н.К.", "Сәрсенова Ә.Б."],
}
MANAGERS = [m for team in TEAMS.values() for m in team]
# How each manager's name gets typed by hand in the exports.
TYPED = {"Иванов И.И.": "Иванов  И. И. ", "Петрова А.С.": "Петрова А. С.",
         "Смирнов О.В.": "Смирнов О.В.", "Ёлкина М.П.": "Ёлкина М.П.",
         "Кузнецов Д.А.": "Кузнецов Д.А.", "Ахметов Н.К.": "Ахметов Н. К.",
         "Сәрсенова Ә.Б.": "Сәрсенова Ә.Б."}
STRENGTH = {"Иванов И.И.": 1.15, "Петрова А.С.": 0.95, "Смирнов О.В.": 0.8, "Ёлкина М.П.": 1.0,
            "Кузнецов Д.А.": 0.7, "Ахметов Н.К.": 1.05, "Сәрсенова Ә.Б.": 0.5}
PLAN = {"Иванов И.И.": 4_200_000, "Петрова А.С.": 3_800_000, "Смирнов О.В.": 3_500_000,
        "Ёлкина М.П.": 3_000_000, "Кузнецов Д.А.": 2_600_000, "Ахметов Н.К.": 2_400_000}
# Сәрсенова joined in September and has no plan yet: the page must say "нет плана".
MONTHS = [dt.date(2026, 9, 1), dt.date(2026, 10, 1), dt.date(2026, 11, 1)]
DATA_UNTIL = dt.date(2026, 11, 20)

CLIENT_WORDS = ["Ромашка", "Вектор", "Альфа-Трейд", "СеверСталь Сервис", "Гранит", "Меридиан",
                "Океан", "Полюс", "Стройдом", "Техносила", "Агроком", "Восток", "Байкал",
                "Орион", "Сфера", "Лидер", "Прогресс", "Ладога", "Кедр", "Алтын", "Береке",
                "Жулдыз", "Каспий", "Тау"]
FORMS = ["ООО", "АО", "ИП", "ТОО"]


def clients_of(manager: str, n: int) -> list[str]:
    names = []
    for i in range(n):
        word = CLIENT_WORDS[(MANAGERS.index(manager) * 5 + i) % len(CLIENT_WORDS)]
        form = FORMS[(i + MANAGERS.index(manager)) % len(FORMS)]
        names.append(f'{form} "{word}{"" if i < len(CLIENT_WORDS) else i}-{MANAGERS.index(manager) + 1}"')
    return names


CLIENTS = {m: clients_of(m, 14) for m in MANAGERS}
RU_HOLIDAYS = holidays.country_holidays("RU", years=2026)


def working_days(month: dt.date, until: dt.date | None = None) -> list[dt.date]:
    days, d = [], month
    while d.month == month.month and (until is None or d <= until):
        if d.weekday() < 5 and d not in RU_HOLIDAYS:
            days.append(d)
        d += dt.timedelta(days=1)
    return days


def money(value: float, nbsp: bool = True) -> str:
    """1C style: '1 234 567,89' with a no-break space."""
    text = f"{value:,.2f}".replace(",", " ").replace(".", ",")
    return text.replace(" ", "\u00a0") if nbsp else text


def sales_rows(month: dt.date) -> list[dict]:
    until = DATA_UNTIL if month.month == 11 else None
    days = working_days(month, until)
    rows, number = [], month.month * 1000
    for manager in MANAGERS:
        target = PLAN.get(manager, 1_500_000) * STRENGTH[manager] * rng.uniform(0.85, 1.15)
        if until:
            target *= len(days) / len(working_days(month))
        total = 0.0
        while total < target:
            amount = round(rng.uniform(20_000, 260_000), 2)
            # Смирнов pushes deals into the next month: many land on its first working days.
            day = rng.choice(days[:3]) if manager == "Смирнов О.В." and rng.random() < 0.45 \
                else rng.choice(days)
            at = dt.datetime.combine(day, dt.time(rng.randint(9, 18), rng.randint(0, 59)))
            client = rng.choice(CLIENTS[manager][: 10 if month.month == 9 else 14])
            number += 1
            rows.append({"at": at, "doc": f"Реализация товаров и услуг СВ-{number:05d}",
                         "manager": manager, "client": client, "amount": amount})
            total += amount
            if rng.random() < 0.04:  # a return a few days later
                number += 1
                back = min(at + dt.timedelta(days=rng.randint(1, 6)),
                           dt.datetime.combine(days[-1], dt.time(17)))
                rows.append({"at": back, "doc": f"Возврат товаров от покупателя СВ-{number:05d}",
                             "manager": manager, "client": client,
                             "amount": -round(amount * rng.choice([0.2, 0.5, 1.0]), 2)})
    rows.sort(key=lambda r: r["at"])
    return rows


def write_sales_september(rows):
    lines = ["Продажи по менеджерам;;;;;", "Период: 01.09.2026 - 30.09.2026;;;;;",
             "Организация: ООО «Северный ветер»;;;;;", ";;;;;",
             "Дата;Документ;Менеджер;Контрагент;Сумма;Сумма НДС"]
    for r in rows:
        client = r["client"].replace('"', '""')
        lines.append(f'{r["at"]:%d.%m.%Y %H:%M:%S};{r["doc"]};{TYPED[r["manager"]]};"{client}";'
                     f'{money(r["amount"])} руб.;{money(r["amount"] * 22 / 122)}')
    lines.append(f";;;;;\nИтого;;;;{money(sum(r['amount'] for r in rows))};")
    (OUT / "Продажи_2026-09_1С.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8-sig"))


def write_sales_october(rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "TDSheet"
    sheet.append(["Продажи по менеджерам"])
    sheet.append(["Период: 01.10.2026 - 31.10.2026"])
    sheet.append([])
    sheet.append(["Дата", "Документ", "Ответственный", "Покупатель", "Сумма", "Сумма без НДС"])
    for r in rows:
        sheet.append([r["at"], r["doc"], TYPED[r["manager"]], r["client"], r["amount"],
                      round(r["amount"] * 100 / 122, 2)])
    sheet.append(["Итого", None, None, None, round(sum(r["amount"] for r in rows), 2), None])
    book.save(OUT / "Продажи_2026-10_1С.xlsx")


def write_sales_november(rows):
    lines = ["Date\tDocument\tManager\tCustomer\tAmount"]
    for r in rows:
        lines.append(f'{r["at"]:%Y-%m-%d %H:%M:%S}\t{r["doc"]}\t{r["manager"]}\t{r["client"]}\t'
                     f'{r["amount"]:.2f}')
    data = ("\r\n".join(lines) + "\r\n").encode("utf-16")  # Excel's "Unicode text": BOM + LE
    (OUT / "Продажи_2026-11_до_20-го.txt").write_bytes(data)


def write_plans():
    lines = ["План продаж на IV квартал;;;;;", ";;;;;",
             "Месяц;Менеджер;Отдел;План, руб.;План активных клиентов;План новых клиентов"]
    for month in MONTHS:
        for team, managers in TEAMS.items():
            for manager in managers:
                if manager not in PLAN:
                    continue
                lines.append(f"{month:%m.%Y};{TYPED[manager]};{team};{money(PLAN[manager])};8;"
                             f"{2 if month.month != 9 else 1}")
    data = ("\r\n".join(lines) + "\r\n").encode("cp1251")  # 1C's default encoding
    (OUT / "Планы_2026_Q4.csv").write_bytes(data)


def receivables_rows(as_of: dt.date, max_age: int = 130, first_number: int = 1000):
    rows, number = [], first_number
    ages = [a for a in (5, 12, 20, 28, 35, 44, 50, 66, 75, 95, 130) if a <= max_age]
    for manager in MANAGERS:
        for client in CLIENTS[manager][:9]:
            for _ in range(rng.randint(1, 3)):
                doc_date = as_of - dt.timedelta(days=rng.choice(ages))
                terms = rng.choice([14, 30, 45])
                number += 1
                row = {"manager": manager, "client": client, "doc_date": doc_date,
                       "doc": f"Реализация СВ-{number:05d}", "amount": round(rng.uniform(15_000, 400_000), 2),
                       "due": None, "terms": None,
                       "limit": 2_000_000 if CLIENTS[manager].index(client) % 3 else 800_000}
                if rng.random() < 0.5:
                    row["due"] = doc_date + dt.timedelta(days=terms)
                else:
                    row["terms"] = terms
                rows.append(row)
    return rows


def receivables_snapshots():
    """31.10 and 20.11: the later one keeps most of the earlier documents (some paid in
    full), adds November's, so the comparison of snapshots has something to show."""
    october = receivables_rows(dt.date(2026, 10, 31))
    # Two documents whose payment term nobody entered: shown as "срок не задан".
    for manager in ("Кузнецов Д.А.", "Ахметов Н.К."):
        october.append({"manager": manager, "client": CLIENTS[manager][2],
                        "doc_date": dt.date(2026, 10, 7), "doc": f"Реализация СВ-0{len(october):04d}",
                        "amount": 64_300.0, "due": None, "terms": None, "limit": 1_000_000})
    november = [r for r in october if rng.random() < 0.7]
    november += receivables_rows(dt.date(2026, 11, 20), max_age=20, first_number=5000)
    # An advance (negative balance) that must be shown, never dropped.
    for rows, as_of in ((october, dt.date(2026, 10, 31)), (november, dt.date(2026, 11, 20))):
        rows.append({"manager": "Петрова А.С.", "client": CLIENTS["Петрова А.С."][0],
                     "doc_date": as_of - dt.timedelta(days=3), "doc": "Поступление СВ-0042",
                     "amount": -120_000.0, "due": None, "terms": 0, "limit": 1_000_000})
    return october, november


def write_receivables():
    october, november = receivables_snapshots()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "TDSheet"
    sheet.append(["Задолженность покупателей по срокам долга"])
    sheet.append(["На дату: 31.10.2026"])
    sheet.append([])
    sheet.append(["Контрагент", "Менеджер", "Документ", "Дата документа", "Срок оплаты",
                  "Отсрочка (дней)", "Сумма долга", "Кредитный лимит"])
    for r in october:
        sheet.append([r["client"], TYPED[r["manager"]], r["doc"], r["doc_date"], r["due"],
                      r["terms"], r["amount"], r["limit"]])
    book.save(OUT / "Дебиторка_2026-10-31_1С.xlsx")

    lines = ["Контрагент;Менеджер;Документ;Дата документа;Срок оплаты;Отсрочка (дней);"
             "Сумма долга;Кредитный лимит"]
    for r in november:
        client = r["client"].replace('"', '""')
        due = f"{r['due']:%d.%m.%Y}" if r["due"] else ""
        lines.append(f'"{client}";{r["manager"]};{r["doc"]};{r["doc_date"]:%d.%m.%Y};{due};'
                     f'{r["terms"] if r["terms"] is not None else ""};{money(r["amount"])};'
                     f'{money(r["limit"], nbsp=False)}')
    (OUT / "Дебиторка на 20.11.2026.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))


def write_activities():
    meetings_per_week = {"Иванов И.И.": 7, "Петрова А.С.": 6.5, "Смирнов О.В.": 2, "Ёлкина М.П.": 4,
                         "Кузнецов Д.А.": 3, "Ахметов Н.К.": 6.5, "Сәрсенова Ә.Б.": 4.5}
    # How many of their clients each manager keeps in touch with.
    reach = {"Иванов И.И.": 14, "Петрова А.С.": 12, "Смирнов О.В.": 5, "Ёлкина М.П.": 10,
             "Кузнецов Д.А.": 7, "Ахметов Н.К.": 13, "Сәрсенова Ә.Б.": 9}
    rows, number = [], 5000
    day = MONTHS[0]
    while day <= DATA_UNTIL + dt.timedelta(days=7):  # a week of planned meetings ahead
        if day.weekday() < 5 and day not in RU_HOLIDAYS:
            for manager in MANAGERS:
                for kind, per_day in (("Встреча", meetings_per_week[manager] / 5),
                                      ("Звонок", 3), ("Письмо", 1)):
                    count = int(per_day) + (rng.random() < per_day % 1)
                    for _ in range(count):
                        if day > DATA_UNTIL:
                            status = "Запланирована"
                        elif kind == "Встреча" and rng.random() < 0.12:
                            status = "Отменена"
                        else:
                            status = "Состоялась" if kind == "Встреча" else "Выполнено"
                        at = dt.datetime.combine(day, dt.time(rng.randint(9, 18), rng.choice([0, 30])))
                        number += 1
                        rows.append([str(number), kind, f"{kind} с клиентом", f"{at:%d.%m.%Y %H:%M:%S}",
                                     TYPED[manager], rng.choice(CLIENTS[manager][:reach[manager]]), status])
        day += dt.timedelta(days=1)
    # Смирнов books meetings and cancels them: visible beside the held ones.
    for week in range(10):
        at = dt.datetime(2026, 9, 2, 11) + dt.timedelta(weeks=week)
        number += 1
        rows.append([str(number), "Встреча", "Презентация", f"{at:%d.%m.%Y %H:%M:%S}",
                     "Смирнов О.В.", CLIENTS["Смирнов О.В."][week], "Отменена"])
    # A Saturday meeting at a client's trade show: it counts in its ISO week.
    rows.append([str(number + 1), "Встреча", "Выставка", "07.11.2026 12:00:00", "Ахметов Н. К.",
                 CLIENTS["Ахметов Н.К."][0], "Состоялась"])
    header = ["ID", "Тип", "Тема", "Дата начала", "Ответственный", "Клиент", "Статус"]

    def line(cells):
        return "".join('"' + c.replace('"', '""') + '";' for c in cells)

    text = "\n".join([line(header)] + [line(r) for r in rows]) + "\n"
    (OUT / "Активности_Битрикс24.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))


def write_candidates():
    sources = {"hh.ru": 0.22, "SuperJob": 0.15, "Рекомендация": 0.55, "Авито Работа": 0.12}
    vacancies = ["Менеджер по работе с клиентами", "Торговый представитель", "Аккаунт-менеджер"]
    recruiters = ["Орлова Е.В.", "Жумабаева А.Т."]
    first_names = ["Алексей", "Мария", "Дмитрий", "Анна", "Сергей", "Ольга", "Айгерим", "Ерлан",
                   "Наталья", "Павел", "Ксения", "Тимур", "Дарья", "Асель", "Игорь"]
    last_names = ["Соколов", "Морозова", "Волков", "Лебедева", "Новиков", "Козлова", "Касымов",
                  "Павлова", "Семенов", "Голубева", "Нурланов", "Виноградова", "Ёжиков"]
    lines = ["Кандидат,Вакансия,Источник,Рекрутер,Дата отклика,Скрининг,Дата приглашения,"
             "Подтвердил,Пришёл,Дата оффера,Дата выхода"]
    day = MONTHS[0]
    while day <= DATA_UNTIL:
        for _ in range(rng.randint(2, 6) if day.weekday() < 5 else rng.randint(0, 2)):
            source = rng.choices(list(sources), weights=[50, 20, 8, 22])[0]
            name = f"{rng.choice(last_names)} {rng.choice(first_names)}"
            marks = [""] * 6
            if rng.random() < 0.55:
                marks[0] = "да"
                if rng.random() < 0.6:
                    invited = day + dt.timedelta(days=rng.randint(1, 3))
                    marks[1] = f"{invited:%d.%m.%Y}"
                    if rng.random() < 0.6:
                        marks[2] = "да"
                    if rng.random() < sources[source] / (0.6 if marks[2] else 0.9) * 0.75:
                        marks[3] = "да"
                        if rng.random() < 0.4:
                            marks[4] = f"{invited + dt.timedelta(days=2):%d.%m.%Y}"
                            if rng.random() < 0.7:
                                marks[5] = f"{invited + dt.timedelta(days=14):%d.%m.%Y}"
            lines.append(",".join([name, f'"{rng.choice(vacancies)}"', source,
                                   rng.choice(recruiters), f"{day:%d.%m.%Y}"] + marks))
        day += dt.timedelta(days=1)
    (OUT / "Кандидаты_hh_на_2026-11-20.csv").write_bytes(("\n".join(lines) + "\n").encode("utf-8"))


def main():
    OUT.mkdir(exist_ok=True)
    for old in OUT.iterdir():
        old.unlink()
    write_sales_september(sales_rows(MONTHS[0]))
    write_sales_october(sales_rows(MONTHS[1]))
    write_sales_november(sales_rows(MONTHS[2]))
    write_plans()
    write_receivables()
    write_activities()
    write_candidates()
    for path in sorted(OUT.iterdir()):
        print(f"{path.stat().st_size:>9}  {path.name}")


if __name__ == "__main__":
    main()
