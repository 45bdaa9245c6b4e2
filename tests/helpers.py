"""Small builders for test fixtures: a store query, and xlsx bytes built in the test."""

import io

import duckdb
import openpyxl

from kpi import importer


def load(data: bytes, name: str = "export.csv", db=None, **options):
    """Inspect and store one file; return the Inspection (or the Refusal, unstored)."""
    result = importer.inspect(data, name, db=db, **options)
    if isinstance(result, importer.Inspection):
        importer.commit(result, db=db)
    return result


def query(db, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(db))
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def xlsx(rows: list[list], title: str = "TDSheet", cover: bool = False) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    if cover:
        sheet.title = "Обложка"
        sheet.append(["Отчёт сформирован в 1С:Предприятие"])
        sheet = book.create_sheet(title)
    else:
        sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_1c(rows: list[list], *, outline: dict[int, int] | None = None, merged: tuple[str, ...] = (),
            sheets: tuple[str, ...] = ("TDSheet",), data_sheet: int = 0,
            shared_strings_part: str = "xl/SharedStrings.xml") -> bytes:
    """An .xlsx written the way 1C writes it: every string in the shared strings part
    (spelled with a capital S, which openpyxl cannot open), numbers as numeric cells,
    group rows marked with outlineLevel, merged header cells. `rows` start at column A;
    put None first to start the data in column B. Other sheets are empty cover sheets."""
    import zipfile
    from xml.sax.saxutils import escape

    strings: list[str] = []

    def cell(ref: str, value) -> str:
        if value is None or value == "":
            return ""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return f'<c r="{ref}"><v>{value}</v></c>'
        text = str(value)
        if text not in strings:
            strings.append(text)
        return f'<c r="{ref}" t="s"><v>{strings.index(text)}</v></c>'

    def column(i: int) -> str:
        name = ""
        i += 1
        while i:
            i, r = divmod(i - 1, 26)
            name = chr(65 + r) + name
        return name

    body = []
    for r, row in enumerate(rows, start=1):
        level = (outline or {}).get(r)
        attrs = f' outlineLevel="{level}"' if level else ""
        body.append(f'<row r="{r}"{attrs}>' + "".join(cell(f"{column(c)}{r}", v) for c, v in enumerate(row)) + "</row>")
    merge = (f'<mergeCells count="{len(merged)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in merged)
             + "</mergeCells>") if merged else ""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel_ns = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    data_xml = f'<?xml version="1.0" encoding="UTF-8"?><worksheet {ns}><sheetData>{"".join(body)}</sheetData>{merge}</worksheet>'
    empty_xml = f'<?xml version="1.0" encoding="UTF-8"?><worksheet {ns}><sheetData><row r="1">{cell("A1", "Отчёт сформирован в 1С")}</row></sheetData></worksheet>'
    sst = (f'<?xml version="1.0" encoding="UTF-8"?><sst {ns} count="{len(strings)}" uniqueCount="{len(strings)}">'
           + "".join(f"<si><t>{escape(s)}</t></si>" for s in strings) + "</sst>")
    shared_name = shared_strings_part.rsplit("/", 1)[1]
    sheet_entries = "".join(f'<sheet name="{escape(n)}" sheetId="{i + 1}" r:id="rId{i + 1}"/>' for i, n in enumerate(sheets))
    rels = "".join(f'<Relationship Id="rId{i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i + 1}.xml"/>' for i in range(len(sheets)))
    rels += f'<Relationship Id="rId{len(sheets) + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="{shared_name}"/>'
    overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for i in range(len(sheets)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' + overrides + f'<Override PartName="/{shared_strings_part}" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
        z.writestr("_rels/.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8"?><workbook {ns} {rel_ns}><sheets>{sheet_entries}</sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>')
        for i in range(len(sheets)):
            z.writestr(f"xl/worksheets/sheet{i + 1}.xml", data_xml if i == data_sheet else empty_xml)
        z.writestr(shared_strings_part, sst)
    return buffer.getvalue()
