"""Django's SQLite backend, opened through SQLCipher when the database has a key
(OPTIONS["key"], from REFUGE_DB_KEY): the one thing Django's own backend cannot do.
Without a key it is Django's backend unchanged."""

from django.db.backends.sqlite3 import base
from django.db.backends.sqlite3._functions import register as register_functions

from refuge.lib.sqlite import cipher


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, settings_dict, *args, **kwargs):
        super().__init__(settings_dict, *args, **kwargs)
        # OPTIONS["key"]: the file is SQLCipher's, and so are the errors to translate.
        self._key = settings_dict.get("OPTIONS", {}).get("key") or None
        if self._key:
            self.Database = cipher.module(self._key)

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
