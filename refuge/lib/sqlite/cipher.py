"""Encryption at rest for the SQLite file: SQLCipher, through sqlcipher3 (a maintained
DB-API binding with SQLCipher 4 built in), when REFUGE_DB_KEY is set.

Every page of the database, its write-ahead log and its backups is encrypted with
AES-256; without the key the file reads as noise. The passphrase is stretched once per
process with PBKDF2-HMAC-SHA512 (256,000 rounds, SQLCipher 4's own default) into the raw
key SQLCipher is given, so opening a connection costs no key derivation.
"""

import hashlib
import sqlite3
from functools import cache

try:
    from sqlcipher3 import dbapi2 as sqlcipher
except ImportError:  # not installed: REFUGE_DB_KEY then fails loudly at the first connection
    sqlcipher = None

# What a file that is not a database, or has another key, raises when read.
DATABASE_ERRORS = (sqlite3.DatabaseError, *((sqlcipher.DatabaseError,) if sqlcipher else ()))
ROUNDS = 256_000
SALT = b"refuge sqlcipher key v1"


class NoCipher(RuntimeError):
    pass


@cache
def raw_key(passphrase: str) -> str:
    return hashlib.pbkdf2_hmac("sha512", passphrase.encode(), SALT, ROUNDS, dklen=32).hex()


def connect(database, passphrase: str | None, **params):
    """A DB-API connection to the file: SQLCipher's, keyed, when there is a passphrase."""
    if not passphrase:
        return sqlite3.connect(database, **params)
    if sqlcipher is None:
        raise NoCipher("REFUGE_DB_KEY is set but sqlcipher3 is not installed: "
                       "pip install 'refuge[encryption]'")
    connection = sqlcipher.connect(database, **params)
    key_connection(connection, passphrase)
    return connection


def key_connection(connection, passphrase: str) -> None:
    """Give SQLCipher the key: the first statement on a new connection."""
    connection.execute(f"PRAGMA key = \"x'{raw_key(passphrase)}'\"")


def module(passphrase: str | None):
    """The DB-API module whose errors a connection raises."""
    if passphrase and sqlcipher is None:
        raise NoCipher("REFUGE_DB_KEY is set but sqlcipher3 is not installed: "
                       "pip install 'refuge[encryption]'")
    return sqlcipher if passphrase else sqlite3
