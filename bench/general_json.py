"""(c) json: dumps and loads of nested records, as pyperformance's
json_dumps and json_loads."""
import json

RECORD = {
    "id": 12345, "name": "cpython-tco", "tags": ["a", "b", "c", "tail"],
    "ratio": 0.75, "nested": {"x": [1, 2, 3, {"y": None, "z": True}],
                              "s": "text \u00e9\u4e2d"},
}
DATA = [dict(RECORD, id=i) for i in range(60)]


def run():
    for _ in range(200):
        text = json.dumps(DATA)
        json.loads(text)
        json.dumps(DATA, indent=2, sort_keys=True)
