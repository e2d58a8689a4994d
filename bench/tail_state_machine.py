"""(a) A tokenizer written as a state machine of tail calls."""
TEXT = "alpha = beta + 42 * (gamma - 7) / delta_9 ; " * 200

def start(s, i, out):
    if i == len(s):
        return out
    c = s[i]
    if c.isalpha() or c == "_":
        return name(s, i + 1, i, out)
    if c.isdigit():
        return number(s, i + 1, i, out)
    if c == " ":
        return start(s, i + 1, out)
    out.append(c)
    return start(s, i + 1, out)

def name(s, i, begin, out):
    if i < len(s) and (s[i].isalnum() or s[i] == "_"):
        return name(s, i + 1, begin, out)
    out.append(s[begin:i])
    return start(s, i, out)

def number(s, i, begin, out):
    if i < len(s) and s[i].isdigit():
        return number(s, i + 1, begin, out)
    out.append(int(s[begin:i]))
    return start(s, i, out)

def run():
    for _ in range(40):
        start(TEXT, 0, [])
