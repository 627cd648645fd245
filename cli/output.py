"""Printing results: aligned tables for people, JSON for scripts (`--output json`)."""

import json


def _cell(value):
    if value is None:
        return "-"
    if isinstance(value, list):
        return ",".join(map(str, value)) or "-"
    return str(value)


def table(rows, columns):
    """``columns``: [(HEADER, key or callable)]."""
    values = [[_cell(key(row) if callable(key) else row.get(key)) for _, key in columns] for row in rows]
    headers = [header for header, _ in columns]
    widths = [max([len(h)] + [len(r[i]) for r in values]) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in values]
    return "\n".join(lines)


def details(item):
    width = max((len(k) for k in item), default=0)
    return "\n".join(f"{key.ljust(width)}  {_cell(value) if not isinstance(value, dict) else json.dumps(value)}" for key, value in item.items())


def render(result, output, columns=None):
    if output == "json":
        return json.dumps(result, indent=2, sort_keys=True)
    if isinstance(result, list):
        if not result:
            return "(none)"
        return table(result, columns or [(k.upper(), k) for k in result[0]])
    if isinstance(result, dict):
        return details(result)
    return "" if result is None else str(result)
