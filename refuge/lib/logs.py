import logging


class DropRequestData(logging.Filter):
    """Strip the request object from log records.

    Django attaches the request to error records, and formatters that dump it
    would write query strings, POST bodies and cookies, where names live.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if hasattr(record, "request"):
            record.request = None
        return True
