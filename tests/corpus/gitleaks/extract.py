#!/usr/bin/env python3
"""Extract literal true/false-positive examples from gitleaks rule files.

gitleaks (https://github.com/gitleaks/gitleaks, MIT licence) keeps one Go file
per provider under cmd/generate/config/rules/.  Each rule function validates
itself against example strings, usually written as

    tps := []string{ ... }                 // true positives
    fps := []string{ ... }                 // false positives
    return utils.Validate(r, tps, fps)

or, in some versions, ``r.TPs = ...`` / ``r.FPs = ...``.  This script reads a
folder of those .go files and writes one JSON object per *literal* example:

    {"rule_id": ..., "file": "cmd/generate/config/rules/x.go",
     "kind": "tp" | "fp", "text": ...}

Only values that are fully determined by the source text are kept:

* Go raw strings (`...`) and interpreted strings ("..." with escapes decoded),
* ``+`` concatenations of such literals,
* ``utils.GenerateSampleSecret(<literal>, <literal>)``, whose output is the
  fixed format ``<id>_api_token = "<secret>"``,
* package-level or function-level ``[]string{...}`` variables made of the
  above, and ``append(...)`` of them.

Anything that involves random generation (``secrets.NewSecret``,
``utils.GenerateSampleSecrets`` -- a version-dependent set of templates --,
``fmt.Sprintf`` etc.) is skipped and counted.

Usage:
    python3 extract.py RULES_DIR OUT_JSONL [--stats STATS_JSON]

Standard library only.
"""

import json
import os
import re
import sys

RULES_PREFIX = "cmd/generate/config/rules/"

# Literals known to contain characters that could not be transcribed faithfully
# from the source (non-printing bytes); they are left out of the corpus.
# (file name, prefix of the literal) -> reason
EXCLUDE = {
    ("huggingface.go", "y{}x|~|}{~}}~|~}||"):
        "binary-garbage false positive containing non-printing characters",
}

# --------------------------------------------------------------------------
# Tokenizer (enough of Go's lexical grammar for these files)
# --------------------------------------------------------------------------

_PUNCT = [
    "...", "<<=", ">>=", "&^=", ":=", "==", "!=", "<=", ">=", "&&", "||",
    "<-", "++", "--", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<",
    ">>", "&^",
]


class Tok:
    __slots__ = ("kind", "val", "pos")

    def __init__(self, kind, val, pos):
        self.kind = kind  # ident, str, num, char, punct, nl
        self.val = val
        self.pos = pos

    def __repr__(self):
        return "Tok(%s,%r)" % (self.kind, self.val)


def _decode_interpreted(body):
    """Decode the inside of a Go interpreted string literal."""
    out = []
    i = 0
    n = len(body)
    raw_bytes = bytearray()

    def flush_bytes():
        if raw_bytes:
            out.append(raw_bytes.decode("utf-8", errors="surrogateescape"))
            raw_bytes.clear()

    simple = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r",
              "t": "\t", "v": "\v", "\\": "\\", '"': '"', "'": "'"}
    while i < n:
        c = body[i]
        if c != "\\":
            flush_bytes()
            out.append(c)
            i += 1
            continue
        e = body[i + 1]
        if e in simple:
            flush_bytes()
            out.append(simple[e])
            i += 2
        elif e == "x":
            raw_bytes.append(int(body[i + 2:i + 4], 16))
            i += 4
        elif e in "01234567":
            raw_bytes.append(int(body[i + 1:i + 4], 8))
            i += 4
        elif e == "u":
            flush_bytes()
            out.append(chr(int(body[i + 2:i + 6], 16)))
            i += 6
        elif e == "U":
            flush_bytes()
            out.append(chr(int(body[i + 2:i + 10], 16)))
            i += 10
        else:
            raise ValueError("bad escape \\%s" % e)
    flush_bytes()
    return "".join(out)


def tokenize(src):
    toks = []
    i = 0
    n = len(src)
    while i < n:
        c = src[i]
        if c == "\n":
            toks.append(Tok("nl", "\n", i))
            i += 1
        elif c in " \t\r":
            i += 1
        elif src.startswith("//", i):
            j = src.find("\n", i)
            i = n if j < 0 else j
        elif src.startswith("/*", i):
            j = src.find("*/", i + 2)
            chunk = src[i:j + 2]
            if "\n" in chunk:
                toks.append(Tok("nl", "\n", i))
            i = j + 2
        elif c == "`":
            j = src.find("`", i + 1)
            # Go drops carriage returns from raw strings.
            toks.append(Tok("str", src[i + 1:j].replace("\r", ""), i))
            i = j + 1
        elif c == '"':
            j = i + 1
            while src[j] != '"':
                j += 2 if src[j] == "\\" else 1
            toks.append(Tok("str", _decode_interpreted(src[i + 1:j]), i))
            i = j + 1
        elif c == "'":
            j = i + 1
            while src[j] != "'":
                j += 2 if src[j] == "\\" else 1
            toks.append(Tok("char", src[i:j + 1], i))
            i = j + 1
        elif c.isalpha() or c == "_" or ord(c) > 127:
            j = i
            while j < n and (src[j].isalnum() or src[j] == "_" or ord(src[j]) > 127):
                j += 1
            toks.append(Tok("ident", src[i:j], i))
            i = j
        elif c.isdigit():
            m = re.match(r"[0-9][0-9a-fA-FxXoObB_.eEpP]*", src[i:])
            toks.append(Tok("num", m.group(0), i))
            i += len(m.group(0))
        else:
            for p in _PUNCT:
                if src.startswith(p, i):
                    toks.append(Tok("punct", p, i))
                    i += len(p)
                    break
            else:
                toks.append(Tok("punct", c, i))
                i += 1
    return toks


# --------------------------------------------------------------------------
# Statement splitting (Go automatic semicolons, simplified)
# --------------------------------------------------------------------------

_END_KW = {"break", "continue", "fallthrough", "return"}
_OPEN = {"(": ")", "[": "]", "{": "}"}


def _ends_stmt(tok):
    if tok is None:
        return False
    if tok.kind in ("ident", "str", "num", "char"):
        return True
    return tok.kind == "punct" and tok.val in (")", "]", "}", "++", "--")


def split_statements(toks):
    """Split a flat token list (a block body) into statements at depth 0."""
    stmts = []
    cur = []
    depth = 0
    prev = None
    for t in toks:
        if t.kind == "nl":
            if depth == 0 and _ends_stmt(prev):
                if cur:
                    stmts.append(cur)
                cur = []
            prev_nl = True
            continue
        if t.kind == "punct" and t.val in _OPEN:
            depth += 1
        elif t.kind == "punct" and t.val in (")", "]", "}"):
            depth -= 1
        if depth == 0 and t.kind == "punct" and t.val == ";":
            if cur:
                stmts.append(cur)
            cur = []
            prev = t
            continue
        cur.append(t)
        prev = t
    if cur:
        stmts.append(cur)
    return stmts


def match_close(toks, i):
    """toks[i] is an opening bracket; return index of the matching close."""
    depth = 0
    for j in range(i, len(toks)):
        t = toks[j]
        if t.kind == "punct" and t.val in _OPEN:
            depth += 1
        elif t.kind == "punct" and t.val in (")", "]", "}"):
            depth -= 1
            if depth == 0:
                return j
    raise ValueError("unbalanced brackets")


def split_top(toks, sep=","):
    """Split tokens on a separator at bracket depth 0 (newlines ignored)."""
    parts = []
    cur = []
    depth = 0
    for t in toks:
        if t.kind == "nl":
            continue
        if t.kind == "punct" and t.val in _OPEN:
            depth += 1
        elif t.kind == "punct" and t.val in (")", "]", "}"):
            depth -= 1
        if depth == 0 and t.kind == "punct" and t.val == sep:
            parts.append(cur)
            cur = []
            continue
        cur.append(t)
    if cur:
        parts.append(cur)
    return parts


# --------------------------------------------------------------------------
# Expression evaluation
# --------------------------------------------------------------------------

GEN = object()  # marker: a value produced at run time (random / unknown)


class PathText:
    """An example that gitleaks validates together with a file path."""
    __slots__ = ("path", "text")

    def __init__(self, path, text):
        self.path = path
        self.text = text


class Skips:
    def __init__(self):
        self.generated = 0            # NewSecret, Sprintf, unknown calls ...
        self.sample_secrets_literal = []  # GenerateSampleSecrets(id, <literal>)
        self.sample_secrets_generated = 0


def _is(t, kind, val=None):
    return t.kind == kind and (val is None or t.val == val)


def eval_string(toks, env, skips):
    """Evaluate a string expression; return str or GEN."""
    toks = [t for t in toks if t.kind != "nl"]
    if not toks:
        return GEN
    # strip redundant parentheses
    while (_is(toks[0], "punct", "(") and match_close(toks, 0) == len(toks) - 1):
        toks = toks[1:-1]
    parts = split_top(toks, "+")
    if len(parts) > 1:
        vals = [eval_string(p, env, skips) for p in parts]
        if any(v is GEN for v in vals):
            return GEN
        return "".join(vals)
    if len(toks) == 1:
        t = toks[0]
        if t.kind == "str":
            return t.val
        if t.kind == "ident" and isinstance(env.get(t.val), str):
            return env[t.val]
        return GEN
    # utils.GenerateSampleSecret(id, secret): fixed format
    names = [t.val for t in toks[:3]]
    if (len(toks) >= 4 and names[:3] == ["utils", ".", "GenerateSampleSecret"]
            and _is(toks[3], "punct", "(")):
        close = match_close(toks, 3)
        if close == len(toks) - 1:
            args = split_top(toks[4:close])
            if len(args) == 2:
                ident = eval_string(args[0], env, skips)
                secret = eval_string(args[1], env, skips)
                if ident is not GEN and secret is not GEN:
                    return '%s_api_token = "%s"' % (ident, secret)
    return GEN


def eval_list(toks, env, skips):
    """Evaluate a []string-valued expression; return list of str/GEN, or None
    when the expression is not understood as a list at all."""
    toks = [t for t in toks if t.kind != "nl"]
    if not toks:
        return None
    if len(toks) == 1 and toks[0].kind == "ident":
        if toks[0].val == "nil":
            return []
        v = env.get(toks[0].val)
        return list(v) if isinstance(v, list) else None
    # []string{ ... }
    if (len(toks) >= 4 and _is(toks[0], "punct", "[") and _is(toks[1], "punct", "]")
            and _is(toks[2], "ident", "string") and _is(toks[3], "punct", "{")):
        close = match_close(toks, 3)
        out = []
        for el in split_top(toks[4:close]):
            v = eval_string(el, env, skips)
            if v is GEN:
                skips.generated += 1
            out.append(v)
        return out
    # map[string]string{ "path": text, ... }  (used with ValidateWithPaths)
    if (len(toks) >= 6 and _is(toks[0], "ident", "map") and _is(toks[1], "punct", "[")
            and _is(toks[2], "ident", "string") and _is(toks[3], "punct", "]")
            and _is(toks[4], "ident", "string") and _is(toks[5], "punct", "{")):
        close = match_close(toks, 5)
        out = []
        for el in split_top(toks[6:close]):
            kv = split_top(el, ":")
            if len(kv) != 2:
                skips.generated += 1
                out.append(GEN)
                continue
            k = eval_string(kv[0], env, skips)
            v = eval_string(kv[1], env, skips)
            if k is GEN or v is GEN:
                skips.generated += 1
                out.append(GEN)
            else:
                out.append(PathText(k, v))
        return out
    # append(base, a, b, ...) / append(base, other...)
    if _is(toks[0], "ident", "append") and _is(toks[1], "punct", "("):
        close = match_close(toks, 1)
        args = split_top(toks[2:close])
        base = eval_list(args[0], env, skips)
        out = list(base) if base is not None else []
        for a in args[1:]:
            if a and _is(a[-1], "punct", "..."):
                sub = eval_list(a[:-1], env, skips)
                if sub is None:
                    skips.generated += 1
                    out.append(GEN)
                else:
                    out.extend(sub)
            else:
                v = eval_string(a, env, skips)
                if v is GEN:
                    skips.generated += 1
                out.append(v)
        return out
    # utils.GenerateSampleSecrets(id, secret) -> version dependent templates
    if (len(toks) >= 4 and toks[0].val in ("utils",) and toks[2].val == "GenerateSampleSecrets"
            and _is(toks[3], "punct", "(")):
        close = match_close(toks, 3)
        args = split_top(toks[4:close])
        secret = eval_string(args[1], env, skips) if len(args) == 2 else GEN
        ident = eval_string(args[0], env, skips) if len(args) == 2 else GEN
        if secret is GEN or ident is GEN:
            skips.sample_secrets_generated += 1
        else:
            skips.sample_secrets_literal.append((ident, secret))
        return [GEN]
    return None


# --------------------------------------------------------------------------
# File-level processing
# --------------------------------------------------------------------------


def package_vars(toks):
    """Collect package-level `var name = []string{...}` (and string) vars."""
    env = {}
    depth = 0
    i = 0
    n = len(toks)
    while i < n:
        t = toks[i]
        if t.kind == "punct" and t.val in _OPEN:
            depth += 1
        elif t.kind == "punct" and t.val in (")", "]", "}"):
            depth -= 1
        elif depth == 0 and _is(t, "ident", "var"):
            # var NAME = EXPR   (single form only)
            if i + 2 < n and toks[i + 1].kind == "ident" and _is(toks[i + 2], "punct", "="):
                j = i + 3
                start = j
                d = 0
                while j < n:
                    u = toks[j]
                    if u.kind == "punct" and u.val in _OPEN:
                        d += 1
                    elif u.kind == "punct" and u.val in (")", "]", "}"):
                        d -= 1
                    elif u.kind == "nl" and d == 0 and _ends_stmt(toks[j - 1]):
                        break
                    j += 1
                expr = toks[start:j]
                dummy = Skips()
                lv = eval_list(expr, env, dummy)
                if lv is not None:
                    env[toks[i + 1].val] = lv
                else:
                    sv = eval_string(expr, env, dummy)
                    if sv is not GEN:
                        env[toks[i + 1].val] = sv
                i = j
                continue
        i += 1
    return env


def functions(toks):
    """Yield (name, body_tokens) for each top-level func declaration."""
    i = 0
    n = len(toks)
    depth = 0
    while i < n:
        t = toks[i]
        if depth == 0 and _is(t, "ident", "func") and i + 1 < n and toks[i + 1].kind == "ident":
            name = toks[i + 1].val
            # find the body's opening brace: first '{' at paren depth 0 after params
            j = i + 2
            d = 0
            while j < n:
                u = toks[j]
                if _is(u, "punct", "(") or _is(u, "punct", "["):
                    d += 1
                elif _is(u, "punct", ")") or _is(u, "punct", "]"):
                    d -= 1
                elif _is(u, "punct", "{") and d == 0:
                    # skip composite-literal return types like *config.Rule (no braces)
                    break
                j += 1
            close = match_close(toks, j)
            yield name, toks[j + 1:close]
            i = close + 1
            continue
        if t.kind == "punct" and t.val in _OPEN:
            depth += 1
        elif t.kind == "punct" and t.val in (")", "]", "}"):
            depth -= 1
        i += 1


def find_rule_id(body):
    for k in range(len(body) - 2):
        if _is(body[k], "ident", "RuleID") and _is(body[k + 1], "punct", ":") and body[k + 2].kind == "str":
            return body[k + 2].val
    return None


def run_statements(stmts, env, skips, result):
    for st in stmts:
        st = [t for t in st if t.kind != "nl"]
        if not st:
            continue
        head = st[0]
        # nested blocks: for/if/switch bodies and bare blocks
        if head.kind == "ident" and head.val in ("for", "if", "switch", "else"):
            for k, t in enumerate(st):
                if _is(t, "punct", "{"):
                    close = match_close(st, k)
                    run_statements(split_statements(st[k + 1:close]), env, skips, result)
                    break
            continue
        if head.kind == "ident" and head.val == "return":
            result["return"] = st[1:]
            continue
        # assignment: targets (:=|=) expr
        for k, t in enumerate(st):
            if t.kind == "punct" and t.val in (":=", "=") :
                lhs = st[:k]
                rhs = st[k + 1:]
                break
            if t.kind == "punct" and t.val in _OPEN:
                lhs = None
                break
        else:
            lhs = None
        if not lhs:
            continue
        if _is(lhs[0], "ident", "var"):
            lhs = lhs[1:2]
        target = "".join(t.val for t in lhs)
        if "," in target:
            continue
        lv = eval_list(rhs, env, skips)
        if lv is not None:
            env[target] = lv
            continue
        sv = eval_string(rhs, env, skips)
        if sv is not GEN:
            env[target] = sv


def extract_file(path, relpath, skipstats):
    src = open(path, encoding="utf-8").read()
    toks = tokenize(src)
    genv = package_vars(toks)
    records = []
    notes = []
    for fname, body in functions(toks):
        rule_id = find_rule_id(body)
        env = dict(genv)
        skips = Skips()
        result = {}
        run_statements(split_statements(body), env, skips, result)
        tps = fps = None
        ret = result.get("return")
        if ret:
            # utils.Validate(r, TPS, FPS) or validate(r, TPS, FPS)
            for k, t in enumerate(ret):
                if _is(t, "punct", "("):
                    callee = "".join(u.val for u in ret[:k])
                    if callee in ("utils.Validate", "validate", "utils.ValidateWithPaths"):
                        close = match_close(ret, k)
                        args = split_top(ret[k + 1:close])
                        if len(args) >= 2:
                            tps = eval_list(args[1], env, skips)
                        if len(args) >= 3:
                            fps = eval_list(args[2], env, skips)
                    break
        if tps is None and isinstance(env.get("r.TPs"), list):
            tps = env["r.TPs"]
        if fps is None and isinstance(env.get("r.FPs"), list):
            fps = env["r.FPs"]
        if tps is None and isinstance(env.get("tps"), list):
            tps = env["tps"]
        if fps is None and isinstance(env.get("fps"), list):
            fps = env["fps"]
        if rule_id is None:
            if tps or fps:
                notes.append("%s:%s has examples but no literal RuleID; skipped" % (relpath, fname))
            continue
        skipstats["generated_items"] += skips.generated
        skipstats["generate_sample_secrets_literal"] += len(skips.sample_secrets_literal)
        skipstats["generate_sample_secrets_random"] += skips.sample_secrets_generated
        for ident, secret in skips.sample_secrets_literal:
            skipstats["sample_secret_literals"].append(
                {"rule_id": rule_id, "file": relpath, "identifier": ident, "secret": secret})
        seen = set()
        for kind, vals in (("tp", tps or []), ("fp", fps or [])):
            for v in vals:
                path = None
                if isinstance(v, PathText):
                    path, v = v.path, v.text
                if v is GEN or not isinstance(v, str):
                    continue
                fname = os.path.basename(relpath)
                if any(fname == f and v.startswith(pre) for (f, pre) in EXCLUDE):
                    skipstats["excluded_untranscribable"] += 1
                    continue
                key = (kind, path, v)
                if key in seen:
                    continue
                seen.add(key)
                rec = {"rule_id": rule_id, "file": relpath, "kind": kind, "text": v}
                if path is not None:
                    rec["path"] = path
                records.append(rec)
    return records, notes


def main(argv):
    if len(argv) < 3:
        print(__doc__)
        return 2
    rules_dir, out_path = argv[1], argv[2]
    stats_path = None
    if "--stats" in argv:
        stats_path = argv[argv.index("--stats") + 1]
    files = sorted(f for f in os.listdir(rules_dir)
                   if f.endswith(".go") and not f.endswith("_test.go"))
    skipstats = {"excluded_untranscribable": 0, "generated_items": 0, "generate_sample_secrets_literal": 0,
                 "generate_sample_secrets_random": 0, "sample_secret_literals": []}
    all_records = []
    all_notes = []
    for f in files:
        recs, notes = extract_file(os.path.join(rules_dir, f), RULES_PREFIX + f, skipstats)
        all_records.extend(recs)
        all_notes.extend(notes)
    with open(out_path, "w", encoding="utf-8", newline="\n") as fh:
        for r in all_records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    rules_with = sorted({r["rule_id"] for r in all_records})
    stats = {
        "files": len(files),
        "records": len(all_records),
        "tp": sum(1 for r in all_records if r["kind"] == "tp"),
        "fp": sum(1 for r in all_records if r["kind"] == "fp"),
        "rules_with_literal_examples": len(rules_with),
        "files_with_literal_examples": len({r["file"] for r in all_records}),
        "skipped_generated_items": skipstats["generated_items"],
        "excluded_untranscribable": skipstats["excluded_untranscribable"],
        "skipped_generate_sample_secrets_with_literal_secret": skipstats["generate_sample_secrets_literal"],
        "skipped_generate_sample_secrets_with_random_secret": skipstats["generate_sample_secrets_random"],
        "notes": all_notes,
    }
    if stats_path:
        stats["sample_secret_literals"] = skipstats["sample_secret_literals"]
        with open(stats_path, "w", encoding="utf-8") as fh:
            json.dump(stats, fh, indent=1, ensure_ascii=False)
    summary = {k: v for k, v in stats.items() if k != "sample_secret_literals"}
    print(json.dumps(summary, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
