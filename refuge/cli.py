"""The `refuge` command: manage.py for operators, plus `refuge serve`.

A command that needs the database finds it ready: brought up to date first, or told in
one line what to run (refuge/ops/schema.py)."""

import os
import sys

from refuge.lib.env import prepare_var_dir


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "refuge.settings")
    prepare_var_dir()
    words = command_words(sys.argv[1:])
    if words and not {"-h", "--help"} & set(words):
        import django

        django.setup()
        from refuge.ops.schema import ready_for

        if not ready_for(words[0]):
            sys.exit(1)
    from django.core.management import execute_from_command_line

    execute_from_command_line([sys.argv[0], *words])


def command_words(words: list[str]) -> list[str]:
    """`refuge import-people` runs the import_people command: hyphens read better typed."""
    if words and not words[0].startswith("-"):
        return [words[0].replace("-", "_"), *words[1:]]
    return words


if __name__ == "__main__":
    main()
