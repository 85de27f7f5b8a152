#!/usr/bin/env python3
"""Build the blind evaluation corpus ``unseen_leaks_c.jsonl``.

Stdlib only, deterministic (fixed seed).  Every snippet is assembled from
segments: plain text (neutral), sensitive values (secret / pii) and
look-alikes that must be kept.  Offsets are computed while assembling, then
re-verified, and the invariants below are asserted before anything is written:

* every span is in range and its text equals the value it was built from;
* no two spans (sensitive or keep) overlap;
* every occurrence of a sensitive value in a snippet (token-bounded: not
  preceded/followed by an ASCII letter or digit) lies inside a sensitive span;
* minimum counts of snippets, kinds and spans are met.

Run:  python3 tests/corpus/unseen_leaks_c/build.py
"""
import base64
import collections
import json
import os
import random
import re
import string
import sys
import unicodedata
import uuid as _uuid

SEED = 0x5EC3E7C
R = random.Random(SEED)
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "unseen_leaks_c.jsonl")
N_SNIPPETS = 520

UP = string.ascii_uppercase
LO = string.ascii_lowercase
DG = string.digits
ALNUM = UP + LO + DG
UPAL = UP + DG
LOAL = LO + DG
HEXL = "0123456789abcdef"
B64 = ALNUM + "+/"
B64U = ALNUM + "-_"


def rs(n, al=ALNUM):
    return "".join(R.choice(al) for _ in range(n))


def pick(seq):
    return R.choice(seq)


def digits(n, first_nonzero=True):
    s = rs(n, DG)
    if first_nonzero and s[0] == "0":
        s = str(R.randint(1, 9)) + s[1:]
    return s


def uuid4():
    return str(_uuid.UUID(int=R.getrandbits(128), version=4))


def b64(s):
    if isinstance(s, str):
        s = s.encode()
    return base64.b64encode(s).decode()


def b64u(b):
    if isinstance(b, str):
        b = b.encode()
    return base64.urlsafe_b64encode(b).decode().rstrip("=")


def deaccent(s):
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


class Cycle:
    """Round-robin over a shuffled list so every item gets used."""

    def __init__(self, items):
        self.items = list(items)
        R.shuffle(self.items)
        self.i = 0

    def next(self):
        if self.i >= len(self.items):
            R.shuffle(self.items)
            self.i = 0
        x = self.items[self.i]
        self.i += 1
        return x


# --------------------------------------------------------------------------
# document assembly
# --------------------------------------------------------------------------

def S(kind, v):
    return ("secret", kind, v)


def P(kind, v):
    return ("pii", kind, v)


def K(kind, v):
    return ("keep", kind, v)


class Doc:
    def __init__(self):
        self.buf = []
        self.pos = 0
        self.sens = []
        self.keep = []

    def _w(self, s):
        self.buf.append(s)
        self.pos += len(s)

    def add(self, *items):
        for it in items:
            if isinstance(it, str):
                self._w(it)
            elif isinstance(it, (list, tuple)) and it and it[0] in ("secret", "pii", "keep") and len(it) == 3 and isinstance(it[2], str):
                cat, kind, v = it
                st = self.pos
                self._w(v)
                if cat == "keep":
                    self.keep.append({"start": st, "end": self.pos, "kind": kind, "_v": v})
                else:
                    self.sens.append({"start": st, "end": self.pos, "category": cat, "kind": kind, "_v": v})
            elif isinstance(it, (list, tuple)):
                self.add(*it)
            else:
                raise TypeError(it)
        return self

    def line(self, *items):
        self.add(*items)
        self._w("\n")
        return self

    def text(self):
        return "".join(self.buf)


BOUND_L = r"(?<![A-Za-z0-9])"
BOUND_R = r"(?![A-Za-z0-9])"


def check_record(rec, vals=None):
    """Return None if ok, else a reason string."""
    text = rec["text"]
    spans = []
    for s in rec["sensitive"]:
        if not (0 <= s["start"] < s["end"] <= len(text)):
            return "range"
        if s["category"] not in ("secret", "pii"):
            return "category"
        if not re.fullmatch(r"[A-Z][A-Z0-9_]*", s["kind"]):
            return "kind"
        spans.append((s["start"], s["end"], "S"))
    for k in rec["keep"]:
        if not (0 <= k["start"] < k["end"] <= len(text)):
            return "range"
        spans.append((k["start"], k["end"], "K"))
    spans.sort()
    for a, b in zip(spans, spans[1:]):
        if a[1] > b[0]:
            return "overlap %r %r" % (a, b)
    if vals is not None:
        for s, v in zip(rec["sensitive"], vals[0]):
            if text[s["start"]:s["end"]] != v:
                return "offset"
        for k, v in zip(rec["keep"], vals[1]):
            if text[k["start"]:k["end"]] != v:
                return "offset"
    for s in rec["sensitive"]:
        v = text[s["start"]:s["end"]]
        if v != v.strip():
            return "whitespace at span edge"
        for m in re.finditer(BOUND_L + re.escape(v) + BOUND_R, text):
            if not any(o["start"] <= m.start() and m.end() <= o["end"] for o in rec["sensitive"]):
                return "unlabelled occurrence of %r" % v
    return None


# --------------------------------------------------------------------------
# look-alike (keep) generators
# --------------------------------------------------------------------------

def ts_iso():
    return "2024-%02d-%02dT%02d:%02d:%02d.%03dZ" % (R.randint(1, 12), R.randint(1, 28), R.randint(0, 23),
                                                   R.randint(0, 59), R.randint(0, 59), R.randint(0, 999))


def ts_py():
    return "2024-%02d-%02d %02d:%02d:%02d,%03d" % (R.randint(1, 12), R.randint(1, 28), R.randint(0, 23),
                                                  R.randint(0, 59), R.randint(0, 59), R.randint(0, 999))


MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
MONTHS_LONG = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December"]


def ts_clf():
    return "%02d/%s/2024:%02d:%02d:%02d +0000" % (R.randint(1, 28), pick(MONTHS), R.randint(0, 23),
                                                  R.randint(0, 59), R.randint(0, 59))


def ts_http():
    return "%s, %02d %s 2024 %02d:%02d:%02d GMT" % (pick(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]),
                                                   R.randint(1, 28), pick(MONTHS), R.randint(0, 23),
                                                   R.randint(0, 59), R.randint(0, 59))


def hhmm():
    return "%02d:%02d" % (R.randint(7, 22), R.randint(0, 59))


def dur():
    return pick(["%dms" % R.randint(2, 9000), "%.2fs" % (R.random() * 40), "%dm%02ds" % (R.randint(1, 9), R.randint(0, 59)),
                 "%d ms" % R.randint(1, 4000), "%.1fs" % (R.random() * 9)])


def ver():
    return pick(["%d.%d.%d" % (R.randint(0, 9), R.randint(0, 40), R.randint(0, 30)),
                 "v%d.%d.%d" % (R.randint(1, 5), R.randint(0, 30), R.randint(0, 20)),
                 "%d.%d.%d-rc.%d" % (R.randint(1, 4), R.randint(0, 20), R.randint(0, 9), R.randint(1, 5)),
                 "%d.%d" % (R.randint(1, 20), R.randint(0, 12))])


def sha40():
    return rs(40, HEXL)


def sha7():
    return rs(7, HEXL)


def hex32():
    return rs(32, HEXL)


def hex64():
    return rs(64, HEXL)


def order_no():
    return pick(["ORD-%d" % R.randint(100000, 9999999), "#%d" % R.randint(100000, 999999),
                 "%03d-%07d-%07d" % (R.randint(100, 999), R.randint(0, 9999999), R.randint(0, 9999999)),
                 "SO-2024-%06d" % R.randint(0, 999999), "A%08d" % R.randint(0, 99999999)])


def invoice_no():
    return pick(["INV-%06d" % R.randint(0, 999999), "INV-2024-%05d" % R.randint(0, 99999),
                 "F2024/%05d" % R.randint(0, 99999), "RE-%d" % R.randint(10000, 99999)])


def ticket_no():
    return pick(["#%d" % R.randint(10000, 999999), "ZD-%d" % R.randint(10000, 999999),
                 "CS-%d" % R.randint(1000, 99999), "INC%07d" % R.randint(0, 9999999)])


JIRA_PROJ = ["PAY", "OPS", "SEC", "PLAT", "CORE", "INFRA", "WEB", "BILL", "SRE", "DATA", "MOB", "AUTH"]


def jira():
    return "%s-%d" % (pick(JIRA_PROJ), R.randint(12, 9999))


def sku():
    return pick(["SKU-%s-%s-%s" % (pick(["TS", "HD", "MUG", "CAP", "BAG"]), pick(["BLK", "WHT", "NVY", "RED"]), pick(["S", "M", "L", "XL"])),
                 "%s-%04d-%s" % (rs(3, UP), R.randint(0, 9999), rs(2, UP)),
                 "B0%s" % rs(8, UPAL)])


def build_no():
    return pick(["#%d" % R.randint(100, 99999), "%d" % R.randint(1000, 99999), "build-%d" % R.randint(100, 9999)])


def fsize():
    return pick(["%.1f MB" % (R.random() * 900), "%.2f GiB" % (R.random() * 20), "%d KB" % R.randint(1, 9999),
                 "%s bytes" % format(R.randint(1000, 99999999), ","), "%dK" % R.randint(4, 900), "%.1fM" % (R.random() * 400)])


OIDS = ["1.2.840.113549.1.1.11", "1.2.840.113549.1.1.1", "2.5.4.3", "1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2",
        "1.2.840.10045.2.1", "1.2.840.10045.3.1.7", "1.3.6.1.4.1.311.20.2.3", "2.16.840.1.101.3.4.2.1",
        "1.3.6.1.4.1.11129.2.4.2", "2.5.29.17", "2.5.29.19", "1.3.101.112"]
ERRCODES = ["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "ORA-12541", "ORA-01017", "SQLSTATE[28000]", "28P01", "E11000",
            "0x80070005", "ERR_SSL_PROTOCOL_ERROR", "ENOTFOUND", "EACCES", "ERR_TOO_MANY_REDIRECTS", "P1001",
            "ER_ACCESS_DENIED_ERROR", "AADSTS7000215", "invalid_grant", "card_declined", "InvalidClientTokenId",
            "SignatureDoesNotMatch", "E_AUTH_0042", "EPIPE", "MISCONF"]
STATUSES = ["200", "201", "204", "301", "302", "304", "400", "401", "403", "404", "409", "422", "429", "500", "502", "503", "504"]
PLACEHOLDERS = ["YOUR_API_KEY", "sk_live_xxxxxxxxxxxxxxxxxxxxxxxx", "sk_test_XXXXXXXXXXXXXXXXXXXXXXXX", "<your-token-here>",
                "AKIAXXXXXXXXXXXXXXXX", "${DB_PASSWORD}", "{{ .Values.db.password }}", "REPLACE_ME", "xoxb-your-bot-token",
                "ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", "<redacted>", "********", "<PASSWORD>", "${{ secrets.NPM_TOKEN }}",
                "your-secret-here", "TODO_SET_ME", "$STRIPE_SECRET_KEY", "[REDACTED]", "xxxxxxxx", "{{ vault_db_password }}",
                "<insert key>", "sk-...", "***", "%SENDGRID_API_KEY%", "hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"]


def masked_card():
    l4 = "%04d" % R.randint(0, 9999)
    return pick(["**** **** **** " + l4, "•••• " + l4, "XXXX-XXXX-XXXX-" + l4, "************" + l4,
                 "%s******%s" % (pick(["411111", "555555", "378282", "401288"]), l4), "**** " + l4])


# --------------------------------------------------------------------------
# secret generators (published formats, random bodies)
# --------------------------------------------------------------------------

def pw(urlsafe=False, style=None):
    style = style or pick(["human", "human", "random", "phrase", "random"])
    syms = "!_.-~*" if urlsafe else "!#%^*_-+=.@$?"
    if style == "human":
        w = pick(["Summer", "Winter", "Falcon", "Dragon", "Monkey", "Sunshine", "Bluebird", "Pa55word", "Welcome",
                  "Tigger", "Harley", "Mustang", "Kitten", "Rocket", "Galaxy", "Orange", "Liverpool", "Barcelona",
                  "Schalke", "Bonjour", "Qwerty", "Letmein", "Postgres", "Admin", "Spring", "Autumn", "Chelsea", "Zaq1Xsw2"])
        return w + pick(["", pick(syms)]) + str(R.randint(1, 2025)) + pick(["", pick(syms)])
    if style == "phrase":
        words = ["copper", "lantern", "velvet", "orbit", "maple", "thunder", "pickle", "glacier", "saffron", "harbor",
                 "cobalt", "meadow", "quartz", "falcon", "tundra", "biscuit", "ember", "walnut"]
        return pick(["-", ".", "_"]).join(R.sample(words, 4)) + str(R.randint(1, 99))
    return rs(1, ALNUM) + rs(R.randint(13, 27), ALNUM + syms)


def aws_akid(prefix="AKIA"):
    return prefix + rs(16, UP + "234567")


def aws_secret():
    return rs(40, B64)


def aws_session():
    return pick(["IQoJb3JpZ2luX2VjE", "FwoGZXIvYXdzE"]) + rs(R.randint(300, 420), B64) + pick(["", "=", "=="])


def stripe(prefix):
    return prefix + pick([rs(24), "51" + rs(97)])


def discord_bot():
    return b64u(digits(18)) + "." + rs(6, B64U) + "." + rs(38, B64U)


def jwt(alg=None, claims=None):
    alg = alg or pick(["HS256", "RS256", "ES256", "RS256"])
    hdr = {"alg": alg, "typ": "JWT"}
    if alg != "HS256" and R.random() < 0.6:
        hdr["kid"] = rs(20, B64U)
    iat = R.randint(1700000000, 1730000000)
    pl = claims or {"sub": pick([uuid4(), "auth0|" + rs(24, HEXL), str(R.randint(1000, 99999999))]), "iat": iat,
                    "exp": iat + pick([900, 3600, 86400]), "iss": pick(["https://auth.acme-corp.io/", "https://login.northwind.app",
                                                                      "https://securetoken.google.com/app-" + rs(5, LOAL)]),
                    "scope": pick(["openid profile email", "read:orders write:orders", "admin"])}
    sig = {"HS256": 43, "RS256": 342, "ES256": 86}[alg]
    return b64u(json.dumps(hdr, separators=(",", ":"))) + "." + b64u(json.dumps(pl, separators=(",", ":"))) + "." + rs(sig, B64U)


def teams_webhook():
    return "https://%s.webhook.office.com/webhookb2/%s@%s/IncomingWebhook/%s/%s" % (
        pick(["contoso", "acmecorp", "northwind365", "globexinc"]), uuid4(), uuid4(), hex32(), uuid4())


def gcp_oauth_secret():
    return "GOCSPX-" + rs(28, B64U)


SECRET_TABLE = [
    # kind, generator, env var names, phrase used in prose
    ("AWS_ACCESS_KEY_ID", lambda: aws_akid(), ["AWS_ACCESS_KEY_ID", "aws_access_key_id"], "aws access key id"),
    ("AWS_SECRET_ACCESS_KEY", aws_secret, ["AWS_SECRET_ACCESS_KEY", "aws_secret_access_key", "AWS_SECRET_KEY"], "aws secret"),
    ("AWS_SESSION_TOKEN", aws_session, ["AWS_SESSION_TOKEN", "aws_session_token"], "session token"),
    ("GCP_API_KEY", lambda: "AIza" + rs(35, B64U), ["GOOGLE_API_KEY", "GOOGLE_MAPS_API_KEY", "FIREBASE_API_KEY"], "google maps key"),
    ("AZURE_STORAGE_ACCOUNT_KEY", lambda: rs(86, B64) + "==", ["AZURE_STORAGE_KEY", "AZURE_STORAGE_ACCOUNT_KEY"], "storage account key"),
    ("AZURE_CLIENT_SECRET", lambda: rs(3, ALNUM) + "8Q~" + rs(34, ALNUM + "_~.-"), ["AZURE_CLIENT_SECRET", "ARM_CLIENT_SECRET"], "client secret from the app registration"),
    ("GITHUB_PAT", lambda: "ghp_" + rs(36), ["GITHUB_TOKEN", "GH_TOKEN"], "github token"),
    ("GITHUB_OAUTH_TOKEN", lambda: "gho_" + rs(36), ["GITHUB_OAUTH_TOKEN"], "gh oauth token"),
    ("GITHUB_USER_TO_SERVER_TOKEN", lambda: "ghu_" + rs(36), ["GH_USER_TOKEN"], "ghu token"),
    ("GITHUB_APP_INSTALLATION_TOKEN", lambda: "ghs_" + rs(36), ["GITHUB_APP_TOKEN", "GH_INSTALLATION_TOKEN"], "installation token"),
    ("GITHUB_FINE_GRAINED_PAT", lambda: "github_pat_" + rs(22, UPAL) + "_" + rs(59), ["GITHUB_PAT", "GH_PAT"], "fine grained PAT"),
    ("GITLAB_PAT", lambda: "glpat-" + rs(20, B64U), ["GITLAB_TOKEN", "CI_JOB_PAT", "GL_TOKEN"], "gitlab token"),
    ("GITLAB_RUNNER_TOKEN", lambda: "glrt-" + rs(20, B64U), ["RUNNER_TOKEN", "CI_SERVER_TOKEN"], "runner token"),
    ("GITLAB_DEPLOY_TOKEN", lambda: "gldt-" + rs(20, B64U), ["GITLAB_DEPLOY_TOKEN"], "deploy token"),
    ("BITBUCKET_APP_PASSWORD", lambda: "ATBB" + rs(24) + rs(8, "0123456789ABCDEF"), ["BITBUCKET_APP_PASSWORD", "BB_APP_PASSWORD"], "bitbucket app password"),
    ("SLACK_BOT_TOKEN", lambda: "xoxb-" + digits(11) + "-" + digits(13) + "-" + rs(24), ["SLACK_BOT_TOKEN", "SLACK_TOKEN"], "slack bot token"),
    ("SLACK_USER_TOKEN", lambda: "xoxp-" + digits(11) + "-" + digits(11) + "-" + digits(13) + "-" + hex32(), ["SLACK_USER_TOKEN"], "xoxp token"),
    ("SLACK_APP_TOKEN", lambda: "xapp-1-A0" + rs(9, UPAL) + "-" + digits(13) + "-" + hex64(), ["SLACK_APP_TOKEN"], "socket mode app token"),
    ("SLACK_WEBHOOK_URL", lambda: "https://hooks.slack.com/services/T0" + rs(7, UPAL) + "/B0" + rs(9, UPAL) + "/" + rs(24), ["SLACK_WEBHOOK_URL", "SLACK_HOOK"], "slack webhook"),
    ("DISCORD_BOT_TOKEN", discord_bot, ["DISCORD_TOKEN", "DISCORD_BOT_TOKEN"], "discord bot token"),
    ("DISCORD_WEBHOOK_URL", lambda: "https://discord.com/api/webhooks/" + digits(19) + "/" + rs(68, B64U), ["DISCORD_WEBHOOK"], "discord webhook"),
    ("TELEGRAM_BOT_TOKEN", lambda: digits(10) + ":AA" + rs(33, B64U), ["TELEGRAM_BOT_TOKEN", "TG_TOKEN"], "telegram bot token"),
    ("TEAMS_WEBHOOK_URL", teams_webhook, ["TEAMS_WEBHOOK_URL"], "teams incoming webhook"),
    ("STRIPE_SECRET_KEY", lambda: stripe("sk_live_"), ["STRIPE_SECRET_KEY", "STRIPE_API_KEY", "STRIPE_SK"], "stripe secret key"),
    ("STRIPE_RESTRICTED_KEY", lambda: stripe("rk_live_"), ["STRIPE_RESTRICTED_KEY"], "restricted stripe key"),
    ("STRIPE_WEBHOOK_SECRET", lambda: "whsec_" + rs(32), ["STRIPE_WEBHOOK_SECRET", "STRIPE_ENDPOINT_SECRET"], "webhook signing secret"),
    ("SQUARE_ACCESS_TOKEN", lambda: "EAAA" + rs(60, B64U), ["SQUARE_ACCESS_TOKEN"], "square access token"),
    ("SQUARE_OAUTH_SECRET", lambda: "sq0csp-" + rs(43, B64U), ["SQUARE_APPLICATION_SECRET"], "square app secret"),
    ("PAYPAL_CLIENT_SECRET", lambda: "E" + rs(79, B64U), ["PAYPAL_CLIENT_SECRET", "PAYPAL_SECRET"], "paypal secret"),
    ("BRAINTREE_ACCESS_TOKEN", lambda: "access_token$production$" + rs(16, LOAL) + "$" + hex32(), ["BRAINTREE_ACCESS_TOKEN"], "braintree access token"),
    ("BRAINTREE_PRIVATE_KEY", hex32, ["BRAINTREE_PRIVATE_KEY", "BT_PRIVATE_KEY"], "braintree private key"),
    ("ADYEN_API_KEY", lambda: "AQE" + rs(2, LO) + "hmfx" + rs(58, B64) + "==-" + rs(43, B64) + "=-" + rs(16, ALNUM + "@#^*"), ["ADYEN_API_KEY"], "adyen api key"),
    ("RAZORPAY_KEY_SECRET", lambda: rs(24), ["RAZORPAY_KEY_SECRET", "RAZORPAY_SECRET"], "razorpay secret"),
    ("SENDGRID_API_KEY", lambda: "SG." + rs(22, B64U) + "." + rs(43, B64U), ["SENDGRID_API_KEY"], "sendgrid key"),
    ("MAILGUN_API_KEY", lambda: pick(["key-" + hex32(), hex32() + "-" + rs(8, HEXL) + "-" + rs(8, HEXL)]), ["MAILGUN_API_KEY", "MAILGUN_KEY"], "mailgun key"),
    ("POSTMARK_SERVER_TOKEN", uuid4, ["POSTMARK_SERVER_TOKEN", "POSTMARK_API_TOKEN"], "postmark server token"),
    ("MAILCHIMP_API_KEY", lambda: hex32() + "-us" + str(R.randint(1, 21)), ["MAILCHIMP_API_KEY", "MC_API_KEY"], "mailchimp key"),
    ("AWS_SES_SMTP_PASSWORD", lambda: "B" + rs(43, B64), ["SES_SMTP_PASSWORD", "SMTP_PASSWORD"], "ses smtp password"),
    ("DATADOG_API_KEY", hex32, ["DD_API_KEY", "DATADOG_API_KEY"], "datadog api key"),
    ("DATADOG_APP_KEY", sha40, ["DD_APP_KEY", "DATADOG_APP_KEY"], "datadog app key"),
    ("NEW_RELIC_USER_KEY", lambda: "NRAK-" + rs(27, UPAL), ["NEW_RELIC_API_KEY", "NEW_RELIC_USER_KEY"], "new relic user key"),
    ("NEW_RELIC_LICENSE_KEY", lambda: rs(36, HEXL) + "NRAL", ["NEW_RELIC_LICENSE_KEY", "NRIA_LICENSE_KEY"], "newrelic license key"),
    ("SENTRY_AUTH_TOKEN", lambda: pick(["sntrys_" + b64u('{"iat":%d.%d,"url":"https://sentry.io","region_url":"https://us.sentry.io","org":"%s"}' % (R.randint(1700000000, 1730000000), R.randint(0, 999999), pick(["acme", "northwind", "globex"]))) + "_" + rs(43, B64), "sntryu_" + hex64()]), ["SENTRY_AUTH_TOKEN"], "sentry auth token"),
    ("GRAFANA_SERVICE_ACCOUNT_TOKEN", lambda: "glsa_" + rs(32) + "_" + rs(8, HEXL), ["GRAFANA_TOKEN", "GF_SA_TOKEN"], "grafana service account token"),
    ("GRAFANA_CLOUD_TOKEN", lambda: "glc_" + b64('{"o":"%d","n":"stack-%d-hm-read","k":"%s","m":{"r":"prod-eu-west-2"}}' % (R.randint(100000, 999999), R.randint(100000, 999999), rs(24))), ["GRAFANA_CLOUD_API_KEY"], "grafana cloud token"),
    ("HONEYCOMB_API_KEY", lambda: pick(["hcaik_01" + rs(56, "0123456789abcdefghjkmnpqrstvwxyz"), rs(22)]), ["HONEYCOMB_API_KEY", "HONEYCOMB_WRITEKEY"], "honeycomb key"),
    ("SPLUNK_HEC_TOKEN", uuid4, ["SPLUNK_HEC_TOKEN", "SPLUNK_TOKEN"], "splunk HEC token"),
    ("OPENAI_API_KEY", lambda: pick(["sk-proj-" + rs(58, B64U) + "T3BlbkFJ" + rs(58, B64U), "sk-" + rs(20) + "T3BlbkFJ" + rs(20), "sk-svcacct-" + rs(58, B64U) + "T3BlbkFJ" + rs(58, B64U)]), ["OPENAI_API_KEY"], "openai key"),
    ("ANTHROPIC_API_KEY", lambda: "sk-ant-api03-" + rs(93, B64U) + "AA", ["ANTHROPIC_API_KEY", "CLAUDE_API_KEY"], "anthropic key"),
    ("HUGGINGFACE_TOKEN", lambda: "hf_" + rs(34), ["HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"], "hugging face token"),
    ("COHERE_API_KEY", lambda: rs(40), ["COHERE_API_KEY", "CO_API_KEY"], "cohere key"),
    ("REPLICATE_API_TOKEN", lambda: "r8_" + rs(37), ["REPLICATE_API_TOKEN"], "replicate token"),
    ("NPM_TOKEN", lambda: "npm_" + rs(36), ["NPM_TOKEN", "NODE_AUTH_TOKEN"], "npm token"),
    ("PYPI_TOKEN", lambda: "pypi-AgEIcHlwaS5vcmc" + rs(R.randint(130, 170), B64U), ["PYPI_TOKEN", "TWINE_PASSWORD", "UV_PUBLISH_TOKEN"], "pypi token"),
    ("RUBYGEMS_API_KEY", lambda: "rubygems_" + rs(48, HEXL), ["GEM_HOST_API_KEY", "RUBYGEMS_API_KEY"], "rubygems key"),
    ("NUGET_API_KEY", lambda: "oy2" + rs(43, LOAL), ["NUGET_API_KEY"], "nuget key"),
    ("DOCKERHUB_PAT", lambda: "dckr_pat_" + rs(27, B64U), ["DOCKERHUB_TOKEN", "DOCKER_PASSWORD"], "docker hub PAT"),
    ("CRATES_IO_TOKEN", lambda: "cio" + rs(32), ["CARGO_REGISTRY_TOKEN"], "crates.io token"),
    ("VAULT_TOKEN", lambda: pick(["hvs." + rs(24), "hvs.CAES" + rs(R.randint(80, 100), B64U), "hvb.AAAAAQ" + rs(120, B64U)]), ["VAULT_TOKEN"], "vault token"),
    ("TERRAFORM_CLOUD_TOKEN", lambda: rs(14) + ".atlasv1." + rs(67), ["TFE_TOKEN", "TF_TOKEN_app_terraform_io"], "terraform cloud token"),
    ("PULUMI_ACCESS_TOKEN", lambda: "pul-" + sha40(), ["PULUMI_ACCESS_TOKEN"], "pulumi token"),
    ("DOPPLER_TOKEN", lambda: pick(["dp.st.prd.", "dp.pt.", "dp.sa.", "dp.ct."]) + rs(43), ["DOPPLER_TOKEN"], "doppler token"),
    ("CLOUDFLARE_API_TOKEN", lambda: rs(40, B64U), ["CLOUDFLARE_API_TOKEN", "CF_API_TOKEN"], "cloudflare api token"),
    ("CLOUDFLARE_GLOBAL_API_KEY", lambda: rs(37, HEXL), ["CLOUDFLARE_API_KEY", "CF_API_KEY"], "cloudflare global key"),
    ("DIGITALOCEAN_TOKEN", lambda: pick(["dop_v1_", "doo_v1_"]) + hex64(), ["DIGITALOCEAN_TOKEN", "DO_TOKEN"], "DO token"),
    ("FLYIO_TOKEN", lambda: pick(["fo1_" + rs(43, B64U), "FlyV1 fm2_" + rs(180, B64) + ",fm2_" + rs(120, B64)]), ["FLY_API_TOKEN"], "fly token"),
    ("VERCEL_TOKEN", lambda: rs(24), ["VERCEL_TOKEN"], "vercel token"),
    ("NETLIFY_TOKEN", lambda: "nfp_" + rs(36), ["NETLIFY_AUTH_TOKEN"], "netlify token"),
    ("HEROKU_API_KEY", lambda: pick(["HRKU-AA" + rs(58, B64U), uuid4()]), ["HEROKU_API_KEY"], "heroku api key"),
    ("LINODE_TOKEN", hex64, ["LINODE_TOKEN", "LINODE_CLI_TOKEN"], "linode PAT"),
    ("ATLASSIAN_API_TOKEN", lambda: "ATATT3xFfGF0" + rs(170, B64U) + "=" + rs(8, "0123456789ABCDEF"), ["JIRA_API_TOKEN", "CONFLUENCE_API_TOKEN", "ATLASSIAN_TOKEN"], "jira api token"),
    ("LINEAR_API_KEY", lambda: "lin_api_" + rs(40), ["LINEAR_API_KEY"], "linear key"),
    ("NOTION_TOKEN", lambda: pick(["secret_" + rs(43), "ntn_" + rs(46)]), ["NOTION_TOKEN", "NOTION_API_KEY"], "notion integration token"),
    ("AIRTABLE_PAT", lambda: "pat" + rs(14) + "." + hex64(), ["AIRTABLE_API_KEY", "AIRTABLE_PAT"], "airtable PAT"),
    ("ASANA_PAT", lambda: "2/" + digits(16) + "/" + digits(16) + ":" + hex32(), ["ASANA_PAT", "ASANA_TOKEN"], "asana PAT"),
    ("ZENDESK_API_TOKEN", lambda: rs(40), ["ZENDESK_API_TOKEN"], "zendesk token"),
    ("INTERCOM_ACCESS_TOKEN", lambda: "dG9rOj" + rs(54, B64) + "=", ["INTERCOM_ACCESS_TOKEN"], "intercom token"),
    ("HUBSPOT_PRIVATE_APP_TOKEN", lambda: "pat-" + pick(["na1", "eu1", "na2"]) + "-" + uuid4(), ["HUBSPOT_ACCESS_TOKEN", "HUBSPOT_TOKEN"], "hubspot private app token"),
    ("TWILIO_AUTH_TOKEN", hex32, ["TWILIO_AUTH_TOKEN"], "twilio auth token"),
    ("OKTA_API_TOKEN", lambda: "00" + rs(40, B64U), ["OKTA_API_TOKEN", "OKTA_CLIENT_TOKEN"], "okta api token"),
    ("AUTH0_CLIENT_SECRET", lambda: rs(64, B64U), ["AUTH0_CLIENT_SECRET"], "auth0 client secret"),
    ("FIREBASE_FCM_SERVER_KEY", lambda: "AAAA" + rs(7, B64U) + ":APA91b" + rs(134, B64U), ["FCM_SERVER_KEY", "FIREBASE_SERVER_KEY"], "FCM server key"),
    ("OAUTH_CLIENT_SECRET", lambda: pick([gcp_oauth_secret(), rs(40, B64U), hex32()]), ["OAUTH_CLIENT_SECRET", "GOOGLE_CLIENT_SECRET", "CLIENT_SECRET"], "oauth client secret"),
    ("OAUTH_REFRESH_TOKEN", lambda: pick(["1//0" + rs(99, B64U), "rt_" + rs(48, B64U), "v1.M" + rs(110, B64U)]), ["REFRESH_TOKEN", "GOOGLE_REFRESH_TOKEN"], "refresh token"),
    ("OAUTH_ACCESS_TOKEN", lambda: "ya29.a0" + rs(150, B64U), ["GOOGLE_ACCESS_TOKEN"], "access token"),
    ("JWT", jwt, ["JWT", "ACCESS_TOKEN", "ID_TOKEN", "API_JWT"], "jwt"),
    ("JWT_SIGNING_SECRET", lambda: rs(48, B64), ["JWT_SECRET", "SECRET_KEY_BASE", "NEXTAUTH_SECRET"], "jwt secret"),
    ("APP_SECRET_KEY", lambda: pick(["django-insecure-" + rs(50, LO + DG + "!@#$%^&*(-_=+)"), "base64:" + rs(43, B64) + "=", hex64()]), ["DJANGO_SECRET_KEY", "APP_KEY", "FLASK_SECRET_KEY"], "secret key"),
    ("GENERIC_API_KEY", lambda: pick([rs(32), hex32(), "key_" + rs(28)]), ["API_KEY", "X_API_KEY", "PARTNER_API_KEY"], "api key"),
    ("DB_PASSWORD", pw, ["DB_PASSWORD", "POSTGRES_PASSWORD", "MYSQL_ROOT_PASSWORD", "PGPASSWORD"], "db password"),
    ("PASSWORD", pw, ["ADMIN_PASSWORD", "SMTP_PASS", "REDIS_PASSWORD", "RABBITMQ_DEFAULT_PASS"], "password"),
    ("ENCRYPTION_KEY", lambda: b64(bytes(R.getrandbits(8) for _ in range(32))), ["ENCRYPTION_KEY", "DATA_KEY", "FIELD_ENCRYPTION_KEY"], "encryption key"),
]
SECRET_BY_KIND = {t[0]: t for t in SECRET_TABLE}
SEC_CYCLE = Cycle(SECRET_TABLE)


def next_secret():
    kind, gen, names, phrase = SEC_CYCLE.next()
    return kind, pick(names), gen(), phrase


def gen_secret(kind):
    return SECRET_BY_KIND[kind][1]()


# ---- private keys ------------------------------------------------------

def wrap(body, n):
    return [body[i:i + n] for i in range(0, len(body), n)]


def pem(label, prefix, total, headers=None, nl="\n"):
    body = prefix + rs(total - len(prefix), B64)
    body = body[:-2] + pick(["==", body[-2:], body[-2] + "="])
    lines = ["-----BEGIN %s-----" % label] + (headers or []) + wrap(body, 64) + ["-----END %s-----" % label]
    return nl.join(lines)


def key_rsa(nl="\n"):
    if R.random() < 0.25:
        return pem("RSA PRIVATE KEY", "", R.randint(1700, 1760), ["Proc-Type: 4,ENCRYPTED", "DEK-Info: AES-128-CBC," + rs(32, "0123456789ABCDEF"), ""], nl)
    return pem("RSA PRIVATE KEY", "MIIE" + pick(["pAIBAAKCAQEA", "owIBAAKCAQEA", "ogIBAAKCAQEA"]), R.randint(1580, 1700), None, nl)


def key_ec(nl="\n"):
    return pem("EC PRIVATE KEY", "MHcCAQEEI" + rs(1, "ABCDEFGHIJKLMNOP"), 164, None, nl)


def key_pkcs8(nl="\n"):
    return _pkcs8(nl)


def _pkcs8(nl):
    kind = pick(["rsa", "rsa", "ed", "ec"])
    if kind == "rsa":
        return pem("PRIVATE KEY", pick(["MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ", "MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQ"]), R.randint(1620, 1632), None, nl)
    if kind == "ed":
        return pem("PRIVATE KEY", "MC4CAQAwBQYDK2VwBCIEI", 64, None, nl)
    return pem("PRIVATE KEY", "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg", 184, None, nl)


def key_enc_pkcs8(nl="\n"):
    return pem("ENCRYPTED PRIVATE KEY", "MIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQI", R.randint(1740, 1790), None, nl)


def key_openssh(nl="\n"):
    ed = R.random() < 0.6
    if ed:
        body = "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZWQyNTUxOQAAACA" + rs(300, B64) + "="
    else:
        body = "b3BlbnNzaC1rZXktdjEAAAAACmFlczI1Ni1jdHIAAAAGYmNyeXB0AAAAGAAAABA" + rs(R.randint(2500, 2600), B64)
    lines = ["-----BEGIN OPENSSH PRIVATE KEY-----"] + wrap(body, 70) + ["-----END OPENSSH PRIVATE KEY-----"]
    return nl.join(lines)


def key_putty(nl="\n"):
    if R.random() < 0.5:
        pub = "AAAAC3NzaC1lZDI1NTE5AAAAI" + rs(43, B64)
        priv = "AAAAI" + rs(39, B64) + "="
        lines = ["PuTTY-User-Key-File-3: ssh-ed25519", "Encryption: none", "Comment: eddsa-key-2024%02d%02d" % (R.randint(1, 12), R.randint(1, 28)),
                 "Public-Lines: %d" % len(wrap(pub, 64))] + wrap(pub, 64) + ["Private-Lines: %d" % len(wrap(priv, 64))] + wrap(priv, 64) + ["Private-MAC: " + hex64()]
    else:
        pub = "AAAAB3NzaC1yc2EAAAADAQABAAABAQ" + rs(342, B64)
        priv = "AAABAE" + rs(R.randint(860, 890), B64) + "="
        lines = ["PuTTY-User-Key-File-2: ssh-rsa", "Encryption: none", "Comment: rsa-key-2023%02d%02d" % (R.randint(1, 12), R.randint(1, 28)),
                 "Public-Lines: %d" % len(wrap(pub, 64))] + wrap(pub, 64) + ["Private-Lines: %d" % len(wrap(priv, 64))] + wrap(priv, 64) + ["Private-MAC: " + sha40()]
    return nl.join(lines)


def key_pgp(nl="\n"):
    body = pick(["lQdGBG", "lFgEZ", "lQOYBG"]) + rs(R.randint(600, 3000), B64)
    lines = ["-----BEGIN PGP PRIVATE KEY BLOCK-----"] + (["Comment: " + pick(["GPGTools - https://gpgtools.org", "Keybase OpenPGP v2.1.15"])] if R.random() < 0.4 else []) + [""] + wrap(body, 64) + ["=" + rs(4, B64), "-----END PGP PRIVATE KEY BLOCK-----"]
    return nl.join(lines)


PRIVATE_KEYS = [("PRIVATE_KEY_RSA", key_rsa), ("PRIVATE_KEY_EC", key_ec), ("PRIVATE_KEY_PKCS8", key_pkcs8),
                ("PRIVATE_KEY_ENCRYPTED_PKCS8", key_enc_pkcs8), ("PRIVATE_KEY_OPENSSH", key_openssh),
                ("PRIVATE_KEY_PUTTY", key_putty), ("PRIVATE_KEY_PGP", key_pgp)]
KEY_CYCLE = Cycle(PRIVATE_KEYS)


# --------------------------------------------------------------------------
# PII generators
# --------------------------------------------------------------------------

NAMES = {
    "en": (["Olivia", "Hannah", "Megan", "Shanice", "Brittany", "Kayla", "Rebecca", "Aaliyah", "Courtney", "Jasmine", "Lauren",
            "Marcus", "Derek", "Tyler", "Brandon", "Jamal", "Kevin", "Connor", "Trevor", "Dylan", "Terrence", "Gareth", "Callum", "Rhys"],
           ["Whitfield", "Okafor", "Brennan", "Castellano", "Hargreaves", "McAllister", "Delaney", "Thornton", "Oyelaran",
            "Pritchard", "Kowalczyk", "Abernathy", "Fitzgerald", "Baptiste", "Lindqvist", "Chaudhry", "Donnelly", "Ashworth"]),
    "de": (["Jonas", "Lea", "Lukas", "Anna-Lena", "Felix", "Katharina", "Maximilian", "Sophie", "Jürgen", "Birgit", "Henrik", "Annika"],
           ["Müller", "Schneider", "Hoffmann", "Wagner", "Becker", "Schäfer", "Koch", "Bauer", "Richter", "Krämer", "Vogt", "Brandt"]),
    "fr": (["Camille", "Léa", "Mathieu", "Théo", "Manon", "Aurélien", "Chloé", "Guillaume", "Élodie", "Hugo", "Margaux", "Bastien"],
           ["Dubois", "Lefèvre", "Moreau", "Girard", "Fournier", "Mercier", "Lambert", "Bonnet", "Rousseau", "Faure", "Chevalier", "Gauthier"]),
    "es": (["Alejandro", "Lucía", "Javier", "Carmen", "Sergio", "Marta", "Álvaro", "Paula", "Iñigo", "Nuria", "Rocío", "Gonzalo"],
           ["García", "Fernández", "López", "Martínez", "Sánchez", "Ruiz", "Jiménez", "Navarro", "Iglesias", "Ortega", "Castro", "Vidal"]),
    "pt": (["João", "Ana", "Rafael", "Beatriz", "Thiago", "Larissa", "Gustavo", "Camila", "Bruno", "Fernanda", "Letícia", "Diego"],
           ["Silva", "Santos", "Oliveira", "Souza", "Pereira", "Costa", "Rodrigues", "Almeida", "Nascimento", "Carvalho", "Ribeiro", "Barbosa"]),
    "it": (["Giulia", "Marco", "Francesca", "Alessandro", "Chiara", "Davide", "Federica", "Matteo", "Sara", "Lorenzo", "Ilaria", "Tommaso"],
           ["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Conti", "Galli"]),
    "in": (["Priya", "Rahul", "Ananya", "Vikram", "Sneha", "Arjun", "Kavya", "Rohan", "Deepika", "Aditya", "Meera", "Siddharth"],
           ["Sharma", "Iyer", "Reddy", "Nair", "Patel", "Gupta", "Menon", "Chatterjee", "Kulkarni", "Bhat", "Rao", "Joshi"]),
    "jp": (["Haruto", "Yui", "Sota", "Aoi", "Ren", "Hina", "Kenji", "Sakura"],
           ["Tanaka", "Suzuki", "Takahashi", "Watanabe", "Yamamoto", "Kobayashi", "Sato", "Ito"]),
    "nl": (["Daan", "Sanne", "Bram", "Fleur", "Jeroen", "Lotte"], ["de Vries", "van Dijk", "Bakker", "Jansen", "Visser", "van den Berg"]),
    "pl": (["Katarzyna", "Piotr", "Agnieszka", "Tomasz", "Magdalena", "Paweł"], ["Kowalski", "Nowak", "Wiśniewska", "Wójcik", "Kamińska", "Lewandowski"]),
}
AGENTS = ["Sam", "Riley", "Jordan", "Casey", "Morgan", "Quinn", "Avery", "Drew", "Robin", "Skyler"]  # support staff: neutral
COMPANIES = ["Acme Corp", "Northwind", "Globex", "Initech", "Hooli", "Contoso", "Vandelay Industries", "Stark Logistics", "Pied Piper"]


def person(loc=None):
    loc = loc or pick(["en", "en", "en", "de", "fr", "es", "pt", "it", "in", "jp", "nl", "pl"])
    f, l = NAMES[loc]
    return pick(f), pick(l)


MAIL_DOMAINS = ["gmail.com", "outlook.com", "yahoo.com", "hotmail.co.uk", "icloud.com", "proton.me", "web.de", "gmx.de",
                "orange.fr", "free.fr", "yahoo.es", "libero.it", "uol.com.br", "rediffmail.com", "btinternet.com", "live.nl",
                "wp.pl", "aol.com", "fastmail.com", "hey.com", "t-online.de"]


def email_of(first, last):
    f = deaccent(first).lower().replace(" ", "").replace("-", "")
    l = deaccent(last).lower().replace(" ", "")
    user = pick(["%s.%s" % (f, l), "%s%s" % (f[0], l), "%s%s%d" % (f, l[:3], R.randint(1, 99)), "%s_%s" % (f, l),
                 "%s.%s%d" % (l, f, R.randint(70, 99)), "%s%d" % (f, R.randint(1980, 2004)), "%s.%s+%s" % (f, l, pick(["shop", "news", "acme"]))])
    return user + "@" + pick(MAIL_DOMAINS)


def obfuscate_email(e):
    u, d = e.split("@")
    st = R.randint(0, 3)
    if st == 0:
        return "%s [at] %s" % (u, d.replace(".", " [dot] "))
    if st == 1:
        return "%s(at)%s" % (u.replace(".", "(dot)"), d.replace(".", "(dot)"))
    if st == 2:
        return "%s at %s" % (u, d.replace(".", " dot "))
    return "%s @ %s" % (u, d)


def url_email(e):
    return e.replace("@", "%40").replace("+", "%2B")


def _pat(p):
    out = []
    for c in p:
        out.append(str(R.randint(0, 9)) if c == "N" else str(R.randint(1, 9)) if c == "M" else c)
    return "".join(out)


PHONE_FMT = {
    "US": ["(MNN) MNN-NNNN", "MNN-MNN-NNNN", "+1 MNN-MNN-NNNN", "MNN.MNN.NNNN", "+1 (MNN) MNN-NNNN", "1-MNN-MNN-NNNN", "+1MNNMNNNNNN"],
    "UK": ["07NNN NNNNNN", "+44 7NNN NNNNNN", "+44 (0)20 7NNN NNNN", "020 7NNN NNNN", "0161 NNN NNNN", "+447NNNNNNNNN", "07NNN-NNN-NNN"],
    "DE": ["+49 30 NNNNNNNN", "0151 NNNNNNNN", "+49 (0)89 NNNN NNNN", "030/NNNNNNN", "+49 171 NNNNNNN", "0049 40 NNNNNN-NN", "0176-NNNNNNNN"],
    "FR": ["+33 6 NN NN NN NN", "06 NN NN NN NN", "06.NN.NN.NN.NN", "+33 (0)1 NN NN NN NN", "07NNNNNNNN", "+33 7 NN NN NN NN"],
    "IN": ["+91 9NNNN NNNNN", "+91-8NNNNNNNNN", "09NNNN NNNNN", "+91 7NNNNNNNNN", "9NNNNNNNNN"],
    "JP": ["+81 90-NNNN-NNNN", "090-NNNN-NNNN", "03-NNNN-NNNN", "+81 3 NNNN NNNN", "080 NNNN NNNN"],
    "AU": ["+61 4NN NNN NNN", "04NN NNN NNN", "(02) 9NNN NNNN", "+61 2 9NNN NNNN", "04NNNNNNNN"],
    "BR": ["+55 11 9NNNN-NNNN", "(11) 9NNNN-NNNN", "+55 (21) 9NNNN-NNNN", "11 9NNNNNNNN", "+5561 9NNNN-NNNN"],
    "CA": ["(604) MNN-NNNN", "+1 416-MNN-NNNN", "514.MNN.NNNN", "+1 (403) MNN-NNNN"],
    "ES": ["+34 6NN NNN NNN", "6NN NN NN NN", "+34 91 NNN NN NN", "6NNNNNNNN", "0034 6NN NNN NNN"],
    "IT": ["+39 3NN NNN NNNN", "3NN NNN NNNN", "+39 06 NNNN NNNN", "02 NNNN NNNN", "+39 3NNNNNNNNN"],
    "NL": ["+31 6 NNNNNNNN", "06-NNNNNNNN", "06 NN NN NN NN", "+31 (0)20 NNN NNNN", "020-NNNNNNN"],
    "MX": ["+52 55 NNNN NNNN", "+52 1 55 NNNN NNNN", "55 NNNN NNNN", "(33) NNNN-NNNN", "+52 (81) NNNN NNNN"],
    "ZA": ["+27 82 NNN NNNN", "082 NNN NNNN", "+27 (0)21 NNN NNNN", "011 NNN NNNN", "+2783NNNNNNN"],
}


def phone(cc=None):
    cc = cc or pick(list(PHONE_FMT))
    return _pat(pick(PHONE_FMT[cc]))


def luhn_digit(partial):
    total = 0
    for i, ch in enumerate(reversed(partial)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def luhn_ok(num):
    return luhn_digit(num[:-1]) == num[-1]


def card_raw():
    brand = pick(["visa", "visa", "mc", "mc2", "amex", "disc", "jcb", "diners"])
    pre, ln = {"visa": ("4", 16), "mc": (str(R.randint(51, 55)), 16), "mc2": (str(R.randint(2221, 2720)), 16),
               "amex": (pick(["34", "37"]), 15), "disc": ("6011", 16), "jcb": ("35" + str(R.randint(28, 89)), 16),
               "diners": ("36", 14)}[brand]
    part = pre + rs(ln - len(pre) - 1, DG)
    return part + luhn_digit(part)


def fmt_card(n):
    sep = pick([" ", "-", "", " ", ".", "  "])
    if len(n) == 15:
        g = [n[:4], n[4:10], n[10:]]
    elif len(n) == 14:
        g = [n[:4], n[4:10], n[10:]]
    else:
        g = wrap(n, 4)
    return sep.join(g)


def card():
    return fmt_card(card_raw())


def cvv(n=3):
    return "%0*d" % (n, R.randint(0, 10 ** n - 1))


IBAN_SPEC = {"DE": lambda: rs(18, DG), "GB": lambda: pick(["NWBK", "BARC", "HBUK", "LOYD", "MIDL"]) + rs(14, DG),
             "FR": None, "ES": lambda: rs(20, DG), "IT": lambda: rs(1, UP) + rs(10, DG) + rs(12, DG),
             "NL": lambda: pick(["ABNA", "INGB", "RABO", "SNSB", "TRIO"]) + rs(10, DG), "PT": lambda: rs(21, DG),
             "BE": lambda: rs(12, DG), "AT": lambda: rs(16, DG), "CH": lambda: rs(17, DG), "IE": lambda: pick(["AIBK", "BOFI"]) + rs(14, DG),
             "PL": lambda: rs(24, DG)}


def _fr_bban():
    bank, branch, acct = rs(5, DG), rs(5, DG), rs(11, DG)
    key = 97 - ((89 * int(bank) + 15 * int(branch) + 3 * int(acct)) % 97)
    return bank + branch + acct + "%02d" % key


def _ibannum(s):
    return "".join(str(int(c, 36)) for c in s)


def iban_raw(cc=None):
    cc = cc or pick(list(IBAN_SPEC))
    bban = _fr_bban() if cc == "FR" else IBAN_SPEC[cc]()
    chk = 98 - int(_ibannum(bban + cc + "00")) % 97
    ib = cc + "%02d" % chk + bban
    assert int(_ibannum(ib[4:] + ib[:4])) % 97 == 1
    return ib


def iban(cc=None):
    ib = iban_raw(cc)
    st = pick(["grp", "grp", "compact", "lower", "grp"])
    if st == "grp":
        return " ".join(wrap(ib, 4))
    if st == "lower":
        return " ".join(wrap(ib.lower(), 4)) if R.random() < 0.5 else ib.lower()
    return ib


def ssn():
    while True:
        a = R.randint(1, 899)
        if a != 666:
            break
    s = "%03d%s%02d%s%04d" % (a, "{0}", R.randint(1, 99), "{0}", R.randint(1, 9999))
    return s.format(pick(["-", "-", " ", ""]))


def nino():
    first = [c for c in UP if c not in "DFIQUV"]
    second = [c for c in UP if c not in "DFIOQUV"]
    while True:
        p = pick(first) + pick(second)
        if p not in ("BG", "GB", "KN", "NK", "NT", "TN", "ZZ"):
            break
    d = rs(6, DG)
    suf = pick("ABCD")
    return pick([p + d + suf, "%s %s %s %s %s" % (p, d[:2], d[2:4], d[4:], suf), p + " " + d + " " + suf])


def dob_parts():
    y, m, d = R.randint(1948, 2005), R.randint(1, 12), R.randint(1, 28)
    return y, m, d


ES_MONTHS = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"]
DE_MONTHS = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"]
FR_MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"]


def dob(loc="en"):
    y, m, d = dob_parts()
    if loc == "en":
        return pick(["%02d/%02d/%d" % (m, d, y), "%d-%02d-%02d" % (y, m, d), "%s %d, %d" % (MONTHS_LONG[m - 1], d, y),
                     "%d %s %d" % (d, MONTHS[m - 1], y), "%02d/%02d/%d" % (d, m, y), "%d/%d/%02d" % (m, d, y % 100)])
    if loc == "de":
        return pick(["%02d.%02d.%d" % (d, m, y), "%d. %s %d" % (d, DE_MONTHS[m - 1], y)])
    if loc == "fr":
        return pick(["%02d/%02d/%d" % (d, m, y), "%d %s %d" % (d, FR_MONTHS[m - 1], y)])
    if loc == "es":
        return pick(["%02d/%02d/%d" % (d, m, y), "%d de %s de %d" % (d, ES_MONTHS[m - 1], y)])
    return pick(["%02d/%02d/%d" % (d, m, y), "%02d-%02d-%d" % (d, m, y)])


DOB_WORDS = {"en": ["DOB: ", "date of birth: ", "Date of Birth ", "born ", "birthday is ", "D.O.B. ", "dob "],
             "de": ["Geburtsdatum: ", "geboren am ", "geb. "],
             "fr": ["né le ", "née le ", "date de naissance : "],
             "es": ["fecha de nacimiento: ", "nacido el ", "nací el "],
             "pt": ["data de nascimento: ", "nascido em ", "nasci em "],
             "it": ["data di nascita: ", "nato il ", "nata il "]}


def address(cc=None):
    cc = cc or pick(["US", "US", "UK", "DE", "FR", "ES", "IN", "AU"])
    if cc == "US":
        return "%d %s %s%s, %s, %s %05d" % (R.randint(12, 9800), pick(["Maple Grove", "Willow Creek", "Sycamore", "Hawthorne", "Lakeview", "Old Mill", "Cedar Ridge"]),
                                            pick(["Rd", "Dr", "Ave", "St", "Blvd", "Ln", "Court"]), pick(["", ", Apt %d%s" % (R.randint(1, 30), pick("ABCD")), " #%d" % R.randint(100, 999)]),
                                            pick(["Springfield", "Columbus", "Aurora", "Madison", "Fairview", "Riverside"]), pick(["IL", "OH", "CO", "WI", "TX", "CA", "NY"]), R.randint(10001, 99950))
    if cc == "UK":
        return "%d %s %s, %s %s%d %d%s" % (R.randint(1, 220), pick(["Larkspur", "Beechwood", "Kingsley", "Abbey", "Station", "Mill"]), pick(["Close", "Road", "Avenue", "Lane", "Gardens", "Mews"]),
                                           pick(["Harrogate", "Leeds", "Bristol", "Croydon", "Norwich", "Cardiff"]), pick(["HG", "LS", "BS", "CR", "NR", "CF"]), R.randint(1, 28), R.randint(1, 9), rs(2, "ABDEFGHJLNPQRSTUWXYZ"))
    if cc == "DE":
        return "%s %d%s, %05d %s" % (pick(["Lindenstraße", "Hauptstr.", "Goethestraße", "Am Mühlbach", "Schillerweg", "Bahnhofstraße"]), R.randint(1, 140), pick(["", "a", "b"]),
                                     R.randint(10115, 99998), pick(["Berlin", "München", "Köln", "Leipzig", "Freiburg", "Hamburg"]))
    if cc == "FR":
        return "%d%s %s, %05d %s" % (R.randint(1, 180), pick(["", " bis"]), pick(["rue des Tanneurs", "avenue Jean Jaurès", "boulevard Voltaire", "rue de la République", "impasse des Lilas"]),
                                     R.randint(10000, 95999), pick(["Lyon", "Paris", "Nantes", "Toulouse", "Lille", "Rennes"]))
    if cc == "ES":
        return "%s %d, %s, %05d %s" % (pick(["Calle de Alcalá", "Avenida Diagonal", "Calle Mayor", "Paseo de Gracia", "Calle Sierpes"]), R.randint(1, 400),
                                       pick(["3º B", "1º izq.", "bajo A", "5º 2ª"]), R.randint(1000, 52999), pick(["Madrid", "Barcelona", "Sevilla", "Valencia", "Bilbao"]))
    if cc == "IN":
        return "Flat %d, %s, %s, %s %06d" % (R.randint(101, 1204), pick(["Sai Residency", "Prestige Lakeside", "Green Glen Layout", "Shanti Apartments"]),
                                             pick(["14th Cross, Indiranagar", "Sector 62", "Koramangala 5th Block", "Andheri West", "Banjara Hills Road No. 12"]),
                                             pick(["Bengaluru", "Noida", "Mumbai", "Hyderabad", "Pune"]), R.randint(110001, 600099))
    return "%s%d %s %s, %s %s %04d" % (pick(["", "Unit %d, " % R.randint(1, 40)]), R.randint(1, 300), pick(["Wattle", "Banksia", "Jacaranda", "Gregory", "Brunswick"]),
                                       pick(["St", "Rd", "Pde", "Tce"]), pick(["Fitzroy", "Paddington", "Fremantle", "Toowong", "Glenelg"]), pick(["VIC", "NSW", "WA", "QLD", "SA"]), R.randint(2000, 6999))


def public_ip():
    while True:
        a = pick([24, 31, 37, 46, 62, 73, 77, 81, 86, 92, 98, 104, 109, 122, 151, 176, 177, 185, 187, 189, 195, 201, 213, 217])
        ip = "%d.%d.%d.%d" % (a, R.randint(0, 255), R.randint(0, 255), R.randint(1, 254))
        return ip


def public_ip6():
    return "%s:%s:%s:%s::%s" % (pick(["2a02", "2001", "2600", "2a01", "2804"]), rs(4, HEXL), rs(4, HEXL), rs(4, HEXL), rs(R.randint(1, 4), HEXL))


def private_ip():
    return pick(["10.%d.%d.%d" % (R.randint(0, 255), R.randint(0, 255), R.randint(1, 254)),
                 "192.168.%d.%d" % (R.randint(0, 20), R.randint(1, 254)),
                 "172.%d.%d.%d" % (R.randint(16, 31), R.randint(0, 255), R.randint(1, 254)), "127.0.0.1"])


# ---- national identifiers with checksums -----------------------------------

def cpf():
    d = [R.randint(0, 9) for _ in range(9)]
    for n in (10, 11):
        s = sum(v * w for v, w in zip(d, range(n, 1, -1)))
        r = (s * 10) % 11
        d.append(0 if r == 10 else r)
    s = "".join(map(str, d))
    return pick(["%s.%s.%s-%s" % (s[:3], s[3:6], s[6:9], s[9:]), s])


DNI_L = "TRWAGMYFPDXBNJZSQVHLCKE"


def dni():
    n = R.randint(10000000, 99999999)
    return pick(["%d%s" % (n, DNI_L[n % 23]), "%d-%s" % (n, DNI_L[n % 23])])


def nie():
    p = R.randint(0, 2)
    n = R.randint(0, 9999999)
    return "%s%07d%s" % ("XYZ"[p], n, DNI_L[int("%d%07d" % (p, n)) % 23])


CF_ODD = dict(zip("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                  [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23]))


def codice_fiscale():
    s = rs(3, "BCDFGHLMNPRSTVZ") + rs(3, "BCDFGHLMNPRSTVZAEIOU") + "%02d" % R.randint(45, 99) + pick("ABCDEHLMPRST") + \
        "%02d" % pick([R.randint(1, 28), R.randint(41, 68)]) + pick("ABCDEFGHILM") + "%03d" % R.randint(1, 999)
    tot = 0
    for i, c in enumerate(s):
        tot += CF_ODD[c] if i % 2 == 0 else (int(c) if c.isdigit() else ord(c) - 65)
    return s + chr(65 + tot % 26)


V_D = [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5], [2, 3, 4, 0, 1, 7, 8, 9, 5, 6], [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
       [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1], [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
       [8, 7, 6, 5, 9, 3, 2, 1, 0, 4], [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]]
V_P = [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4], [5, 8, 0, 3, 7, 9, 6, 1, 4, 2], [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
       [9, 4, 5, 3, 1, 2, 6, 8, 7, 0], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1], [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8]]
V_INV = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9]


def verhoeff_digit(num):
    c = 0
    for i, ch in enumerate(reversed(num)):
        c = V_D[c][V_P[(i + 1) % 8][int(ch)]]
    return str(V_INV[c])


def verhoeff_ok(num):
    c = 0
    for i, ch in enumerate(reversed(num)):
        c = V_D[c][V_P[i % 8][int(ch)]]
    return c == 0


assert verhoeff_digit("236") == "3" and verhoeff_ok("2363")


def aadhaar():
    b = str(R.randint(2, 9)) + rs(10, DG)
    n = b + verhoeff_digit(b)
    return pick([" ".join(wrap(n, 4)), n, "-".join(wrap(n, 4))])


def pan():
    return rs(3, UP) + pick("PPPPCHF") + rs(1, UP) + rs(4, DG) + rs(1, UP)


def tfn():
    w = [1, 4, 3, 7, 5, 8, 6, 9, 10]
    while True:
        d = [R.randint(0, 9) for _ in range(8)]
        s = sum(a * b for a, b in zip(d, w))
        last = s % 11
        if last < 10:
            d.append(last)
            assert sum(a * b for a, b in zip(d, w)) % 11 == 0
            t = "".join(map(str, d))
            return pick([" ".join(wrap(t, 3)), t])


def sin():
    b = str(pick([1, 2, 3, 4, 5, 6, 7, 9])) + rs(7, DG)
    n = b + luhn_digit(b)
    return pick([" ".join(wrap(n, 3)), "-".join(wrap(n, 3)), n])


def steuer_id():
    while True:
        ds = R.sample(range(10), 9)
        dup = pick(ds)
        arr = ds + [dup]
        R.shuffle(arr)
        if arr[0] != 0:
            break
    prod = 10
    for x in arr:
        s = (x + prod) % 10
        if s == 0:
            s = 10
        prod = (s * 2) % 11
    chk = 11 - prod
    if chk == 10:
        chk = 0
    n = "".join(map(str, arr)) + str(chk)
    return pick([n, "%s %s %s %s" % (n[:2], n[2:5], n[5:8], n[8:])])


def nric():
    p = pick("ST")
    d = [R.randint(0, 9) for _ in range(7)]
    s = sum(a * b for a, b in zip(d, [2, 7, 6, 5, 4, 3, 2])) + (4 if p == "T" else 0)
    return p + "".join(map(str, d)) + "JZIHGFEDCBA"[s % 11]


def bsn():
    while True:
        d = [R.randint(0, 9) for _ in range(8)]
        if d[0] == 0:
            continue
        s = sum(a * b for a, b in zip(d, range(9, 1, -1)))
        last = s % 11
        if last < 10:
            d.append(last)
            assert (sum(a * b for a, b in zip(d[:8], range(9, 1, -1))) - d[8]) % 11 == 0
            return "".join(map(str, d))


def pesel():
    y, m, d = R.randint(1950, 2005), R.randint(1, 12), R.randint(1, 28)
    mm = m + (20 if y >= 2000 else 0)
    base = "%02d%02d%02d%04d" % (y % 100, mm, d, R.randint(0, 9999))
    w = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3]
    s = sum(int(c) * x for c, x in zip(base, w))
    return base + str((10 - s % 10) % 10)


NATIONAL_IDS = [("BR_CPF", cpf, ["CPF: ", "CPF ", "meu CPF é "]), ("ES_DNI", dni, ["DNI: ", "DNI ", "mi DNI es "]),
                ("ES_NIE", nie, ["NIE: ", "NIE "]), ("IT_CODICE_FISCALE", codice_fiscale, ["codice fiscale: ", "C.F. ", "CF "]),
                ("IN_AADHAAR", aadhaar, ["Aadhaar: ", "Aadhaar no. ", "aadhar number "]), ("IN_PAN", pan, ["PAN: ", "PAN card ", "PAN no "]),
                ("AU_TFN", tfn, ["TFN: ", "tax file number ", "TFN "]), ("CA_SIN", sin, ["SIN: ", "social insurance number ", "SIN# "]),
                ("DE_STEUER_ID", steuer_id, ["Steuer-ID: ", "Steueridentifikationsnummer ", "IdNr. "]),
                ("SG_NRIC", nric, ["NRIC: ", "NRIC ", "IC no. "]), ("NL_BSN", bsn, ["BSN: ", "burgerservicenummer ", "BSN "]),
                ("PL_PESEL", pesel, ["PESEL: ", "PESEL ", "nr PESEL "]), ("US_SSN", ssn, ["SSN: ", "social security number ", "SSN "]),
                ("UK_NINO", nino, ["NI number: ", "National Insurance no. ", "NINO "])]
NID_CYCLE = Cycle(NATIONAL_IDS)


def passport():
    cc = pick(["US", "UK", "DE", "FR", "IN", "ES", "IT", "BR"])
    v = {"US": lambda: rs(9, DG), "UK": lambda: rs(9, DG), "DE": lambda: pick("CFGHJK") + rs(8, "CFGHJKLMNPRTVWXYZ0123456789"),
         "FR": lambda: "%02d%s%05d" % (R.randint(10, 24), rs(2, UP), R.randint(0, 99999)), "IN": lambda: rs(1, UP) + rs(7, DG),
         "ES": lambda: rs(3, UP) + rs(6, DG), "IT": lambda: rs(2, UP) + rs(7, DG), "BR": lambda: rs(2, UP) + rs(6, DG)}[cc]()
    return cc, v


def driving_licence():
    cc = pick(["UK", "US", "DE", "AU", "IN"])
    if cc == "UK":
        v = rs(5, UP) + "%d%02d%02d%d" % (R.randint(5, 9), R.randint(1, 12), R.randint(1, 28), R.randint(0, 9)) + rs(2, UP) + rs(1, DG) + rs(2, UP)
    elif cc == "US":
        v = pick([rs(1, UP) + rs(7, DG), rs(1, UP) + rs(12, DG), "%s-%s-%s" % (rs(1, UP) + rs(3, DG), rs(3, DG), rs(3, DG) + "-" + rs(3, DG))])
    elif cc == "DE":
        v = rs(1, UP) + rs(3, DG) + rs(6, UPAL) + rs(1, DG)
    elif cc == "AU":
        v = rs(8, DG)
    else:
        v = "%s%02d %d%07d" % (pick(["MH", "KA", "DL", "TN"]), R.randint(1, 50), R.randint(2005, 2023), R.randint(0, 9999999))
    return cc, v


PASSPORT_WORDS = ["passport no. ", "passport number: ", "Reisepass-Nr. ", "numéro de passeport ", "pasaporte nº ", "passaporte ", "passport # "]
DL_WORDS = ["driving licence no. ", "driver's license # ", "DL number: ", "Führerscheinnummer ", "licence number ", "DL# "]
CVV_WORDS = ["CVV ", "cvv: ", "CVC ", "cvc2 ", "security code ", "the 3 digits on the back are ", "código de seguridad ", "Prüfnummer ", "cryptogramme ", "CVV2: "]


# --------------------------------------------------------------------------
# shared snippet pieces
# --------------------------------------------------------------------------

SERVICES = ["checkout-api", "billing-worker", "auth-svc", "gateway", "notifier", "search-indexer", "orders", "ledger", "media-proc"]
HOSTS = ["db-primary.internal", "pg-01.prod.acme.local", "mysql.svc.cluster.local", "10.12.4.7", "redis-master", "mq-01.northwind.lan",
         "orders-db.c9akciq32.eu-west-1.rds.amazonaws.com", "sql-prod.database.windows.net", "cluster0.x7kqz.mongodb.net"]


def dsn():
    """Connection string with a password: returns a list of items."""
    user = pick(["app", "svc_orders", "postgres", "root", "admin", "reporting_ro", "billing", "django"])
    p = pw(urlsafe=True)
    host = pick(HOSTS)
    db = pick(["orders", "app_prod", "billing", "analytics", "core"])
    t = R.randint(0, 7)
    if t == 0:
        return ["postgresql://", user, ":", S("DB_PASSWORD", p), "@", host, ":", K("PORT", "5432"), "/", db, pick(["", "?sslmode=require"])]
    if t == 1:
        return ["mysql://", user, ":", S("DB_PASSWORD", p), "@", host, ":", K("PORT", "3306"), "/", db]
    if t == 2:
        return ["mongodb+srv://", user, ":", S("DB_PASSWORD", p), "@", host, "/", db, "?retryWrites=true&w=majority"]
    if t == 3:
        return ["redis://:", S("DB_PASSWORD", p), "@", host, ":", K("PORT", "6379"), "/0"]
    if t == 4:
        return ["amqp://", user, ":", S("DB_PASSWORD", p), "@", host, ":", K("PORT", "5672"), "/", pick(["%2F", "prod"])]
    if t == 5:
        return ["Server=tcp:", host, ",", K("PORT", "1433"), ";Initial Catalog=", db, ";User ID=", user, ";Password=", S("DB_PASSWORD", pw()), ";Encrypt=True;"]
    if t == 6:
        return ["jdbc:postgresql://", host, ":", K("PORT", "5432"), "/", db, "?user=", user, "&password=", S("DB_PASSWORD", p)]
    return ["postgres://", user, ":", S("DB_PASSWORD", p), "@", host, "/", db]


def azure_conn():
    acct = pick(["acmeprodstore", "nwbackups01", "globexlogs", "stcheckoutweu"])
    t = R.randint(0, 2)
    if t == 0:
        return ["DefaultEndpointsProtocol=https;AccountName=", acct, ";AccountKey=", S("AZURE_STORAGE_ACCOUNT_KEY", gen_secret("AZURE_STORAGE_ACCOUNT_KEY")), ";EndpointSuffix=core.windows.net"]
    if t == 1:
        return ["Endpoint=sb://", pick(["acme-bus", "nw-events"]), ".servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=",
                S("AZURE_SHARED_ACCESS_KEY", rs(43, B64) + "="), pick(["", ";EntityPath=orders"])]
    return ["https://", acct, ".blob.core.windows.net/", pick(["exports", "backups", "invoices"]), "/", pick(["2024-03.csv.gz", "db.bak", "inv.pdf"]),
            "?sv=2022-11-02&ss=b&srt=sco&sp=", pick(["r", "rl", "rwdlacupiytfx"]), "&se=2025-%02d-%02dT%02d:00:00Z&st=2024-%02d-01T00:00:00Z&spr=https&sig=" % (R.randint(1, 12), R.randint(1, 28), R.randint(0, 23), R.randint(1, 12)),
            S("AZURE_SAS_SIGNATURE", rs(R.randint(40, 46), ALNUM) + pick(["%3D", "%2B" + rs(3) + "%3D"]))]


def keep_line(d, style="iso", svc=None):
    """A log line that contains only look-alikes."""
    svc = svc or pick(SERVICES)
    ts = K("TIMESTAMP", ts_iso() if style == "iso" else ts_py())
    lvl = pick(["INFO ", "INFO ", "DEBUG", "WARN "])
    t = R.randint(0, 11)
    if t == 0:
        d.line(ts, " ", lvl, " [", svc, "] request_id=", K("REQUEST_ID", pick([uuid4(), "req_" + rs(24, LOAL), rs(20, UPAL)])), " method=", pick(["GET", "POST", "PUT"]),
               " path=/api/v2/orders/", K("ORDER_NUMBER", "%d" % R.randint(1000000, 99999999)), " status=", K("HTTP_STATUS", pick(STATUSES)), " duration=", K("DURATION", dur()))
    elif t == 1:
        d.line(ts, " ", lvl, " [", svc, "] trace_id=", K("TRACE_ID", hex32()), " span_id=", K("SPAN_ID", rs(16, HEXL)), " db.query rows=", str(R.randint(0, 500)), " took=", K("DURATION", dur()))
    elif t == 2:
        d.line(ts, " WARN  [", svc, "] upstream ", private_ip(), ":", K("PORT", str(pick([8080, 8443, 9090, 5432, 6379, 50051]))), " returned ", K("HTTP_STATUS", pick(["502", "503", "504"])),
               ", retrying in ", K("DURATION", dur()))
    elif t == 3:
        d.line(ts, " INFO  [", svc, "] deployed version ", K("VERSION", ver()), " (commit ", K("GIT_SHA", pick([sha40(), sha7()])), ", build ", K("BUILD_NUMBER", build_no()), ")")
    elif t == 4:
        d.line(ts, " INFO  [", svc, "] cache warmed: ", K("FILE_SIZE", fsize()), " in ", K("DURATION", dur()))
    elif t == 5:
        d.line(ts, " ERROR [", svc, "] ", K("ERROR_CODE", pick(ERRCODES)), " calling ", pick(["payments-api", "inventory", "smtp relay", "s3"]), " (attempt %d/5)" % R.randint(1, 5))
    elif t == 6:
        d.line(ts, " INFO  [", svc, "] artifact sha256:", K("HASH", hex64()), " size=", K("FILE_SIZE", fsize()))
    elif t == 7:
        d.line(ts, " INFO  [", svc, "] job ", K("UUID", uuid4()), " finished in ", K("DURATION", dur()))
    elif t == 8:
        d.line(ts, " DEBUG [", svc, "] invoice ", K("INVOICE_NUMBER", invoice_no()), " rendered for order ", K("ORDER_NUMBER", order_no()))
    elif t == 9:
        d.line(ts, " INFO  [", svc, "] tls handshake ok sigalg=", K("OID", pick(OIDS)), " peer=", private_ip())
    elif t == 10:
        d.line(ts, " DEBUG [", svc, "] etag=\"", K("HASH", hex32()), "\" x-request-id=", K("REQUEST_ID", uuid4()))
    else:
        d.line(ts, " INFO  [", svc, "] stock sync ", K("SKU", sku()), " qty=", str(R.randint(0, 400)), " ticket ", K("JIRA_KEY", jira()))


def typo(s):
    """Introduce light chat-style noise."""
    if R.random() < 0.3:
        s = s.lower()
    reps = [("the ", "teh "), ("you", "u"), ("please", "pls"), ("thanks", "thx"), ("because", "bc"), ("receive", "recieve"),
            ("definitely", "definately"), ("I'm", "im"), ("don't", "dont"), ("again", "agian")]
    for a, b in reps:
        if a in s and R.random() < 0.35:
            s = s.replace(a, b, 1)
    return s


# --------------------------------------------------------------------------
# scenarios: each fills a Doc and returns its context label
# --------------------------------------------------------------------------

def sc_env(d):
    d.line("# ", pick(["production", "staging", "prod-eu", "live", "preview"]), " — exported by ", pick(["doppler", "ops", "deploy.sh", "heroku config -s"]), " on ", K("TIMESTAMP", ts_iso()))
    d.line("NODE_ENV=production")
    d.line("PORT=", K("PORT", str(pick([3000, 8080, 8000, 5000, 4000]))))
    d.line("APP_VERSION=", K("VERSION", ver()))
    for _ in range(R.randint(2, 5)):
        kind, var, v, _ = next_secret()
        q = pick(["", '"', "'"]) if " " not in v else '"'
        d.line(var, "=", q, S(kind, v), q)
    if R.random() < 0.5:
        d.line("DATABASE_URL=", dsn())
    if R.random() < 0.6:
        d.line(pick(["STRIPE_PUBLISHABLE_KEY", "SAMPLE_KEY", "EXAMPLE_TOKEN", "LEGACY_API_KEY"]), "=", K("PLACEHOLDER", pick(PLACEHOLDERS)))
    d.line("LOG_LEVEL=", pick(["info", "debug", "warn"]))
    d.line("REQUEST_TIMEOUT=", K("DURATION", pick(["30s", "5000ms", "2m", "90s"])))
    d.line("RELEASE_SHA=", K("GIT_SHA", sha40()))
    return "env"


def sc_env_example(d):
    d.line("# .env.example — copy to .env and fill in. DO NOT COMMIT REAL VALUES")
    for _ in range(R.randint(4, 7)):
        kind, var, v, _ = next_secret()
        d.line(var, "=", K("PLACEHOLDER", pick(PLACEHOLDERS)))
    d.line("PORT=", K("PORT", str(pick([3000, 8080]))))
    d.line("")
    d.line("# ...except this one, which someone pasted for local testing:")
    kind, var, v, _ = next_secret()
    d.line(var, "=", S(kind, v))
    return "env"


def sc_shell(d):
    n = R.randint(480, 1900)
    cmds = []
    for _ in range(R.randint(7, 13)):
        t = R.randint(0, 24)
        if t == 0:
            kind, var, v, _ = next_secret()
            cmds.append(["export ", var, "=", "'" if " " in v else "", S(kind, v), "'" if " " in v else ""])
        elif t == 1:
            kind, url = pick([("GITHUB_PAT", "api.github.com/user/repos"), ("STRIPE_SECRET_KEY", "api.stripe.com/v1/charges?limit=3"), ("OPENAI_API_KEY", "api.openai.com/v1/models"),
                              ("LINEAR_API_KEY", "api.linear.app/graphql"), ("HUGGINGFACE_TOKEN", "huggingface.co/api/whoami-v2"), ("DIGITALOCEAN_TOKEN", "api.digitalocean.com/v2/droplets"),
                              ("JWT", "api.acme-corp.io/v1/me"), ("VERCEL_TOKEN", "api.vercel.com/v9/projects"), ("NETLIFY_TOKEN", "api.netlify.com/api/v1/sites"),
                              ("REPLICATE_API_TOKEN", "api.replicate.com/v1/predictions"), ("LINODE_TOKEN", "api.linode.com/v4/linode/instances")])
            cmds.append(['curl -sS -H "Authorization: Bearer ', S(kind, gen_secret(kind)), '" https://', url, " | jq ."])
        elif t == 2:
            p = pw()
            cmds.append(["mysql -h ", pick(HOSTS), " -u root -p'", S("DB_PASSWORD", p), "' ", pick(["orders", "app_prod"]), " < dump.sql"])
        elif t == 3:
            cmds.append(['psql "', dsn(), '" -c "select count(*) from orders"'])
        elif t == 4:
            kind = pick(["DOCKERHUB_PAT", "GITHUB_PAT", "GITLAB_PAT"])
            cmds.append(["docker login -u ", pick(["acmebot", "deploy", "ci-user"]), " -p ", S(kind, gen_secret(kind)), " ", pick(["", "ghcr.io", "registry.gitlab.com"])])
        elif t == 5:
            kind = pick(["GITHUB_PAT", "GITLAB_PAT", "BITBUCKET_APP_PASSWORD", "GITHUB_FINE_GRAINED_PAT"])
            host = {"GITHUB_PAT": "github.com", "GITHUB_FINE_GRAINED_PAT": "github.com", "GITLAB_PAT": "gitlab.com", "BITBUCKET_APP_PASSWORD": "bitbucket.org"}[kind]
            cmds.append(["git clone https://", pick(["oauth2", "x-access-token", "jdoe-ci", "buildbot"]), ":", S(kind, gen_secret(kind)), "@", host, "/", pick(["acme/payments", "northwind/infra", "globex/site"]), ".git"])
        elif t == 6:
            cmds.append(["aws configure set aws_secret_access_key ", S("AWS_SECRET_ACCESS_KEY", aws_secret())])
        elif t == 7:
            cmds.append(["vault login ", S("VAULT_TOKEN", gen_secret("VAULT_TOKEN"))])
        elif t == 8:
            cmds.append(["npm config set //registry.npmjs.org/:_authToken ", S("NPM_TOKEN", gen_secret("NPM_TOKEN"))])
        elif t == 9:
            kind, var, v, _ = next_secret()
            cmds.append(["heroku config:set ", var, "=", "'" if " " in v else "", S(kind, v), "'" if " " in v else "", " -a ", pick(["acme-prod", "nw-api"])])
        elif t == 10:
            cmds.append(["kubectl create secret generic db-creds --from-literal=username=app --from-literal=password='", S("DB_PASSWORD", pw()), "'"])
        elif t == 11:
            cmds.append(["sshpass -p '", S("PASSWORD", pw()), "' ssh ", pick(["deploy", "ubuntu", "admin"]), "@", private_ip()])
        elif t == 12:
            cmds.append(["redis-cli -h ", pick(HOSTS), " -a '", S("PASSWORD", pw()), "' info"])
        elif t == 13:
            cmds.append(["PGPASSWORD='", S("DB_PASSWORD", pw()), "' pg_dump -h ", pick(HOSTS), " -U postgres app > /tmp/app.sql"])
        elif t == 14:
            cmds.append(["openssl pkcs12 -export -in cert.pem -inkey key.pem -out bundle.p12 -passout pass:", S("PASSWORD", pw(urlsafe=True))])
        elif t == 15:
            cmds.append(["echo ", S("GITHUB_PAT", gen_secret("GITHUB_PAT")), " | gh auth login --with-token"])
        elif t == 16:
            cmds.append(["curl -u ", pick(["admin", "api", "elastic"]), ":", S("PASSWORD", pw(urlsafe=True)), " https://", private_ip(), ":", K("PORT", pick(["9200", "15672", "8443"])), "/_cluster/health"])
        elif t == 17:
            cmds.append(["git checkout ", K("GIT_SHA", sha40())])
        elif t == 18:
            cmds.append(["docker pull ghcr.io/acme/", pick(SERVICES), ":", K("VERSION", ver())])
        elif t == 19:
            cmds.append(["sha256sum dist/app.tar.gz  # ", K("HASH", hex64())])
        elif t == 20:
            cmds.append(["kubectl -n prod rollout status deploy/", pick(SERVICES), " --timeout=", K("DURATION", pick(["120s", "5m", "300s"]))])
        elif t == 21:
            cmds.append(["terraform apply -var 'cloudflare_api_token=", S("CLOUDFLARE_API_TOKEN", gen_secret("CLOUDFLARE_API_TOKEN")), "' -auto-approve"])
        elif t == 22:
            cmds.append(["wget 'https://api.", pick(["mailgun.net/v3/domains", "partner.example.net/export"]), "?api_key=", S("GENERIC_API_KEY", gen_secret("GENERIC_API_KEY")), "&format=csv' -O out.csv"])
        elif t == 23:
            cmds.append(["htpasswd -b -c /etc/nginx/.htpasswd admin '", S("PASSWORD", pw()), "'"])
        else:
            cmds.append([pick(["ls -la", "cd ~/src/infra", "git status", "git log --oneline -5", "history | grep curl", "make test", "kubectl get pods -A", "vim .env", "clear"])])
    for c in cmds:
        n += R.randint(1, 7)
        d.line("%5d  " % n, c)
    return "shell"


def leak_log_line(d, ts):
    t = R.randint(0, 9)
    if t == 0:
        kind = pick(["JWT", "OAUTH_ACCESS_TOKEN", "GITHUB_APP_INSTALLATION_TOKEN", "SLACK_BOT_TOKEN", "ANTHROPIC_API_KEY", "HUBSPOT_PRIVATE_APP_TOKEN"])
        d.line(ts, " DEBUG [http] >>> GET /v1/me headers={'User-Agent': 'python-requests/2.31.0', 'Authorization': 'Bearer ", S(kind, gen_secret(kind)), "', 'Accept': '*/*'}")
    elif t == 1:
        kind, var, v, _ = next_secret()
        d.line(ts, " DEBUG [config] loaded ", var, "=", S(kind, v), " from environment")
    elif t == 2:
        first, last = person()
        d.line(ts, " WARN  [auth] login failed for ", P("EMAIL", email_of(first, last)), " from ", P("IP_ADDRESS", public_ip()), " reason=", K("ERROR_CODE", "invalid_password"))
    elif t == 3:
        d.line(ts, " INFO  [geo] GET https://maps.googleapis.com/maps/api/geocode/json?address=", pick(["Berlin", "Lyon", "Austin"]), "&key=", S("GCP_API_KEY", gen_secret("GCP_API_KEY")), " -> ", K("HTTP_STATUS", "200"))
    elif t == 4:
        d.line(ts, " ERROR [db] could not connect: ", dsn(), " (", K("ERROR_CODE", pick(["ECONNREFUSED", "ETIMEDOUT", "28P01"])), ")")
    elif t == 5:
        if R.random() < 0.5:
            d.line(ts, " DEBUG [mailer] smtp AUTH LOGIN email-smtp.eu-west-1.amazonaws.com:", K("PORT", "587"), " user=", S("AWS_ACCESS_KEY_ID", aws_akid()), " pass=", S("AWS_SES_SMTP_PASSWORD", gen_secret("AWS_SES_SMTP_PASSWORD")))
        else:
            d.line(ts, " DEBUG [mailer] smtp login ok user=postmaster@mg.acme.io password=", S("PASSWORD", pw()))
    elif t == 6:
        d.line(ts, " INFO  [webhook] POST ", S("SLACK_WEBHOOK_URL", gen_secret("SLACK_WEBHOOK_URL")), " status=", K("HTTP_STATUS", "200"), " in ", K("DURATION", dur()))
    elif t == 7:
        d.line(ts, " DEBUG [stripe] request: POST /v1/payment_intents api_key=", S("STRIPE_SECRET_KEY", gen_secret("STRIPE_SECRET_KEY")), " idempotency_key=", K("UUID", uuid4()))
    elif t == 8:
        first, last = person()
        d.line(ts, " INFO  [signup] new account ", K("UUID", uuid4()), " name=\"", P("PERSON", first + " " + last), "\" phone=", P("PHONE", phone()), " ip=", P("IP_ADDRESS", public_ip()))
    else:
        d.line(ts, " WARN  [s3] presign failed for key with AWS_ACCESS_KEY_ID=", S("AWS_ACCESS_KEY_ID", aws_akid()), " secret=", S("AWS_SECRET_ACCESS_KEY", aws_secret()), " code=", K("ERROR_CODE", "SignatureDoesNotMatch"))


def sc_applog(d):
    style = pick(["iso", "py"])
    n = R.randint(14, 40)
    leaks = sorted(R.sample(range(n), R.randint(1, 2)))
    for i in range(n):
        if i in leaks:
            leak_log_line(d, K("TIMESTAMP", ts_iso() if style == "iso" else ts_py()))
        else:
            keep_line(d, style)
    return "log"


def sc_quietlog(d):
    """Look-alike heavy log with no secret at all."""
    for _ in range(R.randint(10, 22)):
        keep_line(d, pick(["iso", "py"]))
    return "log"


UAS = ['"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36"',
       '"Mozilla/5.0 (iPhone; CPU iPhone OS 17_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Mobile/15E148 Safari/604.1"',
       '"curl/8.4.0"', '"okhttp/4.12.0"', '"Go-http-client/2.0"', '"kube-probe/1.28"', '"Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0"']


def sc_access_log(d):
    n = R.randint(8, 20)
    leak = R.randint(0, n - 1) if R.random() < 0.7 else -1
    ips = [public_ip() for _ in range(R.randint(2, 5))] + ([public_ip6()] if R.random() < 0.3 else [])
    for i in range(n):
        internal = R.random() < 0.25
        ip = private_ip() if internal else pick(ips)
        path = pick(["/", "/api/v1/cart", "/static/app.%s.js" % rs(8, HEXL), "/healthz", "/login", "/api/v1/orders/%d" % R.randint(10000, 99999), "/favicon.ico"])
        qitems = []
        if i == leak:
            kind = pick(["GENERIC_API_KEY", "JWT", "SESSION_TOKEN", "GCP_API_KEY", "MAILCHIMP_API_KEY", "SENDGRID_API_KEY"])
            if kind == "SESSION_TOKEN":
                qitems = ["/reset-password?token=", S("PASSWORD_RESET_TOKEN", rs(43, B64U))]
            else:
                qitems = [pick(["/api/v1/export", "/hooks/ingest", "/v2/report"]), "?", pick(["api_key", "access_token", "key", "token"]), "=", S(kind, gen_secret(kind)), "&fmt=json"]
        else:
            qitems = [path]
        st = pick(STATUSES[:6]) if path != "/login" else pick(["200", "302", "401"])
        d.line(P("IP_ADDRESS", ip) if not internal else ip, " - - [", K("TIMESTAMP", ts_clf()), '] "', pick(["GET", "GET", "POST"]), " ", qitems, ' HTTP/1.1" ',
               K("HTTP_STATUS", st), " ", K("FILE_SIZE", str(R.randint(0, 90000))), ' "-" ', pick(UAS), " rt=", K("DURATION", "%.3f" % (R.random() * 2)))
    return "log"


def chat_pii_items(loc="en"):
    """Return (label text, item) pairs a customer may give."""
    first, last = person(loc if loc != "en" else None)
    return first, last


def sc_support_chat(d):
    agent = pick(AGENTS)
    first, last = person()
    full = first + " " + last
    email = email_of(first, last)
    t0 = R.randint(8, 20)
    m = [R.randint(0, 50)]

    def ts():
        m[0] += R.randint(0, 3)
        return K("TIMESTAMP", "%02d:%02d" % (t0 + m[0] // 60, m[0] % 60))

    def say(who, *items):
        d.line("[", ts(), "] ", who, ": ", *items)

    cust = pick(["Customer", "Visitor", first, "guest_%d" % R.randint(1000, 9999)])
    cust_label = P("PERSON", first) if cust == first else cust
    d.line("--- Chat transcript ", K("TICKET_NUMBER", ticket_no()), " (", pick(COMPANIES), " Help Center) ---")
    say(agent + " (Support)", typo(pick(["Hi there! Thanks for reaching out, how can I help today?", "Hello, you're chatting with %s. What can I do for you?" % agent])))
    say(cust_label, typo(pick(["hi my order never arrived", "hey, i was charged twice??", "Hi, I can't log into my account", "hello i need to update my card", "my subscription got cancelled for no reason"])))
    say(agent + " (Support)", "Sorry to hear that! Could you confirm the name and email on the account?")
    say(cust_label, typo("its "), P("PERSON", full), ", ", P("EMAIL", email) if R.random() < 0.7 else P("EMAIL", obfuscate_email(email)))
    r = R.random()
    say(agent + " (Support)", "Thanks. And the order number?")
    say(cust_label, typo(pick(["its ", "order ", "umm "])), K("ORDER_NUMBER", order_no()), typo(pick([" i think", "", " from last week"])))
    if r < 0.5:
        say(agent + " (Support)", "I see two charges on the card ending ", K("MASKED_CARD", masked_card()), ". I'll refund the duplicate.")
        say(cust_label, typo("ok great. actually can u switch it to my other card "), P("CARD_NUMBER", card()), typo(pick([" exp 0%d/2%d " % (R.randint(1, 9), R.randint(5, 9)), " "])),
            *([pick(CVV_WORDS), P("CARD_CVV", cvv())] if R.random() < 0.8 else []))
        say(agent + " (Support)", typo("Please don't share full card details in chat — I've masked them. Use the secure link instead."))
    else:
        say(agent + " (Support)", "Can you confirm your phone number and the billing address?")
        say(cust_label, P("PHONE", phone()), typo(pick([" and ", ", address is ", " / "])), P("STREET_ADDRESS", address()))
        if R.random() < 0.5:
            w = pick(DOB_WORDS["en"])
            say(cust_label, typo("also u asked for verification, my "), w, P("DATE_OF_BIRTH", dob("en")))
    if R.random() < 0.35:
        say(cust_label, typo("btw the app says error "), K("ERROR_CODE", pick(ERRCODES)), typo(" and my password "), S("PASSWORD", pw()), typo(" doesnt work anymore"))
        say(agent + " (Support)", "Please never send your password here. I'll trigger a reset.")
    if R.random() < 0.3:
        say(cust_label, typo("code i got by sms is "), S("OTP_CODE", "%06d" % R.randint(0, 999999)))
    say(agent + " (Support)", "All done, reference ", K("TICKET_NUMBER", ticket_no()), ". Anything else?")
    say(cust_label, typo(pick(["no thats all thanks", "nope, thanks a lot!", "thx bye"])))
    return "chat"


ML = {
    "de": {"hello": "Hallo, ich habe ein Problem mit meiner Bestellung ", "name": "Mein Name ist ", "iban": "Bitte überweisen Sie die Erstattung auf mein Konto, IBAN ",
           "phone": "Sie erreichen mich unter ", "addr": "Lieferadresse: ", "id": "Für die Verifizierung: ", "thanks": "Vielen Dank und viele Grüße", "card": "Meine Kreditkarte: "},
    "fr": {"hello": "Bonjour, j'ai un souci avec ma commande ", "name": "Je m'appelle ", "iban": "Merci de rembourser sur mon compte, IBAN ",
           "phone": "Vous pouvez me joindre au ", "addr": "Adresse de livraison : ", "id": "Pour la vérification : ", "thanks": "Merci d'avance, cordialement", "card": "Ma carte bancaire : "},
    "es": {"hello": "Hola, tengo un problema con mi pedido ", "name": "Me llamo ", "iban": "Por favor hagan el reembolso a mi cuenta, IBAN ",
           "phone": "Mi teléfono es el ", "addr": "Dirección de envío: ", "id": "Para verificar: ", "thanks": "Gracias, un saludo", "card": "Mi tarjeta: "},
    "pt": {"hello": "Olá, estou com um problema no pedido ", "name": "Meu nome é ", "iban": "Podem fazer o reembolso na minha conta, IBAN ",
           "phone": "Meu celular é ", "addr": "Endereço de entrega: ", "id": "Para verificação: ", "thanks": "Obrigado, abraço", "card": "Meu cartão: "},
    "it": {"hello": "Buongiorno, ho un problema con l'ordine ", "name": "Mi chiamo ", "iban": "Vi prego di rimborsare sul mio conto, IBAN ",
           "phone": "Il mio numero è ", "addr": "Indirizzo di spedizione: ", "id": "Per la verifica: ", "thanks": "Grazie mille, saluti", "card": "La mia carta: "},
}
ML_COUNTRY = {"de": ("DE", "DE", "DE", "DE_STEUER_ID"), "fr": ("FR", "FR", "FR", None), "es": ("ES", "ES", "ES", "ES_DNI"),
              "pt": ("BR", "PT", None, "BR_CPF"), "it": ("IT", "IT", None, "IT_CODICE_FISCALE")}


class Clock:
    """Monotonic ISO timestamps for one snippet."""

    def __init__(self):
        self.t = [2024, R.randint(1, 12), R.randint(1, 28), R.randint(6, 20), R.randint(0, 59), R.randint(0, 59)]

    def __call__(self):
        self.t[5] += R.randint(4, 170)
        while self.t[5] >= 60:
            self.t[5] -= 60
            self.t[4] += 1
        while self.t[4] >= 60:
            self.t[4] -= 60
            self.t[3] += 1
        return K("TIMESTAMP", "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ" % tuple(self.t[:6] + [R.randint(0, 999)]))


def sc_ml_chat(d):
    ts_iso = Clock()
    loc = pick(list(ML))
    L = ML[loc]
    phone_cc, iban_cc, addr_cc, nid_kind = ML_COUNTRY[loc]
    first, last = person(loc)
    agent = pick(AGENTS)
    d.line(ts_iso(), " ", agent, " (agent): ", pick(["Hi! How can I help?", "Hello, thanks for contacting us.", "Bonjour / Hallo / Hola — how can we help?"]))
    d.line(ts_iso(), " customer: ", L["hello"], K("ORDER_NUMBER", order_no()), ". ", L["name"], P("PERSON", first + " " + last), ".")
    items = []
    if R.random() < 0.8:
        items.append([L["iban"], P("IBAN", iban(iban_cc))])
    items.append([L["phone"], P("PHONE", phone(phone_cc))])
    if addr_cc:
        items.append([L["addr"], P("STREET_ADDRESS", address(addr_cc))])
    else:
        items.append([L["addr"], P("STREET_ADDRESS", address(pick(["ES", "FR", "UK"])))])
    words = DOB_WORDS[loc]
    items.append([L["id"], pick(words), P("DATE_OF_BIRTH", dob(loc))])
    if nid_kind:
        fn = [x for x in NATIONAL_IDS if x[0] == nid_kind][0]
        items.append([pick(fn[2]), P(nid_kind, fn[1]())])
    if R.random() < 0.3:
        items.append([L["card"], P("CARD_NUMBER", card()), " ", pick(CVV_WORDS), P("CARD_CVV", cvv())])
    R.shuffle(items)
    for it in items:
        d.line(ts_iso(), " customer: ", it)
    d.line(ts_iso(), " customer: ", L["thanks"], ", ", P("PERSON", first))
    d.line(ts_iso(), " ", agent, " (agent): Thanks, I've opened ", K("TICKET_NUMBER", ticket_no()), " for you.")
    return "chat"


def sc_email(d):
    first, last = person()
    email = email_of(first, last)
    tn = ticket_no()
    d.line("From: ", P("PERSON", first + " " + last), " <", P("EMAIL", email), ">")
    d.line("To: support@", pick(["acme-corp.io", "northwind.app", "globex.com"]))
    d.line("Date: ", K("TIMESTAMP", ts_http()))
    d.line("Subject: Re: [Case ", K("TICKET_NUMBER", tn), "] ", pick(["Refund request", "Wrong item delivered", "Account locked", "Change of address", "Invoice question"]))
    d.line("Message-ID: <", K("UUID", uuid4()), "@mail.", pick(["gmail.com", "outlook.com"]), ">")
    d.line("")
    d.line(pick(["Hi", "Hello", "Dear support team", "Hi there"]), ",")
    d.line("")
    t = R.randint(0, 3)
    if t == 0:
        d.line("I was charged for invoice ", K("INVOICE_NUMBER", invoice_no()), " but the order ", K("ORDER_NUMBER", order_no()), " was cancelled.")
        d.line("Please refund to ", pick(["my account", "the IBAN below"]), ": ", P("IBAN", iban()), " (account holder ", P("PERSON", first + " " + last), ").")
    elif t == 1:
        d.line("I've moved, please update my address to ", P("STREET_ADDRESS", address()), ".")
        d.line("For verification my ", pick(DOB_WORDS["en"]), P("DATE_OF_BIRTH", dob("en")), " and the last order was ", K("ORDER_NUMBER", order_no()), ".")
    elif t == 2:
        d.line("I can't sign in. I tried resetting but never got the mail. My username is ", P("EMAIL", email), " and the password I set was ", S("PASSWORD", pw()), ".")
        d.line("The app shows error ", K("ERROR_CODE", pick(ERRCODES)), " on version ", K("VERSION", ver()), ".")
    else:
        kind, idf, words = NID_CYCLE.next()
        d.line("You asked for ID to unlock the account. My ", words[0].rstrip(": ").strip(), " is ", P(kind, idf()), " and my ", pick(PASSPORT_WORDS), P("PASSPORT_NUMBER", passport()[1]), ".")
    d.line("")
    d.line(pick(["Thanks", "Best regards", "Cheers", "Kind regards"]), ",")
    d.line(P("PERSON", first + " " + last))
    if R.random() < 0.8:
        d.line(P("PHONE", phone()))
    if R.random() < 0.5:
        d.line(P("STREET_ADDRESS", address()))
    d.line("")
    d.line("> On ", K("TIMESTAMP", ts_http()), ", ", pick(AGENTS), " <support@acme-corp.io> wrote:")
    d.line("> Thanks for contacting us about ", K("TICKET_NUMBER", tn), ". Please never send passwords by email.")
    return "email"


def sc_ticket(d):
    key = jira()
    kind, var, v, phrase = next_secret()
    d.line(key, ": ", pick(["Prod deploy failing after secret rotation", "Webhook signature mismatch", "Intermittent 401 from partner API", "Nightly export job broken", "Rate limited by vendor"]))
    d.line("Status: ", pick(["In Progress", "To Do", "Blocked"]), "   Priority: ", pick(["P1", "P2", "Major"]), "   Fix Version: ", K("VERSION", ver()), "   Sprint: ", pick(["Falcon 14", "Q2-S3", "Sprint 88"]))
    d.line("Reporter: ", pick(AGENTS), "   Created: ", K("TIMESTAMP", ts_iso()))
    d.line("")
    d.line("*Description*")
    d.line(pick(["Since build ", "After deploying build ", "Starting with pipeline "]), K("BUILD_NUMBER", build_no()), " (", K("GIT_SHA", sha7()), ") the ", pick(SERVICES), " pods crashloop with ", K("ERROR_CODE", pick(ERRCODES)), ".")
    d.line("Related: ", K("JIRA_KEY", jira()), ", ", K("JIRA_KEY", jira()), ". Trace: ", K("TRACE_ID", hex32()))
    d.line("")
    d.line("I tested locally with the ", phrase, " from the vault — ", pick(["works fine", "same error", "still 401"]), ":")
    d.line("{code}")
    d.line(var, "=", S(kind, v))
    if R.random() < 0.5:
        k2, var2, v2, _ = next_secret()
        d.line(var2, "=", S(k2, v2))
    d.line("{code}")
    d.line("")
    d.line("Response was ", K("HTTP_STATUS", pick(["401", "403", "500"])), " after ", K("DURATION", dur()), ", request id ", K("REQUEST_ID", uuid4()), ".")
    if R.random() < 0.4:
        d.line("Customer impacted: ", P("PERSON", " ".join(person())), " (", P("EMAIL", email_of(*person())), ")")
    d.line("")
    d.line("*Comments*")
    d.line(pick(AGENTS), ": please rotate that ", phrase, " now that it's in Jira. Also don't paste ", K("PLACEHOLDER", pick(PLACEHOLDERS)), "-style values, use the vault path.")
    return "ticket"


def sc_stacktrace(d):
    t = R.randint(0, 3)
    if t == 0:
        d.line("Traceback (most recent call last):")
        d.line('  File "/srv/app/.venv/lib/python3.11/site-packages/sqlalchemy/engine/base.py", line ', str(R.randint(100, 3000)), ", in _wrap_pool_connect")
        d.line("    return fn()")
        d.line('  File "/srv/app/orders/db.py", line ', str(R.randint(10, 200)), ", in connect")
        d.line("    engine = create_engine(settings.DATABASE_URL, pool_pre_ping=True)")
        d.line("sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) connection to server at \"", pick(HOSTS), "\", port ", K("PORT", "5432"), " failed: FATAL:  password authentication failed for user \"app\"")
        d.line("(Background on this error at: https://sqlalche.me/e/20/e3q8)")
        d.line("settings.DATABASE_URL = '", dsn(), "'")
    elif t == 1:
        kind = pick(["TWILIO_AUTH_TOKEN", "SENDGRID_API_KEY", "MAILGUN_API_KEY", "PAYPAL_CLIENT_SECRET", "SQUARE_ACCESS_TOKEN", "AUTH0_CLIENT_SECRET", "ZENDESK_API_TOKEN"])
        d.line("Exception in thread \"main\" com.acme.client.ApiException: ", K("HTTP_STATUS", "401"), " Unauthorized")
        d.line("\tat com.acme.client.HttpTransport.execute(HttpTransport.java:", str(R.randint(40, 400)), ")")
        d.line("\tat com.acme.notify.Sender.send(Sender.java:", str(R.randint(40, 400)), ")")
        d.line("\tat java.base/java.lang.Thread.run(Thread.java:", str(R.randint(800, 1600)), ")")
        d.line("Caused by: java.lang.IllegalStateException: credential rejected: ", pick(["apiKey", "authToken", "clientSecret"]), "=", S(kind, gen_secret(kind)))
        d.line("\t... ", str(R.randint(3, 40)), " more")
    elif t == 2:
        kind = pick(["JWT", "OAUTH_ACCESS_TOKEN", "NOTION_TOKEN", "ATLASSIAN_API_TOKEN", "AIRTABLE_PAT", "ASANA_PAT", "INTERCOM_ACCESS_TOKEN"])
        d.line("AxiosError: Request failed with status code ", K("HTTP_STATUS", pick(["401", "403", "429"])))
        d.line("    at settle (/app/node_modules/axios/lib/core/settle.js:19:12)")
        d.line("    at IncomingMessage.handleStreamEnd (/app/node_modules/axios/lib/adapters/http.js:", str(R.randint(500, 700)), ":11)")
        d.line("  config: {")
        d.line("    url: 'https://api.", pick(["notion.com/v1/pages", "atlassian.net/rest/api/3/issue", "airtable.com/v0/appX/Orders", "asana.com/api/1.0/tasks", "intercom.io/contacts"]), "',")
        d.line("    headers: {")
        d.line("      Accept: 'application/json',")
        d.line("      Authorization: 'Bearer ", S(kind, gen_secret(kind)), "',")
        d.line("      'User-Agent': 'axios/", K("VERSION", ver()), "'")
        d.line("    },")
        d.line("    timeout: ", str(pick([5000, 10000])))
        d.line("  },")
        d.line("  code: '", K("ERROR_CODE", "ERR_BAD_REQUEST"), "'")
    else:
        first, last = person()
        d.line("panic: runtime error: invalid memory address or nil pointer dereference [recovered]")
        d.line("\tpanic: processing customer ", P("EMAIL", email_of(first, last)), " (card ", P("CARD_NUMBER", card()), ")")
        d.line("[signal SIGSEGV: segmentation violation code=0x1 addr=0x18 pc=0x", rs(6, HEXL), "]")
        d.line("goroutine ", str(R.randint(1, 900)), " [running]:")
        d.line("github.com/acme/billing/internal/charge.(*Processor).Run(0xc000", rs(6, HEXL), ")")
        d.line("\t/src/internal/charge/processor.go:", str(R.randint(20, 300)), " +0x", rs(3, HEXL))
    return "stacktrace"


def yaml_q(v):
    return ('"', v, '"') if (R.random() < 0.5 or any(c in v for c in "#:@%*!{}[]&?$ ")) else ("", v, "")


def sc_yaml(d):
    t = R.randint(0, 3)
    if t == 0:
        d.line("version: \"3.9\"")
        d.line("services:")
        d.line("  api:")
        d.line("    image: ghcr.io/acme/", pick(SERVICES), ":", K("VERSION", ver()))
        d.line("    ports:")
        d.line("      - \"", K("PORT", "8080"), ":", K("PORT", "8080"), "\"")
        d.line("    environment:")
        for _ in range(R.randint(2, 4)):
            kind, var, v, _ = next_secret()
            a, vv, b = yaml_q(v)
            d.line("      ", var, ": ", a, S(kind, vv), b)
        d.line("  db:")
        d.line("    image: postgres:", K("VERSION", pick(["16.2", "15.6-alpine", "14"])))
        p = pw()
        a, vv, b = yaml_q(p)
        d.line("    environment:")
        d.line("      POSTGRES_PASSWORD: ", a, S("DB_PASSWORD", vv), b)
        d.line("    healthcheck:")
        d.line("      interval: ", K("DURATION", "10s"))
    elif t == 1:
        d.line("name: deploy")
        d.line("on:")
        d.line("  push:")
        d.line("    branches: [main]")
        d.line("env:")
        kind, var, v, _ = next_secret()
        a, vv, b = yaml_q(v)
        d.line("  ", var, ": ", a, S(kind, vv), b)
        d.line("  NPM_TOKEN: ", K("PLACEHOLDER", "${{ secrets.NPM_TOKEN }}"))
        d.line("jobs:")
        d.line("  build:")
        d.line("    runs-on: ubuntu-22.04")
        d.line("    timeout-minutes: 20")
        d.line("    steps:")
        d.line("      - uses: actions/checkout@", K("GIT_SHA", sha40()), "  # v4.1.1")
        d.line("      - uses: actions/setup-node@v4")
        d.line("        with:")
        d.line("          node-version: ", K("VERSION", pick(["20.11.1", "18.19.0"])))
        d.line("      - run: npm ci && npm run build")
        d.line("      - run: curl -X POST -d @payload.json ", S("SLACK_WEBHOOK_URL", gen_secret("SLACK_WEBHOOK_URL")))
    elif t == 2:
        d.line("spring:")
        d.line("  datasource:")
        d.line("    url: jdbc:mysql://", pick(HOSTS), ":", K("PORT", "3306"), "/orders?useSSL=true")
        d.line("    username: orders_app")
        p = pw()
        a, vv, b = yaml_q(p)
        d.line("    password: ", a, S("DB_PASSWORD", vv), b)
        d.line("  mail:")
        d.line("    host: smtp.sendgrid.net")
        d.line("    port: ", K("PORT", "587"))
        d.line("    username: apikey")
        d.line("    password: ", S("SENDGRID_API_KEY", gen_secret("SENDGRID_API_KEY")))
        d.line("management:")
        d.line("  server:")
        d.line("    port: ", K("PORT", "9091"))
        d.line("app:")
        d.line("  jwt:")
        d.line("    secret: ", S("JWT_SIGNING_SECRET", gen_secret("JWT_SIGNING_SECRET")))
        d.line("    ttl: ", K("DURATION", pick(["15m", "3600s", "1h"])))
    else:
        d.line("# group_vars/prod.yml")
        d.line("app_version: ", K("VERSION", ver()))
        d.line("mysql_root_password: ", '"', S("DB_PASSWORD", pw()), '"')
        kind, var, v, _ = next_secret()
        d.line(var.lower(), ": \"", S(kind, v), "\"")
        d.line("vault_addr: https://vault.internal:", K("PORT", "8200"))
        d.line("ansible_become_password: '", S("PASSWORD", pw()), "'")
        d.line("backup_bucket_key: ", K("PLACEHOLDER", "{{ vault_db_password }}"))
    return "yaml"


def sc_k8s(d):
    name = pick(["db-credentials", "api-keys", "payments-secrets", "smtp", "registry-pull"])
    d.line("apiVersion: v1")
    d.line("kind: Secret")
    d.line("metadata:")
    d.line("  name: ", name)
    d.line("  namespace: ", pick(["prod", "payments", "default"]))
    d.line("  uid: ", K("UUID", uuid4()))
    d.line("  resourceVersion: \"", str(R.randint(100000, 99999999)), "\"")
    d.line("  creationTimestamp: \"", K("TIMESTAMP", ts_iso()[:19] + "Z"), "\"")
    if name == "registry-pull":
        d.line("type: kubernetes.io/dockerconfigjson")
        d.line("data:")
        user = pick(["acme-ci", "deploybot"])
        cfg = json.dumps({"auths": {pick(["ghcr.io", "registry.gitlab.com", "https://index.docker.io/v1/"]): {"username": user, "password": pick([pw(), gen_secret("DOCKERHUB_PAT")]), "auth": b64(user + ":" + pw())}}})
        d.line("  .dockerconfigjson: ", S("K8S_SECRET_DATA", b64(cfg)))
    else:
        d.line("type: Opaque")
        d.line("data:")
        d.line("  username: ", b64(pick(["app", "orders_rw", "apikey"])))
        for _ in range(R.randint(1, 3)):
            kind, var, v, _ = next_secret()
            d.line("  ", var, ": ", S("K8S_SECRET_DATA", b64(v)))
        if R.random() < 0.5:
            d.line("stringData:")
            kind, var, v, _ = next_secret()
            d.line("  ", var.lower().replace("_", "-"), ": \"", S(kind, v), "\"")
    d.line("---")
    d.line("apiVersion: apps/v1")
    d.line("kind: Deployment")
    d.line("metadata:")
    d.line("  name: ", pick(SERVICES))
    d.line("spec:")
    d.line("  template:")
    d.line("    spec:")
    d.line("      containers:")
    d.line("        - name: app")
    d.line("          image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app@sha256:", K("HASH", hex64()))
    d.line("          ports: [{containerPort: ", K("PORT", str(pick([8080, 3000, 9000]))), "}]")
    d.line("          envFrom: [{secretRef: {name: ", name, "}}]")
    return "k8s"


def sc_har(d):
    first, last = person()
    email = email_of(first, last)
    host = pick(["app.acme-corp.io", "shop.northwind.app", "portal.globex.com"])
    d.line("{")
    d.line('  "log": {')
    d.line('    "version": "', K("VERSION", "1.2"), '",')
    d.line('    "creator": {"name": "WebInspector", "version": "', K("VERSION", "537.36"), '"},')
    d.line('    "entries": [')
    n_entries = R.randint(1, 3)
    for i in range(n_entries):
        login = i == 0 and R.random() < 0.5
        d.line("      {")
        d.line('        "startedDateTime": "', K("TIMESTAMP", ts_iso()), '",')
        d.line('        "time": ', K("DURATION", "%.3f" % (R.random() * 900)), ",")
        d.line('        "request": {')
        d.line('          "method": "', "POST" if login else pick(["GET", "POST"]), '",')
        d.line('          "url": "https://', host, pick(["/api/session", "/api/login"]) if login else pick(["/api/v1/me", "/api/v1/orders?page=2", "/graphql"]), '",')
        d.line('          "httpVersion": "HTTP/2",')
        d.line('          "headers": [')
        d.line('            {"name": ":authority", "value": "', host, '"},')
        if not login:
            kind = pick(["JWT", "JWT", "OAUTH_ACCESS_TOKEN", "BEARER_TOKEN"])
            v = gen_secret(kind) if kind != "BEARER_TOKEN" else rs(R.randint(32, 64), B64U)
            d.line('            {"name": "authorization", "value": "Bearer ', S(kind, v), '"},')
        ck = pick(["sessionid", "connect.sid", "_session_id", "PHPSESSID", "JSESSIONID", "laravel_session"])
        cv = {"connect.sid": "s%3A" + rs(32, B64U) + "." + rs(43, B64U), "PHPSESSID": rs(26, LOAL), "JSESSIONID": rs(32, "0123456789ABCDEF"),
              "sessionid": rs(32, LOAL), "_session_id": rs(32, HEXL), "laravel_session": "eyJpdiI6" + rs(180, B64U) + "%3D"}[ck]
        d.line('            {"name": "cookie", "value": "_ga=GA1.2.', str(R.randint(100000000, 999999999)), ".", str(R.randint(1600000000, 1720000000)), "; ", ck, "=", S("SESSION_COOKIE", cv), '"},')
        d.line('            {"name": "x-request-id", "value": "', K("REQUEST_ID", uuid4()), '"},')
        d.line('            {"name": "user-agent", "value": ', pick(UAS), "}")
        d.line("          ],")
        if login:
            d.line('          "postData": {"mimeType": "application/json", "text": "{\\"email\\":\\"', P("EMAIL", email), '\\",\\"password\\":\\"', S("PASSWORD", pw().replace("\\", "")), '\\",\\"remember\\":true}"},')
        d.line('          "headersSize": -1, "bodySize": ', str(R.randint(0, 400)))
        d.line("        },")
        st = pick(["200", "200", "201", "401", "304"])
        d.line('        "response": {')
        d.line('          "status": ', K("HTTP_STATUS", st), ', "statusText": "', {"200": "OK", "201": "Created", "401": "Unauthorized", "304": "Not Modified"}[st], '",')
        d.line('          "headers": [{"name": "etag", "value": "W/\\"', K("HASH", rs(27, B64U)), '\\""}, {"name": "x-trace-id", "value": "', K("TRACE_ID", hex32()), '"}],')
        if login and st in ("200", "201"):
            d.line('          "content": {"size": ', K("FILE_SIZE", str(R.randint(200, 2000))), ', "mimeType": "application/json", "text": "{\\"user\\":{\\"name\\":\\"', P("PERSON", first + " " + last), '\\",\\"phone\\":\\"', P("PHONE", phone()), '\\"},\\"refresh_token\\":\\"', S("OAUTH_REFRESH_TOKEN", gen_secret("OAUTH_REFRESH_TOKEN")), '\\"}"}')
        else:
            d.line('          "content": {"size": ', K("FILE_SIZE", str(R.randint(200, 90000))), ', "mimeType": "application/json"}')
        d.line("        },")
        d.line('        "timings": {"blocked": 1.2, "dns": -1, "wait": ', K("DURATION", "%.2f" % (R.random() * 400)), ', "receive": 0.8}')
        d.line("      }" + ("," if i < n_entries - 1 else ""))
    d.line("    ]")
    d.line("  }")
    d.line("}")
    return "har"


def sc_json_api(d):
    first, last = person()
    email = email_of(first, last)
    d.line("{")
    d.line('  "id": "', K("UUID", uuid4()), '",')
    d.line('  "object": "customer",')
    d.line('  "created": ', K("TIMESTAMP", str(R.randint(1600000000, 1720000000))), ",")
    d.line('  "name": "', P("PERSON", first + " " + last), '",')
    d.line('  "email": "', P("EMAIL", email), '",')
    d.line('  "phone": "', P("PHONE", phone()), '",')
    if R.random() < 0.6:
        d.line('  "date_of_birth": "', P("DATE_OF_BIRTH", "%d-%02d-%02d" % dob_parts()), '",')
    d.line('  "address": {"line1": "', P("STREET_ADDRESS", address("US")), '"},')
    d.line('  "default_source": {"brand": "Visa", "last4": "', str(R.randint(1000, 9999)), '", "display": "', K("MASKED_CARD", masked_card()), '"},')
    d.line('  "metadata": {"crm_ticket": "', K("TICKET_NUMBER", ticket_no()), '", "plan": "', K("SKU", sku()), '", "app_version": "', K("VERSION", ver()), '"},')
    if R.random() < 0.6:
        if R.random() < 0.5:
            d.line('  "tax_ids": [{"type": "us_ssn", "value": "', P("US_SSN", ssn()), '"}],')
        else:
            d.line('  "tax_ids": [{"type": "ca_sin", "value": "', P("CA_SIN", sin()), '"}],')
    if R.random() < 0.5:
        d.line('  "integration": {"token_type": "bearer", "access_token": "', S("JWT", jwt()), '", "refresh_token": "', S("OAUTH_REFRESH_TOKEN", gen_secret("OAUTH_REFRESH_TOKEN")), '", "expires_in": ', K("DURATION", "3600"), "},")
    d.line('  "livemode": true,')
    d.line('  "request_id": "', K("REQUEST_ID", "req_" + rs(14)), '"')
    d.line("}")
    return "json"


def sc_code(d):
    lang = pick(["py", "js", "go", "java", "rb", "php", "cs", "sh"])
    kind, var, v, phrase = next_secret()
    k2, var2, v2, _ = next_secret()
    lv = var.lower()
    if lang == "py":
        d.line("import os")
        d.line("import requests")
        d.line("")
        d.line("# TODO(", pick(AGENTS).lower(), "): move to settings before merging (", K("JIRA_KEY", jira()), ")")
        d.line(var, " = os.getenv(\"", var, "\", \"", S(kind, v), "\")")
        d.line(var2, " = \"", S(k2, v2), "\"")
        d.line("EXAMPLE_KEY = \"", K("PLACEHOLDER", pick(PLACEHOLDERS)), "\"  # docs only")
        d.line("TIMEOUT = ", K("DURATION", "30"), "  # seconds")
        d.line("")
        d.line("def fetch(order_id: str) -> dict:")
        d.line("    r = requests.get(f\"https://api.partner.example/v2/orders/{order_id}\", headers={\"Authorization\": f\"Bearer {", var, "}\"}, timeout=TIMEOUT)")
        d.line("    r.raise_for_status()")
        d.line("    return r.json()")
    elif lang == "js":
        d.line("// ", pick(["quick hack for the demo", "FIXME remove before prod", "copied from the wiki"]))
        d.line("const ", "cfg", " = {")
        d.line("  ", "apiKey: process.env.", var, " || '", S(kind, v), "',")
        d.line("  ", "secondary: \"", S(k2, v2), "\",")
        d.line("  sample: '", K("PLACEHOLDER", pick(PLACEHOLDERS)), "',")
        d.line("  retryAfterMs: ", K("DURATION", str(pick([250, 500, 1000]))), ",")
        d.line("  buildSha: '", K("GIT_SHA", sha40()), "',")
        d.line("};")
        d.line("module.exports = cfg;")
    elif lang == "go":
        d.line("package config")
        d.line("")
        d.line("const (")
        d.line("\tdefaultPort = ", K("PORT", "8080"))
        d.line("\t", "".join(w.capitalize() for w in lv.split("_")), " = \"", S(kind, v), "\"")
        d.line("\t", "".join(w.capitalize() for w in var2.lower().split("_")), " = `", S(k2, v2), "`")
        d.line("\tschemaVersion = \"", K("VERSION", ver()), "\"")
        d.line(")")
    elif lang == "java":
        d.line("public final class Credentials {")
        d.line("    // ", K("JIRA_KEY", jira()), ": hardcoded until the vault sidecar lands")
        d.line("    public static final String ", var, " = \"", S(kind, v), "\";")
        d.line("    public static final String ", var2, " = \"", S(k2, v2), "\";")
        d.line("    public static final String SIG_ALG_OID = \"", K("OID", pick(OIDS)), "\";")
        d.line("    public static final long TOKEN_TTL_MS = ", K("DURATION", "900000"), "L;")
        d.line("}")
    elif lang == "rb":
        d.line("Rails.application.configure do")
        d.line("  config.x.", lv, " = ENV.fetch(\"", var, "\") { \"", S(kind, v), "\" }")
        d.line("  config.x.", var2.lower(), " = '", S(k2, v2), "'")
        d.line("  config.x.api_version = \"", K("VERSION", ver()), "\"")
        d.line("end")
    elif lang == "php":
        d.line("<?php")
        d.line("return [")
        d.line("    '", lv, "' => env('", var, "', '", S(kind, v), "'),")
        d.line("    '", var2.lower(), "' => '", S(k2, v2), "',")
        d.line("    'db' => ['host' => '", private_ip(), "', 'port' => ", K("PORT", "3306"), ", 'password' => '", S("DB_PASSWORD", pw().replace("'", "")), "'],")
        d.line("];")
    elif lang == "cs":
        d.line("var builder = WebApplication.CreateBuilder(args);")
        d.line("builder.Services.AddHttpClient(\"partner\", c => {")
        d.line("    c.DefaultRequestHeaders.Add(\"X-Api-Key\", \"", S(kind, v), "\");")
        d.line("    c.Timeout = TimeSpan.FromSeconds(", K("DURATION", "30"), ");")
        d.line("});")
        d.line("var storage = \"", azure_conn(), "\";")
    else:
        d.line("#!/usr/bin/env bash")
        d.line("set -euo pipefail")
        d.line("# deploy helper v", K("VERSION", ver()))
        d.line(var, "=\"${", var, ":-", S(kind, v), "}\"")
        d.line("curl -fsS -X POST \"https://api.example.net/deploy\" -H \"X-Token: ", S(k2, v2), "\" -d \"sha=", K("GIT_SHA", sha40()), "\"")
    return "code"


def sc_ini(d):
    t = R.randint(0, 5)
    if t == 0:
        d.line("# ~/.aws/credentials")
        d.line("[default]")
        d.line("aws_access_key_id = ", S("AWS_ACCESS_KEY_ID", aws_akid()))
        d.line("aws_secret_access_key = ", S("AWS_SECRET_ACCESS_KEY", aws_secret()))
        d.line("region = eu-west-1")
        d.line("")
        d.line("[", pick(["prod-admin", "sso-temp", "ci"]), "]")
        d.line("aws_access_key_id = ", S("AWS_ACCESS_KEY_ID", aws_akid("ASIA")))
        d.line("aws_secret_access_key = ", S("AWS_SECRET_ACCESS_KEY", aws_secret()))
        d.line("aws_session_token = ", S("AWS_SESSION_TOKEN", aws_session()))
        return "ini"
    if t == 1:
        d.line("# ~/.my.cnf")
        d.line("[client]")
        d.line("user = ", pick(["root", "admin", "backup"]))
        d.line("password = \"", S("DB_PASSWORD", pw()), "\"")
        d.line("host = ", pick(HOSTS))
        d.line("port = ", K("PORT", "3306"))
        d.line("")
        d.line("[mysqldump]")
        d.line("max_allowed_packet = ", K("FILE_SIZE", "512M"))
        return "ini"
    if t == 2:
        d.line("# ~/.pypirc")
        d.line("[distutils]")
        d.line("index-servers =")
        d.line("    pypi")
        d.line("    internal")
        d.line("")
        d.line("[pypi]")
        d.line("username = __token__")
        d.line("password = ", S("PYPI_TOKEN", gen_secret("PYPI_TOKEN")))
        d.line("")
        d.line("[internal]")
        d.line("repository = https://nexus.internal:", K("PORT", "8081"), "/repository/pypi-hosted/")
        d.line("username = deployer")
        d.line("password = ", S("PASSWORD", pw()))
        return "ini"
    if t == 3:
        d.line("; php.ini / app.ini excerpt — ", pick(COMPANIES))
        d.line("[app]")
        d.line("version = ", K("VERSION", ver()))
        d.line("session.gc_maxlifetime = ", K("DURATION", "1440"))
        d.line("[mail]")
        d.line("smtp_host = smtp.mailgun.org")
        d.line("smtp_port = ", K("PORT", "587"))
        d.line("smtp_user = postmaster@mg.", pick(["acme-corp.io", "northwind.app"]))
        d.line("smtp_password = ", S("PASSWORD", pw()))
        d.line("api_key = ", S("MAILGUN_API_KEY", gen_secret("MAILGUN_API_KEY")))
        return "ini"
    if t == 4:
        d.line("[odbc:prod]")
        d.line("Driver = ODBC Driver 18 for SQL Server")
        d.line("Server = tcp:sql-prod.database.windows.net,", K("PORT", "1433"))
        d.line("UID = reporting")
        d.line("PWD = ", S("DB_PASSWORD", pw()))
        d.line("")
        d.line("[azure]")
        d.line("tenant_id = ", uuid4())
        d.line("client_id = ", uuid4())
        d.line("client_secret = ", S("AZURE_CLIENT_SECRET", gen_secret("AZURE_CLIENT_SECRET")))
        return "ini"
    d.line("[supervisord]")
    d.line("logfile_maxbytes = ", K("FILE_SIZE", "50MB"))
    d.line("[program:worker]")
    kind, var, v, _ = next_secret()
    k2, var2, v2, _ = next_secret()
    d.line("environment = ", var, "=\"", S(kind, v), "\",", var2, "=\"", S(k2, v2), "\"")
    d.line("startsecs = ", K("DURATION", "10"))
    return "ini"


def sc_toml(d):
    t = R.randint(0, 3)
    if t == 0:
        d.line("# ~/.cargo/credentials.toml")
        d.line("[registry]")
        d.line("token = \"", S("CRATES_IO_TOKEN", gen_secret("CRATES_IO_TOKEN")), "\"")
        d.line("")
        d.line("[registries.internal]")
        d.line("token = \"Bearer ", S("BEARER_TOKEN", rs(40, B64U)), "\"")
    elif t == 1:
        d.line("# fly.toml")
        d.line("app = \"", pick(SERVICES), "\"")
        d.line("primary_region = \"ams\"")
        d.line("[build]")
        d.line("  image = \"registry.fly.io/app:", K("VERSION", ver()), "\"")
        d.line("[env]")
        kind, var, v, _ = next_secret()
        d.line("  ", var, " = \"", S(kind, v), "\"")
        d.line("  PORT = \"", K("PORT", "8080"), "\"")
        d.line("[[services.http_checks]]")
        d.line("  interval = \"", K("DURATION", "15s"), "\"")
        d.line("  timeout = \"", K("DURATION", "2s"), "\"")
    elif t == 2:
        d.line("# .streamlit/secrets.toml")
        kind, var, v, _ = next_secret()
        d.line(var.lower(), " = \"", S(kind, v), "\"")
        d.line("")
        d.line("[connections.snowflake]")
        d.line("account = \"", rs(7, UP), "-", rs(7, UP), "\"")
        d.line("user = \"ANALYTICS_SVC\"")
        d.line("password = \"", S("DB_PASSWORD", pw()), "\"")
        d.line("warehouse = \"COMPUTE_WH\"")
    else:
        d.line("[tool.poetry]")
        d.line("name = \"acme-sdk\"")
        d.line("version = \"", K("VERSION", ver()), "\"")
        d.line("")
        d.line("[[tool.poetry.source]]")
        d.line("name = \"private\"")
        d.line("url = \"https://", pick(["deploy", "ci"]), ":", S("PASSWORD", pw(urlsafe=True)), "@pypi.acme.internal/simple/\"")
        d.line("")
        d.line("[tool.acme]")
        kind, var, v, _ = next_secret()
        d.line(var.lower(), " = \"", S(kind, v), "\"")
        d.line("sample_key = \"", K("PLACEHOLDER", pick(PLACEHOLDERS)), "\"")
    return "toml"


def sql_q(v):
    return v.replace("'", "''")


def sc_sql(d):
    d.line("-- dump of ", pick(["crm", "shop", "billing"]), " taken ", K("TIMESTAMP", ts_py()), " by pg_dump ", K("VERSION", pick(["16.2", "15.4"])))
    if R.random() < 0.5:
        d.line("CREATE USER ", pick(["report_ro", "etl", "app_rw"]), " WITH PASSWORD '", S("DB_PASSWORD", sql_q(pw())), "';")
    else:
        d.line("ALTER USER '", pick(["app", "backup"]), "'@'%' IDENTIFIED BY '", S("DB_PASSWORD", sql_q(pw())), "';")
    d.line("INSERT INTO customers (id, full_name, email, phone, date_of_birth, national_id, created_at) VALUES")
    n = R.randint(2, 6)
    for i in range(n):
        first, last = person()
        kind, idf, _ = NID_CYCLE.next()
        d.line("  (", str(R.randint(1000, 99999)), ", '", P("PERSON", sql_q(first + " " + last)), "', '", P("EMAIL", email_of(first, last)), "', '",
               P("PHONE", phone()), "', '", P("DATE_OF_BIRTH", "%d-%02d-%02d" % dob_parts()), "', '", P(kind, idf()), "', '", K("TIMESTAMP", ts_py()[:19]), "')",
               "," if i < n - 1 else ";")
    d.line("INSERT INTO orders (order_no, customer_id, sku, total) VALUES ('", K("ORDER_NUMBER", order_no()), "', ", str(R.randint(1000, 99999)), ", '", K("SKU", sku()), "', ", "%.2f" % (R.random() * 300), ");")
    return "sql"


def csv_q(v):
    return ('"', v, '"') if ("," in v or R.random() < 0.2) else ("", v, "")


def sc_csv(d):
    t = R.randint(0, 2)
    if t == 0:
        d.line("customer_id,full_name,email,phone,address,last_order,sku,signup_ip")
        for _ in range(R.randint(3, 9)):
            first, last = person()
            a, ad, b = csv_q(address())
            em = email_of(first, last)
            d.line(K("UUID", uuid4()), ",", P("PERSON", first + " " + last), ",", P("EMAIL", em), ",", P("PHONE", phone()), ",", a, P("STREET_ADDRESS", ad), b, ",",
                   K("ORDER_NUMBER", order_no()), ",", K("SKU", sku()), ",", P("IP_ADDRESS", public_ip()))
    elif t == 1:
        d.line("payout_id;beneficiary;iban;amount;currency;invoice;created")
        for _ in range(R.randint(3, 8)):
            first, last = person(pick(["de", "fr", "es", "it", "nl", "pt", "en"]))
            d.line(K("UUID", uuid4()), ";", P("PERSON", first + " " + last), ";", P("IBAN", iban()), ";", "%.2f" % (R.random() * 5000), ";EUR;", K("INVOICE_NUMBER", invoice_no()), ";", K("TIMESTAMP", ts_iso()))
    else:
        d.line("txn_id,cardholder,pan,cvv,exp,amount,status,masked_ref")
        for _ in range(R.randint(3, 8)):
            first, last = person()
            raw = card_raw()
            d.line(K("REQUEST_ID", "txn_" + rs(20, LOAL)), ",", P("PERSON", first + " " + last), ",", P("CARD_NUMBER", pick([raw, fmt_card(raw)])), ",", P("CARD_CVV", cvv(4 if len(raw) == 15 else 3)), ",",
                   "%02d/%02d" % (R.randint(1, 12), R.randint(25, 30)), ",", "%.2f" % (R.random() * 900), ",", K("ERROR_CODE", pick(["approved", "card_declined", "insufficient_funds"])), ",", K("MASKED_CARD", masked_card()))
    return "csv"


def xml_safe(v):
    return v.replace("&", "").replace("<", "").replace(">", "").replace('"', "")


def sc_xml(d):
    t = R.randint(0, 4)
    if t == 0:
        d.line("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
        d.line("<settings xmlns=\"http://maven.apache.org/SETTINGS/1.0.0\">")
        d.line("  <servers>")
        d.line("    <server>")
        d.line("      <id>acme-releases</id>")
        d.line("      <username>deployer</username>")
        d.line("      <password>", S("PASSWORD", xml_safe(pw())), "</password>")
        d.line("    </server>")
        d.line("    <server>")
        d.line("      <id>github</id>")
        d.line("      <username>acme-bot</username>")
        d.line("      <password>", S("GITHUB_PAT", gen_secret("GITHUB_PAT")), "</password>")
        d.line("    </server>")
        d.line("  </servers>")
        d.line("</settings>")
    elif t == 1:
        d.line("<configuration>")
        d.line("  <connectionStrings>")
        d.line("    <add name=\"Default\" connectionString=\"Server=", pick(HOSTS), ";Database=shop;User Id=sa;Password=", S("DB_PASSWORD", xml_safe(pw()).replace(";", "")), ";\" providerName=\"System.Data.SqlClient\" />")
        d.line("    <add name=\"Storage\" connectionString=\"", azure_conn(), "\" />")
        d.line("  </connectionStrings>")
        d.line("  <appSettings>")
        kind, var, v, _ = next_secret()
        d.line("    <add key=\"", var, "\" value=\"", S(kind, xml_safe(v)), "\" />")
        d.line("    <add key=\"BuildVersion\" value=\"", K("VERSION", ver()), "\" />")
        d.line("    <add key=\"SampleKey\" value=\"", K("PLACEHOLDER", pick(PLACEHOLDERS).replace("<", "").replace(">", "")), "\" />")
        d.line("  </appSettings>")
        d.line("</configuration>")
    elif t == 2:
        d.line("<?xml version=\"1.0\" encoding=\"utf-8\"?>")
        d.line("<configuration>")
        d.line("  <packageSourceCredentials>")
        d.line("    <AcmeFeed>")
        d.line("      <add key=\"Username\" value=\"build\" />")
        d.line("      <add key=\"ClearTextPassword\" value=\"", S("AZURE_DEVOPS_PAT", rs(52, "abcdefghijklmnopqrstuvwxyz234567")), "\" />")
        d.line("    </AcmeFeed>")
        d.line("  </packageSourceCredentials>")
        d.line("  <apikeys>")
        d.line("    <add key=\"https://www.nuget.org/api/v2/package\" value=\"", S("NUGET_API_KEY", gen_secret("NUGET_API_KEY")), "\" />")
        d.line("  </apikeys>")
        d.line("</configuration>")
    elif t == 3:
        first, last = person()
        raw = card_raw()
        d.line("<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\">")
        d.line("  <soapenv:Header><wsse:Security><wsse:UsernameToken><wsse:Username>merchant_", str(R.randint(100, 999)), "</wsse:Username>")
        d.line("    <wsse:Password>", S("PASSWORD", xml_safe(pw())), "</wsse:Password></wsse:UsernameToken></wsse:Security></soapenv:Header>")
        d.line("  <soapenv:Body><AuthorizeRequest orderRef=\"", K("ORDER_NUMBER", order_no()), "\">")
        d.line("    <CardHolder>", P("PERSON", first + " " + last), "</CardHolder>")
        d.line("    <CardNumber>", P("CARD_NUMBER", raw), "</CardNumber><Cvv2>", P("CARD_CVV", cvv(4 if len(raw) == 15 else 3)), "</Cvv2>")
        d.line("    <BillingAddress>", P("STREET_ADDRESS", address()), "</BillingAddress>")
        d.line("  </AuthorizeRequest></soapenv:Body>")
        d.line("</soapenv:Envelope>")
    else:
        d.line("<tomcat-users>")
        d.line("  <role rolename=\"manager-gui\"/>")
        d.line("  <user username=\"admin\" password=\"", S("PASSWORD", xml_safe(pw())), "\" roles=\"manager-gui\"/>")
        d.line("</tomcat-users>")
        d.line("<!-- server.xml: keystore -->")
        d.line("<Connector port=\"", K("PORT", "8443"), "\" SSLEnabled=\"true\" keystoreFile=\"conf/keystore.jks\" keystorePass=\"", S("PASSWORD", xml_safe(pw())), "\" connectionTimeout=\"", K("DURATION", "20000"), "\"/>")
    return "xml"


def sc_terraform(d):
    t = R.randint(0, 2)
    d.line("terraform {")
    d.line("  required_version = \"", K("VERSION", ">= 1.5.0"), "\"")
    d.line("  required_providers {")
    d.line("    aws = { source = \"hashicorp/aws\", version = \"", K("VERSION", "~> 5.%d" % R.randint(10, 45)), "\" }")
    d.line("  }")
    if t == 0:
        d.line("  cloud {")
        d.line("    organization = \"acme\"")
        d.line("    token        = \"", S("TERRAFORM_CLOUD_TOKEN", gen_secret("TERRAFORM_CLOUD_TOKEN")), "\"")
        d.line("  }")
    d.line("}")
    d.line("")
    d.line("provider \"aws\" {")
    d.line("  region     = \"eu-central-1\"")
    d.line("  access_key = \"", S("AWS_ACCESS_KEY_ID", aws_akid()), "\"")
    d.line("  secret_key = \"", S("AWS_SECRET_ACCESS_KEY", aws_secret()), "\"")
    d.line("}")
    d.line("")
    if t == 1:
        d.line("provider \"azurerm\" {")
        d.line("  features {}")
        d.line("  subscription_id = \"", uuid4(), "\"")
        d.line("  client_id       = \"", uuid4(), "\"")
        d.line("  client_secret   = \"", S("AZURE_CLIENT_SECRET", gen_secret("AZURE_CLIENT_SECRET")), "\"")
        d.line("  tenant_id       = \"", uuid4(), "\"")
        d.line("}")
    else:
        d.line("provider \"cloudflare\" {")
        d.line("  api_token = \"", S("CLOUDFLARE_API_TOKEN", gen_secret("CLOUDFLARE_API_TOKEN")), "\"")
        d.line("}")
    d.line("")
    d.line("resource \"aws_db_instance\" \"main\" {")
    d.line("  engine_version = \"", K("VERSION", "15.5"), "\"")
    d.line("  username       = \"dbadmin\"")
    d.line("  password       = \"", S("DB_PASSWORD", pw()), "\"")
    d.line("  port           = ", K("PORT", "5432"))
    d.line("}")
    d.line("")
    d.line("variable \"", pick(["datadog_api_key", "github_token", "pagerduty_token"]), "\" {")
    kind = pick(["DATADOG_API_KEY", "GITHUB_PAT", "PAGERDUTY_API_KEY"])
    v = gen_secret(kind) if kind != "PAGERDUTY_API_KEY" else pick(["u+", "y_"]) + rs(18, B64U)
    d.line("  default   = \"", S(kind, v), "\"")
    d.line("  sensitive = true")
    d.line("}")
    d.line("# state serial ", str(R.randint(10, 900)), ", lineage ", K("UUID", uuid4()))
    return "terraform"


def sc_properties(d):
    d.line("# application-prod.properties (", K("GIT_SHA", sha7()), ")")
    d.line("server.port=", K("PORT", "8080"))
    d.line("spring.datasource.url=jdbc:postgresql://", pick(HOSTS), ":", K("PORT", "5432"), "/app")
    d.line("spring.datasource.username=app")
    d.line("spring.datasource.password=", S("DB_PASSWORD", pw()))
    d.line("spring.rabbitmq.password=", S("PASSWORD", pw()))
    kind, var, v, _ = next_secret()
    d.line("integration.", var.lower().replace("_", "."), "=", S(kind, v))
    d.line("jwt.signing-key=", S("JWT_SIGNING_SECRET", gen_secret("JWT_SIGNING_SECRET")))
    d.line("cache.ttl=", K("DURATION", "PT10M"))
    d.line("multipart.max-file-size=", K("FILE_SIZE", "25MB"))
    d.line("example.key=", K("PLACEHOLDER", pick(PLACEHOLDERS)))
    return "properties"


def sc_private_key(d):
    kind, fn = KEY_CYCLE.next()
    t = R.randint(0, 3)
    if t == 0:
        d.line("$ cat ~/.ssh/", pick(["id_rsa", "id_ed25519", "deploy_key", "prod.pem", "server.key"]))
        d.line(S(kind, fn()))
        d.line("$ ssh-keygen -lf ~/.ssh/id_ed25519.pub")
        d.line("256 SHA256:", K("HASH", rs(43, B64)), " ", pick(["ci@runner", "deploy@bastion"]), " (ED25519)")
        return "shell"
    if t == 1:
        d.line(typo(pick(["hey can someone check why this key isnt accepted by the server?", "here's the key from the old box, pls add it to the new one",
                          "is this the right format for putty? getting 'invalid key'"])))
        d.line("")
        d.line(S(kind, fn()))
        d.line("")
        d.line(typo("server is running openssh "), K("VERSION", pick(["8.9p1", "9.6p1", "7.4p1"])), typo(" if that matters"))
        return "chat"
    if t == 2:
        d.line("tls:")
        d.line("  cert_oid_policy: \"", K("OID", pick(OIDS)), "\"")
        d.line("  key: |")
        k = fn()
        d.line("    ", S(kind, k.replace("\n", "\n    ")))
        d.line("  renew_before: ", K("DURATION", "720h"))
        return "yaml"
    k = fn(nl="\\n")
    d.line("{\"tls_key\": \"", S(kind, k), "\\n\", \"serial\": \"", K("HASH", rs(32, HEXL)), "\", \"not_after\": \"", K("TIMESTAMP", ts_iso()), "\"}")
    return "json"


def sc_gcp_sa(d):
    proj = pick(["acme-prod-3821", "northwind-data", "globex-ml-204"])
    sa = pick(["ci-deployer", "bq-export", "firebase-adminsdk-" + rs(5, LOAL)])
    d.line("{")
    d.line('  "type": "service_account",')
    d.line('  "project_id": "', proj, '",')
    d.line('  "private_key_id": "', rs(40, HEXL), '",')
    k = _pkcs8("\\n") if False else pem("PRIVATE KEY", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ", R.randint(1620, 1632), None, "\\n")
    d.line('  "private_key": "', S("GCP_SERVICE_ACCOUNT_PRIVATE_KEY", k), '\\n",')
    d.line('  "client_email": "', sa, "@", proj, '.iam.gserviceaccount.com",')
    d.line('  "client_id": "', digits(21), '",')
    d.line('  "auth_uri": "https://accounts.google.com/o/oauth2/auth",')
    d.line('  "token_uri": "https://oauth2.googleapis.com/token",')
    d.line('  "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/', sa, "%40", proj, '.iam.gserviceaccount.com",')
    d.line('  "universe_domain": "googleapis.com"')
    d.line("}")
    return "json"


def sc_dotfile(d):
    t = R.randint(0, 6)
    if t == 0:
        d.line("# ~/.npmrc")
        d.line("registry=https://registry.npmjs.org/")
        d.line("//registry.npmjs.org/:_authToken=", S("NPM_TOKEN", gen_secret("NPM_TOKEN")))
        d.line("@acme:registry=https://npm.pkg.github.com")
        d.line("//npm.pkg.github.com/:_authToken=", S("GITHUB_PAT", gen_secret("GITHUB_PAT")))
        if R.random() < 0.5:
            d.line("//nexus.internal/repository/npm/:_auth=", S("NPM_AUTH_BASE64", b64("deployer:" + pw())))
        d.line("save-exact=true")
    elif t == 1:
        d.line("# ~/.netrc")
        for _ in range(R.randint(1, 3)):
            host = pick(["api.heroku.com", "github.com", "ftp.partner.example", "artifactory.internal", "git.heroku.com"])
            if "heroku" in host:
                d.line("machine ", host)
                d.line("  login ", P("EMAIL", email_of(*person())))
                d.line("  password ", S("HEROKU_API_KEY", gen_secret("HEROKU_API_KEY")))
            else:
                d.line("machine ", host, " login ", pick(["deploy", "jdoe", "svc-backup"]), " password ", S("PASSWORD", pw().replace(" ", "")))
    elif t == 2:
        d.line("$ cat ~/.git-credentials")
        for _ in range(R.randint(1, 3)):
            kind = pick(["GITHUB_PAT", "GITLAB_PAT", "BITBUCKET_APP_PASSWORD", "GITHUB_OAUTH_TOKEN", "GITLAB_DEPLOY_TOKEN"])
            host = "github.com" if "GITHUB" in kind else ("bitbucket.org" if "BITBUCKET" in kind else "gitlab.com")
            d.line("https://", pick(["jdoe", "ci-bot", "oauth2", "x-token-auth"]), ":", S(kind, gen_secret(kind)), "@", host)
    elif t == 3:
        d.line("# ~/.pgpass  (chmod 600!)")
        for _ in range(R.randint(1, 3)):
            d.line(pick(HOSTS), ":", K("PORT", "5432"), ":", pick(["*", "app", "orders"]), ":", pick(["postgres", "app", "replicator"]), ":", S("DB_PASSWORD", pw().replace(":", "").replace("\\", "")))
    elif t == 4:
        d.line("$ cat ~/.docker/config.json")
        d.line("{")
        d.line('  "auths": {')
        u = pick(["acmeci", "deploy", "jdoe"])
        d.line('    "https://index.docker.io/v1/": {"auth": "', S("DOCKER_CONFIG_AUTH", b64(u + ":" + gen_secret("DOCKERHUB_PAT"))), '"},')
        d.line('    "ghcr.io": {"auth": "', S("DOCKER_CONFIG_AUTH", b64(u + ":" + gen_secret("GITHUB_PAT"))), '"}')
        d.line("  },")
        d.line('  "credsStore": "desktop",')
        d.line('  "currentContext": "default"')
        d.line("}")
    elif t == 5:
        d.line("# ~/.gem/credentials")
        d.line("---")
        d.line(":rubygems_api_key: ", S("RUBYGEMS_API_KEY", gen_secret("RUBYGEMS_API_KEY")))
        d.line("# .yarnrc.yml")
        d.line("npmRegistryServer: \"https://registry.yarnpkg.com\"")
        d.line("npmAuthToken: \"", S("NPM_TOKEN", gen_secret("NPM_TOKEN")), "\"")
    else:
        d.line("# ~/.config/gh/hosts.yml")
        d.line("github.com:")
        d.line("    user: ", pick(["jdoe", "acme-bot"]))
        d.line("    oauth_token: ", S("GITHUB_OAUTH_TOKEN", gen_secret("GITHUB_OAUTH_TOKEN")))
        d.line("    git_protocol: https")
        d.line("# ~/.config/hub -- ", K("TIMESTAMP", ts_iso()))
    return "dotfile"


def sc_otp(d):
    t = R.randint(0, 4)
    code = "%06d" % R.randint(0, 999999)
    if t == 0:
        d.line("From: ", pick(["ACME", "Northwind", "+44 7700 900000" if False else "VERIFY"]))
        d.line(pick(["Your verification code is ", "Your Northwind login code: ", "Use ", "G-"]), S("OTP_CODE", code), pick([". It expires in 10 minutes. Don't share it with anyone.", " is your code. Ref ", " — never share this code."]),
               *([K("TICKET_NUMBER", ticket_no())] if R.random() < 0.5 else []))
        d.line("Your order ", K("ORDER_NUMBER", order_no()), " has shipped.")
        return "sms"
    if t == 1:
        d.line(pick(["GitHub", "Google", "Okta", "AWS IAM"]), " recovery codes — generated ", K("TIMESTAMP", ts_iso()))
        d.line("Keep these somewhere safe. Each code can be used once.")
        d.line("")
        for _ in range(R.randint(6, 10)):
            c = pick([rs(5, "0123456789abcdef") + "-" + rs(5, "0123456789abcdef"), rs(4, DG) + " " + rs(4, DG), rs(10, LOAL), rs(4, UPAL) + "-" + rs(4, UPAL) + "-" + rs(4, UPAL)])
            d.line("  ", S("RECOVERY_CODE", c))
        return "chat"
    if t == 2:
        agent = pick(AGENTS)
        d.line(agent, ": I've sent a one-time code to the phone on file. Can you read it back?")
        d.line("customer: ", typo(pick(["the code is ", "ok got it, ", "its "])), S("OTP_CODE", pick([code, code[:3] + " " + code[3:], "%04d" % R.randint(0, 9999)])))
        d.line(agent, ": Verified, thanks. Your case is ", K("TICKET_NUMBER", ticket_no()), ".")
        return "chat"
    if t == 3:
        d.line(K("TIMESTAMP", ts_iso()), " INFO  [mfa] sent sms otp to ", P("PHONE", phone()), " code=", S("OTP_CODE", code), " ttl=", K("DURATION", "300s"), " msg_id=", K("REQUEST_ID", "SM" + hex32()))
        d.line(K("TIMESTAMP", ts_iso()), " INFO  [mfa] verify attempt 1/3 status=", K("HTTP_STATUS", "200"))
        return "log"
    d.line(pick(["Ihr Bestätigungscode lautet ", "Votre code de vérification est ", "Tu código de verificación es ", "Seu código de verificação é ", "Il tuo codice di verifica è "]),
           S("OTP_CODE", code), pick([". Gültig für 10 Minuten.", ". Il expire dans 10 minutes.", ". No lo compartas.", ". Não compartilhe.", ". Non condividerlo."]))
    return "sms"


def sc_http_raw(d):
    t = R.randint(0, 2)
    host = pick(["api.partner.example", "internal-gw.acme.local", "hooks.northwind.app"])
    if t == 0:
        user = pick(["admin", "api", "integration", "jenkins"])
        d.line("POST /v1/", pick(["sync", "import", "charges"]), " HTTP/1.1")
        d.line("Host: ", host)
        d.line("Authorization: Basic ", S("HTTP_BASIC_AUTH", b64(user + ":" + pw())))
        d.line("X-Request-Id: ", K("REQUEST_ID", uuid4()))
        d.line("Content-Type: application/json")
        d.line("Content-Length: ", K("FILE_SIZE", str(R.randint(20, 9000))))
        d.line("")
        d.line('{"since":"', K("TIMESTAMP", ts_iso()), '","batch":', str(R.randint(1, 500)), "}")
        d.line("")
        d.line("HTTP/1.1 ", K("HTTP_STATUS", pick(["200", "202", "401"])), " ", pick(["OK", "Accepted", "Unauthorized"]))
        d.line("Date: ", K("TIMESTAMP", ts_http()))
        d.line("ETag: \"", K("HASH", hex32()), "\"")
    elif t == 1:
        kind = pick(["GENERIC_API_KEY", "DATADOG_API_KEY", "HONEYCOMB_API_KEY", "COHERE_API_KEY", "SPLUNK_HEC_TOKEN", "POSTMARK_SERVER_TOKEN", "NEW_RELIC_LICENSE_KEY"])
        hdr = {"GENERIC_API_KEY": "X-Api-Key: ", "DATADOG_API_KEY": "DD-API-KEY: ", "HONEYCOMB_API_KEY": "X-Honeycomb-Team: ", "COHERE_API_KEY": "Authorization: Bearer ",
               "SPLUNK_HEC_TOKEN": "Authorization: Splunk ", "POSTMARK_SERVER_TOKEN": "X-Postmark-Server-Token: ", "NEW_RELIC_LICENSE_KEY": "Api-Key: "}[kind]
        d.line("> POST /", pick(["api/v2/series", "1/events/prod", "v1/chat", "services/collector/event", "email", "v1/logs"]), " HTTP/2")
        d.line("> Host: ", host)
        d.line("> ", hdr, S(kind, gen_secret(kind)))
        d.line("> User-Agent: curl/", K("VERSION", "8.4.0"))
        d.line("> Accept: */*")
        d.line(">")
        d.line("< HTTP/2 ", K("HTTP_STATUS", pick(["202", "200", "403"])))
        d.line("< x-request-id: ", K("REQUEST_ID", uuid4()))
        d.line("< x-ratelimit-reset: ", K("DURATION", "%ds" % R.randint(1, 60)))
    else:
        d.line("GET /account HTTP/1.1")
        d.line("Host: ", pick(["shop.northwind.app", "app.acme-corp.io"]))
        d.line("Cookie: theme=dark; ", pick(["session", "sid", "_app_session"]), "=", S("SESSION_COOKIE", pick([rs(48, B64U), b64(rs(60)) + "--" + sha40()])), "; locale=en-GB")
        d.line("If-None-Match: W/\"", K("HASH", rs(16, HEXL)), "\"")
        d.line("")
        d.line("HTTP/1.1 ", K("HTTP_STATUS", "200"), " OK")
        d.line("Set-Cookie: ", pick(["session", "refresh"]), "=", S("SESSION_COOKIE", rs(64, B64U)), "; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=", K("DURATION", "1209600"))
        d.line("X-Trace-Id: ", K("TRACE_ID", hex32()))
    return "http"


def sc_kyc(d):
    first, last = person()
    d.line(K("TIMESTAMP", ts_iso()), " INFO  kyc.start applicant=", K("UUID", uuid4()), " name=\"", P("PERSON", first + " " + last), "\"")
    for _ in range(R.randint(2, 4)):
        kind, idf, words = NID_CYCLE.next()
        d.line(K("TIMESTAMP", ts_iso()), " DEBUG kyc.doc type=", kind.lower(), " ", pick(words).strip().rstrip(":"), "=", P(kind, idf()), " check=", pick(["passed", "passed", "mismatch"]))
    if R.random() < 0.7:
        cc, v = passport()
        d.line(K("TIMESTAMP", ts_iso()), " DEBUG kyc.doc type=passport country=", cc, " ", pick(PASSPORT_WORDS).strip(), " ", P("PASSPORT_NUMBER", v))
    if R.random() < 0.6:
        cc, v = driving_licence()
        d.line(K("TIMESTAMP", ts_iso()), " DEBUG kyc.doc type=driving_licence country=", cc, " ", pick(DL_WORDS).strip(), " ", P("DRIVING_LICENCE_NUMBER", v))
    d.line(K("TIMESTAMP", ts_iso()), " INFO  kyc.result score=0.", str(R.randint(10, 99)), " ", pick(DOB_WORDS["en"]).strip(), " ", P("DATE_OF_BIRTH", dob("en")), " elapsed=", K("DURATION", dur()))
    return "log"


def sc_webhooks(d):
    t = R.randint(0, 1)
    if t == 0:
        d.line("{")
        d.line('  "alerting": {')
        d.line('    "slack": {"url": "', S("SLACK_WEBHOOK_URL", gen_secret("SLACK_WEBHOOK_URL")), '", "channel": "#ops-alerts"},')
        d.line('    "discord": "', S("DISCORD_WEBHOOK_URL", gen_secret("DISCORD_WEBHOOK_URL")), '",')
        d.line('    "teams": "', S("TEAMS_WEBHOOK_URL", teams_webhook()), '",')
        d.line('    "telegram": {"bot_token": "', S("TELEGRAM_BOT_TOKEN", gen_secret("TELEGRAM_BOT_TOKEN")), '", "chat_id": "-100', digits(10), '"},')
        d.line('    "cooldown": "', K("DURATION", "5m"), '"')
        d.line("  },")
        d.line('  "schema": "', K("VERSION", ver()), '"')
        d.line("}")
        return "json"
    d.line("# alertmanager.yml")
    d.line("global:")
    d.line("  resolve_timeout: ", K("DURATION", "5m"))
    d.line("  slack_api_url: '", S("SLACK_WEBHOOK_URL", gen_secret("SLACK_WEBHOOK_URL")), "'")
    d.line("receivers:")
    d.line("  - name: pagerduty")
    d.line("    pagerduty_configs:")
    d.line("      - routing_key: ", S("PAGERDUTY_ROUTING_KEY", hex32()))
    d.line("  - name: discord")
    d.line("    discord_configs:")
    d.line("      - webhook_url: ", S("DISCORD_WEBHOOK_URL", gen_secret("DISCORD_WEBHOOK_URL")))
    d.line("  - name: bot")
    d.line("    telegram_configs:")
    d.line("      - bot_token: ", S("TELEGRAM_BOT_TOKEN", gen_secret("TELEGRAM_BOT_TOKEN")))
    return "yaml"


def sc_wrapped(d):
    kind = pick(["JWT", "AWS_SESSION_TOKEN", "PYPI_TOKEN", "ATLASSIAN_API_TOKEN", "FIREBASE_FCM_SERVER_KEY", "OPENAI_API_KEY", "AZURE_STORAGE_ACCOUNT_KEY", "K8S_SECRET_DATA"])
    v = gen_secret(kind) if kind != "K8S_SECRET_DATA" else b64(json.dumps({"user": "svc", "password": pw(), "host": "db"}))
    t = R.randint(0, 2)
    if t == 0:
        width = pick([64, 72, 76])
        wrapped = "\n".join(wrap(v, width))
        d.line("From: ", pick(AGENTS), " <ops@acme-corp.io>")
        d.line("Subject: creds for the migration (", K("JIRA_KEY", jira()), ")")
        d.line("")
        d.line("Here is the ", kind.lower().replace("_", " "), " you asked for, it expires ", K("TIMESTAMP", ts_iso()), ":")
        d.line("")
        d.line(S(kind, wrapped))
        d.line("")
        d.line("Please delete this mail afterwards.")
        return "email"
    if t == 1:
        width = pick([60, 80])
        parts = wrap(v, width)
        d.line("export ", pick(SECRET_BY_KIND.get(kind, (0, 0, ["TOKEN"]))[2]), "=\"", S(kind, "\\\n".join(parts)), "\"")
        d.line("echo \"token length: ", str(len(v)), "\"")
        return "shell"
    parts = wrap(v, pick([50, 70]))
    d.line(K("TIMESTAMP", ts_iso()), " DEBUG [client] token refreshed, value follows")
    d.line(S(kind, "\n".join("    " + p if i else p for i, p in enumerate(parts))))
    d.line(K("TIMESTAMP", ts_iso()), " DEBUG [client] expires_in=", K("DURATION", "3600"), " request_id=", K("REQUEST_ID", uuid4()))
    return "log"


def sc_ci_log(d):
    d.line("##[group]Run ./scripts/release.sh")
    d.line("Runner ", K("VERSION", "2.%d.%d" % (R.randint(300, 320), R.randint(0, 9))), ", image ubuntu-22.04 (", K("VERSION", "20240%d%02d.1" % (R.randint(1, 9), R.randint(1, 28))), ")")
    d.line("Build ", K("BUILD_NUMBER", build_no()), " for commit ", K("GIT_SHA", sha40()))
    for _ in range(R.randint(6, 14)):
        t = R.randint(0, 5)
        if t == 0:
            d.line("  dist/", pick(["app", "worker", "cli"]), "-", K("VERSION", ver()), ".tar.gz  ", K("FILE_SIZE", fsize()), "  sha256=", K("HASH", hex64()))
        elif t == 1:
            d.line("  ✓ ", pick(["unit", "integration", "lint", "e2e"]), " (", K("DURATION", dur()), ")")
        elif t == 2:
            d.line("  uploading to s3://acme-artifacts/", K("UUID", uuid4()), "/")
        elif t == 3:
            d.line("  env: NPM_TOKEN=", K("PLACEHOLDER", "***"), " GITHUB_TOKEN=", K("PLACEHOLDER", "***"))
        elif t == 4:
            d.line("  closing ", K("JIRA_KEY", jira()), " in release ", K("VERSION", ver()))
        else:
            d.line("  docker push ghcr.io/acme/app@sha256:", K("HASH", hex64()))
    if R.random() < 0.6:
        kind, var, v, _ = next_secret()
        d.line("+ ", pick(["curl", "echo"]), " ", var, "=", S(kind, v), "  # set -x leaked this, masking was off")
    d.line("##[endgroup]")
    d.line("Finished in ", K("DURATION", dur()), " with exit code 0")
    return "log"


def sc_ml_email(d):
    loc = pick(["de", "fr", "es", "pt", "it"])
    L = ML[loc]
    phone_cc, iban_cc, addr_cc, nid_kind = ML_COUNTRY[loc]
    first, last = person(loc)
    greet = {"de": "Sehr geehrte Damen und Herren,", "fr": "Madame, Monsieur,", "es": "Estimados señores:", "pt": "Prezados,", "it": "Gentili signori,"}[loc]
    d.line("Von/From: ", P("PERSON", first + " " + last), " <", P("EMAIL", email_of(first, last)), ">")
    d.line("Betreff/Subject: ", K("ORDER_NUMBER", order_no()), " / ", K("INVOICE_NUMBER", invoice_no()))
    d.line("")
    d.line(greet)
    d.line("")
    d.line(L["hello"], K("ORDER_NUMBER", order_no()), ".")
    d.line(L["iban"], P("IBAN", iban(iban_cc)), ".")
    d.line(pick(DOB_WORDS[loc]), P("DATE_OF_BIRTH", dob(loc)), "; ", L["phone"], P("PHONE", phone(phone_cc)), ".")
    if nid_kind:
        fn = [x for x in NATIONAL_IDS if x[0] == nid_kind][0]
        d.line(pick(fn[2]), P(nid_kind, fn[1]()))
    d.line("")
    d.line(L["thanks"])
    d.line(P("PERSON", first + " " + last))
    d.line(P("STREET_ADDRESS", address(addr_cc or pick(["ES", "FR"]))))
    return "email"


# --------------------------------------------------------------------------
# driver
# --------------------------------------------------------------------------

SCENARIOS = [
    (sc_env, 3), (sc_env_example, 1), (sc_shell, 3), (sc_applog, 4), (sc_quietlog, 1), (sc_access_log, 3), (sc_support_chat, 5),
    (sc_ml_chat, 4), (sc_email, 3), (sc_ml_email, 2), (sc_ticket, 3), (sc_stacktrace, 2), (sc_yaml, 2), (sc_k8s, 2), (sc_har, 2),
    (sc_json_api, 2), (sc_code, 3), (sc_ini, 2), (sc_toml, 1), (sc_sql, 2), (sc_csv, 3), (sc_xml, 2), (sc_terraform, 2),
    (sc_properties, 1), (sc_private_key, 3), (sc_gcp_sa, 1), (sc_dotfile, 3), (sc_otp, 2), (sc_http_raw, 2), (sc_kyc, 2),
    (sc_webhooks, 1), (sc_wrapped, 2), (sc_ci_log, 1),
]

MIN = {"snippets": 450, "secret_kinds": 45, "secret_spans": 400, "pii_kinds": 14, "pii_spans": 350, "keep_kinds": 12, "keep_spans": 200}


def build():
    plan = []
    for fn, w in SCENARIOS:
        plan += [fn] * w
    order = []
    while len(order) < N_SNIPPETS:
        R.shuffle(plan)
        order += plan
    order = order[:N_SNIPPETS]
    recs = []
    for i, fn in enumerate(order):
        for attempt in range(200):
            d = Doc()
            ctx = fn(d)
            rec = {"id": "uc-%04d-%s" % (i, fn.__name__[3:]), "context": ctx, "text": d.text(),
                   "sensitive": [{k: s[k] for k in ("start", "end", "category", "kind")} for s in d.sens],
                   "keep": [{k: s[k] for k in ("start", "end", "kind")} for s in d.keep]}
            why = check_record(rec, ([s["_v"] for s in d.sens], [k["_v"] for k in d.keep]))
            if why is None:
                break
        else:
            raise AssertionError("could not build %s: %s" % (rec["id"], why))
        recs.append(rec)
    return recs


def stats(recs):
    sec, pii, keep, ctx = collections.Counter(), collections.Counter(), collections.Counter(), collections.Counter()
    for r in recs:
        ctx[r["context"]] += 1
        for s in r["sensitive"]:
            (sec if s["category"] == "secret" else pii)[s["kind"]] += 1
        for k in r["keep"]:
            keep[k["kind"]] += 1
    return sec, pii, keep, ctx


def main():
    recs = build()
    # independent re-check of every invariant on the final records
    ids = set()
    for r in recs:
        assert r["id"] not in ids
        ids.add(r["id"])
        why = check_record(r)
        assert why is None, (r["id"], why)
        assert set(r) == {"id", "context", "text", "sensitive", "keep"}
    sec, pii, keep, ctx = stats(recs)
    got = {"snippets": len(recs), "secret_kinds": len(sec), "secret_spans": sum(sec.values()), "pii_kinds": len(pii),
           "pii_spans": sum(pii.values()), "keep_kinds": len(keep), "keep_spans": sum(keep.values())}
    for k, v in MIN.items():
        assert got[k] >= v, (k, got[k], v)
    # checksum spot checks on what was written
    for r in recs:
        for s in r["sensitive"]:
            v = r["text"][s["start"]:s["end"]]
            if s["kind"] == "CARD_NUMBER":
                assert luhn_ok(re.sub(r"\D", "", v)), v
            elif s["kind"] == "IBAN":
                c = re.sub(r"\s", "", v).upper()
                assert int(_ibannum(c[4:] + c[:4])) % 97 == 1, v
            elif s["kind"] == "IN_AADHAAR":
                assert verhoeff_ok(re.sub(r"\D", "", v)), v
            elif s["kind"] == "CA_SIN":
                assert luhn_ok(re.sub(r"\D", "", v)), v
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        for r in recs:
            f.write(json.dumps(r, ensure_ascii=False, sort_keys=False) + "\n")
    if "--stats" in sys.argv:
        print("| metric | value |\n|---|---|")
        for k, v in got.items():
            print("| %s | %d |" % (k, v))
        for title, c in (("secret", sec), ("pii", pii), ("keep", keep), ("context", ctx)):
            print("\n#### %s (%d %s, %d %s)\n" % (title, len(c), "contexts" if title == "context" else "kinds", sum(c.values()), "snippets" if title == "context" else "spans"))
            print(", ".join("`%s` %d" % (k, v) for k, v in sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))))
    else:
        print("wrote %s: %s" % (OUT, got))


if __name__ == "__main__":
    main()
