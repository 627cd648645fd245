"""One JSON object per log line, for log collectors.

Only named fields are written: time, level, logger, message, the traceback of an exception, and
the ``fields`` dict a caller passes as ``extra={"fields": {...}}``. Other attributes a library
attaches to a record are left out on purpose: Django's `django.request` logger attaches the whole
request, whose text form holds the query string.
"""

import json
import logging
from datetime import datetime, timezone


class JsonFormatter(logging.Formatter):
    def format(self, record):
        line = {
            "time": datetime.fromtimestamp(record.created, tz=timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line.update(fields)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)
