"""The `refuge` command: manage.py for operators, plus `refuge serve`."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "refuge.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line([sys.argv[0], *command_words(sys.argv[1:])])


def command_words(words: list[str]) -> list[str]:
    """`refuge import-people` runs the import_people command: hyphens read better typed."""
    if words and not words[0].startswith("-"):
        return [words[0].replace("-", "_"), *words[1:]]
    return words


if __name__ == "__main__":
    main()
