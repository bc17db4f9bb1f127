"""Django's SQLite backend, opened through SQLCipher when the database has a key
(OPTIONS["key"], from REFUGE_DB_KEY): the one thing Django's own backend cannot do.
Without a key it is Django's backend unchanged."""

from collections.abc import Mapping
from itertools import tee

from django.db.backends.sqlite3 import base
from django.db.backends.sqlite3._functions import register as register_functions

from refuge.lib.sqlite import cipher


def _cipher_cursor_class():
    """Django's cursor wrapper (its %s placeholders) on sqlcipher3's cursor: a SQLCipher
    connection makes only cursors of its own module."""
    if cipher.sqlcipher is None:
        return None

    class CipherCursorWrapper(cipher.sqlcipher.Cursor):
        convert_query = base.SQLiteCursorWrapper.convert_query

        def execute(self, query, params=None):
            if params is None:
                return super().execute(query)
            names = list(params) if isinstance(params, Mapping) else None
            return super().execute(self.convert_query(query, param_names=names), params)

        def executemany(self, query, param_list):
            peekable, param_list = tee(iter(param_list))
            first = next(peekable, None)
            names = list(first) if isinstance(first, Mapping) else None
            return super().executemany(self.convert_query(query, param_names=names),
                                       param_list)

    return CipherCursorWrapper


CipherCursorWrapper = _cipher_cursor_class()


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, settings_dict, *args, **kwargs):
        super().__init__(settings_dict, *args, **kwargs)
        # OPTIONS["key"]: the file is SQLCipher's, and so are the errors to translate.
        self._key = settings_dict.get("OPTIONS", {}).get("key") or None
        if self._key:
            self.Database = cipher.module(self._key)

    def create_cursor(self, name=None):
        if not self._key:
            return super().create_cursor(name)
        return self.connection.cursor(factory=CipherCursorWrapper)

    def get_connection_params(self):
        params = super().get_connection_params()
        params.pop("key", None)
        return params

    def get_new_connection(self, conn_params):
        if not self._key:
            return super().get_new_connection(conn_params)
        # What Django's own get_new_connection does, on SQLCipher's connection, keyed first.
        connection = cipher.connect(**conn_params, passphrase=self._key)
        register_functions(connection)
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute("PRAGMA legacy_alter_table = OFF")
        for init_command in self.init_commands:
            if init_command := init_command.strip():
                connection.execute(init_command)
        return connection
