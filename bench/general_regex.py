"""(c) Regular expressions: compile-once patterns over a text, as
pyperformance's regex_effbot and regex_v8 do."""
import re

TEXT = " ".join(
    f"user{i}@example{i % 7}.org visited /path/{i}/index.html at "
    f"2026-12-{(i % 28) + 1:02d}T{i % 24:02d}:{i % 60:02d} status={200 + i % 5}"
    for i in range(400))
PATTERNS = [re.compile(p) for p in (
    r"[\w.]+@[\w.]+\.org",
    r"/path/(\d+)/index\.html",
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})",
    r"status=(20[0-4])",
    r"\bvisited\b",
)]


def run():
    for _ in range(75):
        for p in PATTERNS:
            for m in p.finditer(TEXT):
                m.group(0)
        re.sub(r"user(\d+)", r"u\1", TEXT)
