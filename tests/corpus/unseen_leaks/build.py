#!/usr/bin/env python3
"""Generator for the frozen ``unseen_leaks`` evaluation corpus.

Stdlib only and fully deterministic (fixed seed).  Every value is synthetic:
token bodies are random strings of the vendor's published alphabet/length,
national identifiers are random numbers that pass the public checksum rules.

Templates embed markers  S(kind, value) / P(kind, value) / K(kind, value)
(secret / pii / keep); ``parse`` strips them and records str offsets.

    python3 build.py            # writes unseen_leaks.jsonl + README.md
"""
import base64
import collections
import datetime
import json
import os
import random
import re
import string
import sys
import unicodedata
import uuid

SEED = 20240611
R = random.Random(SEED)
HERE = os.path.dirname(os.path.abspath(__file__))

UP = string.ascii_uppercase
LO = string.ascii_lowercase
DG = string.digits
HEX = "0123456789abcdef"
HEXU = "0123456789ABCDEF"
AN = UP + LO + DG
B64 = AN + "+/"
URLB = AN + "_-"

# --------------------------------------------------------------------------
# markers
# --------------------------------------------------------------------------
_O, _SEP, _C = "\x01", "\x1f", "\x03"


def S(kind, v):
    return f"{_O}S{_SEP}{kind}{_SEP}{v}{_C}"


def P(kind, v):
    return f"{_O}P{_SEP}{kind}{_SEP}{v}{_C}"


def K(kind, v):
    return f"{_O}K{_SEP}{kind}{_SEP}{v}{_C}"


MARK = re.compile("\x01([SPK])\x1f([A-Z0-9_]+)\x1f(.*?)\x03", re.S)
CAT = {"S": "secret", "P": "pii", "K": "keep"}


def parse(marked):
    out, spans, pos, cur = [], [], 0, 0
    for m in MARK.finditer(marked):
        chunk = marked[pos:m.start()]
        out.append(chunk)
        cur += len(chunk)
        v = m.group(3)
        spans.append({"start": cur, "end": cur + len(v), "kind": m.group(2),
                      "category": CAT[m.group(1)], "_v": v})
        out.append(v)
        cur += len(v)
        pos = m.end()
    out.append(marked[pos:])
    text = "".join(out)
    assert _O not in text and _C not in text and _SEP not in text, marked
    return text, spans


SNIPS = []


def add(ctx, lines):
    if isinstance(lines, str):
        lines = [lines]
    SNIPS.append((ctx, "\n".join(lines)))


# --------------------------------------------------------------------------
# primitive random helpers
# --------------------------------------------------------------------------
def rs(alpha, n):
    return "".join(R.choice(alpha) for _ in range(n))


def D(n):
    return rs(DG, n)


def Dn(n):
    return str(R.randint(1, 9)) + rs(DG, n - 1)


def rbytes(n):
    return bytes(R.getrandbits(8) for _ in range(n))


def b64u(b):
    return base64.urlsafe_b64encode(b).decode().rstrip("=")


def uuid4():
    return str(uuid.UUID(int=R.getrandbits(128), version=4))


def ascii_fold(s):
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()


BASE_DT = datetime.datetime(2023, 9, 1, 0, 0, 0)


def rdt():
    return BASE_DT + datetime.timedelta(seconds=R.randint(0, 430 * 86400))


def ts_iso():
    return rdt().strftime("%Y-%m-%dT%H:%M:%S.") + f"{R.randint(0, 999):03d}Z"


def ts_plain():
    return rdt().strftime("%Y-%m-%d %H:%M:%S")


def hhmm():
    return f"{R.randint(7, 22):02d}:{R.randint(0, 59):02d}"


def semver():
    v = f"{R.randint(0, 9)}.{R.randint(0, 31)}.{R.randint(0, 24)}"
    if R.random() < 0.12:
        v += R.choice(["-rc.1", "-beta.2", "-alpha.3"])
    return v


def wrap(s, n=64):
    return "\n".join(s[i:i + n] for i in range(0, len(s), n))


# --------------------------------------------------------------------------
# keep (look-alike) generators - return MARKED strings
# --------------------------------------------------------------------------
COMPANIES = ["Contoso Ltd", "Globex Corporation", "Initech", "Fabrikam, Inc.",
             "Northwind Traders", "Tailspin Toys", "Wide World Importers",
             "Adventure Works", "Umbrella Logistics GmbH", "Vandelay Industries",
             "Soylent Foods SA", "Hooli", "Wayne Freight Pty Ltd", "Stark Analytics"]
DOMAINS = ["contoso.io", "globex.com", "initech.net", "fabrikam.dev",
           "northwind.io", "tailspin.app"]
SVC = ["billing-api", "orders", "notifier", "checkout", "ingest-worker",
       "auth-gateway", "reporting", "sync-job", "payments", "search-indexer"]
HANDLES = ["kestrel", "nightowl", "oncall-sre", "buildcop", "quokka", "mx-dev",
           "pinecone", "tangerine", "birch", "devops-7", "falafel", "orbit"]


def k_ts():
    return K("TIMESTAMP", ts_iso())


def k_uuid():
    return K("UUID", uuid4())


def k_req():
    return K("REQUEST_ID", R.choice([uuid4(), "req_" + rs(AN, 14),
                                     rs(HEX, 8) + "-" + rs(HEX, 4) + "-" + rs(HEX, 4) + "-" + rs(HEX, 4) + "-" + rs(HEX, 12)]))


def k_trace():
    return K("TRACE_ID", rs(HEX, 32))


def k_span():
    return K("SPAN_ID", rs(HEX, 16))


def k_sha(short=False):
    return K("GIT_SHA", rs(HEX, R.choice([7, 8, 12]) if short else 40))


def k_sha256():
    return K("SHA256", rs(HEX, 64))


def k_semver():
    return K("SEMVER", semver())


def k_port(p=None):
    return K("PORT", str(p or R.choice([3000, 5432, 6379, 8080, 8443, 9090, 27017, 5672])))


def k_company():
    return K("COMPANY", R.choice(COMPANIES))


def k_build():
    d = rdt()
    return K("BUILD_NUMBER", R.choice([d.strftime("%Y%m%d") + f".{R.randint(1, 12)}",
                                       str(R.randint(1200, 9800))]))


def k_order():
    return K("ORDER_NUMBER", R.choice([f"ORD-{R.choice([2023, 2024])}-{D(6)}",
                                       f"{D(3)}-{D(7)}-{D(7)}", f"SO{Dn(7)}"]))


def k_invoice():
    return K("INVOICE_NUMBER", R.choice([f"INV-{R.choice([2023, 2024])}-{D(5)}",
                                         f"F{R.choice([2023, 2024])}/{D(5)}"]))


def k_ticket():
    return K("TICKET", R.choice([f"{R.choice(['PAY', 'OPS', 'INFRA', 'SEC', 'CORE'])}-{R.randint(100, 9999)}",
                                 f"INC{D(7)}", f"SUP-{Dn(5)}", f"CHG{D(7)}"]))


def k_sku():
    return K("SKU", R.choice([f"SKU-{rs(UP, 3)}-{D(4)}", "B0" + rs(UP + DG, 8),
                              f"{rs(UP, 2)}{D(4)}-{R.choice(['S', 'M', 'L', 'XL'])}"]))


def k_size():
    return K("FILE_SIZE", R.choice([f"{R.uniform(1, 950):.1f} MB", f"{R.uniform(1, 9):.2f} GiB",
                                    f"{R.randint(12000, 99000000)} bytes", f"{R.randint(2, 900)} KB"]))


def k_date():
    return K("DATE", rdt().strftime("%Y-%m-%d"))


def k_status(s=None):
    return K("HTTP_STATUS", str(s or R.choice([200, 201, 204, 301, 400, 401, 403, 404, 409, 429, 500, 502, 503])))


def aws_acct():
    return Dn(12)


def k_arn():
    a = aws_acct()
    return K("ARN", R.choice([
        f"arn:aws:iam::{a}:role/{R.choice(['deploy', 'ci-runner', 'ReadOnlyAccess', 'eks-node'])}",
        f"arn:aws:s3:::{R.choice(['contoso-prod-exports', 'globex-logs-eu', 'tf-state-initech'])}",
        f"arn:aws:lambda:eu-west-1:{a}:function:{R.choice(SVC)}",
        f"arn:aws:secretsmanager:us-east-1:{a}:secret:prod/db-{rs(AN, 6)}",
        f"arn:aws:sns:us-east-2:{a}:alerts-{R.choice(['p1', 'billing', 'infra'])}"]))


def k_fpr():
    return K("KEY_FINGERPRINT", R.choice(["SHA256:" + rs(AN + "+/", 43),
                                          "MD5:" + ":".join(rs(HEX, 2) for _ in range(16))]))


VER4 = ["13.0.0.0", "12.0.0.0", "5.0.0.0", "5.1.1.0", "4.0.1.2", "6.0.0.0",
        "4.2.0.1", "1.35.0.0", "2.0.15.0", "7.0.0.0", "4.0.4.1", "8.0.0.0"]
OS_BUILDS = ["10.0.19045.3570", "10.0.22631.2861", "10.0.19044.4170",
             "10.0.17763.5458", "10.0.20348.2227", "6.3.9600.20778"]


def k_ver4():
    return K("VERSION", R.choice(VER4 + OS_BUILDS))


PLACEHOLDERS = ["YOUR_API_KEY", "<redacted>", "sk_test_xxx", "${DB_PASSWORD}",
                "{{ .Values.db.password }}", "REPLACE_ME", "<your-token-here>",
                "xxxxxxxxxxxxxxxxxxxxxxxx", "[REDACTED]", "${{ secrets.NPM_TOKEN }}",
                "$(cat /run/secrets/api_key)", "AKIAIOSFODNN7EXAMPLE", "<generate-with-openssl-rand>",
                "ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", "%DB_PASS%", "<PASSWORD>"]


def k_ph(v=None):
    return K("PLACEHOLDER", v or R.choice(PLACEHOLDERS))


# --------------------------------------------------------------------------
# secret generators (random bodies of the published shape)
# --------------------------------------------------------------------------
def g_akid(prefix=None):
    return (prefix or R.choice(["AKIA", "AKIA", "AKIA", "ASIA"])) + rs(UP + "234567", 16)


def g_aws_secret():
    return rs(AN + "+/", 40)


def g_aws_session():
    return "IQoJb3JpZ2luX2VjE" + rs(B64, 343)


def g_ghp():
    return "ghp_" + rs(AN, 36)


def g_ghfg():
    return "github_pat_11" + rs(UP + DG, 20) + "_" + rs(AN, 59)


def g_gho():
    return "gho_" + rs(AN, 36)


def g_ghs():
    return R.choice(["ghs_", "ghu_"]) + rs(AN, 36)


def g_glpat():
    return "glpat-" + rs(URLB, 20)


def g_xoxb():
    return f"xoxb-{Dn(11)}-{Dn(13)}-{rs(AN, 24)}"


def g_xoxp():
    return f"xoxp-{Dn(11)}-{Dn(11)}-{Dn(13)}-{rs(HEX, 32)}"


def g_slack_hook():
    return f"https://hooks.slack.com/services/T{rs(UP + DG, 8)}/B{rs(UP + DG, 10)}/{rs(AN, 24)}"


def g_sk_live():
    return "sk_live_51" + rs(AN, 97)


def g_rk_live():
    return "rk_live_51" + rs(AN, 97)


def g_whsec():
    return "whsec_" + rs(AN, 32)


def g_twilio_token():
    return rs(HEX, 32)


def g_twilio_sk():
    return "SK" + rs(HEX, 32)


def g_sendgrid():
    return "SG." + rs(URLB, 22) + "." + rs(URLB, 43)


def g_openai():
    return "sk-proj-" + rs(URLB, 74) + "T3BlbkFJ" + rs(URLB, 74)


def g_anthropic():
    return "sk-ant-api03-" + rs(URLB, 93) + "AA"


def g_google():
    return "AIza" + rs(URLB, 35)


def g_gocspx():
    return "GOCSPX-" + rs(URLB, 28)


def g_azsecret():
    return rs(AN, 3) + "8Q~" + rs(AN + "_.~-", 34)


def g_hf():
    return "hf_" + rs(string.ascii_letters, 34)


def g_do():
    return "dop_v1_" + rs(HEX, 64)


def g_shpat():
    return "shpat_" + rs(HEX, 32)


def g_shpss():
    return "shpss_" + rs(HEX, 32)


def g_nrak():
    return "NRAK-" + rs(UP + DG, 27)


def g_nrlic():
    return rs(HEX, 36) + "NRAL"


def g_dd_api():
    return rs(HEX, 32)


def g_dd_app():
    return rs(HEX, 40)


def g_mailgun():
    return "key-" + rs(HEX, 32)


def g_heroku():
    return "HRKU-AA" + rs(URLB, 58) if R.random() < 0.5 else uuid4()


def g_npm():
    return "npm_" + rs(AN, 36)


def g_pypi():
    return "pypi-AgEIcHlwaS5vcmc" + rs(URLB, 160)


def g_dckr():
    return "dckr_pat_" + rs(URLB, 27)


def g_atl():
    return "ATATT3xFfGF0" + rs(URLB, 171) + "=" + rs(HEXU, 8)


def g_sntrys():
    payload = json.dumps({"iat": round(R.uniform(1.70e9, 1.73e9), 6), "url": "https://sentry.io",
                          "region_url": "https://us.sentry.io", "org": R.choice(["contoso", "globex", "initech"])},
                         separators=(",", ":"))
    return "sntrys_" + base64.b64encode(payload.encode()).decode() + "_" + rs(AN + "+/", 43)


def g_sntryu():
    return "sntryu_" + rs(HEX, 64)


def g_cf():
    return rs(URLB, 40)


def g_cforigin():
    return "v1.0-" + rs(HEX, 24) + "-" + rs(HEX, 146)


def g_age():
    return "AGE-SECRET-KEY-1" + rs("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58)


def g_snyk():
    return uuid4()


def g_vault():
    return "hvs.CAESI" + rs(URLB, 86)


def g_tfc():
    return rs(LO + DG, 14) + ".atlasv1." + rs(AN + "_-", 67)


def g_linear():
    return "lin_api_" + rs(AN, 40)


def g_notion():
    return "ntn_" + D(11) + rs(AN, 35) if R.random() < 0.6 else "secret_" + rs(AN, 43)


def g_airtable():
    return "pat" + rs(AN, 14) + "." + rs(HEX, 64)


def g_figma():
    return "figd_" + rs(URLB, 40)


def g_discord():
    return R.choice("MN") + rs(AN, 23) + "." + rs(URLB, 6) + "." + rs(URLB, 38)


def g_telegram():
    return str(R.randint(5000000000, 7999999999)) + ":AA" + rs(URLB, 33)


def g_postman():
    return "PMAK-" + rs(HEX, 24) + "-" + rs(HEX, 34)


def g_grafana():
    return "glsa_" + rs(AN, 32) + "_" + rs(HEX, 8)


def g_jwt(sub=None):
    alg = R.choice(["HS256", "RS256", "ES256"])
    hdr = {"alg": alg, "typ": "JWT"}
    if alg != "HS256":
        hdr["kid"] = rs(AN, 12)
    now = int(rdt().timestamp())
    payload = {"sub": sub or str(R.randint(100000, 9999999)), "iat": now, "exp": now + R.choice([900, 3600, 86400]),
               "iss": f"https://auth.{R.choice(DOMAINS)}/", "scope": R.choice(["read:orders", "openid profile", "admin", "api"])}
    siglen = {"HS256": 32, "RS256": 256, "ES256": 64}[alg]
    return (b64u(json.dumps(hdr, separators=(",", ":")).encode()) + "." +
            b64u(json.dumps(payload, separators=(",", ":")).encode()) + "." + b64u(rbytes(siglen)))


def g_bearer():
    return R.choice([rs(AN, R.choice([32, 40, 48])), rs(URLB, 43), "ya29.a0" + rs(URLB, 150)])


WORDS = ["Marigold", "Falcon", "Harbor", "Quartz", "Juniper", "Cobalt", "Saffron", "Tundra",
         "Orchid", "Granite", "Nebula", "Lantern", "Maple", "Cedar", "Willow", "Copper", "Pelican"]
LWORDS = ["otter", "velvet", "canyon", "plasma", "ribbon", "meadow", "cactus", "lumen", "tiger", "harvest"]


def g_pw(mode="general"):
    sym = {"general": "!*-_.^+=~@#", "url": "-_.~!*", "shell": "-_.!*+=", "env": "!*-_.^+=~@"}[mode]
    r = R.random()
    if r < 0.35:
        return R.choice(WORDS) + R.choice(sym) + str(R.randint(10, 9999)) + R.choice(["", R.choice(sym)])
    if r < 0.8:
        s = rs(AN, R.randint(12, 20))
        i = R.randint(1, len(s) - 2)
        return s[:i] + R.choice(sym) + s[i:]
    return "-".join(R.sample(LWORDS, 3)) + str(R.randint(1, 99))


def g_user():
    return R.choice(["app", "app_rw", "svc_orders", "billing", "admin", "deploy", "etl", "reporting_ro", "root", "postgres"])


# --- private keys -----------------------------------------------------------
def b64body(prefix, nbytes):
    total = ((nbytes + 2) // 3) * 4
    pad = {0: "", 1: "==", 2: "="}[nbytes % 3]
    return prefix + rs(B64, total - len(prefix) - len(pad)) + pad


def pem(label, prefix, nbytes, headers="", width=64):
    return f"-----BEGIN {label}-----\n{headers}{wrap(b64body(prefix, nbytes), width)}\n-----END {label}-----"


def key_rsa(bits=None):
    bits = bits or R.choice([1024, 2048, 2048])
    if bits == 1024:
        pre, n = R.choice([("MIICXQIBAAKBgQ", 609), ("MIICXAIBAAKBgQ", 608)])
    else:
        pre, n = R.choice([("MIIEpAIBAAKCAQEA", 1192), ("MIIEowIBAAKCAQEA", 1191), ("MIIEogIBAAKCAQEA", 1190)])
    return pem("RSA PRIVATE KEY", pre, n)


def key_rsa_legacy_enc():
    hdr = f"Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,{rs(HEXU, 32)}\n\n"
    return pem("RSA PRIVATE KEY", "", R.choice([624, 1200]), headers=hdr)


def key_ec():
    pre, n = R.choice([("MHcCAQEEI", 121), ("MIGkAgEBBDA", 167)])
    return pem("EC PRIVATE KEY", pre, n)


def key_pkcs8():
    pre, n = R.choice([("MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg", 138),
                       ("MC4CAQAwBQYDK2VwBCIEI", 48),
                       ("MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ", 1217),
                       ("MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQ", 1218)])
    return pem("PRIVATE KEY", pre, n)


def key_pkcs8_rsa_lines():
    pre, n = R.choice([("MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ", 1217),
                       ("MIIEvwIBADANBgkqhkiG9w0BAQEFAASCBKkwggSlAgEAAoIBAQ", 1219)])
    return wrap(b64body(pre, n)).split("\n")


def key_encrypted():
    pre, n = R.choice([("MIHsMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAg", 239),
                       ("MIIFLTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQI", 1329)])
    return pem("ENCRYPTED PRIVATE KEY", pre, n)


def key_openssh():
    if R.random() < 0.7:
        pre, n = "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW", 300
    else:
        pre, n = "b3BlbnNzaC1rZXktdjEAAAAACmFlczI1Ni1jdHIAAAAGYmNyeXB0AAAAGAAAABA", 464
    return pem("OPENSSH PRIVATE KEY", pre, n, width=70)


def key_putty():
    pub = b64body("AAAAC3NzaC1lZDI1NTE5AAAAI", 51)
    priv = b64body("AAAAI", 36)
    return "\n".join([
        "PuTTY-User-Key-File-3: ssh-ed25519",
        "Encryption: none",
        f"Comment: ed25519-key-{rdt().strftime('%Y%m%d')}",
        "Public-Lines: 2",
        wrap(pub),
        "Private-Lines: 1",
        priv,
        f"Private-MAC: {rs(HEX, 64)}"])


def key_pgp():
    body = wrap(b64body("lFgEZ", R.choice([486, 522, 651])))
    return ("-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n" + body + "\n=" + rs(B64, 4) +
            "\n-----END PGP PRIVATE KEY BLOCK-----")


def cert_pem():
    return pem("CERTIFICATE", "MIIB" + R.choice(["ljCCAT2gAwIBAgIU", "rzCCAVWgAwIBAgIU", "9TCCAZugAwIBAgIU"]), R.choice([410, 433, 459]))


def ssh_pub():
    return "ssh-ed25519 " + b64body("AAAAC3NzaC1lZDI1NTE5AAAAI", 51)


# --------------------------------------------------------------------------
# PII generators
# --------------------------------------------------------------------------
NAMES = {
    "US": (["Marcus", "Emily", "Tyler", "Jasmine", "Kevin", "Rachel", "Dana", "Brandon"],
           ["Bell", "Nguyen", "Carter", "Delgado", "Brooks", "Patel", "Sullivan", "Foster"]),
    "UK": (["Oliver", "Harriet", "Callum", "Niamh", "George", "Imogen", "Rhys", "Poppy"],
           ["Clarke", "Walsh", "Hughes", "Pritchard", "Okafor", "Barnes", "Whitfield", "Ashworth"]),
    "DE": (["Jonas", "Lena", "Tobias", "Miriam", "Felix", "Katrin", "Jannik", "Svenja"],
           ["Weber", "Schulz", "Fischer", "Becker", "Hoffmann", "Krüger", "Vogt", "Brandt"]),
    "FR": (["Camille", "Julien", "Élodie", "Mathieu", "Manon", "Antoine", "Inès", "Hugo"],
           ["Lefèvre", "Moreau", "Dubois", "Girard", "Fontaine", "Roux", "Chevalier", "Mercier"]),
    "IN": (["Priya", "Arjun", "Ananya", "Rohan", "Kavya", "Vikram", "Sneha", "Aditya"],
           ["Raman", "Iyer", "Mehta", "Kapoor", "Reddy", "Banerjee", "Kulkarni", "Nair"]),
    "JP": (["Yuki", "Hiroshi", "Aiko", "Kenji", "Sakura", "Takeshi", "Haruto", "Mio"],
           ["Tanaka", "Sato", "Watanabe", "Nakamura", "Kobayashi", "Yamamoto", "Fujita", "Ishikawa"]),
    "AU": (["Liam", "Chloe", "Jack", "Matilda", "Noah", "Isla", "Cooper", "Ruby"],
           ["Murphy", "Thompson", "Kelly", "Mitchell", "Ryan", "Campbell", "Fraser", "Nguyen"]),
    "BR": (["Mateus", "Beatriz", "Lucas", "Larissa", "Gabriel", "Fernanda", "Thiago", "Camila"],
           ["Oliveira", "Souza", "Pereira", "Costa", "Almeida", "Ribeiro", "Carvalho", "Barbosa"]),
    "ES": (["Lucía", "Javier", "Carmen", "Pablo", "Alba"], ["García", "Martínez", "López", "Sánchez", "Navarro"]),
    "IT": (["Marco", "Giulia", "Luca", "Francesca", "Davide"], ["Rossi", "Bianchi", "Romano", "Colombo", "Ferrari"]),
}
MAILDOM = {
    "US": ["gmail.com", "outlook.com", "yahoo.com", "icloud.com"],
    "UK": ["gmail.com", "yahoo.co.uk", "btinternet.com", "hotmail.co.uk"],
    "DE": ["web.de", "gmx.de", "t-online.de", "posteo.de"],
    "FR": ["orange.fr", "free.fr", "laposte.net", "gmail.com"],
    "IN": ["gmail.com", "rediffmail.com", "yahoo.co.in"],
    "JP": ["yahoo.co.jp", "docomo.ne.jp", "gmail.com"],
    "AU": ["bigpond.com", "optusnet.com.au", "gmail.com"],
    "BR": ["uol.com.br", "bol.com.br", "gmail.com"],
    "ES": ["gmail.com", "telefonica.net", "hotmail.es"],
    "IT": ["libero.it", "gmail.com", "virgilio.it"],
}
COUNTRIES = ["US", "UK", "DE", "FR", "IN", "JP", "AU", "BR"]
CITY = {"US": "Denver", "UK": "Leeds", "DE": "Hamburg", "FR": "Lyon", "IN": "Pune", "JP": "Osaka", "AU": "Brisbane", "BR": "Recife"}
PHONE_COUNTRY = collections.Counter()


def person(cc=None):
    cc = cc or R.choice(COUNTRIES)
    f, l = NAMES[cc]
    return R.choice(f), R.choice(l)


def email_for(first, last, cc="US", domain=None):
    f, l = ascii_fold(first).lower(), ascii_fold(last).lower().replace(" ", "")
    local = R.choice([f"{f}.{l}", f"{f}{l}", f"{f[0]}.{l}", f"{f}_{l}{R.randint(1, 99)}",
                      f"{f}.{l}{R.randint(70, 99)}", f"{l}.{f}"])
    return f"{local}@{domain or R.choice(MAILDOM.get(cc, MAILDOM['US']))}"


def email_obf(first, last, cc="US"):
    f, l = ascii_fold(first).lower(), ascii_fold(last).lower()
    dom = R.choice(MAILDOM.get(cc, MAILDOM["US"]))
    dparts = dom.split(".")
    style = R.randint(0, 3)
    if style == 0:
        return f"{f} dot {l} at {' dot '.join(dparts)}"
    if style == 1:
        return f"{f}.{l} [at] {dom.replace('.', ' [dot] ')}"
    if style == 2:
        return f"{f}{l} (at) {dom}"
    return f"{f}_{l} AT {dom.replace('.', ' DOT ')}"


def phone(cc):
    PHONE_COUNTRY[cc] += 1
    if cc == "US":
        a = R.choice(["212", "312", "415", "503", "617", "702", "713", "206", "305", "404", "614", "720"])
        e = str(R.randint(201, 989))
        if e == "555":
            e = "556"
        n = D(4)
        return R.choice([f"({a}) {e}-{n}", f"{a}-{e}-{n}", f"+1 {a} {e} {n}", f"{a}.{e}.{n}", f"+1-{a}-{e}-{n}"])
    if cc == "UK":
        return R.choice([f"020 7{D(3)} {D(4)}", f"+44 20 7{D(3)} {D(4)}", f"0044 20 7{D(3)} {D(4)}",
                         f"07{R.choice('789')}{D(2)} {D(6)}", f"+44 7{R.choice('789')}{D(2)} {D(6)}",
                         f"0161 {Dn(3)} {D(4)}", f"+44 (0)113 {Dn(3)} {D(4)}"])
    if cc == "DE":
        return R.choice([f"030 {Dn(8)}", f"+49 30 {Dn(4)} {D(4)}", f"0151 {Dn(8)}", f"+49 (0)89 {Dn(7)}",
                         f"0176 {Dn(3)} {D(5)}", f"+49 176 {Dn(8)}", f"089/{Dn(7)}"])
    if cc == "FR":
        return R.choice([f"0{R.choice('12345')} {D(2)} {D(2)} {D(2)} {D(2)}", f"06 {D(2)} {D(2)} {D(2)} {D(2)}",
                         f"+33 6 {D(2)} {D(2)} {D(2)} {D(2)}", f"+33 (0)1 {D(2)} {D(2)} {D(2)} {D(2)}",
                         f"07.{D(2)}.{D(2)}.{D(2)}.{D(2)}"])
    if cc == "IN":
        m = R.choice("6789")
        return R.choice([f"+91 {m}{D(4)} {D(5)}", f"0{m}{D(4)} {D(5)}", f"+91-22-{Dn(4)}-{D(4)}",
                         f"+91 {m}{D(9)}", f"{m}{D(4)}-{D(5)}"])
    if cc == "JP":
        return R.choice([f"03-{Dn(4)}-{D(4)}", f"090-{Dn(4)}-{D(4)}", f"+81 90-{Dn(4)}-{D(4)}",
                         f"06-{Dn(4)}-{D(4)}", f"+81-3-{Dn(4)}-{D(4)}", f"080-{Dn(4)}-{D(4)}"])
    if cc == "AU":
        return R.choice([f"(02) 9{D(3)} {D(4)}", f"04{D(2)} {D(3)} {D(3)}", f"+61 4{D(2)} {D(3)} {D(3)}",
                         f"+61 2 9{D(3)} {D(4)}", f"(03) 9{D(3)} {D(4)}"])
    if cc == "BR":
        return R.choice([f"(11) 9{D(4)}-{D(4)}", f"+55 11 9{D(4)}-{D(4)}", f"(21) 3{D(3)}-{D(4)}",
                         f"+55 (21) 9{D(4)}-{D(4)}", f"(31) 9{D(4)}-{D(4)}"])
    if cc == "ES":
        return R.choice([f"+34 6{D(2)} {D(3)} {D(3)}", f"91 {Dn(3)} {D(2)} {D(2)}"])
    if cc == "IT":
        return R.choice([f"+39 3{D(2)} {D(3)} {D(4)}", f"06 {Dn(4)} {D(4)}"])
    raise ValueError(cc)


UK_INWARD = "ABDEFGHJLNPQRSTUWXYZ"


def address(cc):
    if cc == "US":
        city, st, z = R.choice([("Columbus", "OH", "432"), ("Austin", "TX", "787"), ("Portland", "OR", "972"),
                                ("Denver", "CO", "802"), ("Raleigh", "NC", "276"), ("Brooklyn", "NY", "112")])
        apt = R.choice(["", "", f", Apt {R.randint(1, 24)}{R.choice('ABCD')}", f" Unit {R.randint(100, 950)}"])
        street = R.choice(["Larkspur Lane", "Maple Avenue", "W 34th Street", "Oak Ridge Drive", "Sunset Blvd",
                           "Elm Street", "Lakeview Court", "Cherry Hill Rd"])
        return f"{R.randint(100, 9999)} {street}{apt}, {city}, {st} {z}{D(2)}"
    if cc == "UK":
        town, out = R.choice([("London", "SW11"), ("London", "E2"), ("Manchester", "M14"), ("Leeds", "LS6"),
                              ("Bristol", "BS8"), ("Edinburgh", "EH3"), ("Cardiff", "CF24")])
        street = R.choice(["Harrow Road", "Victoria Street", "Mill Lane", "Church Close", "Albert Terrace",
                           "Park Crescent", "Station Road"])
        pre = R.choice(["", "", f"Flat {R.randint(1, 12)}, "])
        return f"{pre}{R.randint(1, 220)} {street}, {town} {out} {R.randint(1, 9)}{rs(UK_INWARD, 2)}"
    if cc == "DE":
        city, p = R.choice([("Berlin", "10"), ("München", "80"), ("Hamburg", "20"), ("Köln", "50"),
                            ("Frankfurt am Main", "60")])
        street = R.choice(["Lindenstraße", "Hauptstraße", "Goethestraße", "Schillerweg", "Bahnhofstraße",
                           "Kastanienallee"])
        return f"{street} {R.randint(1, 140)}{R.choice(['', '', 'a', 'b'])}, {p}{D(3)} {city}"
    if cc == "FR":
        city, p = R.choice([("Paris", "750"), ("Lyon", "6900"), ("Marseille", "130"), ("Toulouse", "3100"),
                            ("Nantes", "4400")])
        cp = (p + D(5))[:5]
        street = R.choice(["rue des Lilas", "avenue Jean Jaurès", "boulevard Voltaire", "rue de la République",
                           "allée des Tilleuls", "rue Oberkampf"])
        return f"{R.randint(1, 180)} {street}, {cp} {city}"
    if cc == "IN":
        city, area, p = R.choice([("Bengaluru", "Koramangala", "5600"), ("Mumbai", "Andheri West", "4000"),
                                  ("Pune", "Kothrud", "4110"), ("Chennai", "Adyar", "6000"),
                                  ("Hyderabad", "Madhapur", "5000")])
        bldg = R.choice(["Sai Residency", "Green Glen Apartments", "Lake View Towers", "Shanti Niketan", "Prestige Park"])
        return f"Flat {R.randint(101, 1204)}, {bldg}, {area}, {city} {p}{D(2)}"
    if cc == "JP":
        city, ward, area, z = R.choice([("Tokyo", "Shibuya-ku", "Jingumae", "150"), ("Tokyo", "Setagaya-ku", "Sangenjaya", "154"),
                                        ("Osaka", "Kita-ku", "Umeda", "530"), ("Yokohama", "Naka-ku", "Yamashitacho", "231")])
        return f"{R.randint(1, 5)}-{R.randint(1, 30)}-{R.randint(1, 20)} {area}, {ward}, {city} {z}-{D(4)}"
    if cc == "AU":
        sub, st, pc = R.choice([("Surry Hills", "NSW", "2010"), ("Fitzroy", "VIC", "3065"), ("New Farm", "QLD", "4005"),
                                ("Subiaco", "WA", "6008"), ("Glenelg", "SA", "5045")])
        street = R.choice(["Wattle Street", "Crown Street", "Brunswick St", "Beach Road", "Railway Parade"])
        pre = R.choice(["", "", f"Unit {R.randint(1, 40)}/"])
        return f"{pre}{R.randint(1, 300)} {street}, {sub} {st} {pc}"
    if cc == "BR":
        street, bairro, city, uf = R.choice([("Rua Augusta", "Consolação", "São Paulo", "SP"),
                                             ("Avenida Atlântica", "Copacabana", "Rio de Janeiro", "RJ"),
                                             ("Rua da Bahia", "Centro", "Belo Horizonte", "MG"),
                                             ("Rua Padre Chagas", "Moinhos de Vento", "Porto Alegre", "RS")])
        return f"{street}, {R.randint(10, 2800)} - {bairro}, {city} - {uf}, {D(5)}-{D(3)}"
    if cc == "ES":
        return f"Calle de Alcalá {R.randint(1, 300)}, {R.randint(1, 8)}º {R.choice('ABCD')}, 280{D(2)} Madrid"
    if cc == "IT":
        return f"Via Garibaldi {R.randint(1, 120)}, 201{D(2)} Milano MI"
    raise ValueError(cc)


def luhn_complete(prefix, length):
    digits = prefix + D(length - len(prefix) - 1)
    s = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        s += d
    return digits + str((10 - s % 10) % 10)


def luhn_ok(num):
    s = 0
    for i, ch in enumerate(reversed(num)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        s += d
    return s % 10 == 0


def card(fmt=None):
    brand = R.choice(["visa", "visa", "mc", "amex", "disc"])
    if brand == "visa":
        n = luhn_complete("4" + D(1), 16)
    elif brand == "mc":
        n = luhn_complete(R.choice(["51", "52", "53", "54", "55", "2221", "2720"]), 16)
    elif brand == "amex":
        n = luhn_complete(R.choice(["34", "37"]), 15)
    else:
        n = luhn_complete("6011", 16)
    assert luhn_ok(n)
    fmt = fmt or R.choice(["space", "dash", "none"])
    if fmt == "none":
        return n
    sep = " " if fmt == "space" else "-"
    if len(n) == 15:
        return sep.join([n[:4], n[4:10], n[10:]])
    return sep.join(n[i:i + 4] for i in range(0, 16, 4))


def iban(cc=None, style=None):
    cc = cc or R.choice(["DE", "GB", "FR", "ES", "NL", "IT", "BE", "CH"])
    bban = {"DE": lambda: D(18), "GB": lambda: rs(UP, 4) + D(14),
            "FR": lambda: D(10) + rs(UP + DG, 11) + D(2), "ES": lambda: D(20),
            "NL": lambda: rs(UP, 4) + D(10), "IT": lambda: rs(UP, 1) + D(10) + rs(UP + DG, 12),
            "BE": lambda: D(12), "CH": lambda: D(5) + rs(UP + DG, 12)}[cc]()
    rearr = bban + cc + "00"
    num = int("".join(str(int(c, 36)) for c in rearr))
    chk = 98 - num % 97
    raw = f"{cc}{chk:02d}{bban}"
    assert int("".join(str(int(c, 36)) for c in raw[4:] + raw[:4])) % 97 == 1
    style = style or R.choice(["space", "space", "none", "lower", "dash"])
    if style == "none":
        return raw
    if style == "lower":
        return raw.lower() if R.random() < 0.5 else " ".join(raw[i:i + 4] for i in range(0, len(raw), 4)).lower()
    sep = " " if style == "space" else "-"
    return sep.join(raw[i:i + 4] for i in range(0, len(raw), 4))


def ssn(style=None):
    while True:
        a = R.randint(1, 899)
        if a != 666:
            break
    g, s = R.randint(1, 99), R.randint(1, 9999)
    style = style or R.choice(["dash", "dash", "none", "space"])
    if style == "dash":
        return f"{a:03d}-{g:02d}-{s:04d}"
    if style == "space":
        return f"{a:03d} {g:02d} {s:04d}"
    return f"{a:03d}{g:02d}{s:04d}"


NINO_1 = "ABCEGHJKLMNOPRSTWXYZ"
NINO_2 = "ABCEGHJKLMNPRSTWXYZ"


def nino():
    while True:
        pre = R.choice(NINO_1) + R.choice(NINO_2)
        if pre not in ("BG", "GB", "NK", "KN", "TN", "NT", "ZZ"):
            break
    d = D(6)
    suf = R.choice("ABCD")
    return R.choice([f"{pre}{d}{suf}", f"{pre} {d[:2]} {d[2:4]} {d[4:]} {suf}"])


def dob_date():
    return datetime.date(1950, 1, 1) + datetime.timedelta(days=R.randint(0, 54 * 365))


def dob(fmt=None):
    d = dob_date()
    fmt = fmt or R.choice(["%d/%m/%Y", "%Y-%m-%d", "%B %d, %Y", "%d.%m.%Y", "%m/%d/%Y", "%d %b %Y"])
    return d.strftime(fmt)


def ipv4():
    return f"{R.choice([24, 31, 37, 46, 62, 73, 78, 81, 86, 89, 91, 94, 99, 104, 109, 141, 151, 176, 178, 185, 188, 195, 212, 213, 217])}.{R.randint(0, 255)}.{R.randint(0, 255)}.{R.randint(1, 254)}"


def ipv6():
    pre = R.choice(["2a02:c7c", "2a01:4b00", "2600:1700", "2003:e5", "2405:201", "2804:14c", "2a00:23c7"])
    g = [format(R.randint(0, 0xFFFF), "x") for _ in range(6)]
    if R.random() < 0.4:
        return f"{pre}:{g[0]}::{g[3]}:{g[4]}"
    return f"{pre}:" + ":".join(g)


def ip():
    return ipv4() if R.random() < 0.65 else ipv6()


def passport(cc):
    if cc == "US":
        return R.choice([Dn(9), rs("ABCDEFGHJKLMNPRSTUVWXYZ", 1) + D(8)])
    if cc == "UK":
        return Dn(9)
    if cc == "DE":
        return "C" + rs("CFGHJKLMNPRTVWXYZ0123456789", 8)
    if cc == "IN":
        return rs("JKLMNPRSTUVWZ", 1) + Dn(7)
    if cc == "FR":
        return D(2) + rs(UP, 2) + D(5)
    if cc == "AU":
        return rs("NPRE", 1) + D(7)
    if cc == "JP":
        return rs("TM", 1) + rs(UP, 1) + D(7)
    return rs(UP, 2) + D(7)


def es_nif():
    n = R.randint(10000000, 99999999)
    return f"{n}{'TRWAGMYFPDXBNJZSQVHLCKE'[n % 23]}"


_CF_ODD = {**{str(i): v for i, v in enumerate([1, 0, 5, 7, 9, 13, 15, 17, 19, 21])},
           **dict(zip(UP, [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23]))}
_CF_EVEN = {**{str(i): i for i in range(10)}, **{c: i for i, c in enumerate(UP)}}


def _cf_part(s, is_name):
    s = ascii_fold(s).upper()
    cons = [c for c in s if c.isalpha() and c not in "AEIOU"]
    vow = [c for c in s if c in "AEIOU"]
    if is_name and len(cons) >= 4:
        return cons[0] + cons[2] + cons[3]
    return ("".join(cons + vow) + "XXX")[:3]


def it_cf(first, last):
    d = dob_date()
    female = R.random() < 0.5
    code = (_cf_part(last, False) + _cf_part(first, True) + f"{d.year % 100:02d}" + "ABCDEHLMPRST"[d.month - 1] +
            f"{d.day + (40 if female else 0):02d}" + R.choice(["H501", "F205", "A944", "L219", "F839", "G273"]))
    tot = sum((_CF_ODD if i % 2 == 0 else _CF_EVEN)[c] for i, c in enumerate(code))
    return code + UP[tot % 26]


_VD = [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5], [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
       [3, 4, 0, 1, 2, 8, 9, 5, 6, 7], [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
       [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3], [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
       [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]]
_VP = [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4], [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
       [8, 9, 1, 6, 0, 4, 3, 5, 2, 7], [9, 4, 5, 3, 1, 2, 6, 8, 7, 0], [4, 2, 8, 6, 5, 7, 3, 9, 1, 0],
       [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 8, 5]]
_VINV = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9]


def verhoeff_ok(num):
    c = 0
    for i, ch in enumerate(reversed(num)):
        c = _VD[c][_VP[i % 8][int(ch)]]
    return c == 0


def aadhaar():
    base = str(R.randint(2, 9)) + D(10)
    c = 0
    for i, ch in enumerate(reversed(base)):
        c = _VD[c][_VP[(i + 1) % 8][int(ch)]]
    n = base + str(_VINV[c])
    assert verhoeff_ok(n)
    return R.choice([f"{n[:4]} {n[4:8]} {n[8:]}", n, f"{n[:4]}-{n[4:8]}-{n[8:]}"])


def in_pan(last):
    return rs(UP, 3) + "P" + ascii_fold(last)[0].upper() + D(4) + rs(UP, 1)


def au_tfn():
    w = [1, 4, 3, 7, 5, 8, 6, 9, 10]
    while True:
        d = [R.randint(0, 9) for _ in range(9)]
        if d[0] and sum(a * b for a, b in zip(d, w)) % 11 == 0:
            s = "".join(map(str, d))
            return R.choice([f"{s[:3]} {s[3:6]} {s[6:]}", s])


# --------------------------------------------------------------------------
# name helpers
# --------------------------------------------------------------------------
def camel(v):
    p = v.lower().split("_")
    return p[0] + "".join(x.capitalize() for x in p[1:])


def kebab(v):
    return v.lower().replace("_", "-")


# --------------------------------------------------------------------------
# secret kind specification for generic contexts
#   kind: (generator, variable names, description, (header, prefix, url) | None)
# --------------------------------------------------------------------------
SPEC = {
    "AWS_ACCESS_KEY_ID": (g_akid, ["AWS_ACCESS_KEY_ID"], "AWS access key id", None),
    "AWS_SECRET_ACCESS_KEY": (g_aws_secret, ["AWS_SECRET_ACCESS_KEY"], "AWS secret key", None),
    "AWS_SESSION_TOKEN": (g_aws_session, ["AWS_SESSION_TOKEN"], "session token from sts", None),
    "GITHUB_PAT": (g_ghp, ["GITHUB_TOKEN", "GH_TOKEN", "HOMEBREW_GITHUB_API_TOKEN"], "GitHub token",
                   ("Authorization", "token ", "https://api.github.com/repos/contoso/billing-api/actions/runs?per_page=5")),
    "GITHUB_FINE_GRAINED_PAT": (g_ghfg, ["GH_PAT", "RENOVATE_TOKEN", "GITHUB_TOKEN"], "fine-grained PAT",
                                ("Authorization", "Bearer ", "https://api.github.com/repos/globex/infra/contents/README.md")),
    "GITHUB_OAUTH_TOKEN": (g_gho, ["GITHUB_OAUTH_TOKEN", "GH_OAUTH_TOKEN"], "gh oauth token",
                           ("Authorization", "Bearer ", "https://api.github.com/user")),
    "GITHUB_APP_TOKEN": (g_ghs, ["GITHUB_APP_TOKEN", "INSTALLATION_TOKEN"], "installation token of our GitHub App",
                         ("Authorization", "token ", "https://api.github.com/repos/initech/tps-reports/pulls")),
    "GITLAB_PAT": (g_glpat, ["GITLAB_TOKEN", "CI_PUSH_TOKEN", "GL_TOKEN"], "GitLab PAT",
                   ("PRIVATE-TOKEN", "", "https://gitlab.com/api/v4/projects/48213/pipelines?ref=main")),
    "SLACK_BOT_TOKEN": (g_xoxb, ["SLACK_BOT_TOKEN", "SLACK_API_TOKEN"], "slack bot token",
                        ("Authorization", "Bearer ", "https://slack.com/api/chat.postMessage")),
    "SLACK_USER_TOKEN": (g_xoxp, ["SLACK_USER_TOKEN", "SLACK_LEGACY_TOKEN"], "my slack user token",
                         ("Authorization", "Bearer ", "https://slack.com/api/conversations.history?channel=C04HX2K9Q")),
    "SLACK_WEBHOOK_URL": (g_slack_hook, ["SLACK_WEBHOOK_URL", "ALERTMANAGER_SLACK_URL"], "incoming webhook", None),
    "STRIPE_SECRET_KEY": (g_sk_live, ["STRIPE_SECRET_KEY", "STRIPE_API_KEY"], "Stripe live secret key",
                          ("Authorization", "Bearer ", "https://api.stripe.com/v1/payment_intents?limit=3")),
    "STRIPE_RESTRICTED_KEY": (g_rk_live, ["STRIPE_RESTRICTED_KEY", "STRIPE_RK"], "restricted Stripe key",
                              ("Authorization", "Bearer ", "https://api.stripe.com/v1/charges?limit=10")),
    "STRIPE_WEBHOOK_SECRET": (g_whsec, ["STRIPE_WEBHOOK_SECRET", "STRIPE_ENDPOINT_SECRET"], "webhook signing secret", None),
    "TWILIO_AUTH_TOKEN": (g_twilio_token, ["TWILIO_AUTH_TOKEN"], "Twilio auth token", None),
    "TWILIO_API_KEY": (g_twilio_sk, ["TWILIO_API_KEY"], "Twilio API key", None),
    "SENDGRID_API_KEY": (g_sendgrid, ["SENDGRID_API_KEY", "EMAIL_HOST_PASSWORD"], "SendGrid key",
                         ("Authorization", "Bearer ", "https://api.sendgrid.com/v3/mail/send")),
    "OPENAI_API_KEY": (g_openai, ["OPENAI_API_KEY", "OPENAI_KEY"], "OpenAI key",
                       ("Authorization", "Bearer ", "https://api.openai.com/v1/chat/completions")),
    "ANTHROPIC_API_KEY": (g_anthropic, ["ANTHROPIC_API_KEY"], "Anthropic key",
                          ("x-api-key", "", "https://api.anthropic.com/v1/messages")),
    "GOOGLE_API_KEY": (g_google, ["GOOGLE_MAPS_API_KEY", "FIREBASE_API_KEY", "GOOGLE_API_KEY"], "Maps API key",
                       ("X-Goog-Api-Key", "", "https://places.googleapis.com/v1/places:searchText")),
    "GOOGLE_OAUTH_CLIENT_SECRET": (g_gocspx, ["GOOGLE_CLIENT_SECRET", "OAUTH_CLIENT_SECRET"], "Google OAuth client secret", None),
    "AZURE_CLIENT_SECRET": (g_azsecret, ["AZURE_CLIENT_SECRET", "ARM_CLIENT_SECRET"], "service principal secret", None),
    "HUGGINGFACE_TOKEN": (g_hf, ["HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"], "HF token",
                          ("Authorization", "Bearer ", "https://huggingface.co/api/whoami-v2")),
    "DIGITALOCEAN_TOKEN": (g_do, ["DIGITALOCEAN_ACCESS_TOKEN", "DO_TOKEN"], "DO token",
                           ("Authorization", "Bearer ", "https://api.digitalocean.com/v2/droplets?tag_name=prod")),
    "SHOPIFY_ACCESS_TOKEN": (g_shpat, ["SHOPIFY_ACCESS_TOKEN", "SHOPIFY_ADMIN_TOKEN"], "Shopify admin token",
                             ("X-Shopify-Access-Token", "", "https://northwind-outlet.myshopify.com/admin/api/2024-01/orders.json?status=any")),
    "SHOPIFY_SHARED_SECRET": (g_shpss, ["SHOPIFY_API_SECRET", "SHOPIFY_SHARED_SECRET"], "Shopify app shared secret", None),
    "NEW_RELIC_USER_KEY": (g_nrak, ["NEW_RELIC_API_KEY", "NEW_RELIC_USER_KEY"], "New Relic user key",
                           ("API-Key", "", "https://api.newrelic.com/graphql")),
    "NEW_RELIC_LICENSE_KEY": (g_nrlic, ["NEW_RELIC_LICENSE_KEY", "NRIA_LICENSE_KEY"], "NR license key", None),
    "DATADOG_API_KEY": (g_dd_api, ["DD_API_KEY", "DATADOG_API_KEY"], "Datadog API key",
                        ("DD-API-KEY", "", "https://api.datadoghq.eu/api/v1/validate")),
    "DATADOG_APP_KEY": (g_dd_app, ["DD_APP_KEY", "DATADOG_APP_KEY"], "Datadog app key",
                        ("DD-APPLICATION-KEY", "", "https://api.datadoghq.com/api/v1/monitor?group_states=alert")),
    "MAILGUN_API_KEY": (g_mailgun, ["MAILGUN_API_KEY"], "Mailgun key", None),
    "HEROKU_API_KEY": (g_heroku, ["HEROKU_API_KEY"], "Heroku API key",
                       ("Authorization", "Bearer ", "https://api.heroku.com/apps/contoso-billing/config-vars")),
    "NPM_TOKEN": (g_npm, ["NPM_TOKEN", "NODE_AUTH_TOKEN"], "npm publish token",
                  ("Authorization", "Bearer ", "https://registry.npmjs.org/-/whoami")),
    "PYPI_TOKEN": (g_pypi, ["PYPI_API_TOKEN", "TWINE_PASSWORD"], "PyPI upload token", None),
    "DOCKERHUB_PAT": (g_dckr, ["DOCKERHUB_TOKEN", "DOCKER_PASSWORD"], "Docker Hub PAT", None),
    "ATLASSIAN_API_TOKEN": (g_atl, ["JIRA_API_TOKEN", "CONFLUENCE_API_TOKEN"], "Jira API token", None),
    "SENTRY_ORG_TOKEN": (g_sntrys, ["SENTRY_AUTH_TOKEN"], "Sentry org auth token",
                         ("Authorization", "Bearer ", "https://sentry.io/api/0/organizations/contoso/releases/")),
    "SENTRY_USER_TOKEN": (g_sntryu, ["SENTRY_AUTH_TOKEN", "SENTRY_TOKEN"], "Sentry user token",
                          ("Authorization", "Bearer ", "https://sentry.io/api/0/projects/")),
    "CLOUDFLARE_API_TOKEN": (g_cf, ["CLOUDFLARE_API_TOKEN", "CF_API_TOKEN"], "Cloudflare API token",
                             ("Authorization", "Bearer ", "https://api.cloudflare.com/client/v4/user/tokens/verify")),
    "CLOUDFLARE_ORIGIN_CA_KEY": (g_cforigin, ["CF_ORIGIN_CA_KEY", "CLOUDFLARE_ORIGIN_CA_KEY"], "origin CA key",
                                 ("X-Auth-User-Service-Key", "", "https://api.cloudflare.com/client/v4/certificates")),
    "AGE_SECRET_KEY": (g_age, ["SOPS_AGE_KEY", "AGE_KEY"], "age key for sops", None),
    "JWT": (g_jwt, ["ACCESS_TOKEN", "ID_TOKEN", "JWT"], "access token",
            ("Authorization", "Bearer ", "https://api.fabrikam.dev/v3/accounts/me")),
    "SNYK_TOKEN": (g_snyk, ["SNYK_TOKEN"], "snyk token",
                   ("Authorization", "token ", "https://api.snyk.io/rest/self?version=2024-06-10")),
    "VAULT_TOKEN": (g_vault, ["VAULT_TOKEN"], "vault token",
                    ("X-Vault-Token", "", "https://vault.corp.internal:8200/v1/secret/data/payments")),
    "TERRAFORM_CLOUD_TOKEN": (g_tfc, ["TFE_TOKEN", "TF_TOKEN_app_terraform_io"], "Terraform Cloud token",
                              ("Authorization", "Bearer ", "https://app.terraform.io/api/v2/organizations/globex/workspaces")),
    "LINEAR_API_KEY": (g_linear, ["LINEAR_API_KEY"], "Linear API key",
                       ("Authorization", "", "https://api.linear.app/graphql")),
    "NOTION_TOKEN": (g_notion, ["NOTION_TOKEN", "NOTION_API_KEY"], "Notion integration secret",
                     ("Authorization", "Bearer ", "https://api.notion.com/v1/search")),
    "AIRTABLE_PAT": (g_airtable, ["AIRTABLE_TOKEN", "AIRTABLE_PAT"], "Airtable PAT",
                     ("Authorization", "Bearer ", "https://api.airtable.com/v0/appQ3x9LmT2kVb7Rz/Orders?maxRecords=3")),
    "FIGMA_TOKEN": (g_figma, ["FIGMA_TOKEN"], "Figma token",
                    ("X-Figma-Token", "", "https://api.figma.com/v1/files/Qx7Lm2Kp9TzRb4Vc/nodes?ids=12:4")),
    "DISCORD_BOT_TOKEN": (g_discord, ["DISCORD_BOT_TOKEN", "DISCORD_TOKEN"], "discord bot token",
                          ("Authorization", "Bot ", "https://discord.com/api/v10/channels/1187342015849265152/messages")),
    "TELEGRAM_BOT_TOKEN": (g_telegram, ["TELEGRAM_BOT_TOKEN", "TG_BOT_TOKEN"], "telegram bot token", None),
    "POSTMAN_API_KEY": (g_postman, ["POSTMAN_API_KEY"], "Postman API key",
                        ("X-Api-Key", "", "https://api.getpostman.com/collections")),
    "GRAFANA_SERVICE_ACCOUNT_TOKEN": (g_grafana, ["GRAFANA_TOKEN", "GF_SA_TOKEN"], "grafana SA token",
                                      ("Authorization", "Bearer ", "https://grafana.contoso.net/api/dashboards/uid/k8s-nodes")),
}


# --------------------------------------------------------------------------
# generic contexts; each takes a list of items (kind, value, var)
# --------------------------------------------------------------------------
def c_env(items):
    head = R.choice(["# .env.production", "# /srv/app/shared/.env", "# .env (staging) - pasted for debugging",
                     "# prod.env", "$ cat .env"])
    body = ["APP_ENV=production", f"PORT={k_port(R.choice([3000, 8080, 8000, 5000]))}", f"RELEASE_SHA={k_sha()}",
            f"APP_VERSION={k_semver()}", "LOG_LEVEL=info", "AWS_REGION=eu-west-1"]
    R.shuffle(body)
    body = body[:R.randint(1, 3)]
    for kind, v, var in items:
        q = R.choice(["", "", '"'])
        body.insert(R.randint(0, len(body)), f"{var}={q}{S(kind, v)}{q}")
    return "env", [head] + body


def c_shell(items):
    n = R.randint(300, 1900)
    pre = R.choice([f"cd ~/src/{R.choice(SVC)}", f"git checkout {k_sha(True)}", "kubectl config use-context prod-eu",
                    "aws sts get-caller-identity", "source venv/bin/activate"])
    lines = [f"{n:5d}  {pre}"]
    for i, (kind, v, var) in enumerate(items):
        q = R.choice(["", '"', "'"])
        lines.append(f"{n + 1 + i:5d}  export {var}={q}{S(kind, v)}{q}")
    post = R.choice([f"./deploy.sh --tag v{k_semver()}", f"make release VERSION={k_semver()}", "terraform plan -out tf.plan",
                     f"docker build -t registry.contoso.net/api:{k_semver()} .", "history | tail -20"])
    lines.append(f"{n + 1 + len(items):5d}  {post}")
    return "shell", lines


def c_k8s(items):
    items = items[:2]
    lines = ["      containers:", f"        - name: {R.choice(['api', 'worker', 'billing', 'notifier'])}",
             f"          image: ghcr.io/{R.choice(['contoso', 'globex', 'initech'])}/{R.choice(SVC)}:{k_semver()}",
             "          env:"]
    for kind, v, var in items:
        lines += [f"            - name: {var}", f'              value: "{S(kind, v)}"']
    return "yaml", lines


def c_compose(items):
    svc = R.choice(SVC)
    p = R.choice([8080, 3000, 9000])
    lines = ["services:", f"  {svc}:", f"    image: registry.internal/{svc}:{k_semver()}", "    environment:"]
    style = R.random() < 0.5
    for kind, v, var in items:
        lines.append(f"      - {var}={S(kind, v)}" if style else f"      {var}: {S(kind, v)}")
    lines += ["    ports:", f'      - "{k_port(p)}:{k_port(p)}"']
    return "docker-compose", lines


def c_python(items):
    name = R.choice(["SETTINGS", "CONFIG", "INTEGRATIONS", "DEFAULTS"])
    lines = [f"{name} = {{"]
    for kind, v, var in items:
        lines.append(f'    "{var.lower()}": "{S(kind, v)}",')
    lines += [f'    "timeout": {R.choice([10, 30, 60])},', f'    "user_agent": "{R.choice(SVC)}/{k_semver()}",', "}"]
    return "python", lines


def c_js(items):
    lines = [R.choice(["// src/config/production.ts", "// config/prod.js", "// next.config.js (server side)"]),
             "export const config = {", f"  apiBase: 'https://api.{R.choice(DOMAINS)}/v2',"]
    for kind, v, var in items:
        lines.append(f"  {camel(var)}: '{S(kind, v)}',")
    lines += ["  retries: 3,", "};"]
    return "code", lines


def c_go(items):
    lines = ["// TODO: move to env before merging", "func loadConfig() Config {"]
    for kind, v, var in items:
        lines.append(f'\t{camel(var)} := "{S(kind, v)}"')
    lines.append("\treturn Config{" + ", ".join(f"{camel(var)[0].upper() + camel(var)[1:]}: {camel(var)}" for _, _, var in items) + "}")
    lines.append("}")
    return "code", lines


def c_make(items):
    lines = ["# Makefile"]
    for kind, v, var in items:
        lines.append(f"{var} ?= {S(kind, v)}")
    lines += [f"IMAGE_TAG ?= {k_semver()}", "deploy:", "\t./scripts/deploy.sh $(IMAGE_TAG)"]
    return "config", lines


def c_php(items):
    if R.random() < 0.5:
        lines = ["<?php", "// config/services.php", "return ["]
        for kind, v, var in items:
            lines.append(f"    '{var.lower()}' => '{S(kind, v)}',")
        lines += ["    'timeout' => 30,", "];"]
    else:
        lines = ["# config/initializers/integrations.rb", "INTEGRATIONS = {"]
        for kind, v, var in items:
            lines.append(f'  "{var.lower()}" => "{S(kind, v)}",')
        lines += [f'  "release" => "{k_sha(True)}"', "}.freeze"]
    return "code", lines


def c_tf(items):
    lines = [R.choice(["# terraform.tfvars", "# prod.auto.tfvars"])]
    for kind, v, var in items:
        lines.append(f'{var.lower()} = "{S(kind, v)}"')
    lines += ['region         = "eu-west-1"', f"instance_count = {R.randint(2, 9)}"]
    return "config", lines


def c_ini(items):
    if R.random() < 0.5:
        lines = [R.choice(["[default]", "[production]", "[integrations]"])]
        for kind, v, var in items:
            lines.append(f"{var.lower()} = {S(kind, v)}")
        lines.append(f"timeout = {R.choice([15, 30])}")
    else:
        lines = [f"[tool.{R.choice(['deploy', 'release', 'sync'])}]"]
        for kind, v, var in items:
            lines.append(f'{var.lower()} = "{S(kind, v)}"')
        lines.append(f'version = "{k_semver()}"')
    return "config", lines


def c_log(items):
    svc = R.choice(SVC)
    l1 = f"{k_ts()} INFO  [{svc}] starting {svc} v{k_semver()} pid={R.randint(1000, 60000)}"
    kv = " ".join(f"{var}={S(kind, v)}" for kind, v, var in items)
    l2 = f"{k_ts()} DEBUG [{svc}] loaded environment: {kv} AWS_REGION=us-east-1"
    l3 = f"{k_ts()} ERROR [{svc}] upstream returned {k_status(R.choice([401, 403]))} request_id={k_req()}"
    return "log", [l1, l2, l3]


def c_gha(items):
    lines = ["jobs:", "  release:", "    runs-on: ubuntu-22.04", "    steps:", "      - uses: actions/checkout@v4",
             f"      - run: ./scripts/release.sh {k_semver()}", "        env:"]
    for kind, v, var in items:
        lines.append(f"          {var}: {S(kind, v)}")
    return "ci", lines


def c_json(items):
    lines = ["{", '  "integrations": {']
    for kind, v, var in items:
        lines.append(f'    "{camel(var)}": "{S(kind, v)}",')
    lines += ['    "enabled": true', "  },", f'  "build": "{k_build()}"', "}"]
    return "json", lines


def c_chat(items):
    kind, v, var = items[0]
    desc = SPEC[kind][2]
    h1, h2 = R.sample(HANDLES, 2)
    t = hhmm()
    form = R.randint(0, 3)
    if form == 0:
        lines = [f"[{t}] {h1}: {desc} stopped working after the {k_semver()} deploy?? getting 401s",
                 f"[{t}] {h1}: this is what's in the vault right now: {S(kind, v)}",
                 f"[{t}] {h2}: please don't paste that here, rotating it now"]
    elif form == 1:
        lines = [f"{h1}: @{h2} can you add this to the CI secrets as {var}?", f"{h1}: {S(kind, v)}",
                 f"{h2}: done, pipeline {k_build()} is green"]
    elif form == 2:
        lines = [f"<{h1}> try `{var}={S(kind, v)}` that's the one from last week", f"<{h2}> still {k_status(403)} on {R.choice(SVC)}"]
    else:
        lines = [f"{h1} {t}", f"ok so for ticket {k_ticket()} I used the {desc} {S(kind, v)} and it worked locally",
                 f"{h2} {t}", "👀 that's prod, isn't it"]
    return "chat", lines


def c_stack(items):
    kind, v, var = items[0]
    form = R.randint(0, 2)
    svc = R.choice(SVC)
    if form == 0:
        return "stacktrace", ["Traceback (most recent call last):",
                              f'  File "/app/{svc.replace("-", "_")}/client.py", line {R.randint(40, 400)}, in _request',
                              "    raise AuthError(resp.status_code, resp.text)",
                              f"{svc.replace('-', '_')}.errors.AuthError: {k_status(R.choice([401, 403]))} Forbidden",
                              f"  locals: self.{var.lower()}='{S(kind, v)}', retries=3, request_id='{k_req()}'"]
    if form == 1:
        return "stacktrace", ["***************************", "APPLICATION FAILED TO START", "***************************",
                              f"Failed to bind properties under 'app.{kebab(var)}' to java.lang.String:",
                              f"    Property: app.{kebab(var)}", f'    Value: "{S(kind, v)}"',
                              f'    Origin: System Environment Property "{var}"']
    return "stacktrace", [f"Error: Request failed with status code {k_status(R.choice([401, 403, 429]))}",
                          "    at createError (/srv/app/node_modules/axios/lib/core/createError.js:16:15)",
                          "    at settle (/srv/app/node_modules/axios/lib/core/settle.js:17:12)",
                          f"  config: {{ env: {{ {var}: '{S(kind, v)}' }}, timeout: 5000 }},",
                          f"  traceId: '{k_trace()}'"]


def c_email(items):
    kind, v, var = items[0]
    desc = SPEC[kind][2]
    f, l = person(R.choice(["US", "UK", "DE", "AU"]))
    return "email", [f"Subject: {desc} for the {k_company()} integration ({k_ticket()})", "",
                     "Hi team,", f"as discussed, the {desc} for the production tenant is {S(kind, v)}",
                     "Please put it into 1Password and delete this mail afterwards.", "",
                     "Thanks,", P("PERSON", f"{f} {l}")]


def c_curl(items):
    kind, v, var = items[0]
    h, pfx, url = SPEC[kind][3]
    return "shell", [f"$ curl -sS '{url}' \\", f'    -H "{h}: {pfx}{S(kind, v)}" \\',
                     '    -H "Accept: application/json" -i | head -4',
                     f"HTTP/2 {k_status()}", f"x-request-id: {k_req()}", f"date: {k_date()}"]


def c_har(items):
    kind, v, var = items[0]
    h, pfx, url = SPEC[kind][3]
    return "har", ['"request": {', f'  "method": "{R.choice(["GET", "POST"])}",', f'  "url": "{url}",',
                   '  "headers": [', f'    {{"name": "{h}", "value": "{pfx}{S(kind, v)}"}},',
                   f'    {{"name": "x-request-id", "value": "{k_uuid()}"}}', "  ],"]


MULTI = {"env": c_env, "shell": c_shell, "k8s": c_k8s, "compose": c_compose, "python": c_python, "js": c_js,
         "go": c_go, "make": c_make, "php": c_php, "tf": c_tf, "ini": c_ini, "log": c_log, "gha": c_gha, "json": c_json}
SINGLE = {"chat": c_chat, "stack": c_stack, "email": c_email, "curl": c_curl, "har": c_har}
N_GENERIC = 5


def build_generic():
    buckets = collections.defaultdict(list)
    for kind, (gen, vars_, desc, hdr) in SPEC.items():
        ctxs = list(MULTI) + ["chat", "stack", "email"]
        if hdr:
            ctxs += ["curl", "har", "curl", "har"]
        R.shuffle(ctxs)
        for c in ctxs[:N_GENERIC]:
            buckets[c].append((kind, gen(), R.choice(vars_)))
    for c in sorted(buckets):
        items = buckets[c]
        R.shuffle(items)
        if c in SINGLE:
            for it in items:
                add(*SINGLE[c]([it]))
            continue
        i = 0
        while i < len(items):
            n = R.choice([1, 1, 2, 2, 3])
            group, seen = [], set()
            while i < len(items) and len(group) < n and items[i][0] not in seen:
                seen.add(items[i][0])
                group.append(items[i])
                i += 1
            if not group:
                group = [items[i]]
                i += 1
            add(*MULTI[c](group))


# --------------------------------------------------------------------------
# specialised secret templates
# --------------------------------------------------------------------------
def sp_aws():
    # ~/.aws/credentials
    for _ in range(3):
        add("config", ["$ cat ~/.aws/credentials", "[default]", f"aws_access_key_id = {S('AWS_ACCESS_KEY_ID', g_akid('AKIA'))}",
                       f"aws_secret_access_key = {S('AWS_SECRET_ACCESS_KEY', g_aws_secret())}",
                       f"[{R.choice(['prod-admin', 'billing', 'sandbox'])}]", f"role_arn = {k_arn()}", "region = eu-west-1"])
    # boto3 call
    for _ in range(2):
        add("python", ["s3 = boto3.client(", '    "s3",', f'    aws_access_key_id="{S("AWS_ACCESS_KEY_ID", g_akid("AKIA"))}",',
                       f'    aws_secret_access_key="{S("AWS_SECRET_ACCESS_KEY", g_aws_secret())}",',
                       '    region_name="us-east-1",', ")",
                       f's3.download_file("{R.choice(["contoso-prod-exports", "globex-logs-eu"])}", "daily/{k_date()}.csv.gz", "/tmp/out.gz")'])
    # sts assume-role output
    for _ in range(3):
        add("json", ["{", '    "Credentials": {', f'        "AccessKeyId": "{S("AWS_ACCESS_KEY_ID", g_akid("ASIA"))}",',
                     f'        "SecretAccessKey": "{S("AWS_SECRET_ACCESS_KEY", g_aws_secret())}",',
                     f'        "SessionToken": "{S("AWS_SESSION_TOKEN", g_aws_session())}",',
                     f'        "Expiration": "{K("TIMESTAMP", rdt().strftime("%Y-%m-%dT%H:%M:%S+00:00"))}"', "    },",
                     f'    "AssumedRoleUser": {{"Arn": "{k_arn()}"}}', "}"])
    # wrapped access key id (chat / email)
    for _ in range(2):
        k = g_akid("AKIA")
        cut = R.randint(8, 13)
        h1, h2 = R.sample(HANDLES, 2)
        add("chat", [f"{h1}: new key for the backup job, it wrapped when I copied it from the console sorry",
                     f"{h1}: {S('AWS_ACCESS_KEY_ID', k[:cut] + chr(10) + k[cut:])}",
                     f"{h2}: and the secret? send it via 1password pls"])
    for _ in range(2):
        sec = g_aws_secret()
        prefix = "aws_secret_access_key = "
        width = R.choice([60, 64, 72])
        cut = width - len(prefix)
        f, l = person("UK")
        add("email", ["Subject: Re: S3 access for the auditors", "",
                      f"Hi {P('PERSON', f)}, the credentials for the read-only user are below (bucket {k_arn()}):",
                      f"aws_access_key_id = {S('AWS_ACCESS_KEY_ID', g_akid('AKIA'))}",
                      f"{prefix}{S('AWS_SECRET_ACCESS_KEY', sec[:cut] + chr(10) + sec[cut:])}",
                      "They expire at the end of the quarter."])
    # terraform provider (hardcoded)
    add("config", ['provider "aws" {', '  region     = "eu-central-1"', f'  access_key = "{S("AWS_ACCESS_KEY_ID", g_akid("AKIA"))}"',
                   f'  secret_key = "{S("AWS_SECRET_ACCESS_KEY", g_aws_secret())}"', "}"])


def sp_wrapped_tokens():
    # long single-line tokens broken by a terminal / mail client at a fixed width
    tok = g_ghp()
    add("shell", ["$ gh auth status", "github.com", "  ✓ Logged in to github.com account ci-bot (keyring)",
                  f"  - Token: {S('GITHUB_PAT', tok[:22] + chr(10) + tok[22:])}",
                  "  - Token scopes: 'repo', 'workflow'"])
    sk = g_sk_live()
    pre = "STRIPE_SECRET_KEY="
    add("email", ["Subject: live keys for the Shopify bridge", "", "Both are in the shared vault too:",
                  f"{pre}{S('STRIPE_SECRET_KEY', sk[:76 - len(pre)] + chr(10) + sk[76 - len(pre):])}",
                  f"Account: {K('ACCOUNT_ID', 'acct_1' + rs(AN, 15))}"])
    ok = g_openai()
    add("chat", [f"{R.choice(HANDLES)}: here's the key for the eval harness (slack broke it into 2 lines)",
                 S("OPENAI_API_KEY", ok[:80] + "\n" + ok[80:])])
    gl = g_glpat()
    add("log", [f"{k_ts()} WARN runner[{R.randint(10, 99)}] clone failed for https://oauth2:{S('GITLAB_PAT', gl[:11] + chr(10) + gl[11:])}",
                f"@gitlab.contoso.net/platform/{R.choice(SVC)}.git (exit status {R.choice([128, 1])})"])


def sp_gcp():
    for _ in range(4):
        lines = key_pkcs8_rsa_lines()
        pk = "-----BEGIN PRIVATE KEY-----\\n" + "\\n".join(lines) + "\\n-----END PRIVATE KEY-----"
        proj = R.choice(["globex-analytics-prod", "contoso-data-442210", "initech-ml-dev", "fabrikam-etl"])
        sa = R.choice(["etl-runner", "bq-export", "terraform", "looker-sa"])
        add("json", ["{", '  "type": "service_account",', f'  "project_id": "{proj}",',
                     f'  "private_key_id": "{rs(HEX, 40)}",', f'  "private_key": "{S("GCP_SERVICE_ACCOUNT_KEY", pk)}\\n",',
                     f'  "client_email": "{sa}@{proj}.iam.gserviceaccount.com",',
                     f'  "client_id": "{Dn(21)}",', '  "token_uri": "https://oauth2.googleapis.com/token"'])


def sp_azure():
    for _ in range(2):
        acct = R.choice(["contosoprodlogs", "globexexports", "fabrikamdata01", "northwindbackup"])
        add("json", ['  "ConnectionStrings": {',
                     f'    "Storage": "DefaultEndpointsProtocol=https;AccountName={acct};AccountKey={S("AZURE_STORAGE_ACCOUNT_KEY", base64.b64encode(rbytes(64)).decode())};EndpointSuffix=core.windows.net",',
                     f'    "Sql": "Server=tcp:{acct}-sql.database.windows.net,{k_port(1433)};Database=orders;User ID={g_user()};Password={S("PASSWORD", g_pw("url"))};Encrypt=True;"',
                     "  },"])
    for _ in range(2):
        add("shell", ["$ az storage account keys list -g rg-prod-data -n " + R.choice(["contosoprodlogs", "globexexports"]) + " -o json",
                      "[", "  {", f'    "creationTime": "{K("TIMESTAMP", ts_iso())}",', '    "keyName": "key1",',
                      '    "permissions": "FULL",', f'    "value": "{S("AZURE_STORAGE_ACCOUNT_KEY", base64.b64encode(rbytes(64)).decode())}"', "  },"])
    add("env", ["# functions local.settings.json -> env", f"AzureWebJobsStorage=DefaultEndpointsProtocol=https;AccountName=fabrikamfuncs;AccountKey={S('AZURE_STORAGE_ACCOUNT_KEY', base64.b64encode(rbytes(64)).decode())};EndpointSuffix=core.windows.net",
                "FUNCTIONS_WORKER_RUNTIME=dotnet-isolated", f"APP_VERSION={k_semver()}"])
    for _ in range(5):
        sig = base64.b64encode(rbytes(32)).decode().replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")
        acct = R.choice(["contosodata", "globexexports", "fabrikamshare"])
        st = rdt()
        se = st + datetime.timedelta(days=R.choice([1, 7, 30]))
        url = (f"https://{acct}.blob.core.windows.net/exports/{st.strftime('%Y-%m')}/report-{D(4)}.csv?"
               f"sv={K('DATE', '2022-11-02')}&ss=b&srt=co&sp=rl&se={se.strftime('%Y-%m-%dT%H:%M:%SZ')}"
               f"&st={st.strftime('%Y-%m-%dT%H:%M:%SZ')}&spr=https&sig={S('AZURE_SAS_SIGNATURE', sig)}")
        form = R.randint(0, 2)
        if form == 0:
            add("log", [f"{k_ts()} INFO  [export] uploaded {k_size()} to {url}", f"{k_ts()} INFO  [export] done job={k_uuid()}"])
        elif form == 1:
            add("chat", [f"{R.choice(HANDLES)}: here's the link to the export, valid for a week:", url])
        else:
            add("shell", [f'$ azcopy copy "{url}" ./report.csv', f"INFO: Scanning... job {k_uuid()} completed, {k_size()} transferred"])


def sp_bearer_basic():
    # opaque bearer tokens
    for _ in range(6):
        tok = g_bearer()
        form = R.randint(0, 3)
        host = "api." + R.choice(DOMAINS)
        if form == 0:
            add("log", ["send: b'GET /v1/reports?since=" + rdt().strftime("%Y-%m-%d") + " HTTP/1.1\\r\\nHost: " + host +
                        "\\r\\nUser-Agent: python-requests/" + K("SEMVER", "2.31.0") + "\\r\\nAuthorization: Bearer " +
                        S("BEARER_TOKEN", tok) + "\\r\\n\\r\\n'", f"reply: 'HTTP/1.1 {k_status(200)} OK\\r\\n'"])
        elif form == 1:
            add("har", ['"headers": [', f'  {{"name": "authorization", "value": "Bearer {S("BEARER_TOKEN", tok)}"}},',
                        f'  {{"name": "traceparent", "value": "00-{k_trace()}-{k_span()}-01"}}', "],"])
        elif form == 2:
            add("shell", [f"$ http GET https://{host}/v2/me 'Authorization:Bearer {S('BEARER_TOKEN', tok)}'",
                          f"HTTP/1.1 {k_status(401)} Unauthorized", '{"error": "token_expired"}'])
        else:
            add("python", ["headers = {", f'    "Authorization": f"Bearer {S("BEARER_TOKEN", tok)}",',
                           '    "Content-Type": "application/json",', f'    "X-Request-Id": "{k_uuid()}",', "}"])
    # basic auth
    for i in range(8):
        u = R.choice(["admin", "svc-jenkins", "api", "grafana", "elastic", "deploy"])
        b = base64.b64encode(f"{u}:{g_pw('general')}".encode()).decode()
        form = i % 5
        if form == 0:
            add("har", ['"request": {', '  "method": "POST",', f'  "url": "https://jenkins.{R.choice(DOMAINS)}/job/release/build",',
                        '  "headers": [', f'    {{"name": "Authorization", "value": "Basic {S("BASIC_AUTH", b)}"}},',
                        '    {"name": "Content-Type", "value": "application/x-www-form-urlencoded"}', "  ],"])
        elif form == 1:
            add("python", ["requests.get(", f'    "https://es.{R.choice(DOMAINS)}:{k_port(9200)}/_cluster/health",',
                           f'    headers={{"Authorization": "Basic {S("BASIC_AUTH", b)}", "Accept": "application/json"}},',
                           "    timeout=10,", ")"])
        elif form == 2:
            add("log", [f'{k_ts()} DEBUG http.client: header: Authorization: Basic {S("BASIC_AUTH", b)}',
                        f"{k_ts()} DEBUG http.client: response {k_status(200)} in 182ms"])
        elif form == 3:
            add("config", ["location /metrics {", "    proxy_pass http://prometheus:9090;",
                           f'    proxy_set_header Authorization "Basic {S("BASIC_AUTH", b)}";', "}"])
        else:
            add("shell", [f"$ curl -H 'Authorization: Basic {S('BASIC_AUTH', b)}' https://registry.{R.choice(DOMAINS)}/v2/_catalog",
                          '{"repositories":["api","worker","web"]}'])


def sp_passwords():
    host = lambda: R.choice(["db.internal", "orders-db.prod.svc.cluster.local", "10-db-primary.contoso.net",
                             "pg-main.globex.com", "mysql-prod.initech.net"])
    for _ in range(3):
        add("env", [f"DATABASE_URL=postgres://{g_user()}:{S('PASSWORD', g_pw('url'))}@{host()}:{k_port(5432)}/orders?sslmode=require",
                    f"REDIS_URL=redis://:{S('PASSWORD', g_pw('url'))}@cache.internal:{k_port(6379)}/0",
                    f"WEB_CONCURRENCY={R.randint(2, 8)}"])
    for _ in range(2):
        f, l = person()
        add("log", [f"{k_ts()} ERROR [mongo] connection failed: MongoServerSelectionError uri=mongodb+srv://{g_user()}:{S('PASSWORD', g_pw('url'))}@cluster0.{rs(LO + DG, 5)}.mongodb.net/app?retryWrites=true&w=majority",
                    f"{k_ts()} ERROR [mongo] E11000 duplicate key error collection: app.users index: email_1 dup key: {{ email: \"{P('EMAIL', email_for(f, l))}\" }}"])
    for _ in range(3):
        add("code", ['dsn := fmt.Sprintf("%s:%s@tcp(%s)/%s?parseTime=true", user, pass, host, db)',
                     f'// dsn = "{g_user()}:{S("PASSWORD", g_pw("url"))}@tcp(mysql-prod.internal:{k_port(3306)})/shop?parseTime=true"',
                     'db, err := sql.Open("mysql", dsn)'])
    for _ in range(3):
        n = R.randint(100, 2000)
        add("shell", [f"{n:5d}  mysql -u root -p{S('PASSWORD', g_pw('shell'))} -h {host()} shop < dump-{k_date()}.sql",
                      f"{n + 1:5d}  redis-cli -h cache.internal -p {k_port(6379)} -a '{S('PASSWORD', g_pw('shell'))}' INFO keyspace"])
    for _ in range(3):
        add("shell", [f"$ curl -u admin:{S('PASSWORD', g_pw('shell'))} -X POST https://grafana.{R.choice(DOMAINS)}/api/admin/users",
                      f'{{"id":{R.randint(10, 90)},"message":"User created"}}'])
    for _ in range(3):
        add("config", ["$ cat ~/.pgpass", f"{host()}:{k_port(5432)}:billing:billing_rw:{S('PASSWORD', g_pw('general'))}",
                       f"localhost:{k_port(5433)}:*:postgres:{S('PASSWORD', g_pw('general'))}"])
    for _ in range(3):
        add("env", [f"SMTP_HOST=smtp.{R.choice(DOMAINS)}", f"SMTP_PORT={k_port(587)}", "SMTP_USER=notifications",
                    f"SMTP_PASS={S('PASSWORD', g_pw('env'))}", f"ADMIN_PASS={S('PASSWORD', g_pw('env'))}",
                    f"DB_PASSWORD='{S('PASSWORD', g_pw('env'))}'"])
    for _ in range(3):
        add("config", ["<configuration>", "  <packageSourceCredentials>", "    <ContosoFeed>",
                       '      <add key="Username" value="build-agent" />',
                       f'      <add key="ClearTextPassword" value="{S("PASSWORD", g_pw("url"))}" />',
                       "    </ContosoFeed>", "  </packageSourceCredentials>"])
    for _ in range(2):
        add("config", ["spring.datasource.url=jdbc:postgresql://" + host() + ":" + k_port(5432) + "/ledger",
                       "spring.datasource.username=ledger_app", f"spring.datasource.password={S('PASSWORD', g_pw('general'))}",
                       f"management.server.port={k_port(8081)}"])
    for _ in range(2):
        add("python", ["conn = psycopg2.connect(", f'    host="{host()}", port={k_port(5432)}, dbname="analytics",',
                       f'    user="{g_user()}", password="{S("PASSWORD", g_pw("general"))}",', '    connect_timeout=5,', ")"])
    for _ in range(2):
        add("shell", [f"$ sshpass -p '{S('PASSWORD', g_pw('shell'))}' ssh -o StrictHostKeyChecking=no ops@bastion.{R.choice(DOMAINS)}",
                      f"Warning: Permanently added 'bastion' (ED25519) to the list of known hosts.", f"Last login: {K('TIMESTAMP', ts_plain())}"])
    for _ in range(2):
        add("shell", [f"$ PGPASSWORD={S('PASSWORD', g_pw('shell'))} psql -h {host()} -U reporting_ro -c 'select count(*) from invoices'",
                      " count", "-------", f" {R.randint(1000, 99999)}"])
    for _ in range(2):
        add("shell", [f"$ docker login registry.{R.choice(DOMAINS)} -u deploy -p {S('PASSWORD', g_pw('shell'))}",
                      "WARNING! Using --password via the CLI is insecure. Use --password-stdin.", "Login Succeeded"])
    for _ in range(2):
        f, l = person()
        add("har", ['"postData": {', '  "mimeType": "application/json",',
                    f'  "text": "{{\\"email\\":\\"{P("EMAIL", email_for(f, l))}\\",\\"password\\":\\"{S("PASSWORD", g_pw("url"))}\\",\\"remember\\":true}}"',
                    "},"])
    for _ in range(2):
        h1, h2 = R.sample(HANDLES, 2)
        add("chat", [f"{h1}: what's the admin login for the staging Jenkins again?",
                     f"{h2}: admin / {S('PASSWORD', g_pw('general'))}", f"{h2}: (yes I know, {k_ticket()} is open to move it to SSO)"])
    for _ in range(2):
        add("shell", [f"$ git clone https://ci-bot:{S('PASSWORD', g_pw('url'))}@git.{R.choice(DOMAINS)}/platform/infra.git",
                      "Cloning into 'infra'...", f"Receiving objects: 100% (4812/4812), {k_size()} | 8.10 MiB/s, done."])
    add("config", ["Server=sqlprod01.contoso.local;Database=Payroll;User Id=sa;" + f"Password={S('PASSWORD', g_pw('url'))};TrustServerCertificate=True"])
    add("shell", [f"$ ldapsearch -x -H ldaps://dc01.corp.contoso.net -D 'CN=svc-ldap,OU=Service,DC=corp' -w '{S('PASSWORD', g_pw('shell'))}' '(sAMAccountName=*)' | head",
                  "# numResponses: 2"])
    add("shell", [f"$ smbclient //fs01/finance -U backup%{S('PASSWORD', g_pw('shell'))} -c 'ls'", "  .                 D        0  " + rdt().strftime("%a %b %d %H:%M:%S %Y")])
    add("env", [f"amqp_url=amqp://orders:{S('PASSWORD', g_pw('url'))}@rabbitmq.internal:{k_port(5672)}/prod", f"PREFETCH_COUNT={R.randint(5, 50)}"])


def sp_cookies():
    forms = [
        lambda: ["GET /account/settings HTTP/1.1", f"Host: shop.{R.choice(DOMAINS)}",
                 f"Cookie: sessionid={S('SESSION_COOKIE', rs(LO + DG, 32))}; theme=dark; lang=en-GB",
                 f"X-Request-Id: {k_uuid()}"],
        lambda: [f"HTTP/1.1 {k_status(302)} Found", "Location: /dashboard",
                 f"Set-Cookie: connect.sid={S('SESSION_COOKIE', 's%3A' + rs(URLB, 32) + '.' + rs(AN, 20) + '%2F' + rs(AN, 19))}; Path=/; HttpOnly; Secure",
                 f"Date: {rdt().strftime('%a, %d %b %Y %H:%M:%S GMT')}"],
        lambda: [f"$ curl -b 'JSESSIONID={S('SESSION_COOKIE', rs(HEXU, 32))}' https://intranet.{R.choice(DOMAINS)}/hr/payslips",
                 f"<html><title>{k_status(200)} OK</title>"],
        lambda: ['"cookies": [', f'  {{"name": "PHPSESSID", "value": "{S("SESSION_COOKIE", rs(LO + DG, 26))}", "path": "/", "httpOnly": true}},',
                 f'  {{"name": "_gitlab_session", "value": "{S("SESSION_COOKIE", rs(HEX, 32))}", "path": "/", "secure": true}}', "],"],
        lambda: [f"{k_ts()} WARN [auth] session replay suspected for cookie laravel_session={S('SESSION_COOKIE', rs(AN, 40) + '%3D')} from {P('IP_ADDRESS', ip())}"],
        lambda: [f"{R.choice(HANDLES)}: can you reproduce? copy my cookie from devtools:",
                 f"sessionid={S('SESSION_COOKIE', rs(LO + DG, 32))}"],
    ]
    ctxs = ["http", "http", "shell", "har", "log", "chat"]
    for i in range(8):
        add(ctxs[i % len(forms)], forms[i % len(forms)]())


def sp_otp():
    for i in range(7):
        code = D(6) if i % 3 else D(R.choice([6, 8]))
        forms = [
            [f"{k_ts()} INFO  [sms] to={P('PHONE', phone(R.choice(COUNTRIES)))} body=\"Your {R.choice(COMPANIES)} verification code is {S('OTP_CODE', code)}. It expires in 10 minutes.\""],
            [f"{R.choice(HANDLES)}: the code from the SMS was {S('OTP_CODE', code)}, can you type it in before it expires?"],
            ["Subject: Your sign-in code", "", f"Use {S('OTP_CODE', code)} to sign in. If you didn't request this, ignore this email.",
             f"Ref: {k_req()}"],
            [f"Customer: hi, i got the text, the code is {S('OTP_CODE', code)}", "Agent: thanks, verified."],
        ]
        f = forms[i % 4]
        add(["log", "chat", "email", "chat"][i % 4], f)


def sp_k8s():
    for _ in range(5):
        pw = g_pw("url")
        u = g_user()
        url = f"postgres://{u}:{pw}@orders-db.prod.svc:5432/orders"
        add("yaml", ["apiVersion: v1", "kind: Secret", "metadata:", f"  name: {R.choice(SVC)}-db",
                     "type: Opaque", "data:",
                     f"  DATABASE_URL: {S('K8S_SECRET_DATA', base64.b64encode(url.encode()).decode())}",
                     f"  API_SIGNING_KEY: {S('K8S_SECRET_DATA', base64.b64encode(rs(AN, 32).encode()).decode())}"])
    for _ in range(4):
        kp = key_ec() + "\n"
        add("yaml", ["apiVersion: v1", "kind: Secret", "type: kubernetes.io/tls", "metadata:", "  name: ingress-tls", "data:",
                     f"  tls.crt: {K('CERTIFICATE_B64', base64.b64encode((cert_pem() + chr(10)).encode()).decode())}",
                     f"  tls.key: {S('TLS_PRIVATE_KEY_B64', base64.b64encode(kp.encode()).decode())}"])
    for _ in range(3):
        reg = R.choice(["registry.gitlab.com", "ghcr.io", "registry.contoso.net"])
        user = R.choice(["deploy-bot", "ci-puller"])
        tok = R.choice([g_glpat(), g_ghp(), g_pw("url")])
        auth = base64.b64encode(f"{user}:{tok}".encode()).decode()
        cfg = json.dumps({"auths": {reg: {"username": user, "password": tok, "auth": auth}}}, separators=(",", ":"))
        add("yaml", ["apiVersion: v1", "kind: Secret", "metadata:", "  name: regcred", "type: kubernetes.io/dockerconfigjson",
                     "data:", f"  .dockerconfigjson: {S('DOCKER_CONFIG_AUTH', base64.b64encode(cfg.encode()).decode())}"])
    for _ in range(3):
        reg = R.choice(["https://index.docker.io/v1/", "ghcr.io", "123456789012.dkr.ecr.eu-west-1.amazonaws.com"])
        auth = base64.b64encode(f"{R.choice(['jenkins', 'buildkite', 'AWS'])}:{g_pw('url')}".encode()).decode()
        add("json", ["$ cat ~/.docker/config.json", "{", '  "auths": {', f'    "{reg}": {{',
                     f'      "auth": "{S("DOCKER_CONFIG_AUTH", auth)}"', "    }", "  },",
                     f'  "HttpHeaders": {{"User-Agent": "Docker-Client/{K("SEMVER", "24.0.7")} (linux)"}}'])


def sp_keys():
    # explicit loops so every form is used
    for i in range(5):
        blk = key_rsa(1024 if i % 2 else 2048) if i != 3 else key_rsa_legacy_enc()
        _one_key("RSA_PRIVATE_KEY", blk, i)
    for i in range(5):
        _one_key("EC_PRIVATE_KEY", key_ec(), i + 1)
    for i in range(5):
        _one_key("PKCS8_PRIVATE_KEY", key_pkcs8(), i + 2)
    for i in range(4):
        _one_key("ENCRYPTED_PRIVATE_KEY", key_encrypted(), i + 3)
    for i in range(5):
        _one_key("OPENSSH_PRIVATE_KEY", key_openssh(), i + 4)
    for i in range(4):
        _one_key("PUTTY_PRIVATE_KEY", key_putty(), [0, 1, 4, 0][i])
    for i in range(4):
        _one_key("PGP_PRIVATE_KEY", key_pgp(), [0, 4, 1, 4][i])
    # key body pasted without its BEGIN line
    for i in range(4):
        blk = key_rsa(R.choice([1024, 2048]))
        body = blk.split("\n", 1)[1]
        h = R.choice(HANDLES)
        add("chat", [f"{h}: the first line got cut off when I copied it from the vault, does this still work?", S("RSA_PRIVATE_KEY", body)]
            if i % 2 == 0 else
            ["$ tail -n +2 server.key", S("RSA_PRIVATE_KEY", body), f"$ openssl rsa -check -noout -in server.key", "unable to load Private Key"])


KEYCTX = {
    "RSA_PRIVATE_KEY": (["~/.ssh/id_rsa", "certs/server.key", "/etc/ssl/private/api.key"], "can't ssh into the box, is this the right key?"),
    "EC_PRIVATE_KEY": (["certs/ingress-ec.key", "/etc/nginx/ssl/edge.key"], "nginx says 'key values mismatch', this is the key I used:"),
    "PKCS8_PRIVATE_KEY": (["jwt-signing.pem", "keys/apns_auth.p8", "/etc/ssl/private/tls.key"], "this is the signing key from the old box, does it match the cert?"),
    "ENCRYPTED_PRIVATE_KEY": (["certs/client.key.enc", "legacy/partner-sftp.key"], "openssl keeps asking for a passphrase for this one:"),
    "OPENSSH_PRIVATE_KEY": (["~/.ssh/id_ed25519", "deploy_key", "~/.ssh/github_actions"], "deploy key for the runner, permission denied (publickey) still:"),
    "PUTTY_PRIVATE_KEY": (["deploy.ppk", "C:/Users/Public/keys/bastion.ppk"], "pageant won't load this ppk, any idea?"),
    "PGP_PRIVATE_KEY": (["release-signing.asc", "secret-key-backup.asc"], "gpg --import fails with this export from the old laptop:"),
}


def _one_key(kind, block, form):
    form %= 5
    files, phrase = KEYCTX[kind]
    if form == 0:
        add("chat", [f"{R.choice(HANDLES)}: {phrase}", S(kind, block)])
    elif form == 1:
        tail = (["$ ssh-keygen -lf deploy.pub", f"256 {k_fpr()} deploy@ci (ED25519)"] if kind in ("OPENSSH_PRIVATE_KEY", "RSA_PRIVATE_KEY")
                else [f"$ ls -l {files[0]}", f"-rw-r--r-- 1 root root {R.randint(200, 3300)} {rdt().strftime('%b %d %H:%M')} {files[0]}"])
        add("shell", [f"$ cat {R.choice(files)}", S(kind, block)] + tail)
    elif form == 2:
        ind = "    "
        add("yaml", ["deploy_user: ubuntu", "deploy_ssh_key: |", ind + S(kind, block.replace("\n", "\n" + ind))])
    elif form == 3:
        add("config", ['variable "signing_key" {', "  sensitive = true", "  default   = <<EOT", S(kind, block), "EOT", "}"])
    else:
        add("email", [f"Subject: {R.choice(files).split('/')[-1]} for the renewal", "", f"Pasting it inline as requested ({k_ticket()}):", "", S(kind, block),
                      "", f"-- {k_company()} IT"])


def sp_misc_vendor_cli():
    # vendor CLIs where the secret sits in a -u / -p argument or in a URL path
    for _ in range(2):
        f, l = person()
        add("shell", [f"$ curl -u {P('EMAIL', email_for(f, l, domain=R.choice(DOMAINS)))}:{S('ATLASSIAN_API_TOKEN', g_atl())} \\",
                      f"    'https://{R.choice(['contoso', 'globex'])}.atlassian.net/rest/api/3/issue/{k_ticket()}'",
                      f'{{"errorMessages":["Issue does not exist or you do not have permission to see it."],"errors":{{}}}}'])
    for _ in range(2):
        add("shell", [f"$ curl -X POST https://api.twilio.com/2010-04-01/Accounts/AC{rs(HEX, 32)}/Messages.json \\",
                      f"    -u AC{rs(HEX, 32)}:{S('TWILIO_AUTH_TOKEN', g_twilio_token())} \\",
                      f"    --data-urlencode 'To={P('PHONE', phone(R.choice(['US', 'UK', 'AU'])))}' --data-urlencode 'Body=Your order has shipped'"])
    for _ in range(2):
        add("shell", [f"$ curl -s --user 'api:{S('MAILGUN_API_KEY', g_mailgun())}' https://api.eu.mailgun.net/v3/mg.{R.choice(DOMAINS)}/events",
                      f'{{"items": [], "paging": {{"next": "https://api.eu.mailgun.net/v3/events/{k_uuid()}"}}}}'])
    for _ in range(2):
        add("shell", [f"$ echo {S('DOCKERHUB_PAT', g_dckr())} | docker login -u {R.choice(['contosoci', 'globexbuild'])} --password-stdin",
                      "Login Succeeded"])
    for _ in range(2):
        add("shell", [f"$ twine upload -u __token__ -p {S('PYPI_TOKEN', g_pypi())} dist/*",
                      f"Uploading {R.choice(['contoso_sdk', 'globex_utils'])}-{k_semver()}-py3-none-any.whl",
                      f"100% ━━━━━━━━━━━━━━━━━━━━━━ {k_size()} • 00:00"])
    for _ in range(2):
        add("shell", [f"$ curl -s https://api.telegram.org/bot{S('TELEGRAM_BOT_TOKEN', g_telegram())}/getUpdates | jq '.result | length'", "0"])
    for _ in range(2):
        add("log", [f"{k_ts()} WARN [geo] quota exceeded for GET https://maps.googleapis.com/maps/api/geocode/json?place_id=ChIJ{rs(URLB, 23)}&key={S('GOOGLE_API_KEY', g_google())}",
                    f"{k_ts()} WARN [geo] status=OVER_QUERY_LIMIT request_id={k_req()}"])
    for _ in range(2):
        add("config", ["# .npmrc", f"//registry.npmjs.org/:_authToken={S('NPM_TOKEN', g_npm())}",
                       "@contoso:registry=https://npm.pkg.github.com", f"//npm.pkg.github.com/:_authToken={S('GITHUB_PAT', g_ghp())}"])
    for _ in range(2):
        add("shell", [f"$ curl -u {S('STRIPE_SECRET_KEY', g_sk_live())}: https://api.stripe.com/v1/balance",
                      f'{{"object": "balance", "livemode": true, "available": [{{"amount": {R.randint(1000, 999999)}, "currency": "eur"}}]}}'])
    for _ in range(1):
        add("config", ["# ~/.config/sops/age/keys.txt", f"# created: {K('TIMESTAMP', rdt().strftime('%Y-%m-%dT%H:%M:%S+01:00'))}",
                       f"# public key: age1{rs('qpzry9x8gf2tvdw0s3jn54khce6mua7l', 58)}", S("AGE_SECRET_KEY", g_age())])
    for _ in range(2):
        add("config", ["# ~/.terraformrc", 'credentials "app.terraform.io" {', f'  token = "{S("TERRAFORM_CLOUD_TOKEN", g_tfc())}"', "}"])
    add("shell", [f"$ vault login {S('VAULT_TOKEN', g_vault())}", "Success! You are now authenticated.",
                  f"token_accessor       {rs(AN, 24)}", "token_duration       768h", 'token_policies       ["default" "payments-ro"]'])
    add("code", ["// .snyk / CI helper", f'const snykToken = "{S("SNYK_TOKEN", g_snyk())}";',
                 "execSync(`snyk test --org=contoso --severity-threshold=high`, { env: { SNYK_TOKEN: snykToken } });"])


# --------------------------------------------------------------------------
# PII templates
# --------------------------------------------------------------------------
def pii_ticket(cc):
    f, l = person(cc)
    lines = [f"Ticket {k_ticket()} | Priority: P{R.randint(1, 3)} | Opened {K('TIMESTAMP', ts_plain())}",
             f"Customer: {P('PERSON', f + ' ' + l)} ({P('EMAIL', email_for(f, l, cc))}, {P('PHONE', phone(cc))})",
             f"Order {k_order()} was charged twice on card {P('CREDIT_CARD', card())}.",
             f"Shipping address: {P('STREET_ADDRESS', address(cc))}"]
    if R.random() < 0.6:
        lines.append(f"Agent note: verified DOB {P('DATE_OF_BIRTH', dob())} before discussing the refund of {R.randint(20, 400)}.00.")
    return "ticket", lines


def pii_crm(ccs):
    lines = ["customer_id,full_name,email,phone,dob,city,signup_date"]
    for cc in ccs:
        f, l = person(cc)
        city = CITY[cc]
        lines.append(f"C-{Dn(6)},{P('PERSON', f + ' ' + l)},{P('EMAIL', email_for(f, l, cc))},{P('PHONE', phone(cc))},"
                     f"{P('DATE_OF_BIRTH', dob('%Y-%m-%d'))},{city},{k_date()}")
    return "csv", lines


def pii_payment_log():
    lines = []
    for _ in range(R.randint(1, 3)):
        lines.append(f"{k_ts()} WARN  payments.charge declined card={P('CREDIT_CARD', card(R.choice(['none', 'space', 'dash'])))} "
                     f"amount={R.randint(5, 900)}.{D(2)} {R.choice(['EUR', 'USD', 'GBP'])} order={k_order()} ip={P('IP_ADDRESS', ip())} "
                     f"decline_code={R.choice(['do_not_honor', 'insufficient_funds', 'card_velocity_exceeded'])} req={k_req()}")
    return "log", lines


def pii_iban_email(cc):
    f, l = person(cc)
    icc = {"DE": "DE", "UK": "GB", "FR": "FR", "ES": "ES", "IT": "IT"}.get(cc, "NL")
    body = {"DE": ["Subject: Rückerstattung Rechnung {inv}", "", "Guten Tag,",
                   "bitte überweisen Sie den Betrag auf mein Konto: IBAN {iban}, BIC COBADEFFXXX.",
                   "Bei Rückfragen erreichen Sie mich unter {phone}.", "", "Mit freundlichen Grüßen", "{name}"],
            "FR": ["Objet : remboursement facture {inv}", "", "Bonjour,", "merci de virer le montant sur le compte {iban}.",
                   "Vous pouvez me joindre au {phone}.", "", "Cordialement,", "{name}"]}.get(cc, [
                "Subject: refund for invoice {inv}", "", "Hello,", "please send the refund to my account {iban} (account holder {name}).",
                "You can reach me on {phone}.", "", "Kind regards"])
    rep = {"{inv}": k_invoice(), "{iban}": P("IBAN", iban(icc)), "{phone}": P("PHONE", phone(cc if cc in ("DE", "FR", "UK", "ES", "IT") else "UK")),
           "{name}": P("PERSON", f"{f} {l}")}
    out = [f"From: {P('PERSON', f + ' ' + l)} <{P('EMAIL', email_for(f, l, cc))}>"]
    for line in body:
        for a, b in rep.items():
            line = line.replace(a, b)
        out.append(line)
    return "email", out


def pii_hr_us():
    f, l = person("US")
    return "ticket", [f"New hire packet — {P('PERSON', f + ' ' + l)} ({k_company()})",
                      f"SSN: {P('US_SSN', ssn('dash'))}   DOB: {P('DATE_OF_BIRTH', dob('%m/%d/%Y'))}",
                      f"Home address: {P('STREET_ADDRESS', address('US'))}",
                      f"Mobile: {P('PHONE', phone('US'))}   Start date: {k_date()}",
                      f"Payroll ticket: {k_ticket()}"]


def pii_ssn_log():
    f, l = person("US")
    return "log", [f"{k_ts()} DEBUG [kyc] POST /v1/verify body={{\"name\":\"{P('PERSON', f + ' ' + l)}\",\"ssn\":\"{P('US_SSN', ssn('none'))}\",\"dob\":\"{P('DATE_OF_BIRTH', dob('%Y-%m-%d'))}\"}}",
                   f"{k_ts()} INFO  [kyc] vendor responded {k_status(200)} match=partial trace={k_trace()}"]


def pii_ssn_query():
    return "log", [f"{k_ts()} WARN [api] slow request GET /customers/search?ssn={P('US_SSN', ssn('none'))}&state=OH took 2481ms",
                   f"{k_ts()} WARN [api] SQLSTATE {K('ERROR_CODE', '57014')} canceling statement due to statement timeout"]


def pii_uk_payroll():
    f, l = person("UK")
    return "csv", ["employee,ni_number,date_of_birth,address,phone",
                   f"{P('PERSON', f + ' ' + l)},{P('UK_NINO', nino())},{P('DATE_OF_BIRTH', dob('%d/%m/%Y'))},\"{P('STREET_ADDRESS', address('UK'))}\",{P('PHONE', phone('UK'))}"]


def pii_uk_chat():
    f, l = person("UK")
    return "chat", [f"Customer: hi, I'm {P('PERSON', f + ' ' + l)}, my NI number is {P('UK_NINO', nino())} if you need it for the P45",
                    f"Customer: you can also ring me on {P('PHONE', phone('UK'))}",
                    f"Agent: thanks, I've added it to case {k_ticket()}"]


def pii_kyc(cc):
    f, l = person(cc)
    nat = {"US": "American", "UK": "British", "DE": "German", "IN": "Indian", "FR": "French", "AU": "Australian", "JP": "Japanese", "BR": "Brazilian"}[cc]
    return "ticket", [f"KYC review {k_ticket()} — status: manual check",
                      f"Name: {P('PERSON', f + ' ' + l)}   Nationality: {nat}",
                      f"Passport no.: {P('PASSPORT', passport(cc))}   Date of birth: {P('DATE_OF_BIRTH', dob('%d %b %Y'))}",
                      f"Residential address: {P('STREET_ADDRESS', address(cc))}",
                      f"Selfie match score 0.{R.randint(80, 99)} (model {k_semver()})"]


def pii_access_log():
    lines = []
    for _ in range(R.randint(2, 4)):
        d = rdt()
        lines.append(f"{P('IP_ADDRESS', ip())} - - [{d.strftime('%d/%b/%Y:%H:%M:%S')} +0000] \"{R.choice(['GET', 'POST'])} "
                     f"{R.choice(['/api/v2/orders', '/login', '/checkout/confirm', '/account/addresses'])} HTTP/1.1\" {k_status()} "
                     f"{R.randint(200, 90000)} \"-\" \"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/{K('VERSION', '122.0.6261.112')} Safari/537.36\"")
    return "log", lines


def pii_customer_chat(cc):
    f, l = person(cc)
    return "chat", [f"Customer: hi, I can't log in since yesterday. my email is {P('EMAIL', email_obf(f, l, cc))}",
                    "Agent: Thanks! Could you confirm the phone number on the account?",
                    f"Customer: {P('PHONE', phone(cc))}",
                    f"Agent: Got it, I've reset the password and linked ticket {k_ticket()}."]


def pii_national_ids():
    out = []
    f, l = person("ES")
    out.append(("ticket", [f"Alta de cliente: {P('PERSON', f + ' ' + l)}", f"NIF: {P('ES_NIF', es_nif())}",
                           f"Dirección: {P('STREET_ADDRESS', address('ES'))}", f"Teléfono: {P('PHONE', phone('ES'))}"]))
    f, l = person("IT")
    out.append(("email", [f"From: {P('EMAIL', email_for(f, l, 'IT'))}", "Oggetto: fattura elettronica",
                          f"Buongiorno, per la fattura {k_invoice()} il mio codice fiscale è {P('IT_FISCAL_CODE', it_cf(f, l))}.",
                          f"Grazie, {P('PERSON', f + ' ' + l)}"]))
    f, l = person("IN")
    out.append(("ticket", [f"KYC for {P('PERSON', f + ' ' + l)}: Aadhaar {P('IN_AADHAAR', aadhaar())}, PAN {P('IN_PAN', in_pan(l))}",
                           f"Mobile {P('PHONE', phone('IN'))}; address {P('STREET_ADDRESS', address('IN'))}"]))
    f, l = person("AU")
    out.append(("log", [f"{k_ts()} INFO [payroll-au] employee onboarding name=\"{P('PERSON', f + ' ' + l)}\" tfn={P('AU_TFN', au_tfn())} super_fund=\"Hostplus\"",
                        f"{k_ts()} INFO [payroll-au] ATO lodgement queued id={k_uuid()}"]))
    return out


def pii_national_ids_2():
    out = []
    f, l = person("ES")
    out.append(("json", ["{", f'  "nombre": "{P("PERSON", f + " " + l)}",', f'  "documento": {{"tipo": "NIF", "numero": "{P("ES_NIF", es_nif())}"}},',
                         f'  "email": "{P("EMAIL", email_for(f, l, "ES"))}",', f'  "pedido": "{K("ORDER_NUMBER", "PED-" + D(7))}"', "}"]))
    f, l = person("IT")
    out.append(("csv", ["nome,cognome,codice_fiscale,telefono", f"{P('PERSON', f)},{P('PERSON', l)},{P('IT_FISCAL_CODE', it_cf(f, l))},{P('PHONE', phone('IT'))}"]))
    f, l = person("IN")
    out.append(("chat", [f"Customer: my PAN card number is {P('IN_PAN', in_pan(l))} and aadhaar no {P('IN_AADHAAR', aadhaar())}",
                         "Agent: thank you, please do not share these in chat in future, I've masked them in our CRM."]))
    f, l = person("AU")
    out.append(("email", [f"Hi, my tax file number is {P('AU_TFN', au_tfn())} — please update it before the next pay run.",
                          f"Cheers, {P('PERSON', f)}", f"{P('PHONE', phone('AU'))}"]))
    return out


def pii_delivery_json(cc):
    f, l = person(cc)
    return "json", ["{", f'  "order_id": "{K("ORDER_NUMBER", "ORD-2024-" + D(6))}",', f'  "sku": "{K("SKU", "SKU-" + rs(UP, 3) + "-" + D(4))}",',
                    f'  "recipient": "{P("PERSON", f + " " + l)}",', f'  "address": "{P("STREET_ADDRESS", address(cc))}",',
                    f'  "phone": "{P("PHONE", phone(cc))}",', f'  "email": "{P("EMAIL", email_for(f, l, cc))}",',
                    f'  "carrier": "{R.choice(["DHL", "UPS", "Royal Mail", "Correios", "Yamato"])}"', "}"]


def pii_fraud():
    f, l = person()
    return "ticket", [f"Fraud review {k_ticket()}: 3 orders in 4 min from {P('IP_ADDRESS', ipv4())} and {P('IP_ADDRESS', ipv6())}",
                      f"card on file #{P('CREDIT_CARD', card('none'))}, account email {P('EMAIL', email_for(f, l))}",
                      f"orders: {k_order()}, {k_order()} — total {R.randint(300, 3000)}.00 USD, merchant {k_company()}"]


def pii_git():
    f, l = person()
    return "shell", ["$ git log -1 --format=full", f"commit {k_sha()}",
                     f"Author: {P('PERSON', f + ' ' + l)} <{P('EMAIL', email_for(f, l, domain=R.choice(DOMAINS)))}>",
                     f"Commit: {P('PERSON', f + ' ' + l)} <{P('EMAIL', email_for(f, l, domain=R.choice(DOMAINS)))}>", "",
                     f"    fix: retry on {K('HTTP_STATUS', '503')} from ledger ({k_ticket()})"]


def pii_dob_variants():
    f, l = person()
    forms = [
        [f"{P('PERSON', f + ' ' + l)} (born {P('DATE_OF_BIRTH', dob('%B %d, %Y'))}) called about claim {k_ticket()}."],
        [f"name={P('PERSON', f + ' ' + l)} date_of_birth={P('DATE_OF_BIRTH', dob('%Y-%m-%d'))} last_login={k_ts()}"],
        [f"Patient: {P('PERSON', l.upper() + ', ' + f)}  DOB: {P('DATE_OF_BIRTH', dob('%d.%m.%Y'))}  Visit: {k_date()}"],
    ]
    return R.choice(["log", "ticket", "ticket"]), R.choice(forms)


def pii_sms_log():
    cc = R.choice(COUNTRIES)
    return "log", [f"{k_ts()} INFO [notify] sms queued to={P('PHONE', phone(cc))} template=delivery_update order={k_order()}",
                   f"{k_ts()} INFO [notify] provider accepted id=SM{rs(HEX, 32)}"]


def pii_iban_misc():
    f, l = person(R.choice(["DE", "FR", "UK"]))
    forms = [["payout_account:", f"  holder: {P('PERSON', f + ' ' + l)}", f"  iban: {P('IBAN', iban(style='lower'))}", "  currency: EUR"],
             [f"{k_ts()} INFO [sepa] mandate created iban={P('IBAN', iban(style='none'))} creditor={k_company()} mandate_ref={K('ACCOUNT_ID', 'MNDT-' + D(9))}"],
             [f"Bank details: IBAN {P('IBAN', iban(style='dash'))} — invoice {k_invoice()} due {k_date()}"]]
    i = R.randint(0, 2)
    return ["yaml", "log", "email"][i], forms[i]


def pii_signature(cc):
    f, l = person(cc)
    label = {"US": ("Cell", "Office"), "UK": ("Mob", "Tel"), "DE": ("Mobil", "Tel."), "FR": ("Portable", "Tél."),
             "IN": ("Mobile", "Landline"), "JP": ("携帯", "TEL"), "AU": ("M", "P"), "BR": ("Celular", "Tel")}[cc]
    return "email", [f"{P('PERSON', f + ' ' + l)}", f"{label[0]}: {P('PHONE', phone(cc))} | {label[1]}: {P('PHONE', phone(cc))}",
                     f"{P('EMAIL', email_for(f, l, cc))}", f"Sent from my phone — ref {k_ticket()}"]


def pii_uk_intl():
    f, l = person("UK")
    home = f"0044 20 7{D(3)} {D(4)}"
    mob = f"+44 7{R.choice('789')}{D(2)} {D(6)}"
    PHONE_COUNTRY["UK"] += 2
    return "chat", [f"Customer: I'm abroad this month, reach me on {P('PHONE', home)} (home) or {P('PHONE', mob)}",
                    f"Agent: noted on the account of {P('PERSON', f + ' ' + l)}, case {k_ticket()}"]


def build_pii():
    for cc in COUNTRIES:
        add(*pii_signature(cc))
    for _ in range(3):
        add(*pii_uk_intl())
    for cc in ["BR", "JP", "DE", "FR"]:
        add(*pii_ticket(cc))
    for cc in COUNTRIES:
        add(*pii_ticket(cc))
    for cc in COUNTRIES:
        add(*pii_customer_chat(cc))
    for cc in ["US", "UK", "IN", "JP", "DE", "BR", "AU", "FR"]:
        add(*pii_delivery_json(cc))
    for ccs in (["UK", "US"], ["DE", "FR", "JP"], ["IN", "AU"], ["BR", "US", "UK"]):
        add(*pii_crm(ccs))
    for _ in range(6):
        add(*pii_payment_log())
    for cc in ["DE", "UK", "FR", "DE", "ES", "IT", "UK"]:
        add(*pii_iban_email(cc))
    for _ in range(4):
        add(*pii_iban_misc())
    for _ in range(4):
        add(*pii_hr_us())
    for _ in range(2):
        add(*pii_ssn_log())
    add(*pii_ssn_query())
    for _ in range(4):
        add(*pii_uk_payroll())
    for _ in range(3):
        add(*pii_uk_chat())
    for cc in ["US", "UK", "DE", "IN", "FR", "AU", "JP", "BR"]:
        add(*pii_kyc(cc))
    for _ in range(6):
        add(*pii_access_log())
    for _ in range(4):
        for c, lines in pii_national_ids() + pii_national_ids_2():
            add(c, lines)
    for _ in range(4):
        add(*pii_fraud())
    for _ in range(4):
        add(*pii_git())
    for _ in range(6):
        add(*pii_dob_variants())
    for _ in range(4):
        add(*pii_sms_log())


# --------------------------------------------------------------------------
# mixed snippets (secret + pii + keep in one paste)
# --------------------------------------------------------------------------
def build_mixed():
    for _ in range(4):
        f, l = person()
        kind = R.choice(["STRIPE_SECRET_KEY", "SENDGRID_API_KEY", "SHOPIFY_ACCESS_TOKEN", "OPENAI_API_KEY"])
        add("ticket", [f"Ticket {k_ticket()} from {P('PERSON', f + ' ' + l)} <{P('EMAIL', email_for(f, l))}>",
                       f"\"Our integration with {k_company()} broke after your {k_semver()} release. Here's our config:",
                       f"{SPEC[kind][1][0]}={S(kind, SPEC[kind][0]())}",
                       f"tenant_id={k_uuid()}",
                       f"The error is HTTP {k_status(R.choice([401, 502]))} with request id {k_req()}.\""])
    for _ in range(3):
        f, l = person("UK")
        add("stacktrace", ["Traceback (most recent call last):", '  File "/app/signup/views.py", line 212, in post',
                           "    user = User.objects.create(**payload)",
                           f"django.db.utils.IntegrityError: duplicate key value violates unique constraint \"users_email_key\"",
                           f"DETAIL:  Key (email)=({P('EMAIL', email_for(f, l, 'UK'))}) already exists.",
                           f"payload={{'name': '{P('PERSON', f + ' ' + l)}', 'phone': '{P('PHONE', phone('UK'))}', 'password': '{S('PASSWORD', g_pw('general'))}'}}"])
    for _ in range(3):
        add("log", [f"{k_ts()} INFO  [sync] pulled {R.randint(10, 900)} rows from Airtable base using {S('AIRTABLE_PAT', g_airtable())}",
                    f"{k_ts()} INFO  [sync] traceparent=00-{k_trace()}-{k_span()}-01 duration={R.randint(100, 4000)}ms",
                    f"{k_ts()} WARN  [sync] row {K('UUID', uuid4())} has invalid email \"{P('EMAIL', email_for(*person()))}\""])


# --------------------------------------------------------------------------
# look-alike-heavy snippets (nothing sensitive, or almost nothing)
# --------------------------------------------------------------------------
def build_lookalikes():
    tokens = {"Newtonsoft.Json": "30ad4fe6b2a6aeed", "System.Memory": "cc7b13ffcd2ddd51",
              "Microsoft.Data.SqlClient": "23ec7fc2d6eaa4a5", "log4net": "669e0ddf0bb1aa2a",
              "System.Runtime.CompilerServices.Unsafe": "b03f5f7f11d50a3a"}
    for name, tok in tokens.items():
        v = R.choice(VER4)
        add("stacktrace", [f"System.IO.FileLoadException: Could not load file or assembly '{name}, Version={K('VERSION', v)}, Culture=neutral, "
                           f"PublicKeyToken={K('PUBLIC_KEY_TOKEN', tok)}' or one of its dependencies. The located assembly's manifest definition "
                           f"does not match the assembly reference. (Exception from HRESULT: {K('ERROR_CODE', '0x80131040')})",
                           f"   at {R.choice(['Contoso', 'Fabrikam', 'Northwind'])}.Billing.Startup.ConfigureServices(IServiceCollection services)"])
    for _ in range(3):
        add("config", ["<dependentAssembly>",
                       f'  <assemblyIdentity name="Microsoft.Data.SqlClient" publicKeyToken="{K("PUBLIC_KEY_TOKEN", "23ec7fc2d6eaa4a5")}" culture="neutral" />',
                       f'  <bindingRedirect oldVersion="{K("VERSION", "0.0.0.0")}-{K("VERSION", "5.0.0.0")}" newVersion="{K("VERSION", R.choice(["5.1.1.0", "5.0.0.0", "5.2.0.0"]))}" />',
                       "</dependentAssembly>"])
    for _ in range(3):
        add("log", ["C:\\> systeminfo | findstr /B /C:\"OS\" /C:\"Original\" /C:\"Total Physical\" /C:\"Hotfix\"",
                    f"OS Name:                   Microsoft Windows 10 Enterprise", f"OS Version:                {K('VERSION', R.choice(OS_BUILDS))}",
                    f"Original Install Date:     {K('TIMESTAMP', rdt().strftime('%m/%d/%Y, %I:%M:%S %p'))}",
                    f"Total Physical Memory:     {K('FILE_SIZE', f'{R.randint(8, 64) * 1024 - R.randint(0, 900):,} MB')}",
                    f"Hotfix(s):                 {R.randint(3, 14)} Hotfix(s) Installed. [01]: KB{R.randint(5020000, 5039999)}"])
    for _ in range(4):
        base = R.choice(["1.3.6.1.4.1.2021.10.1.3", "1.3.6.1.2.1.2.2.1.10", "1.3.6.1.4.1.9.9.109.1.1.1.1.8",
                         "1.3.6.1.2.1.25.2.3.1.6", "1.3.6.1.4.1.2021.4.6"])
        lines = [f"$ snmpwalk -v2c -c $SNMP_COMMUNITY core-sw-0{R.randint(1, 4)} {K('OID', base)}"]
        for i in range(1, R.randint(3, 4)):
            val = R.choice(['STRING: "0.' + D(2) + '"', "Counter32: " + Dn(8), "INTEGER: " + Dn(3)])
            lines.append(f"iso.{K('OID', base[2:] + '.' + str(i))} = {val}")
        add("shell", lines)
    add("log", [f"Signature Algorithm: sha256WithRSAEncryption ({K('OID', '1.2.840.113549.1.1.11')})",
                f"Serial Number: {K('CERT_SERIAL', ':'.join(rs(HEX, 2) for _ in range(16)))}",
                f"Not Before: {K('TIMESTAMP', rdt().strftime('%b %d %H:%M:%S %Y GMT'))}",
                f"SHA256 Fingerprint={K('KEY_FINGERPRINT', ':'.join(rs(HEXU, 2) for _ in range(32)))}"])
    for _ in range(4):
        pk = R.sample([("boto3", "1.34.51"), ("botocore", "1.34.51"), ("requests", "2.31.0"), ("urllib3", "2.2.1"),
                       ("pydantic", "2.6.3"), ("fastapi", "0.110.0"), ("sqlalchemy", "2.0.28"), ("numpy", "1.26.4")], 4)
        add("shell", ["$ pip install -r requirements.txt", "Successfully installed " + " ".join(f"{n}-{K('SEMVER', v)}" for n, v in pk)])
    for _ in range(4):
        lines = ["$ git log --oneline -5"]
        for _ in range(R.randint(3, 5)):
            lines.append(f"{k_sha(True)} {R.choice(['fix', 'feat', 'chore', 'refactor'])}: {R.choice(['bump', 'handle', 'retry on', 'log'])} "
                         f"{R.choice(['timeout', 'HTTP 503', 'ORA-00942', 'null sku', 'rate limit'])} ({k_ticket()})")
        add("shell", lines)
    for _ in range(4):
        img = R.choice(["postgres", "redis", "nginx", "python"])
        lines = [f"$ docker pull {img}:{K('SEMVER', R.choice(['16.2', '7.2.4', '1.25.4', '3.12.2']))}"]
        for _ in range(R.randint(2, 3)):
            lines.append(f"{K('LAYER_ID', rs(HEX, 12))}: Pull complete")
        lines.append(f"Digest: sha256:{k_sha256()}")
        add("shell", lines)
    errs = [("ORA-00942", "table or view does not exist"), ("ORA-12541", "TNS:no listener"),
            ("ORA-01017", "invalid username/password; logon denied"), ("SQLSTATE 57014", "canceling statement due to statement timeout"),
            ("SQLSTATE 40001", "could not serialize access due to concurrent update"), ("SQLSTATE 23505", "duplicate key value violates unique constraint")]
    for code, msg in errs:
        add("log", [f"{k_ts()} ERROR [{R.choice(SVC)}] query failed: {K('ERROR_CODE', code)}: {msg}",
                    f"{k_ts()} ERROR [{R.choice(SVC)}] trace_id={k_trace()} span_id={k_span()} attempt=3/3"])
    for _ in range(5):
        add("log", [f"{k_ts()} WARN  [gateway] upstream {R.choice(SVC)} responded HTTP {k_status(R.choice([502, 503, 504]))} after {R.randint(1000, 30000)}ms",
                    f"{k_ts()} WARN  [gateway] x-request-id={k_req()} traceparent=00-{k_trace()}-{k_span()}-01 retry_after={R.randint(1, 60)}s"])
    for _ in range(5):
        add("email", [f"Subject: Your order {k_order()} has shipped", "",
                      f"Thank you for shopping with {k_company()}!",
                      f"Invoice {k_invoice()} | Item {k_sku()} x{R.randint(1, 4)} | Total €{R.randint(10, 400)}.{D(2)}",
                      f"Tracking updates will follow. Support reference: {k_ticket()}"])
    docs = [
        ["## Configuration", "Set your key before running the examples:", f"    export OPENAI_API_KEY=\"{k_ph('YOUR_API_KEY')}\"",
         f"    stripe.api_key = \"{k_ph('sk_test_xxx')}\""],
        ["# values.yaml", "database:", "  host: postgres", f"  password: {k_ph('{{ .Values.db.password }}')}", f"  port: {k_port(5432)}"],
        ["# .env.example", f"DB_PASSWORD={k_ph('${DB_PASSWORD}')}", f"GITHUB_TOKEN={k_ph('ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX')}",
         f"AWS_ACCESS_KEY_ID={k_ph('AKIAIOSFODNN7EXAMPLE')}"],
        [f"$ kubectl get secret db -o yaml | grep password", f"  password: {k_ph('<redacted>')}"],
        ["steps:", "  - run: npm publish", "    env:", f"      NODE_AUTH_TOKEN: {k_ph('${{ secrets.NPM_TOKEN }}')}"],
        [f"{k_ts()} INFO [config] loaded settings: db_user=app db_password={K('MASKED_VALUE', '********')} api_key={K('MASKED_VALUE', '[REDACTED]')}"],
        ["mysql> show grants for 'reporting'@'%';", f"password: {K('MASKED_VALUE', '********')}", f"(card ending {K('MASKED_VALUE', '•••• 4242')})"],
        ["# docs/quickstart.md", "```", f"curl https://api.{R.choice(DOMAINS)}/v1/ping -H 'Authorization: Bearer {k_ph('<your-token-here>')}'", "```"],
        ["<!-- frontend: publishable keys are safe to expose -->",
         f"<script>const stripe = Stripe('{K('PUBLISHABLE_KEY', 'pk_live_51' + rs(AN, 97))}');</script>"],
        ["# terraform.tfvars.example", f'db_password = "{k_ph("REPLACE_ME")}"', f'api_key     = "{k_ph("xxxxxxxxxxxxxxxxxxxxxxxx")}"'],
        [f"SECRET_KEY={k_ph('<generate-with-openssl-rand>')}", f"ADMIN_PASSWORD={k_ph('<PASSWORD>')}", f"SMTP_PASS={k_ph('%DB_PASS%')}"],
        [f"api_key = {k_ph('$(cat /run/secrets/api_key)')}", f"password: {K('MASKED_VALUE', '********')}"],
    ]
    for d in docs:
        add("docs", d)
    for _ in range(4):
        acct = aws_acct()
        add("json", ["{", '  "Effect": "Allow",', '  "Action": ["s3:GetObject", "kms:Decrypt"],',
                     f'  "Resource": ["{k_arn()}", "{k_arn()}"],',
                     f'  "Principal": {{"AWS": "{K("ARN", f"arn:aws:iam::{acct}:root")}"}}', "}"])
    for _ in range(4):
        add("shell", [f"$ ssh ops@bastion.{R.choice(DOMAINS)}", f"The authenticity of host 'bastion.{R.choice(DOMAINS)}' can't be established.",
                      f"ED25519 key fingerprint is {K('KEY_FINGERPRINT', 'SHA256:' + rs(AN + '+/', 43))}.",
                      "Are you sure you want to continue connecting (yes/no/[fingerprint])? yes"])
    for _ in range(3):
        add("config", ["# ~/.ssh/authorized_keys", f"{K('SSH_PUBLIC_KEY', ssh_pub())} deploy@ci-runner-0{R.randint(1, 9)}"])
    for _ in range(3):
        add("yaml", ["$ kubectl get pod api-7d9c -o yaml | head", "metadata:", f"  uid: {k_uuid()}",
                     f"  resourceVersion: \"{Dn(8)}\"", f"  creationTimestamp: \"{K('TIMESTAMP', rdt().strftime('%Y-%m-%dT%H:%M:%SZ'))}\"",
                     f"  annotations:", f"    kubectl.kubernetes.io/restartedAt: \"{K('TIMESTAMP', rdt().strftime('%Y-%m-%dT%H:%M:%S+00:00'))}\""])
    for _ in range(3):
        name = R.choice(["lodash", "axios", "express", "react-dom"])
        add("json", [f'"node_modules/{name}": {{', f'  "version": "{k_semver()}",',
                     f'  "resolved": "https://registry.npmjs.org/{name}/-/{name}-x.tgz",',
                     f'  "integrity": "{K("INTEGRITY_HASH", "sha512-" + base64.b64encode(rbytes(64)).decode())}"', "},"])
    for _ in range(3):
        add("log", [f"Started by GitHub push by ci-bot", f"Checking out Revision {k_sha()} (origin/main)",
                    f"[Pipeline] Build #{k_build()} — artifact app.jar ({k_size()})", f"Finished: SUCCESS"])
    for _ in range(3):
        add("log", [f"$ sha256sum terraform_{K('SEMVER', '1.7.4')}_linux_amd64.zip", f"{k_sha256()}  terraform_1.7.4_linux_amd64.zip"])
    for _ in range(3):
        add("email", [f"Subject: Order confirmation {K('ORDER_NUMBER', D(3) + '-' + D(7) + '-' + D(7))}",
                      f"Your order from {k_company()} will arrive by {k_date()}.", f"Seller account: {K('ACCOUNT_ID', 'acct_1' + rs(AN, 15))}",
                      f"Payment reference {K('INVOICE_NUMBER', 'RF' + D(2) + ' ' + D(4) + ' ' + D(4))}"])
    for _ in range(3):
        add("log", [f"openjdk version \"{K('SEMVER', R.choice(['17.0.10', '21.0.2', '11.0.22']))}\" {k_date()}",
                    f"OpenJDK Runtime Environment Temurin-{K('SEMVER', '17.0.10+7')} (build {K('BUILD_NUMBER', '17.0.10+7')})",
                    f"listening on port {k_port(8443)}, heap max {k_size()}"])
    for _ in range(3):
        add("chat", [f"{R.choice(HANDLES)}: {k_company()} asked why invoice {k_invoice()} shows the wrong VAT, ticket {k_ticket()}",
                     f"{R.choice(HANDLES)}: fixed in {k_sha(True)}, ships with {k_semver()} on {k_date()}"])
    for _ in range(2):
        add("yaml", ["$ aws sts get-caller-identity", f"Account: '{K('ACCOUNT_ID', aws_acct())}'",
                     f"Arn: {k_arn()}", f"UserId: AROA{rs(UP + '234567', 17)}:ci-session"])
    for _ in range(2):
        add("log", [K("CERTIFICATE", cert_pem()), f"subject=CN = api.{R.choice(DOMAINS)}",
                    f"issuer=C = US, O = Let's Encrypt, CN = R3"])


# --------------------------------------------------------------------------
# validation + output
# --------------------------------------------------------------------------
MIN_SECRET_KINDS, MIN_SECRET_EACH = 45, 4
MIN_PII_KINDS, MIN_PII_EACH = 13, 6
MIN_KEEP_TOTAL, MIN_SNIPPETS = 160, 420

SCAN = [  # strings that must never appear outside a labelled span
    re.compile(r"\b(?:AKIA|ASIA)[A-Z2-7]{16}\b"), re.compile(r"gh[pousr]_[A-Za-z0-9]{36}"), re.compile(r"github_pat_\w{30,}"),
    re.compile(r"glpat-[\w-]{20}"), re.compile(r"xox[bp]-\d"), re.compile(r"[sr]k_live_\w+"), re.compile(r"AIza[\w-]{35}"),
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY"), re.compile(r"\beyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]+"),
    re.compile(r"\bhf_[A-Za-z]{34}\b"), re.compile(r"\bSG\.[\w-]{22}\.[\w-]{43}"), re.compile(r"sk-(?:proj|ant)-"),
    re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]*[a-z]{2,}"),
]
EXEMPT = re.compile(r"iam\.gserviceaccount\.com|noreply|@bastion|@ci\b|@ci-runner|'reporting'@|@gitlab\.contoso\.net|@(?:[\w.-]+\.)?(?:svc|internal|mongodb\.net|tcp)|@git\.|@cache|@rabbitmq|@orders-db|@db\.|@pg-main|@mysql|@10-db|@cluster0")


def validate(records):
    sec, pii, keep = collections.Counter(), collections.Counter(), collections.Counter()
    for rec in records:
        text = rec["text"]
        allspans = rec["sensitive"] + rec["keep"]
        for s in allspans:
            assert 0 <= s["start"] < s["end"] <= len(text), rec["id"]
        ordered = sorted(allspans, key=lambda s: s["start"])
        for a, b in zip(ordered, ordered[1:]):
            assert a["end"] <= b["start"], (rec["id"], a, b)
        for s in rec["sensitive"]:
            v = text[s["start"]:s["end"]]
            assert v == v.strip() and v, (rec["id"], v)
            (sec if s["category"] == "secret" else pii)[s["kind"]] += 1
            if len(v) >= 6:  # every occurrence of a sensitive value must be labelled
                i = text.find(v)
                while i != -1:
                    assert any(x["start"] <= i and i + len(v) <= x["end"] for x in rec["sensitive"]), (rec["id"], v)
                    i = text.find(v, i + 1)
        for s in rec["keep"]:
            keep[s["kind"]] += 1
        for rx in SCAN:
            for m in rx.finditer(text):
                if any(x["start"] <= m.start() and m.end() <= x["end"] for x in allspans):
                    continue
                ctx = text[max(0, m.start() - 40):m.end() + 5]
                assert EXEMPT.search(ctx), (rec["id"], m.group(0), ctx)
    assert len(records) >= MIN_SNIPPETS, len(records)
    bad = {k: n for k, n in sec.items() if n < MIN_SECRET_EACH}
    assert not bad and len(sec) >= MIN_SECRET_KINDS, (len(sec), bad)
    bad = {k: n for k, n in pii.items() if n < MIN_PII_EACH}
    assert not bad and len(pii) >= MIN_PII_KINDS, (len(pii), bad)
    assert sum(keep.values()) >= MIN_KEEP_TOTAL
    return sec, pii, keep


def main():
    build_generic()
    sp_aws()
    sp_wrapped_tokens()
    sp_gcp()
    sp_azure()
    sp_bearer_basic()
    sp_passwords()
    sp_cookies()
    sp_otp()
    sp_k8s()
    sp_keys()
    sp_misc_vendor_cli()
    build_pii()
    build_mixed()
    build_lookalikes()

    order = list(range(len(SNIPS)))
    R.shuffle(order)
    records = []
    for n, idx in enumerate(order, 1):
        ctx, marked = SNIPS[idx]
        text, spans = parse(marked)
        for s in spans:
            assert text[s["start"]:s["end"]] == s.pop("_v")
        records.append({"id": f"ul-{n:04d}", "context": ctx, "text": text,
                        "sensitive": [s for s in spans if s["category"] != "keep"],
                        "keep": [s for s in spans if s["category"] == "keep"]})
    sec, pii, keep = validate(records)

    with open(os.path.join(HERE, "unseen_leaks.jsonl"), "w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")

    def fmt(c):
        return ", ".join(f"{k} {n}" for k, n in sorted(c.items()))

    readme = [
        "# unseen_leaks — frozen evaluation corpus (secrets + PII redaction)",
        f"`unseen_leaks.jsonl`: {len(records)} snippets (chat, logs, .env, shell history, YAML/K8s, HAR/JSON, code, emails, tickets, stack traces); each line is {{id, context, text, sensitive[], keep[]}} with Python str offsets; `sensitive` spans have category secret|pii, `keep` spans are look-alikes that must NOT be masked.",
        "Built by `python3 build.py` (stdlib only, seed 20240611, deterministic); it asserts offsets, no overlaps, that every occurrence of a sensitive value is labelled, and the minimum counts. Written blind to the product's code; all values are synthetic (random bodies of each vendor's published prefix/alphabet/length; IDs pass their public checksums).",
        "Span rules: the secret VALUE only (not `password=`); private keys span -----BEGIN..END----- (PuTTY: header..Private-MAC line; pasted bodies without BEGIN: first body line..END line); values wrapped over two lines include the line break. Unlabelled text is neutral (e.g. service-account emails, Twilio account SIDs, key ids).",
        f"Secret kinds ({len(sec)}, {sum(sec.values())} spans): {fmt(sec)}.",
        f"PII kinds ({len(pii)}, {sum(pii.values())} spans): {fmt(pii)}.",
        f"PHONE by country: {fmt(PHONE_COUNTRY)}.",
        f"Keep kinds ({len(keep)}, {sum(keep.values())} spans): {fmt(keep)}.",
        "FROZEN EVALUATION DATA: do not tune detectors, thresholds or allow-lists on it, and do not edit it to make a run pass; report scores as they come.",
        "To change it, change build.py, bump the seed/version note here, and treat results as not comparable with earlier runs.",
    ]
    with open(os.path.join(HERE, "README.md"), "w", encoding="utf-8") as fh:
        fh.write("\n".join(readme) + "\n")
    print(f"snippets={len(records)} secret_kinds={len(sec)} secret_spans={sum(sec.values())} "
          f"pii_kinds={len(pii)} pii_spans={sum(pii.values())} keep_kinds={len(keep)} keep_spans={sum(keep.values())}")
    print("secret:", fmt(sec))
    print("pii:", fmt(pii))
    print("phone:", fmt(PHONE_COUNTRY))
    print("keep:", fmt(keep))


def check_file():
    """Re-validate the committed jsonl without regenerating it."""
    with open(os.path.join(HERE, "unseen_leaks.jsonl"), encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh]
    ids = [r["id"] for r in records]
    assert len(set(ids)) == len(ids)
    for r in records:
        assert set(r) == {"id", "context", "text", "sensitive", "keep"}, r["id"]
        for s in r["sensitive"]:
            assert s["category"] in ("secret", "pii") and set(s) == {"start", "end", "kind", "category"}
        for s in r["keep"]:
            assert s["category"] == "keep" and set(s) == {"start", "end", "kind", "category"}
    sec, pii, keep = validate(records)
    print(f"ok: {len(records)} snippets, {len(sec)} secret kinds, {len(pii)} pii kinds, {sum(keep.values())} keep spans")


if __name__ == "__main__":
    if "--check" in sys.argv:
        check_file()
    else:
        main()
