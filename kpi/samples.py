"""The bundled sample company, loaded into an empty store so the first launch shows data."""

from pathlib import Path

from kpi import importer, store

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
_LOADED_KEY = "samples_loaded"


def load_once(db=None) -> list[importer.Stored]:
    """Import every sample file, once per store: a user who deletes them keeps them deleted."""
    with store.connect(db) as con:
        if store.get_meta(con, _LOADED_KEY) or store.list_imports(con):
            return []
        store.set_meta(con, _LOADED_KEY, "yes")
    results = []
    for path in sorted(SAMPLES.iterdir()):
        inspection = importer.inspect(path.read_bytes(), path.name, db=db)
        if isinstance(inspection, importer.Inspection):
            results.append(importer.commit(inspection, db=db))
    return results
