"""Who may see what: users, their passwords and sessions, and the scope every query reads
through.

A user's scope is applied to the connection, not remembered by each query: `reader(db,
scope)` shadows the data tables with temporary views of the rows the user may see (a
manager's own, a head's team's; no sales for a recruiter, no candidates for a manager), so
a page, a download or a CLI command cannot forget a filter. Figures a manager's view needs
from the whole department (the first sale of a client, the usual month-start share, data
coverage) read the `department_*` views, which say so in their name.
"""

import datetime as dt
import hashlib
import ipaddress
import secrets
import time
from contextlib import contextmanager
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from kpi import store, texts
from kpi.store import dicts

ROLES = ("director", "head", "manager", "recruiter")
# The parts of the product a role reaches (pages, downloads, CLI commands).
AREAS = {
    "director": {"sales", "receivables", "meetings", "hiring", "upload", "history", "overview",
                 "manager"},
    "head": {"sales", "receivables", "meetings", "overview", "manager"},
    "manager": {"sales", "receivables", "meetings", "overview", "manager"},
    "recruiter": {"hiring", "upload", "history"},
}
CLIENT_TABLES = ("sales", "plans", "receivables", "activities")
SESSION_HOURS = 12
MAX_FAILURES = 5  # then the login is locked for LOCK_MINUTES
LOCK_MINUTES = 15
FAILURE_DELAY = 1.0  # seconds every failed sign-in waits: guessing becomes slow

# argon2id with the library's defaults (about 0.16 s a hash here); no length limit, so a
# Cyrillic passphrase is hashed whole (bcrypt would cut it at 72 bytes, about 36 letters).
_hasher = PasswordHasher()


class Forbidden(Exception):
    """The user's role does not reach this; the message says so in Russian."""


@dataclass(frozen=True)
class Scope:
    login: str | None  # None: the machine's administrator (CLI without --as, single user)
    role: str
    manager: str | None = None  # a manager's own name in the data
    team: str | None = None  # a head's team

    def can(self, area: str) -> bool:
        return area in AREAS[self.role]

    def require(self, area: str) -> None:
        if not self.can(area):
            raise Forbidden(texts.FORBIDDEN.format(login=self.login, role=texts.ROLE_TITLES[self.role]))

    def may_import(self, kind: str) -> bool:
        if self.role == "director":
            return True
        return self.role == "recruiter" and kind == "candidates"

    def apply(self, con) -> None:
        """Shadow the data tables with the rows this user may see (see the module doc)."""
        if self.role == "director":
            return
        catalog = con.execute("SELECT current_database()").fetchall()[0][0]
        full = {t: f'"{catalog}".main.{t}' for t in store.DATA_TABLES}
        people = self._people(con, full)
        con.execute("CREATE OR REPLACE TEMP TABLE scope_people AS SELECT unnest(?::TEXT[]) AS manager",
                    [people])
        for table in CLIENT_TABLES:
            where = "manager IN (SELECT manager FROM scope_people)" if self.can("sales") else "false"
            con.execute(f"CREATE OR REPLACE TEMP VIEW {table} AS SELECT * FROM {full[table]} WHERE {where}")
        hiring = "true" if self.can("hiring") else "false"
        con.execute(f"CREATE OR REPLACE TEMP VIEW candidates AS SELECT * FROM {full['candidates']} WHERE {hiring}")
        imports = "kind = 'candidates'" if self.role == "recruiter" else "false"
        con.execute(f"CREATE OR REPLACE TEMP VIEW imports AS SELECT * FROM {full['imports']} WHERE {imports}")

    def _people(self, con, full) -> list[str]:
        if self.role == "manager":
            return [self.manager] if self.manager else []
        if self.role != "head" or not self.team:
            return []
        # a manager's team: set by hand, else the Отдел of their latest plan row, else the
        # Отдел a sales export gives (as on the sales page)
        return [m for (m,) in con.execute(
            f"""WITH plan_team AS (SELECT manager, arg_max(team, month) AS team FROM {full['plans']}
                                   WHERE team IS NOT NULL GROUP BY manager),
                     sales_team AS (SELECT manager, any_value(team) AS team FROM {full['sales']}
                                    WHERE team IS NOT NULL GROUP BY manager)
                SELECT m.manager FROM (SELECT manager FROM plan_team UNION SELECT manager FROM teams
                                       UNION SELECT manager FROM sales_team) m
                LEFT JOIN teams o USING (manager) LEFT JOIN plan_team p USING (manager)
                LEFT JOIN sales_team s USING (manager)
                WHERE coalesce(o.team, p.team, s.team) = ?""", [self.team]).fetchall()]

ADMIN = Scope(None, "director")


@contextmanager
def reader(db=None, scope: Scope = ADMIN):
    """A read connection that sees what `scope` may see: every KPI query goes through one."""
    with store.reader(db) as con:
        scope.apply(con)
        yield con


# --- users -------------------------------------------------------------------------------

def _normalise_person(name: str | None) -> str | None:
    """The manager's name as the data stores it (`Иванов  И. И.` -> `Иванов И.И.`)."""
    if not name:
        return None
    import duckdb

    from kpi.validate import MACROS
    con = duckdb.connect()
    try:
        for macro in MACROS:
            con.execute(macro)
        return con.execute("SELECT norm_person(?)", [name]).fetchall()[0][0]
    finally:
        con.close()


def add_user(db, login: str, role: str, password: str, manager: str | None = None,
             team: str | None = None) -> None:
    if role not in ROLES:
        raise ValueError(texts.USER_BAD_ROLE.format(role=role, roles=", ".join(ROLES)))
    if role == "manager" and not manager:
        raise ValueError(texts.USER_NEEDS_MANAGER)
    if role == "head" and not team:
        raise ValueError(texts.USER_NEEDS_TEAM)
    _check_password(password)
    with store.connect(db) as con:
        if con.execute("SELECT 1 FROM users WHERE login = ?", [login]).fetchall():
            raise ValueError(texts.USER_EXISTS.format(login=login))
        con.execute(
            """INSERT INTO users (login, role, manager, team, password_hash, active, failed,
                                  created_at) VALUES (?, ?, ?, ?, ?, true, 0, current_localtimestamp())""",
            [login, role, _normalise_person(manager), team, _hasher.hash(password)])


def set_password(db, login: str, password: str) -> None:
    _check_password(password)
    with store.connect(db) as con:
        _existing(con, login)
        con.execute("UPDATE users SET password_hash = ?, failed = 0, locked_until = NULL WHERE login = ?",
                    [_hasher.hash(password), login])
        con.execute("UPDATE sessions SET revoked_at = current_localtimestamp() WHERE login = ? "
                    "AND revoked_at IS NULL", [login])


def disable_user(db, login: str) -> None:
    with store.connect(db) as con:
        _existing(con, login)
        con.execute("UPDATE users SET active = false WHERE login = ?", [login])
        con.execute("UPDATE sessions SET revoked_at = current_localtimestamp() WHERE login = ? "
                    "AND revoked_at IS NULL", [login])


def list_users(db) -> list[dict]:
    with store.reader(db) as con:
        return dicts(con.execute("SELECT login, role, manager, team, active FROM users ORDER BY login"))


def any_users(db=None) -> bool:
    """With no active user the app runs in single-user mode, on this computer only."""
    with store.reader(db) as con:
        return con.execute("SELECT count(*) FROM users WHERE active").fetchall()[0][0] > 0


def is_local(address) -> bool:
    """A connection from this computer (Streamlit gives None for localhost)."""
    if address is None:
        return True
    try:
        return ipaddress.ip_address(str(address)).is_loopback
    except ValueError:
        return str(address) == "localhost" or not isinstance(address, str)  # a test double


def listen_address(db=None) -> str:
    """Every interface once someone must sign in; the loopback address until then."""
    return "0.0.0.0" if any_users(db) else "127.0.0.1"


def scope_of(db, login: str) -> Scope:
    """The scope of an active user (`--as LOGIN`, or the login an identity provider gives)."""
    with store.reader(db) as con:
        rows = con.execute("SELECT role, manager, team FROM users WHERE login = ? AND active",
                           [login]).fetchall()
    if not rows:
        raise Forbidden(texts.USER_UNKNOWN.format(login=login))
    role, manager, team = rows[0]
    return Scope(login, role, manager, team)


def _existing(con, login: str) -> None:
    if not con.execute("SELECT 1 FROM users WHERE login = ?", [login]).fetchall():
        raise ValueError(texts.USER_UNKNOWN.format(login=login))


def _check_password(password: str) -> None:
    if len(password) < 8:
        raise ValueError(texts.PASSWORD_TOO_SHORT)


# --- sign-in and sessions -----------------------------------------------------------------

def sign_in(db, login: str, password: str, now: dt.datetime | None = None) -> str:
    """A new session token for a right password; a wrong one waits, counts, and locks the
    login after MAX_FAILURES. The same message for an unknown login and a wrong password."""
    now = now or dt.datetime.now()
    with store.connect(db) as con:
        rows = con.execute("SELECT password_hash, failed, locked_until FROM users "
                           "WHERE login = ? AND active", [login]).fetchall()
        if rows and rows[0][2] is not None and rows[0][2] > now:
            raise Forbidden(texts.SIGN_IN_LOCKED.format(until=rows[0][2].strftime("%H:%M")))
        if rows and _verify(rows[0][0], password):
            token = secrets.token_urlsafe(32)
            con.execute("UPDATE users SET failed = 0, locked_until = NULL WHERE login = ?", [login])
            con.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, NULL)",
                        [_digest(token), login, now, now + dt.timedelta(hours=SESSION_HOURS)])
            return token
        if rows:
            failed = rows[0][1] + 1
            locked = now + dt.timedelta(minutes=LOCK_MINUTES) if failed >= MAX_FAILURES else None
            con.execute("UPDATE users SET failed = ?, locked_until = ? WHERE login = ?",
                        [0 if locked else failed, locked, login])
    time.sleep(FAILURE_DELAY)
    raise Forbidden(texts.SIGN_IN_FAILED)


def session_scope(db, token: str | None, now: dt.datetime | None = None) -> Scope | None:
    """The scope of a live session; None for a missing, forged, expired or revoked token."""
    if not token:
        return None
    now = now or dt.datetime.now()
    with store.reader(db) as con:
        rows = con.execute(
            """SELECT u.login, u.role, u.manager, u.team FROM sessions s JOIN users u USING (login)
               WHERE s.token_hash = ? AND s.revoked_at IS NULL AND s.expires_at > ? AND u.active""",
            [_digest(token), now]).fetchall()
    return Scope(*rows[0]) if rows else None


def sign_out(db, token: str | None) -> None:
    if token:
        with store.connect(db) as con:
            con.execute("UPDATE sessions SET revoked_at = current_localtimestamp() "
                        "WHERE token_hash = ?", [_digest(token)])


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _digest(token: str) -> str:
    """Only a token's hash is stored: a copy of the store opens no session."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
