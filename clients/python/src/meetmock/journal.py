"""The request journal (`/__admin/requests`): queries and count assertions whose failures say
what was expected, what was seen and which requests came close.

Filters are the server's: `vendor`, `operation`, `status`, `meeting`, `tenant`, `code`.
"""

from __future__ import annotations

from typing import Any, List, Optional


def describe(entry: dict) -> str:
    """One journal entry on one line: `#12 PATCH /open-apis/… meeting.invite → 400 code 122008`."""
    parts = [f"#{entry.get('seq')}", entry.get("method", "?"), entry.get("target", "?")]
    if entry.get("operation"):
        parts.append(entry["operation"])
    parts.append(f"→ {entry.get('status')}")
    if entry.get("code") not in (None, "", "0"):
        parts.append(f"code {entry['code']}")
    if entry.get("meeting"):
        parts.append(f"meeting {entry['meeting']}")
    if entry.get("tenant"):
        parts.append(f"tenant {entry['tenant']}")
    if entry.get("fault"):
        parts.append(f"fault {entry['fault']}")
    return " ".join(str(p) for p in parts)


def _filters_text(filters: dict) -> str:
    shown = {k: v for k, v in filters.items() if v is not None}
    return " ".join(f"{k}={v}" for k, v in shown.items()) or "(any request)"


def _mismatches(entry: dict, filters: dict) -> List[str]:
    """Which filters an entry misses, as `field: wanted X, was Y`."""
    out = []
    for k, want in filters.items():
        if want is None:
            continue
        got = entry.get(k)
        if str(got) != str(want):
            out.append(f"{k} {got!r} (wanted {want!r})")
    return out


class JournalMixin:
    """Journal calls for `Admin` (which provides `call`)."""

    def requests(self, limit: int = 100, before: Optional[int] = None, **filters: Any) -> list:
        """Journaled requests, newest first, each with its request and answer (secrets masked)."""
        from .admin import _query

        return self.call("GET", "/requests" + _query({**filters, "limit": limit, "before": before}))["requests"]

    def count(self, **filters: Any) -> int:
        """How many journaled requests match."""
        from .admin import _query

        return self.call("GET", "/requests/count" + _query(filters))["count"]

    def clear_requests(self) -> dict:
        return self.call("DELETE", "/requests")

    def assert_count(self, expected: int, **filters: Any) -> List[dict]:
        """Asserts exactly `expected` journaled requests match; returns them (newest first).
        On failure the message lists the matches and the nearest misses with what differed."""
        n = self.count(**filters)
        if n == expected:
            return self.requests(limit=max(expected, 1), **filters) if expected else []
        raise AssertionError(self._explain(f"expected {expected}", n, filters))

    def assert_called(self, times: Optional[int] = None, *, at_least: int = 1, **filters: Any) -> List[dict]:
        """Asserts a request matching `filters` was journaled (`times` exactly, or `at_least`)."""
        if times is not None:
            return self.assert_count(times, **filters)
        n = self.count(**filters)
        if n < at_least:
            raise AssertionError(self._explain(f"expected at least {at_least}", n, filters))
        return self.requests(limit=n, **filters)

    def assert_not_called(self, **filters: Any) -> None:
        self.assert_count(0, **filters)

    def _explain(self, expectation: str, got: int, filters: dict) -> str:
        lines = [f"meetmock journal: {expectation} request(s) matching {_filters_text(filters)}, found {got}"]
        if got:
            lines.append("  matching (newest first):")
            lines += [f"    {describe(e)}" for e in self.requests(limit=10, **filters)]
        # The nearest misses: same tenant/vendor scope, differing in the other filters.
        scope = {k: filters[k] for k in ("vendor", "tenant") if filters.get(k) is not None}
        others = [e for e in self.requests(limit=50, **scope) if _mismatches(e, filters)]
        if others:
            where = _filters_text(scope) if scope else "the server"
            lines.append(f"  other requests of {where} (newest first), and what differed:")
            for e in others[:10]:
                lines.append(f"    {describe(e)}")
                lines.append(f"        {'; '.join(_mismatches(e, filters))}")
        elif not got:
            lines.append("  the journal holds no request in that scope")
        return "\n".join(lines)
