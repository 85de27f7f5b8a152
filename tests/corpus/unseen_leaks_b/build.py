#!/usr/bin/env python3
"""Build the frozen blind evaluation corpus `unseen_leaks_b.jsonl`.

Stdlib only and deterministic (fixed seed).  Every snippet is assembled from
plain text pieces and labelled pieces, so offsets are exact by construction;
the invariants are re-checked at the end (offsets, overlaps, every occurrence
of a sensitive value labelled, checksums, minimum counts).

Run:  python3 tests/corpus/unseen_leaks_b/build.py
"""
import base64
import collections
import hashlib
import json
import os
import random
import string
import sys
import unicodedata
import uuid

SEED = 0x5EC2E7B
R = random.Random(SEED)
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "unseen_leaks_b.jsonl")

UP = string.ascii_uppercase
LO = string.ascii_lowercase
DG = string.digits
AN = UP + LO + DG
URLSAFE = AN + "_-"
B64 = AN + "+/"
HEX = "0123456789abcdef"

# --------------------------------------------------------------------------
# snippet builder
# --------------------------------------------------------------------------


def S(v, kind):
    return ("secret", v, kind)


def P(v, kind):
    return ("pii", v, kind)


def K(v, kind):
    return ("keep", v, kind)


def _flatten(parts):
    for p in parts:
        if isinstance(p, list):
            yield from _flatten(p)
        elif p is None:
            continue
        else:
            yield p


def mk(context, *parts):
    text = ""
    sens, keep = [], []
    for p in _flatten(parts):
        if isinstance(p, str):
            text += p
            continue
        cat, v, kind = p
        st = len(text)
        text += v
        if cat == "keep":
            keep.append({"start": st, "end": len(text), "kind": kind})
        else:
            sens.append({"start": st, "end": len(text), "category": cat, "kind": kind})
    return {"context": context, "text": text, "sensitive": sens, "keep": keep}


# --------------------------------------------------------------------------
# random primitives
# --------------------------------------------------------------------------


def rs(n, alpha=AN):
    while True:
        s = "".join(R.choice(alpha) for _ in range(n))
        # long mixed-alphabet tokens always contain a digit and a letter in
        # practice; avoid degenerate draws
        need_d = any(c.isdigit() for c in alpha)
        need_a = any(c.isalpha() for c in alpha)
        if n < 12 or alpha in (HEX, DG) or ((not need_d or any(c.isdigit() for c in s)) and (not need_a or any(c.isalpha() for c in s))):
            return s


def hexs(n):
    return rs(n, HEX)


def digits(n):
    return "".join(R.choice(DG) for _ in range(n))


def rbytes(n):
    return bytes(R.randrange(256) for _ in range(n))


def b64u(b):
    if isinstance(b, str):
        b = b.encode()
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def b64s(b):
    if isinstance(b, str):
        b = b.encode()
    return base64.b64encode(b).decode()


def ruuid():
    return str(uuid.UUID(int=R.getrandbits(128), version=4))


_CYC = collections.defaultdict(int)


def cyc(key, n):
    """Deterministic round-robin over template variants so every variant is covered."""
    v = _CYC[key] % n
    _CYC[key] += 1
    return v


def pick(seq):
    return R.choice(seq)


def chance(p):
    return R.random() < p


def ascii_fold(s):
    return "".join(c for c in unicodedata.normalize("NFKD", s) if ord(c) < 128)


# --------------------------------------------------------------------------
# secret generators (published formats, random bodies)
# --------------------------------------------------------------------------


def aws_key_id(prefix="AKIA"):
    return prefix + rs(16, UP + "234567")


def aws_secret():
    return rs(40, B64)


def aws_session_token():
    return "IQoJb3JpZ2luX2Vj" + rs(R.randint(340, 420), B64) + pick(["", "=", "=="])


def gh(prefix):
    return prefix + rs(36)


def gh_fine():
    return "github_pat_11" + rs(20, UP + DG) + "_" + rs(59)


def glpat():
    return "glpat-" + rs(20, URLSAFE)


def gldt():
    return "gldt-" + rs(20, URLSAFE)


def slack_bot():
    return "xoxb-%s-%s-%s" % (digits(11), digits(13), rs(24))


def slack_user():
    return "xoxp-%s-%s-%s-%s" % (digits(11), digits(11), digits(13), hexs(32))


def slack_webhook():
    return "https://hooks.slack.com/services/T%s/B%s/%s" % (rs(8, UP + DG), rs(10, UP + DG), rs(24))


def stripe(prefix):
    if chance(0.6):
        return prefix + "51" + rs(R.choice([97, 97, 97, 56]))
    return prefix + rs(24)


def whsec():
    return "whsec_" + rs(32)


def twilio_sk():
    return "SK" + hexs(32)


def sendgrid():
    return "SG." + rs(22, URLSAFE) + "." + rs(43, URLSAFE)


def mailgun():
    if chance(0.5):
        return "key-" + hexs(32)
    return hexs(32) + "-" + hexs(8) + "-" + hexs(8)


def mailchimp():
    return hexs(32) + "-us" + str(R.randint(2, 21))


def npm_tok():
    return "npm_" + rs(36)


def pypi_tok():
    return "pypi-AgEIcHlwaS5vcmc" + rs(R.randint(150, 190), URLSAFE)


def dckr():
    return "dckr_pat_" + rs(27, URLSAFE)


def hf():
    return "hf_" + rs(34, UP + LO)


def openai_key():
    if chance(0.75):
        return "sk-proj-" + rs(74, URLSAFE) + "T3BlbkFJ" + rs(74, URLSAFE)
    if chance(0.5):
        return "sk-svcacct-" + rs(74, URLSAFE) + "T3BlbkFJ" + rs(74, URLSAFE)
    return "sk-" + rs(20) + "T3BlbkFJ" + rs(20)


def anthropic_key():
    return pick(["sk-ant-api03-", "sk-ant-api03-", "sk-ant-admin01-"]) + rs(93, URLSAFE) + "AA"


def shopify(prefix):
    return prefix + hexs(32)


def square_tok():
    return "EAAA" + rs(60, URLSAFE)


def square_secret():
    return "sq0csp-" + rs(43, URLSAFE)


def braintree():
    return "access_token$production$%s$%s" % (rs(16, LO + DG), hexs(32))


def paypal_secret():
    return "E" + rs(79, URLSAFE)


def nrak():
    return "NRAK-" + rs(27, UP + DG)


def nr_license():
    return hexs(36) + "NRAL"


def sentry_tok():
    payload = {"iat": R.randint(1700000000, 1730000000) + 0.5, "url": "https://sentry.io",
               "region_url": "https://us.sentry.io", "org": pick(["parcelly", "acme-co", "hopper-labs"])}
    return "sntrys_" + b64u(json.dumps(payload, separators=(",", ":"))) + "_" + rs(43, B64)


def atlassian():
    return "ATATT3xFfGF0" + rs(170, URLSAFE) + "=" + hexs(8).upper()


def linear():
    return "lin_api_" + rs(40)


def notion():
    if chance(0.5):
        return "secret_" + rs(43)
    return "ntn_" + digits(11) + rs(35)


def airtable():
    return "pat" + rs(14) + "." + hexs(64)


def postman():
    return "PMAK-" + hexs(24) + "-" + hexs(34)


def tfc():
    return rs(14) + ".atlasv1." + rs(67)


def vault_tok():
    if chance(0.5):
        return "hvs." + rs(24)
    return "hvs.CAESI" + rs(R.randint(80, 95), URLSAFE)


def vault_batch():
    return "hvb.AAAAAQ" + rs(R.randint(110, 140), URLSAFE)


def doppler():
    if chance(0.6):
        return "dp.pt." + rs(43)
    return "dp.st.%s.%s" % (pick(["prd", "dev", "stg"]), rs(40))


def pulumi():
    return "pul-" + hexs(40)


def glsa():
    return "glsa_" + rs(32) + "_" + hexs(8)


def glc():
    payload = {"o": digits(6), "n": "stack-%s-hm-write-%s" % (digits(6), pick(["metrics", "logs", "otlp"])),
               "k": rs(24), "m": {"r": pick(["prod-eu-west-2", "prod-us-east-0"])}}
    return "glc_" + b64s(json.dumps(payload, separators=(",", ":")))


def okta():
    return "00" + rs(40, URLSAFE)


def auth0_secret():
    return rs(64, URLSAFE)


def fcm():
    return "AAAA" + rs(7, URLSAFE) + ":APA91b" + rs(134, URLSAFE)


def google_api():
    return "AIza" + rs(35, URLSAFE)


def telegram():
    return "%d:AA%s" % (R.randint(100000000, 7999999999), rs(33, URLSAFE))


def discord():
    snow = str(R.randint(700000000000000000, 1299999999999999999))
    return b64s(snow).rstrip("=") + "." + rs(6, URLSAFE) + "." + rs(38, URLSAFE)


def azure_storage_key():
    return b64s(rbytes(64))


def azure_sas_sig():
    s = b64s(rbytes(32))
    return s.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")


def azure_client_secret():
    return rs(3, AN) + "8Q~" + rs(34, AN + "_~.-")


def azure_sak():
    return b64s(rbytes(32))


def datadog_api():
    return hexs(32)


def datadog_app():
    return hexs(40)


def jwt(alg="HS256", iss=None, extra=None):
    hdr = {"alg": alg, "typ": "JWT"}
    if alg.startswith("RS") or alg.startswith("ES"):
        hdr["kid"] = rs(22, URLSAFE)
    now = R.randint(1704000000, 1735000000)
    claims = {"sub": pick([ruuid(), "auth0|" + hexs(24), str(R.randint(10000, 9999999))]),
              "iat": now, "exp": now + pick([900, 3600, 86400])}
    if iss:
        claims["iss"] = iss
    if extra:
        claims.update(extra)
    sig = rbytes(32 if alg == "HS256" else (64 if alg.startswith("ES") else 256))
    return b64u(json.dumps(hdr, separators=(",", ":"))) + "." + b64u(json.dumps(claims, separators=(",", ":"))) + "." + b64u(sig)


WORDS = ["Summer", "Winter", "Falcon", "Bluebird", "Dragon", "Sunshine", "Hamburg", "Paris", "Welcome",
         "Kaffee", "Pirate", "Rocket", "Tiger", "Orange", "Galaxy", "Marmelade", "Fußball", "Sommer",
         "Soleil", "Madrid", "Phoenix", "Maple", "Cobalt", "Harbor", "Lighthouse", "Penguin"]


def password(kind=None):
    k = kind or pick(["human", "human", "gen", "gen", "gen", "phrase", "hex"])
    if k == "human":
        w = ascii_fold(pick(WORDS))
        if chance(0.3):
            w = w.replace("o", "0").replace("a", "@").replace("e", "3")
        return w + str(R.randint(1, 2025)) + pick(["!", "#", "$", "?", "*", "!!", ".", ""])
    if k == "gen":
        alpha = AN + "!#%^*_-+=.~"
        return rs(R.randint(14, 24), alpha)
    if k == "phrase":
        ws = ["correct", "staple", "orbit", "velvet", "gravel", "timber", "lemon", "quartz", "cactus", "ember", "nimbus", "saddle"]
        return "-".join(R.sample(ws, 4)) + str(R.randint(1, 99))
    return hexs(32)


def url_password():
    # URL-safe or percent-encoded
    pw = password(pick(["human", "gen", "gen", "phrase"]))
    return pw.replace("%", "%25").replace("#", "%23").replace("+", "%2B").replace("=", "%3D").replace("?", "%3F").replace("$", "%24")


def yaml_password():
    return password()


def otp():
    return digits(6)


def recovery_code():
    return rs(5, LO + DG) + "-" + rs(5, LO + DG)


# --------------------------------------------------------------------------
# private keys
# --------------------------------------------------------------------------


def wrap64(s, w=64):
    return "\n".join(s[i:i + w] for i in range(0, len(s), w))


def pem(label, der):
    return "-----BEGIN %s-----\n%s\n-----END %s-----" % (label, wrap64(b64s(der)), label)


def rsa_pem():
    return pem("RSA PRIVATE KEY", bytes.fromhex("308204a40201000282010100") + rbytes(1180))


def rsa_pem_legacy_encrypted():
    body = wrap64(b64s(rbytes(1190)))
    return ("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,%s\n\n%s\n-----END RSA PRIVATE KEY-----"
            % (hexs(32).upper(), body))


def ec_pem():
    return pem("EC PRIVATE KEY", bytes.fromhex("30770201010420") + rbytes(32) + bytes.fromhex("a00a06082a8648ce3d030107a144034200") + rbytes(65))


def pkcs8_pem():
    return pem("PRIVATE KEY", bytes.fromhex("308204bd020100300d06092a864886f70d0101010500048204a7308204a30201000282010100") + rbytes(1170))


def pkcs8_ec_pem():
    return pem("PRIVATE KEY", bytes.fromhex("308187020100301306072a8648ce3d020106082a8648ce3d030107046d306b0201010420") + rbytes(32) + bytes.fromhex("a144034200") + rbytes(65))


def enc_pkcs8_pem():
    return pem("ENCRYPTED PRIVATE KEY", bytes.fromhex("3082051c304e06092a864886f70d01050d3041302906092a864886f70d01050c301c0408") + rbytes(1290))


def openssh_key():
    der = (b"openssh-key-v1\x00" + bytes.fromhex("000000046e6f6e65000000046e6f6e65000000000000000100000033000000")
           + b"\x0bssh-ed25519" + b"\x00\x00\x00\x20" + rbytes(32) + rbytes(180))
    return "-----BEGIN OPENSSH PRIVATE KEY-----\n%s\n-----END OPENSSH PRIVATE KEY-----" % wrap64(b64s(der), 70)


def putty_key():
    pub = b64s(b"\x00\x00\x00\x0bssh-ed25519\x00\x00\x00\x20" + rbytes(32))
    priv = b64s(b"\x00\x00\x00\x20" + rbytes(32))
    comment = pick(["eddsa-key-%s" % R.choice(["20230914", "20240311", "20241102"]), "deploy@build-07"])
    return ("PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: %s\nPublic-Lines: 2\n%s\n%s\n"
            "Private-Lines: 1\n%s\nPrivate-MAC: %s" % (comment, pub[:64], pub[64:], priv, hexs(64)))


def pgp_private():
    body = wrap64(b64s(b"\x95\x03\x98\x04" + rbytes(900)))
    crc = b64s(rbytes(3))
    return ("-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n%s\n=%s\n-----END PGP PRIVATE KEY BLOCK-----" % (body, crc))


def ssh_pub():
    return "ssh-ed25519 " + b64s(b"\x00\x00\x00\x0bssh-ed25519\x00\x00\x00\x20" + rbytes(32))


# --------------------------------------------------------------------------
# PII generators
# --------------------------------------------------------------------------

FIRST = ["Maria", "Jonas", "Aisha", "Liam", "Priya", "Sofia", "Mateo", "Hannah", "Lukas", "Chloé", "Amélie",
         "Rahul", "Ananya", "Yuki", "Haruto", "Olivia", "Isabella", "Emma", "Mohammed", "Fatima", "Giulia",
         "Lorenzo", "Lucía", "Javier", "Sven", "Ingrid", "Thabo", "Zanele", "Oluwaseun", "Grace", "Tomás",
         "Beatriz", "Kenji", "Siobhan", "Ciarán", "Anouk", "Daan", "Élodie", "Baptiste", "Camille", "Arjun",
         "Deepika", "Rafael", "Camila", "Connor", "Madison", "Ethan", "Ahmed", "Leila", "Nikolai",
         "Katarzyna", "Henrik", "Margarethe", "Dmitri", "Valentina", "Joaquín", "Precious", "Tariq", "Nadia"]
LAST = ["Keller", "Schmidt", "Müller", "Okafor", "Patel", "Nakamura", "García", "Rossi", "Dubois", "Moreau",
        "Johnson", "Williams", "O'Brien", "van der Berg", "de Vries", "Jansen", "Kowalski", "Nguyen", "Silva",
        "Santos", "Fernández", "López", "Bianchi", "Romano", "Sharma", "Iyer", "Tanaka", "Suzuki", "Wong",
        "Hughes", "MacLeod", "Andersson", "Lindqvist", "Haddad", "Mensah", "Dlamini", "Fischer", "Weber",
        "Becker", "Lefèvre", "Girard", "Costa", "Pereira", "Murphy", "Kelly", "Achterberg", "Hoffmann",
        "Castellanos", "Brennan", "Okonkwo", "Yamamoto", "Moretti", "Delacroix", "Szabo", "Ferreira"]
AGENTS = ["Tobi (Parcelly Support)", "Agent Rik", "Support – Jess", "Mo from Parcelly", "Parcelly Support (Ines)"]

FREEMAIL = ["gmail.com", "outlook.com", "yahoo.co.uk", "web.de", "gmx.de", "orange.fr", "free.fr", "hotmail.es",
            "libero.it", "icloud.com", "proton.me", "rediffmail.com", "bigpond.com", "uol.com.br", "ziggo.nl",
            "t-online.de", "hotmail.com", "yahoo.co.jp", "shaw.ca", "posteo.de"]
CUSTDOM = ["hansen-logistik.de", "brightwave.io", "northwind-traders.com", "kleinmann-moebel.de", "soleil-deco.fr",
           "tapasbar-madrid.es", "osteria-verde.it", "greenhouse-bv.nl", "mumbai-spice.in", "koala-gear.com.au",
           "sakura-trading.jp", "maplebrew.ca", "casa-bonita.com.br", "fieldstone.co.uk", "blueridge-outfitters.com"]


def person():
    return "%s %s" % (pick(FIRST), pick(LAST))


def email_for(name=None, corporate=None):
    name = name or person()
    f, l = name.split(" ", 1)
    f = ascii_fold(f).lower()
    l = ascii_fold(l).lower().replace(" ", "").replace("'", "")
    local = pick(["%s.%s" % (f, l), "%s%s" % (f[0], l), "%s_%s%d" % (f, l, R.randint(1, 99)), "%s.%s" % (f[0], l),
                  "%s%d" % (f, R.randint(70, 2005))])
    dom = pick(CUSTDOM) if (corporate if corporate is not None else chance(0.35)) else pick(FREEMAIL)
    return "%s@%s" % (local, dom)


def email_obfuscated(name=None):
    e = email_for(name, corporate=False)
    local, dom = e.split("@")
    style = R.randint(0, 3)
    if style == 0:
        return "%s at %s" % (local, dom.replace(".", " dot "))
    if style == 1:
        return "%s[at]%s" % (local, dom.replace(".", "[dot]"))
    if style == 2:
        return "%s (at) %s" % (local, dom.replace(".", " (dot) "))
    return "%s AT %s" % (local, dom.replace(".", " DOT "))


def _nz(n):
    return str(R.randint(1, 9)) + digits(n - 1)


def phone(country=None):
    c = country or pick(["US", "UK", "DE", "FR", "IN", "JP", "AU", "BR", "CA", "ES", "IT", "NL"])
    if c in ("US", "CA"):
        area = pick([212, 213, 312, 415, 503, 617, 646, 702, 718, 773, 206, 305, 404, 512, 619, 720, 917] if c == "US"
                    else [416, 604, 514, 403, 613, 902, 780, 905, 647, 778])
        ex = R.choice([x for x in range(201, 999) if x != 555 and x % 100 != 11])
        ln = R.randint(0, 9999)
        return pick(["(%d) %d-%04d", "%d-%d-%04d", "%d.%d.%04d", "+1 %d %d %04d", "+1-%d-%d-%04d", "001 %d %d %04d",
                     "+1 (%d) %d-%04d"]) % (area, ex, ln)
    if c == "UK":
        mob = "7" + str(R.randint(4, 9)) + digits(2)
        rest = digits(6)
        lon = str(R.choice([3, 8])) + digits(3)
        return pick(["0%s %s" % (mob, rest), "+44 %s %s" % (mob, rest), "+44 (0)%s %s" % (mob, rest),
                     "0044 %s %s" % (mob, rest), "020 %s %s" % (lon, digits(4)), "+44 20 %s %s" % (lon, digits(4)),
                     "0161 %s %s" % (_nz(3), digits(4))])
    if c == "DE":
        mob = pick(["151", "152", "160", "170", "171", "172", "176", "157"])
        return pick(["0%s %s" % (mob, digits(8)), "+49 %s %s" % (mob, digits(8)), "+49 (0)%s %s" % (mob, digits(7)),
                     "0049 30 %s" % _nz(8), "030 / %s" % _nz(7), "089-%s" % _nz(8), "+49 89 %s %s" % (_nz(4), digits(4)),
                     "0%s-%s %s" % (mob, digits(4), digits(4))])
    if c == "FR":
        g = [digits(2) for _ in range(4)]
        m = str(R.choice([6, 7]))
        fx = str(R.choice([1, 2, 4, 5]))
        return pick(["0%s %s %s %s %s" % (m, *g), "+33 %s %s %s %s %s" % (m, *g), "+33 (0)%s %s %s %s %s" % (fx, *g),
                     "0033 %s %s %s %s %s" % (fx, *g), "0%s.%s.%s.%s.%s" % (fx, *g), "0%s-%s-%s-%s-%s" % (m, *g)])
    if c == "IN":
        m = str(R.choice([7, 8, 9])) + digits(4)
        r2 = digits(5)
        return pick(["+91 %s %s" % (m, r2), "+91-%s-%s" % (m, r2), "0%s %s" % (m, r2), "+91 22 %s %s" % (_nz(4), digits(4)),
                     "0091 80 %s %s" % (_nz(4), digits(4)), "+91%s%s" % (m, r2)])
    if c == "JP":
        m = pick(["090", "080", "070"])
        return pick(["%s-%s-%s" % (m, digits(4), digits(4)), "+81 %s-%s-%s" % (m[1:], digits(4), digits(4)),
                     "03-%s-%s" % (_nz(4), digits(4)), "+81 3 %s %s" % (_nz(4), digits(4)), "(06) %s-%s" % (_nz(4), digits(4))])
    if c == "AU":
        m = "4" + digits(2)
        return pick(["0%s %s %s" % (m, digits(3), digits(3)), "+61 %s %s %s" % (m, digits(3), digits(3)),
                     "(02) %s %s" % (_nz(4), digits(4)), "+61 2 %s %s" % (_nz(4), digits(4)), "(03) %s %s" % (_nz(4), digits(4))])
    if c == "BR":
        ddd = pick(["11", "21", "31", "41", "51", "61", "71", "81"])
        return pick(["(%s) 9%s-%s" % (ddd, digits(4), digits(4)), "+55 %s 9%s-%s" % (ddd, digits(4), digits(4)),
                     "+55 (%s) %s-%s" % (ddd, R.randint(2000, 5999), digits(4)), "0%s 9%s %s" % (ddd, digits(4), digits(4))])
    if c == "ES":
        m = str(R.choice([6, 7])) + digits(2)
        return pick(["%s %s %s" % (m, digits(3), digits(3)), "+34 %s %s %s %s" % (m, digits(2), digits(2), digits(2)),
                     "0034 91 %s %s %s" % (_nz(3), digits(2), digits(2)), "91 %s %s %s" % (_nz(3), digits(2), digits(2)),
                     "+34 %s-%s-%s" % (m, digits(3), digits(3))])
    if c == "IT":
        m = "3" + str(R.randint(2, 9)) + digits(1)
        return pick(["%s %s %s" % (m, digits(3), digits(4)), "+39 %s %s %s" % (m, digits(3), digits(4)),
                     "+39 06 %s %s" % (_nz(4), digits(4)), "06 %s %s" % (_nz(4), digits(4)), "0039 02 %s %s" % (_nz(4), digits(4)),
                     "+39 %s.%s.%s" % (m, digits(3), digits(4))])
    if c == "NL":
        return pick(["06-%s" % digits(8), "+31 6 %s" % digits(8), "+31 (0)20 %s %s" % (_nz(3), digits(4)),
                     "020-%s %s" % (_nz(3), digits(4)), "0031 6 %s %s" % (digits(4), digits(4)), "06 %s %s" % (digits(4), digits(4))])
    raise ValueError(c)


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


def luhn_complete(prefix, length):
    body = prefix + digits(length - len(prefix) - 1)
    for c in DG:
        if luhn_ok(body + c):
            return body + c
    raise AssertionError


def card(brand=None):
    b = brand or pick(["visa", "visa", "mc", "mc", "amex", "disc", "mc2"])
    if b == "visa":
        n = luhn_complete("4" + digits(5), 16)
    elif b == "mc":
        n = luhn_complete(str(R.randint(51, 55)) + digits(4), 16)
    elif b == "mc2":
        n = luhn_complete(str(R.randint(2221, 2720)) + digits(2), 16)
    elif b == "amex":
        n = luhn_complete(pick(["34", "37"]) + digits(4), 15)
    else:
        n = luhn_complete("6011" + digits(2), 16)
    sep = pick([" ", " ", "-", "", ""])
    if len(n) == 15:
        return sep.join([n[:4], n[4:10], n[10:]]) if sep else n
    return sep.join(n[i:i + 4] for i in range(0, 16, 4)) if sep else n


IBAN_SPEC = {
    "DE": lambda: digits(8) + digits(10),
    "GB": lambda: pick(["NWBK", "BARC", "LOYD", "HBUK", "MIDL"]) + digits(6) + digits(8),
    "FR": lambda: digits(5) + digits(5) + rs(11, UP + DG) + digits(2),
    "ES": lambda: digits(20),
    "IT": lambda: R.choice(UP) + digits(5) + digits(5) + digits(12),
    "NL": lambda: pick(["ABNA", "INGB", "RABO", "TRIO", "SNSB"]) + digits(10),
    "BE": lambda: digits(12),
    "AT": lambda: digits(16),
    "CH": lambda: digits(5) + rs(12, UP + DG),
}


def iban_check(cc, bban):
    s = bban + cc + "00"
    n = int("".join(str(int(ch, 36)) for ch in s))
    return "%02d" % (98 - n % 97)


def iban_valid(s):
    s = s.replace(" ", "").replace("-", "").upper()
    r = s[4:] + s[:4]
    return int("".join(str(int(ch, 36)) for ch in r)) % 97 == 1


def iban(cc=None):
    cc = cc or pick(list(IBAN_SPEC))
    bban = IBAN_SPEC[cc]()
    ib = cc + iban_check(cc, bban) + bban
    style = R.randint(0, 5)
    if style in (0, 1):
        out = " ".join(ib[i:i + 4] for i in range(0, len(ib), 4))
    elif style == 2:
        out = ib
    elif style == 3:
        out = "-".join(ib[i:i + 4] for i in range(0, len(ib), 4))
    elif style == 4:
        out = ib.lower()
    else:
        out = " ".join(ib[i:i + 4] for i in range(0, len(ib), 4)).lower()
    assert iban_valid(out)
    return out


def ssn():
    while True:
        a = R.randint(1, 899)
        if a != 666:
            break
    g, s = R.randint(1, 99), R.randint(1, 9999)
    return pick(["%03d-%02d-%04d", "%03d-%02d-%04d", "%03d %02d %04d", "%03d%02d%04d", "%03d.%02d.%04d"]) % (a, g, s)


def nino():
    first = "ABCEGHJKLMNOPRSTWXYZ"
    second = "ABCEGHJKLMNPRSTWXYZ"
    while True:
        p = R.choice(first) + R.choice(second)
        if p not in ("BG", "GB", "NK", "KN", "TN", "NT", "ZZ"):
            break
    d = digits(6)
    suf = R.choice("ABCD")
    return pick(["%s %s %s %s %s" % (p, d[:2], d[2:4], d[4:], suf), "%s%s%s" % (p, d, suf), "%s %s %s" % (p, d, suf)])


def dob(style=None):
    y, m, d = R.randint(1948, 2004), R.randint(1, 12), R.randint(1, 28)
    months_en = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
    st = style if style is not None else R.randint(0, 6)
    return [("%02d/%02d/%04d" % (m, d, y)), ("%02d.%02d.%04d" % (d, m, y)), ("%04d-%02d-%02d" % (y, m, d)),
            ("%d %s %d" % (d, months_en[m - 1], y)), ("%s %d, %d" % (months_en[m - 1], d, y)),
            ("%02d/%02d/%04d" % (d, m, y)), ("%02d-%02d-%04d" % (d, m, y))][st]


US_STREETS = ["Maple Ave", "Oak Street", "Sunset Blvd", "Lakeview Drive", "Pine Ridge Rd", "W 34th St", "Elm Court", "Mission St"]
US_CITIES = [("Springfield", "IL", "627"), ("Austin", "TX", "787"), ("Portland", "OR", "972"), ("Brooklyn", "NY", "112"),
             ("Denver", "CO", "802"), ("San Francisco", "CA", "941"), ("Columbus", "OH", "432")]
UK_STREETS = ["Kingsley Road", "Victoria Street", "Mill Lane", "Church Close", "Highfield Avenue", "Station Road"]
UK_CITIES = [("Leeds", "LS6"), ("Manchester", "M14"), ("Bristol", "BS7"), ("London", "SE15"), ("Glasgow", "G12"), ("Cardiff", "CF24")]
DE_STREETS = ["Lindenstraße", "Hauptstr.", "Am Mühlbach", "Goethestraße", "Schillerplatz", "Bahnhofstraße", "Kastanienallee"]
DE_CITIES = [("10115", "Berlin"), ("80331", "München"), ("50667", "Köln"), ("20095", "Hamburg"), ("04109", "Leipzig"), ("70173", "Stuttgart")]
FR_STREETS = ["rue des Lilas", "avenue Jean Jaurès", "boulevard Voltaire", "rue de la République", "impasse des Tilleuls", "place Bellecour"]
FR_CITIES = [("69003", "Lyon"), ("75011", "Paris"), ("13001", "Marseille"), ("33000", "Bordeaux"), ("31000", "Toulouse")]


def address(country=None):
    c = country or pick(["US", "UK", "DE", "FR"])
    if c == "US":
        city, st, z = pick(US_CITIES)
        apt = pick(["", ", Apt %d%s" % (R.randint(1, 12), R.choice("ABCD")), ", Suite %d" % R.randint(100, 900)])
        return "%d %s%s, %s, %s %s%s" % (R.randint(10, 9999), pick(US_STREETS), apt, city, st, z, digits(2))
    if c == "UK":
        city, pc = pick(UK_CITIES)
        return "%s %s, %s %s %d%s" % (pick(["%d" % R.randint(1, 220), "Flat %d, %d" % (R.randint(1, 30), R.randint(1, 120))]),
                                     pick(UK_STREETS), city, pc, R.randint(1, 9), rs(2, "ABDEFGHJLNPQRSTUWXYZ"))
    if c == "DE":
        z, city = pick(DE_CITIES)
        return "%s %d%s, %s %s" % (pick(DE_STREETS), R.randint(1, 140), pick(["", "a", "b"]), z, city)
    z, city = pick(FR_CITIES)
    return "%d%s %s, %s %s" % (R.randint(1, 180), pick(["", " bis"]), pick(FR_STREETS), z, city)


VERHOEFF_D = [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5], [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
              [3, 4, 0, 1, 2, 8, 9, 5, 6, 7], [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
              [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3], [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
              [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]]
VERHOEFF_P = [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4], [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
              [8, 9, 1, 6, 0, 4, 3, 5, 2, 7], [9, 4, 5, 3, 1, 2, 6, 8, 7, 0], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
              [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8]]
VERHOEFF_INV = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9]


def verhoeff_ok(num):
    c = 0
    for i, ch in enumerate(reversed(num)):
        c = VERHOEFF_D[c][VERHOEFF_P[i % 8][int(ch)]]
    return c == 0


def aadhaar():
    body = str(R.randint(2, 9)) + digits(10)
    c = 0
    for i, ch in enumerate(reversed(body)):
        c = VERHOEFF_D[c][VERHOEFF_P[(i + 1) % 8][int(ch)]]
    n = body + str(VERHOEFF_INV[c])
    assert verhoeff_ok(n)
    return pick(["%s %s %s", "%s-%s-%s", "%s%s%s"]) % (n[:4], n[4:8], n[8:])


def pan(surname="K"):
    return rs(3, UP) + "P" + ascii_fold(surname)[0].upper() + digits(4) + R.choice(UP)


def tfn_ok(n):
    w = [1, 4, 3, 7, 5, 8, 6, 9, 10]
    return sum(int(a) * b for a, b in zip(n, w)) % 11 == 0


def tfn():
    w = [1, 4, 3, 7, 5, 8, 6, 9, 10]
    while True:
        b = digits(8)
        s = sum(int(a) * x for a, x in zip(b, w))
        for d in DG:
            if (s + int(d) * 10) % 11 == 0:
                n = b + d
                assert tfn_ok(n)
                return pick(["%s %s %s", "%s%s%s", "%s-%s-%s"]) % (n[:3], n[3:6], n[6:])


def cpf_ok(n):
    d = [int(c) for c in n if c.isdigit()]
    if len(set(d)) == 1:
        return False
    for k in (9, 10):
        s = sum(d[i] * (k + 1 - i) for i in range(k))
        r = (s * 10) % 11 % 10
        if r != d[k]:
            return False
    return True


def cpf():
    while True:
        d = [R.randint(0, 9) for _ in range(9)]
        if len(set(d)) > 1:
            break
    for k in (9, 10):
        s = sum(d[i] * (k + 1 - i) for i in range(k))
        d.append((s * 10) % 11 % 10)
    n = "".join(map(str, d))
    assert cpf_ok(n)
    return pick(["%s.%s.%s-%s" % (n[:3], n[3:6], n[6:9], n[9:]), "%s.%s.%s-%s" % (n[:3], n[3:6], n[6:9], n[9:]), n])


def sin_ca():
    n = luhn_complete(str(R.choice([1, 2, 3, 4, 5, 6, 7, 9])), 9)
    return pick(["%s %s %s", "%s-%s-%s", "%s%s%s"]) % (n[:3], n[3:6], n[6:])


def steuer_id_ok(n):
    n = n.replace(" ", "")
    if len(n) != 11 or n[0] == "0":
        return False
    product = 10
    for ch in n[:10]:
        s = (int(ch) + product) % 10
        if s == 0:
            s = 10
        product = (s * 2) % 11
    chk = 11 - product
    if chk == 10:
        chk = 0
    return chk == int(n[10])


def steuer_id():
    while True:
        ds = R.sample(DG, 9)
        ds.append(R.choice(ds))
        R.shuffle(ds)
        if ds[0] == "0" or any(ds[i] == ds[i + 1] for i in range(9)):
            continue
        break
    product = 10
    for ch in ds:
        s = (int(ch) + product) % 10
        if s == 0:
            s = 10
        product = (s * 2) % 11
    chk = 11 - product
    if chk == 10:
        chk = 0
    n = "".join(ds) + str(chk)
    assert steuer_id_ok(n)
    return pick(["%s %s %s %s" % (n[:2], n[2:5], n[5:8], n[8:]), n])


def nric():
    pfx = R.choice("ST")
    d = digits(7)
    w = [2, 7, 6, 5, 4, 3, 2]
    s = sum(int(a) * b for a, b in zip(d, w)) + (4 if pfx == "T" else 0)
    return pfx + d + "JZIHGFEDCBA"[s % 11]


def nric_ok(n):
    w = [2, 7, 6, 5, 4, 3, 2]
    s = sum(int(a) * b for a, b in zip(n[1:8], w)) + (4 if n[0] in "TG" else 0)
    return n[8] == "JZIHGFEDCBA"[s % 11]


DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def dni():
    n = R.randint(10000000, 79999999)
    return pick(["%08d%s", "%08d-%s", "%08d %s"]) % (n, DNI_LETTERS[n % 23])


def nie():
    p = R.choice("XYZ")
    n = digits(7)
    v = int(str("XYZ".index(p)) + n)
    return pick(["%s%s%s", "%s-%s-%s"]) % (p, n, DNI_LETTERS[v % 23])


def dni_ok(s):
    s = s.replace("-", "").replace(" ", "")
    if s[0] in "XYZ":
        s = str("XYZ".index(s[0])) + s[1:]
    return DNI_LETTERS[int(s[:-1]) % 23] == s[-1]


CF_ODD = dict(zip("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                  [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23]))


def cf_check(s15):
    t = 0
    for i, ch in enumerate(s15):
        if i % 2 == 0:
            t += CF_ODD[ch]
        else:
            t += int(ch) if ch.isdigit() else ord(ch) - 65
    return chr(65 + t % 26)


def codice_fiscale(name):
    first, last = name.split(" ", 1)

    def cons(s):
        return [c for c in ascii_fold(s).upper() if c.isalpha() and c not in "AEIOU"]

    def vows(s):
        return [c for c in ascii_fold(s).upper() if c in "AEIOU"]
    sur = "".join((cons(last) + vows(last) + ["X"] * 3)[:3])
    c = cons(first)
    nm = "".join([c[0], c[2], c[3]]) if len(c) >= 4 else "".join((c + vows(first) + ["X"] * 3)[:3])
    yy = "%02d" % R.randint(50, 99)
    mm = R.choice("ABCDEHLMPRST")
    dd = R.randint(1, 28) + (40 if chance(0.5) else 0)
    town = pick(["H501", "F205", "L219", "F839", "A662", "G273", "D612", "C351"])
    s15 = "%s%s%s%s%02d%s" % (sur, nm, yy, mm, dd, town)
    return s15 + cf_check(s15)


def passport(country=None):
    c = country or pick(["US", "UK", "DE", "FR", "IN"])
    if c == "US":
        return pick([digits(9), R.choice("ACDEFGHJKLMNPRSTUVWXYZ") + digits(8)])
    if c == "UK":
        return _nz(9)
    if c == "DE":
        return R.choice("CFGHJK") + rs(8, "CFGHJKLMNPRTVWXYZ0123456789")
    if c == "FR":
        return digits(2) + rs(2, UP) + digits(5)
    return R.choice("JKLMNPRSTVZ") + _nz(7)


def driver_licence(country=None, surname="Smith"):
    c = country or pick(["US-CA", "US-NY", "UK", "DE"])
    if c == "US-CA":
        return R.choice(UP) + digits(7)
    if c == "US-NY":
        return pick(["%s %s %s" % (digits(3), digits(3), digits(3)), digits(9)])
    if c == "UK":
        sn = (ascii_fold(surname).upper().replace(" ", "").replace("'", "") + "99999")[:5]
        y, m, d = R.randint(50, 99), R.randint(1, 12) + pick([0, 50]), R.randint(1, 28)
        return "%s%s%02d%02d%s%s%d%s" % (sn, str(y)[0], m, d, str(y)[1], rs(2, UP), R.randint(0, 9), rs(2, UP + DG))
    return R.choice("BJ") + digits(3) + rs(7, UP + DG)


_PRIVATE = [(10, 8), (127, 8), (0, 8), (172, 12), (192, 16), (169, 16), (100, 10), (224, 3)]


def public_ipv4():
    while True:
        a, b, c, d = R.randint(1, 223), R.randint(0, 255), R.randint(0, 255), R.randint(1, 254)
        if a in (10, 127, 0) or (a == 172 and 16 <= b <= 31) or (a == 192 and b == 168) or (a == 169 and b == 254) \
                or (a == 100 and 64 <= b <= 127) or (a == 192 and b == 0 and c == 2) or (a == 198 and b == 51 and c == 100) \
                or (a == 203 and b == 0 and c == 113) or (a == 198 and b in (18, 19)):
            continue
        return "%d.%d.%d.%d" % (a, b, c, d)


def public_ipv6():
    pre = pick(["2a02:%x" % R.randint(0x100, 0xffff), "2a01:%x" % R.randint(0x100, 0xffff), "2600:%x" % R.randint(0x1000, 0x1fff),
                "2607:f%x" % R.randint(0x100, 0xfff), "2003:%x" % R.randint(0xc0, 0xff), "2409:%x" % R.randint(0x4000, 0x40ff)])
    groups = ["%x" % R.randint(0, 0xffff) for _ in range(3)]
    if chance(0.5):
        return "%s:%s::%x" % (pre, ":".join(groups), R.randint(1, 0xffff))
    return "%s:%s:%s" % (pre, ":".join(groups), ":".join("%x" % R.randint(0, 0xffff) for _ in range(3)))


# --------------------------------------------------------------------------
# look-alike generators (keep)
# --------------------------------------------------------------------------


def private_ip():
    return pick(["10.%d.%d.%d" % (R.randint(0, 255), R.randint(0, 255), R.randint(2, 254)),
                 "172.%d.%d.%d" % (R.randint(16, 31), R.randint(0, 255), R.randint(2, 254)),
                 "192.168.%d.%d" % (R.randint(0, 20), R.randint(2, 254))])


def semver():
    return "%d.%d.%d" % (R.randint(0, 14), R.randint(0, 40), R.randint(0, 30))


def ver4():
    return "%d.%d.%d.%d" % (R.randint(1, 13), R.randint(0, 9), R.randint(0, 9999), R.randint(0, 999))


def oid():
    return "1.3.6.1.4.1.%d.%s" % (pick([9, 2636, 8072, 2021, 311, 674, 11]), ".".join(str(R.randint(1, 30)) for _ in range(R.randint(3, 8))))


def sha1():
    return hexs(40)


def sha256():
    return hexs(64)


def ts_iso():
    return "2024-%02d-%02dT%02d:%02d:%02d.%03dZ" % (R.randint(1, 12), R.randint(1, 28), R.randint(0, 23), R.randint(0, 59), R.randint(0, 59), R.randint(0, 999))


def ts_log():
    return "2024-%02d-%02d %02d:%02d:%02d,%03d" % (R.randint(1, 12), R.randint(1, 28), R.randint(0, 23), R.randint(0, 59), R.randint(0, 59), R.randint(0, 999))


def clf_time():
    mon = pick(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"])
    return "%02d/%s/2024:%02d:%02d:%02d +0000" % (R.randint(1, 28), mon, R.randint(0, 23), R.randint(0, 59), R.randint(0, 59))


def date_plain():
    return pick(["2024-%02d-%02d" % (R.randint(1, 12), R.randint(1, 28)), "%02d/%02d/2024" % (R.randint(1, 12), R.randint(1, 28)),
                 "%02d.%02d.2025" % (R.randint(1, 28), R.randint(1, 12))])


def duration():
    return pick(["%dms" % R.randint(3, 9000), "%.2fs" % (R.random() * 30), "%dm%02ds" % (R.randint(1, 59), R.randint(0, 59)), "%d ms" % R.randint(1, 999)])


def order_no():
    return pick(["ORD-%d-%06d" % (R.randint(2022, 2025), R.randint(0, 999999)), "#%d" % R.randint(100000000, 999999999),
                 "PO-%s" % digits(7), "SO%s" % digits(8)])


def invoice_no():
    return pick(["INV-%s" % digits(7), "RE-2024-%s" % digits(5), "F%s-%s" % (digits(4), digits(6))])


def sku():
    return "%s-%s-%s-%s" % (rs(3, UP), digits(4), pick(["BLK", "WHT", "NAV", "RED", "GRN"]), pick(["S", "M", "L", "XL", "XXL"]))


def jira():
    return "%s-%d" % (pick(["PAY", "OPS", "SEC", "INFRA", "CORE", "SUP", "WEB", "MOB"]), R.randint(12, 9999))


def ticket():
    return pick(["#%d" % R.randint(10000, 999999), "CS-%s" % digits(6), "Case %s" % digits(8)])


def file_size():
    return pick(["%.1f MB" % (R.random() * 900), "%d KB" % R.randint(1, 9999), "%.2f GiB" % (R.random() * 40), "%d bytes" % R.randint(100, 99999999)])


def latlong():
    return "%.4f, %.4f" % (R.uniform(-60, 70), R.uniform(-170, 170))


def isbn13():
    body = "978" + digits(9)
    s = sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(body))
    chk = (10 - s % 10) % 10
    n = body + str(chk)
    return "%s-%s-%s-%s-%s" % (n[:3], n[3], n[4:6], n[6:12], n[12])


def http_status():
    return str(pick([200, 200, 201, 204, 301, 302, 304, 400, 401, 403, 404, 409, 422, 429, 500, 502, 503, 504]))


def port():
    return str(pick([443, 5432, 3306, 6379, 8080, 8443, 9090, 27017, 5672, 9200, 3000, 5000, 8000, 11211]))


def error_code():
    return pick(["ERR_CONN_REFUSED", "E11000", "ORA-01017", "0x80070005", "ECONNRESET", "SQLSTATE 28P01", "HTTP_429",
                 "ERR-%d" % R.randint(1000, 9999), "E%04d" % R.randint(1, 9999), "KEYCLOAK-4021"])


def trace_id():
    return hexs(32)


def span_id():
    return hexs(16)


def build_no():
    return pick(["#%d" % R.randint(1000, 99999), "%d.%d" % (R.randint(20240101, 20241230), R.randint(1, 9)), "build-%d" % R.randint(100, 9999)])


COMPANIES = ["Stripe", "Deutsche Bank", "Amazon Web Services", "Google Cloud", "Microsoft", "Shopify", "Salesforce",
             "Atlassian", "DHL", "Deutsche Telekom", "BNP Paribas", "Banco Santander", "Intesa Sanpaolo", "ING",
             "Tata Consultancy Services", "Sony", "Commonwealth Bank", "Itaú Unibanco", "Royal Bank of Canada",
             "Vodafone", "Siemens", "Twilio", "Cloudflare", "GitHub", "Datadog", "HSBC", "Barclays", "Zalando"]

PLACEHOLDERS_KEY = ["YOUR_API_KEY", "<your-api-key>", "sk_live_" + "x" * 24, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "****",
                    "********", "<redacted>", "${API_KEY}", "REPLACE_ME", "AKIAIOSFODNN7EXAMPLE",
                    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
                    "<TOKEN>", "{{ secrets.API_TOKEN }}", "sk-...", "xoxb-your-token", "[REDACTED]", "$(cat /run/secrets/api_key)"]


# --------------------------------------------------------------------------
# shared building blocks for templates
# --------------------------------------------------------------------------

INTERNAL_HOSTS = ["db-prod-1.internal", "orders-db.cluster-c7x2kq.eu-central-1.rds.amazonaws.com", "pg-replica-02.parcelly.local",
                  "mysql.shop.svc.cluster.local", "cache-01.internal", "rabbit.prod.parcelly.local", "10.0.4.17"]
DBNAMES = ["orders", "shop", "billing", "app_production", "analytics", "crm", "parcelly"]
DBUSERS = ["app", "app_rw", "svc_orders", "admin", "root", "parcelly", "reporting_ro", "api", "postgres", "backup"]


def host_part():
    h = pick(INTERNAL_HOSTS)
    if h[0].isdigit():
        return K(private_ip(), "PRIVATE_IP")
    return h


def dsn_parts(scheme=None, kind="DSN_PASSWORD"):
    scheme = scheme or pick(["postgres", "postgresql", "mysql", "mongodb+srv", "redis", "rediss", "amqps", "mongodb", "mysql2"])
    pw = url_password()
    user = pick(DBUSERS)
    if scheme.startswith("postgres"):
        return [scheme + "://" + user + ":", S(pw, kind), "@", host_part(), ":", K("5432", "PORT"), "/" + pick(DBNAMES) + pick(["", "?sslmode=require", "?sslmode=verify-full&application_name=api"])]
    if scheme.startswith("mysql"):
        return [scheme + "://" + user + ":", S(pw, kind), "@", host_part(), ":3306/" + pick(DBNAMES) + pick(["", "?charset=utf8mb4", "?parseTime=true"])]
    if scheme == "mongodb+srv":
        return [scheme + "://" + user + ":", S(pw, kind), "@cluster0.%s.mongodb.net/%s?retryWrites=true&w=majority" % (rs(5, LO + DG), pick(DBNAMES))]
    if scheme == "mongodb":
        return [scheme + "://" + user + ":", S(pw, kind), "@mongo-0.mongo:27017,mongo-1.mongo:27017/%s?replicaSet=rs0&authSource=admin" % pick(DBNAMES)]
    if scheme.startswith("redis"):
        return [scheme + "://" + pick(["", "default"]) + ":", S(pw, kind), "@", host_part(), ":", K(pick(["6379", "6380"]), "PORT"), "/" + str(R.randint(0, 3))]
    return [scheme + "://" + pick(["guest", "orders-worker", "admin"]) + ":", S(pw, kind), "@", pick(["b-3f1c2a.mq.eu-west-1.amazonaws.com:5671", "rabbit.prod.parcelly.local:5672"]), "/" + pick(["%2F", "orders", "vhost1"])]


def jdbc_parts():
    pw = password(pick(["human", "gen"]))
    return pick([
        ["jdbc:mysql://", host_part(), ":3306/shop?user=app&password=", S(pw, "DSN_PASSWORD"), "&useSSL=true"],
        ["jdbc:postgresql://", host_part(), ":5432/orders?user=svc_orders&password=", S(pw, "DSN_PASSWORD"), "&ssl=true"],
        ["jdbc:sqlserver://parcelly-sql.database.windows.net:1433;database=billing;user=appuser@parcelly-sql;password=", S(pw, "DSN_PASSWORD"), ";encrypt=true;trustServerCertificate=false"],
        ["jdbc:oracle:thin:scott/", S(pw, "DSN_PASSWORD"), "@//", host_part(), ":1521/ORCLPDB1"],
    ])


def sv(name, kind, gen):
    return (name, lambda: [S(gen(), kind)])


SECRET_VARS = [
    sv("AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID", aws_key_id),
    sv("AWS_SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY", aws_secret),
    sv("GITHUB_TOKEN", "GITHUB_PAT", lambda: gh("ghp_")),
    sv("GH_PAT", "GITHUB_FINE_GRAINED_PAT", gh_fine),
    sv("GITLAB_TOKEN", "GITLAB_PAT", glpat),
    sv("GITLAB_DEPLOY_TOKEN", "GITLAB_DEPLOY_TOKEN", gldt),
    sv("SLACK_BOT_TOKEN", "SLACK_BOT_TOKEN", slack_bot),
    sv("SLACK_WEBHOOK_URL", "SLACK_WEBHOOK_URL", slack_webhook),
    sv("STRIPE_SECRET_KEY", "STRIPE_SECRET_KEY", lambda: stripe("sk_live_")),
    sv("STRIPE_RESTRICTED_KEY", "STRIPE_RESTRICTED_KEY", lambda: stripe("rk_live_")),
    sv("STRIPE_WEBHOOK_SECRET", "STRIPE_WEBHOOK_SECRET", whsec),
    sv("SENDGRID_API_KEY", "SENDGRID_API_KEY", sendgrid),
    sv("MAILGUN_API_KEY", "MAILGUN_API_KEY", mailgun),
    sv("MAILCHIMP_API_KEY", "MAILCHIMP_API_KEY", mailchimp),
    sv("TWILIO_AUTH_TOKEN", "TWILIO_AUTH_TOKEN", lambda: hexs(32)),
    sv("TWILIO_API_KEY", "TWILIO_API_KEY", twilio_sk),
    sv("NPM_TOKEN", "NPM_TOKEN", npm_tok),
    sv("HF_TOKEN", "HUGGINGFACE_TOKEN", hf),
    sv("OPENAI_API_KEY", "OPENAI_API_KEY", openai_key),
    sv("ANTHROPIC_API_KEY", "ANTHROPIC_API_KEY", anthropic_key),
    sv("SHOPIFY_ACCESS_TOKEN", "SHOPIFY_ACCESS_TOKEN", lambda: shopify("shpat_")),
    sv("SHOPIFY_API_SECRET", "SHOPIFY_SHARED_SECRET", lambda: shopify("shpss_")),
    sv("SQUARE_ACCESS_TOKEN", "SQUARE_ACCESS_TOKEN", square_tok),
    sv("SQUARE_APPLICATION_SECRET", "SQUARE_APP_SECRET", square_secret),
    sv("BRAINTREE_ACCESS_TOKEN", "BRAINTREE_ACCESS_TOKEN", braintree),
    sv("PAYPAL_CLIENT_SECRET", "PAYPAL_CLIENT_SECRET", paypal_secret),
    sv("DD_API_KEY", "DATADOG_API_KEY", datadog_api),
    sv("DD_APP_KEY", "DATADOG_APP_KEY", datadog_app),
    sv("NEW_RELIC_API_KEY", "NEW_RELIC_USER_KEY", nrak),
    sv("NEW_RELIC_LICENSE_KEY", "NEW_RELIC_LICENSE_KEY", nr_license),
    sv("SENTRY_AUTH_TOKEN", "SENTRY_AUTH_TOKEN", sentry_tok),
    sv("JIRA_API_TOKEN", "ATLASSIAN_API_TOKEN", atlassian),
    sv("LINEAR_API_KEY", "LINEAR_API_KEY", linear),
    sv("NOTION_TOKEN", "NOTION_TOKEN", notion),
    sv("AIRTABLE_TOKEN", "AIRTABLE_PAT", airtable),
    sv("POSTMAN_API_KEY", "POSTMAN_API_KEY", postman),
    sv("TF_TOKEN_app_terraform_io", "TERRAFORM_CLOUD_TOKEN", tfc),
    sv("VAULT_TOKEN", "VAULT_TOKEN", vault_tok),
    sv("DOPPLER_TOKEN", "DOPPLER_TOKEN", doppler),
    sv("PULUMI_ACCESS_TOKEN", "PULUMI_ACCESS_TOKEN", pulumi),
    sv("GRAFANA_SA_TOKEN", "GRAFANA_SERVICE_ACCOUNT_TOKEN", glsa),
    sv("GRAFANA_CLOUD_API_KEY", "GRAFANA_CLOUD_TOKEN", glc),
    sv("OKTA_API_TOKEN", "OKTA_API_TOKEN", okta),
    sv("AUTH0_CLIENT_SECRET", "AUTH0_CLIENT_SECRET", auth0_secret),
    sv("FCM_SERVER_KEY", "FIREBASE_SERVER_KEY", fcm),
    sv("GOOGLE_MAPS_API_KEY", "GOOGLE_API_KEY", google_api),
    sv("TELEGRAM_BOT_TOKEN", "TELEGRAM_BOT_TOKEN", telegram),
    sv("DISCORD_TOKEN", "DISCORD_BOT_TOKEN", discord),
    sv("DOCKERHUB_TOKEN", "DOCKER_HUB_PAT", dckr),
    sv("AZURE_CLIENT_SECRET", "AZURE_CLIENT_SECRET", azure_client_secret),
    sv("AZURE_STORAGE_KEY", "AZURE_STORAGE_ACCOUNT_KEY", azure_storage_key),
    sv("PYPI_API_TOKEN", "PYPI_TOKEN", pypi_tok),
    sv("DB_PASSWORD", "PASSWORD", password),
    sv("SMTP_PASSWORD", "PASSWORD", password),
    sv("REDIS_PASSWORD", "PASSWORD", password),
    sv("SECRET_KEY_BASE", "APP_SECRET_KEY", lambda: hexs(128)),
    sv("DJANGO_SECRET_KEY", "APP_SECRET_KEY", lambda: "django-insecure-" + rs(50, AN + "!@#%^&*(-_=+)") if chance(0.2) else rs(50, AN + "!@#%^&*(-_=+)")),
    sv("JWT_SECRET", "JWT_SIGNING_SECRET", lambda: b64s(rbytes(48))),
    sv("ENCRYPTION_KEY", "ENCRYPTION_KEY", lambda: b64s(rbytes(32))),
    sv("HEROKU_API_KEY", "HEROKU_API_KEY", ruuid),
]


def _placeholder_var():
    name = pick(["MAILGUN_API_KEY", "OPENAI_API_KEY", "STRIPE_SECRET_KEY", "SENDGRID_API_KEY", "AWS_SECRET_ACCESS_KEY", "GITHUB_TOKEN", "SMTP_PASSWORD"])
    return (name, lambda: [K(pick(PLACEHOLDERS_KEY), "PLACEHOLDER")])


NEUTRAL_VARS = [
    ("PORT", lambda: [K(port(), "PORT")]),
    ("NODE_ENV", lambda: ["production"]),
    ("APP_VERSION", lambda: [K(semver(), "VERSION")]),
    ("LOG_LEVEL", lambda: [pick(["info", "debug", "warn"])]),
    ("DB_HOST", lambda: [K(private_ip(), "PRIVATE_IP")]),
    ("GIT_SHA", lambda: [K(sha1(), "GIT_SHA")]),
    ("BUILD_NUMBER", lambda: [K(str(R.randint(1000, 99999)), "BUILD_NUMBER")]),
    ("REQUEST_TIMEOUT_MS", lambda: [K(str(R.randint(1000, 60000)), "DURATION")]),
    ("MAX_UPLOAD_SIZE", lambda: [K("%dMB" % R.choice([10, 25, 50, 100]), "FILE_SIZE")]),
    ("STRIPE_PUBLISHABLE_KEY", lambda: ["pk_live_51" + rs(97)]),
    ("SENTRY_DSN", lambda: ["https://%s@o%s.ingest.sentry.io/%s" % (hexs(32), digits(6), digits(7))]),
    ("TZ", lambda: [pick(["Europe/Berlin", "UTC", "America/New_York"])]),
    ("OTEL_SERVICE_NAME", lambda: [pick(["checkout-api", "label-worker", "tracking-gw"])]),
    ("FEATURE_FLAGS_ENV_ID", lambda: [K(ruuid(), "UUID")]),
    ("AWS_REGION", lambda: [pick(["eu-central-1", "us-east-1", "eu-west-1"])]),
    ("DD_SITE", lambda: ["datadoghq.eu"]),
    ("OTEL_RESOURCE_ATTRIBUTES", lambda: ["service.version=", K(semver(), "VERSION"), ",deployment.environment=prod"]),
]


def env_pairs(nsec, nneu, placeholder=True, dsn=True):
    items = R.sample(SECRET_VARS, nsec) + R.sample(NEUTRAL_VARS, nneu)
    if placeholder and chance(0.5):
        items.append(_placeholder_var())
    if dsn and chance(0.6):
        var, scheme = pick([("DATABASE_URL", "postgres"), ("DATABASE_URL", "postgresql"), ("DATABASE_URL", "mysql2"), ("REDIS_URL", "redis"), ("REDIS_URL", "rediss"),
                            ("MONGO_URI", "mongodb+srv"), ("MONGODB_URI", "mongodb"), ("AMQP_URL", "amqps"), ("CELERY_BROKER_URL", "redis")])
        items.append((var, lambda: dsn_parts(scheme)))
    R.shuffle(items)
    seen = set()
    out = []
    for n, f in items:
        if n in seen:
            continue
        seen.add(n)
        out.append((n, f()))
    return out


def agent():
    return pick(AGENTS)


# --------------------------------------------------------------------------
# templates: config files
# --------------------------------------------------------------------------


def t_dotenv():
    parts = [pick(["", "# .env.production\n", "# copied from the droplet, see OPS ticket\n", "$ cat .env\n", "# --- generated by setup.sh on %s ---\n" % date_plain()])]
    for n, v in env_pairs(R.randint(2, 5), R.randint(2, 4)):
        q = pick(["", "", '"'])
        parts += [n, "=", q, v, q, "\n"]
    return mk("env", parts)


def t_export_env():
    parts = [pick(["# ~/.zshrc (work laptop)\n", "# source me before running the migration\n", ""])]
    for n, v in env_pairs(R.randint(2, 4), R.randint(1, 3), placeholder=True):
        parts += ["export ", n, "='", v, "'\n"]
    parts.append(pick(["alias k=kubectl\n", "export PATH=\"$HOME/.local/bin:$PATH\"\n", ""]))
    return mk("shell", parts)


def t_compose():
    svc = pick(["api", "worker", "checkout", "label-printer"])
    parts = ["version: \"3.9\"\nservices:\n  ", svc, ":\n    image: ghcr.io/parcelly/", svc, ":", K(semver(), "VERSION"),
             "\n    restart: unless-stopped\n    ports:\n      - \"", K(port(), "PORT"), ":8080\"\n    environment:\n"]
    for n, v in env_pairs(R.randint(2, 4), R.randint(1, 3)):
        parts += ["      - ", n, "=", v, "\n"]
    parts += ["  db:\n    image: postgres:", K(pick(["15.6", "16.2", "14.11"]), "VERSION"), "\n    environment:\n      POSTGRES_USER: parcelly\n      POSTGRES_PASSWORD: ",
              S(password(), "PASSWORD"), "\n"]
    return mk("yaml", parts)


def t_k8s_secret():
    name = pick(["api-secrets", "orders-db", "payments-credentials", "smtp-relay", "backend-env"])
    parts = ["apiVersion: v1\nkind: Secret\nmetadata:\n  name: ", name, "\n  namespace: ", pick(["prod", "payments", "default", "staging"]),
             "\n  labels:\n    app.kubernetes.io/version: \"", K(semver(), "VERSION"), "\"\n  annotations:\n    checksum/config: ", K(sha256(), "CHECKSUM"),
             "\ntype: Opaque\ndata:\n"]
    entries = []
    pw = password()
    entries.append(("DB_PASSWORD", b64s(pw)))
    if chance(0.7):
        d = dsn_parts(pick(["postgresql", "mysql", "redis"]))
        raw = "".join(p if isinstance(p, str) else p[1] for p in _flatten(d))
        entries.append(("DATABASE_URL", b64s(raw)))
    n, f = pick(SECRET_VARS[:52])
    raw = f()[0][1]
    entries.append((n, b64s(raw)))
    if chance(0.5):
        entries.append(("username", b64s(pick(DBUSERS))))
    R.shuffle(entries)
    for k, v in entries:
        if k == "username":
            parts += ["  ", k, ": ", v, "\n"]
        else:
            parts += ["  ", k, ": ", S(v, "K8S_SECRET_DATA"), "\n"]
    if chance(0.4):
        parts += ["stringData:\n  SMTP_PASSWORD: \"", S(password(), "PASSWORD"), "\"\n"]
    return mk("k8s", parts)


def t_docker_config():
    u1 = pick(["parcellyci", "deploybot", "jkeller", "release-bot"])
    p1 = pick([password(), dckr()])
    u2 = pick(["parcelly-bot", "ci-user"])
    tok2 = gh("ghp_")
    parts = ["{\n  \"auths\": {\n    \"https://index.docker.io/v1/\": {\n      \"auth\": \"", S(b64s(u1 + ":" + p1), "DOCKER_CONFIG_AUTH"), "\"\n    }"]
    if chance(0.6):
        parts += [",\n    \"ghcr.io\": {\n      \"auth\": \"", S(b64s(u2 + ":" + tok2), "DOCKER_CONFIG_AUTH"), "\"\n    }"]
    if chance(0.4):
        parts += [",\n    \"", digits(12), ".dkr.ecr.eu-central-1.amazonaws.com\": {}"]
    parts += ["\n  },\n  \"credsStore\": \"", pick(["desktop", "osxkeychain", "ecr-login"]), "\",\n  \"HttpHeaders\": {\n    \"User-Agent\": \"Docker-Client/",
              K(pick(["24.0.7", "25.0.3", "26.1.1"]), "VERSION"), " (linux)\"\n  }\n}\n"]
    return mk("json", pick(["", "~/.docker/config.json:\n"]), parts)


def t_aws_credentials():
    parts = ["[default]\naws_access_key_id = ", S(aws_key_id(), "AWS_ACCESS_KEY_ID"), "\naws_secret_access_key = ", S(aws_secret(), "AWS_SECRET_ACCESS_KEY"), "\n"]
    if chance(0.6):
        parts += ["\n[", pick(["prod-admin", "billing-readonly", "sso-temp"]), "]\naws_access_key_id = ", S(aws_key_id("ASIA"), "AWS_ACCESS_KEY_ID"),
                  "\naws_secret_access_key = ", S(aws_secret(), "AWS_SECRET_ACCESS_KEY"), "\naws_session_token = ", S(aws_session_token(), "AWS_SESSION_TOKEN"), "\n"]
    parts += ["\n[profile ", pick(["ops", "deploy"]), "]\nrole_arn = arn:aws:iam::", digits(12), ":role/", pick(["OrganizationAccountAccessRole", "deploy-ci"]),
              "\nsource_profile = default\nregion = ", pick(["eu-central-1", "us-east-1"]), "\n"]
    if chance(0.4):
        parts += ["# example from docs, not used: ", K("AKIAIOSFODNN7EXAMPLE", "PLACEHOLDER"), "\n"]
    return mk("ini", pick(["~/.aws/credentials\n", "", "$ cat ~/.aws/credentials\n"]), parts)


def t_gcp_sa():
    proj = pick(["parcelly-prod", "analytics-394512", "tracking-eu", "ml-sandbox-2291"])
    sa = pick(["bq-export", "terraform", "firebase-adminsdk-x8k2q", "gcs-uploader"])
    k = pkcs8_pem()
    esc = k.replace("\n", "\\n")
    parts = ["{\n  \"type\": \"service_account\",\n  \"project_id\": \"", proj, "\",\n  \"private_key_id\": \"", hexs(40), "\",\n  \"private_key\": \"",
             S(esc, "GCP_SERVICE_ACCOUNT_KEY"), "\\n\",\n  \"client_email\": \"", sa, "@", proj, ".iam.gserviceaccount.com\",\n  \"client_id\": \"", digits(21),
             "\",\n  \"auth_uri\": \"https://accounts.google.com/o/oauth2/auth\",\n  \"token_uri\": \"https://oauth2.googleapis.com/token\",\n  \"auth_provider_x509_cert_url\": \"https://www.googleapis.com/oauth2/v1/certs\",\n  \"universe_domain\": \"googleapis.com\"\n}\n"]
    return mk("json", pick(["", "here is the key file we use in the cloud function:\n\n", "cat /secrets/sa.json\n"]), parts)


def t_azure_appsettings():
    acct = pick(["parcellyprod", "stexportsweu", "parcellylogs01"])
    parts = ["{\n  \"Logging\": { \"LogLevel\": { \"Default\": \"Information\" } },\n  \"ConnectionStrings\": {\n    \"Storage\": \"DefaultEndpointsProtocol=https;AccountName=", acct,
             ";AccountKey=", S(azure_storage_key(), "AZURE_STORAGE_ACCOUNT_KEY"), ";EndpointSuffix=core.windows.net\",\n"]
    if chance(0.7):
        parts += ["    \"ServiceBus\": \"Endpoint=sb://parcelly-bus.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=",
                  S(azure_sak(), "AZURE_SHARED_ACCESS_KEY"), "\",\n"]
    parts += ["    \"Sql\": \"Server=tcp:parcelly-sql.database.windows.net,", K("1433", "PORT"), ";Initial Catalog=billing;User ID=appuser;Password=",
              S(password(pick(["human", "gen"])), "DSN_PASSWORD"), ";Encrypt=True;Connection Timeout=30;\"\n  },\n  \"AzureAd\": {\n    \"Instance\": \"https://login.microsoftonline.com/\",\n    \"TenantId\": \"",
              K(ruuid(), "UUID"), "\",\n    \"ClientId\": \"", K(ruuid(), "UUID"), "\",\n    \"ClientSecret\": \"", S(azure_client_secret(), "AZURE_CLIENT_SECRET"),
              "\"\n  },\n  \"ApplicationInsights\": { \"ConnectionString\": \"InstrumentationKey=", ruuid(), ";IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/\" },\n  \"AllowedHosts\": \"*\"\n}\n"]
    return mk("json", pick(["appsettings.Production.json\n", ""]), parts)


def t_azure_sas():
    acct = pick(["parcellyexports", "stbackupweu", "invoicesarchive"])
    st = "2024-%02d-%02dT08:00:00Z" % (R.randint(1, 6), R.randint(1, 28))
    se = "2025-%02d-%02dT08:00:00Z" % (R.randint(1, 12), R.randint(1, 28))
    url = ["https://", acct, ".blob.core.windows.net/", pick(["exports", "invoices", "backups"]), "/", pick(["2024-06/report.csv", "customers_full.parquet", "db-dump.sql.gz"]),
           "?sv=2022-11-02&ss=b&srt=co&sp=", pick(["rl", "racwdl", "r"]), "&se=", se, "&st=", st, "&spr=https&sig=", S(azure_sas_sig(), "AZURE_SAS_SIGNATURE")]
    lead = pick(["Hi, the download link you sent doesn't open for me:\n", "AzCopy failed with ", "Customer shared this URL in the ticket:\n",
                 "Voici le lien SAS pour l'export (valable jusqu'à fin du mois) :\n"])
    tail = pick(["\n", "\nError: 403 (", "\nSize: "])
    parts = [lead, url]
    if tail.startswith("\nError"):
        parts += [tail, K(pick(["AuthenticationFailed", "AuthorizationPermissionMismatch"]), "ERROR_CODE"), ")\nRequestId:", K(ruuid(), "REQUEST_ID"), "\n"]
    elif tail.startswith("\nSize"):
        parts += [tail, K(file_size(), "FILE_SIZE"), "\n"]
    else:
        parts.append(tail)
    return mk(pick(["chat", "log", "ticket"]), parts)


def t_npmrc():
    legacy = chance(0.3)
    parts = ["; ~/.npmrc\nregistry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken=", S(ruuid() if legacy else npm_tok(), "NPM_TOKEN"), "\n"]
    if chance(0.6):
        parts += ["@parcelly:registry=https://npm.pkg.github.com\n//npm.pkg.github.com/:_authToken=", S(gh("ghp_"), "GITHUB_PAT"), "\n"]
    if chance(0.3):
        parts += ["//nexus.parcelly.local/repository/npm-private/:_auth=", S(b64s("deploy:" + password()), "BASIC_AUTH_CREDENTIALS"), "\n"]
    parts += ["always-auth=true\nfund=false\n"]
    return mk("ini", parts)


def t_pypirc():
    parts = ["[distutils]\nindex-servers =\n    pypi\n    internal\n\n[pypi]\nusername = __token__\npassword = ", S(pypi_tok(), "PYPI_TOKEN"),
             "\n\n[internal]\nrepository = https://nexus.parcelly.local/repository/pypi-internal/\nusername = ", pick(["deploy", "ci-publisher"]),
             "\npassword = ", S(password(), "PASSWORD"), "\n"]
    return mk("ini", pick(["~/.pypirc\n", ""]), parts)


def t_netrc():
    tok = ruuid()
    parts = ["machine api.heroku.com\n  login ops@parcelly.io\n  password ", S(tok, "HEROKU_API_KEY"),
             "\nmachine git.heroku.com\n  login ops@parcelly.io\n  password ", S(tok, "HEROKU_API_KEY")]
    parts2 = []
    if chance(0.7):
        parts2 = ["\nmachine ", pick(["ftp.partner-logistics.de", "sftp.customs-broker.com", "files.parcelly.io"]), " login ", pick(["parcelly", "upload01", "edi_user"]),
                  " password ", S(password(), "PASSWORD")]
    if chance(0.5):
        parts2 += ["\nmachine github.com login ", pick(["jkeller", "ci-bot"]), " password ", S(gh("ghp_"), "GITHUB_PAT")]
    return mk("config", pick(["$ cat ~/.netrc\n", "# ~/.netrc\n"]), parts, parts2, "\n")


def t_git_credentials():
    lines = []
    for _ in range(R.randint(1, 3)):
        c = R.randint(0, 3)
        if c == 0:
            lines += ["https://", pick(["jkeller", "parcelly-ci", "m.okafor"]), ":", S(gh("ghp_"), "GITHUB_PAT"), "@github.com\n"]
        elif c == 1:
            lines += ["https://oauth2:", S(glpat(), "GITLAB_PAT"), "@gitlab.com\n"]
        elif c == 2:
            lines += ["https://x-access-token:", S(gh("ghs_"), "GITHUB_APP_TOKEN"), "@github.com\n"]
        else:
            lines += ["https://", pick(["deploy", "build"]), ":", S(url_password(), "URL_PASSWORD"), "@bitbucket.parcelly.local\n"]
    return mk("config", pick(["~/.git-credentials\n", "$ cat ~/.git-credentials\n", ""]), lines)


def t_spring_yaml():
    parts = ["server:\n  port: ", K(port(), "PORT"), "\nspring:\n  application:\n    name: ", pick(["order-service", "billing", "tracking"]),
             "\n  datasource:\n    url: ", jdbc_parts() if chance(0.4) else ["jdbc:postgresql://", host_part(), ":5432/orders"],
             "\n    username: ", pick(DBUSERS), "\n    password: ", S(password(), "PASSWORD"), "\n    hikari:\n      connection-timeout: ", K(str(R.randint(2, 30) * 1000), "DURATION"),
             "\n  mail:\n    host: smtp.sendgrid.net\n    username: apikey\n    password: ", S(sendgrid(), "SENDGRID_API_KEY"),
             "\n  data:\n    redis:\n      host: ", K(private_ip(), "PRIVATE_IP"), "\n      password: '", S(password(), "PASSWORD"), "'\n"]
    if chance(0.6):
        parts += ["jwt:\n  secret: ", S(b64s(rbytes(48)), "JWT_SIGNING_SECRET"), "\n  expiration: ", K(pick(["3600", "86400", "PT15M"]), "DURATION"), "\n"]
    parts += ["info:\n  app:\n    version: ", K(semver(), "VERSION"), "\n"]
    return mk("yaml", parts)


def t_ini_configs():
    c = cyc("t_ini_configs", 6)
    if c == 0:
        parts = ["[client]\nuser = ", pick(DBUSERS), "\npassword = ", S(password(), "PASSWORD"), "\nhost = ", K(private_ip(), "PRIVATE_IP"), "\nport = ", K("3306", "PORT"), "\n\n[mysqldump]\nquick\nmax_allowed_packet = 64M\n"]
        return mk("ini", "~/.my.cnf\n", parts)
    if c == 1:
        lines = []
        for _ in range(R.randint(1, 3)):
            lines += [pick(INTERNAL_HOSTS[:4]), ":5432:", pick(DBNAMES), ":", pick(DBUSERS), ":", S(password(pick(["human", "gen"])).replace(":", ""), "PASSWORD"), "\n"]
        return mk("config", "# ~/.pgpass (chmod 600)\n", lines)
    if c == 2:
        parts = ["[alembic]\nscript_location = migrations\nsqlalchemy.url = ", dsn_parts(pick(["postgresql", "mysql"])), "\n\n[loggers]\nkeys = root,sqlalchemy,alembic\n"]
        return mk("ini", parts)
    if c == 3:
        parts = ["# application.properties\nspring.datasource.url=", jdbc_parts(), "\nspring.datasource.password=", S(password(), "PASSWORD"),
                 "\nspring.rabbitmq.password=", S(password(), "PASSWORD"), "\nmanagement.server.port=", K(pick(["8081", "9090"]), "PORT"),
                 "\napp.stripe.api-key=", S(stripe("sk_live_"), "STRIPE_SECRET_KEY"), "\napp.build=", K(build_no().lstrip("#"), "BUILD_NUMBER"), "\n"]
        return mk("properties", parts)
    if c == 4:
        parts = ["<?php\ndefine( 'DB_NAME', 'wp_shop' );\ndefine( 'DB_USER', 'wp_admin' );\ndefine( 'DB_PASSWORD', '", S(password(), "PASSWORD"), "' );\ndefine( 'DB_HOST', '",
                 K(private_ip(), "PRIVATE_IP"), "' );\n"]
        for k in R.sample(["AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY", "AUTH_SALT"], R.randint(2, 4)):
            parts += ["define( '", k, "', '", S(rs(64, AN + "!@#%^*()-_[]{}<>~+=,.;:/?|"), "APP_SECRET_KEY"), "' );\n"]
        return mk("code", "wp-config.php\n", parts)
    parts = ["[database]\nhost = \"", pick(INTERNAL_HOSTS[:4]), "\"\nport = ", K("5432", "PORT"), "\nuser = \"", pick(DBUSERS), "\"\npassword = \"", S(password(), "PASSWORD"),
             "\"\npool_size = 20\n\n[stripe]\nsecret_key = \"", S(stripe("sk_live_"), "STRIPE_SECRET_KEY"), "\"\nwebhook_secret = \"", S(whsec(), "STRIPE_WEBHOOK_SECRET"),
             "\"\n\n[telemetry]\nsample_rate = 0.25\nservice_version = \"", K(semver(), "VERSION"), "\"\n"]
    return mk("toml", "config.toml\n", parts)


def t_terraform():
    c = cyc("t_terraform", 3)
    if c == 0:
        parts = ["credentials \"app.terraform.io\" {\n  token = \"", S(tfc(), "TERRAFORM_CLOUD_TOKEN"), "\"\n}\n"]
        return mk("config", "~/.terraformrc\n", parts)
    if c == 1:
        parts = ["terraform {\n  required_providers {\n    datadog = {\n      source  = \"DataDog/datadog\"\n      version = \"~> ", K(semver(), "VERSION"), "\"\n    }\n  }\n}\n\nprovider \"datadog\" {\n  api_key = \"",
                 S(datadog_api(), "DATADOG_API_KEY"), "\"\n  app_key = \"", S(datadog_app(), "DATADOG_APP_KEY"), "\"\n  api_url = \"https://api.datadoghq.eu/\"\n}\n\nprovider \"github\" {\n  owner = \"parcelly\"\n  token = \"",
                 S(gh_fine(), "GITHUB_FINE_GRAINED_PAT"), "\"\n}\n"]
        return mk("code", "main.tf\n", parts)
    parts = ["# terraform.tfvars\ncloudflare_api_token = \"", S(rs(40, URLSAFE), "CLOUDFLARE_API_TOKEN"), "\"\nokta_org_name = \"parcelly\"\nokta_api_token = \"", S(okta(), "OKTA_API_TOKEN"),
             "\"\ndb_admin_password = \"", S(password(), "PASSWORD"), "\"\nvpc_cidr = \"", K("10.%d.0.0/16" % R.randint(0, 255), "PRIVATE_IP"), "\"\ninstance_count = 3\n"]
    return mk("code", parts)


# --------------------------------------------------------------------------
# templates: shell, code, http
# --------------------------------------------------------------------------


def _shpw():
    return password(pick(["human", "gen", "gen"])).replace("'", "")


SHELL_SECRET_CMDS = [
    lambda: ["mysql -h ", host_part(), " -u root -p", S(rs(R.randint(10, 16)), "CLI_PASSWORD"), " shop < dump.sql"],
    lambda: ["PGPASSWORD='", S(_shpw(), "CLI_PASSWORD"), "' psql -h ", host_part(), " -U postgres -d ", pick(DBNAMES)],
    lambda: ["curl -u ", pick(["admin", "api", "jkeller"]), ":", S(rs(R.randint(10, 18)), "CLI_PASSWORD"), " https://", pick(["jenkins.parcelly.io/api/json", "nexus.parcelly.local/service/rest/v1/status", "es.internal:9200/_cat/indices"])],
    lambda: ["sshpass -p '", S(_shpw(), "CLI_PASSWORD"), "' ssh -o StrictHostKeyChecking=no deploy@", K(private_ip(), "PRIVATE_IP")],
    lambda: ["docker login -u parcellyci -p ", S(dckr(), "DOCKER_HUB_PAT")],
    lambda: ["export GITHUB_TOKEN=", S(gh("ghp_"), "GITHUB_PAT")],
    lambda: ["redis-cli -h ", host_part(), " -a '", S(_shpw(), "CLI_PASSWORD"), "' --no-auth-warning INFO keyspace"],
    lambda: ["mongosh \"", dsn_parts("mongodb+srv"), "\""],
    lambda: ["htpasswd -b -c /etc/nginx/.htpasswd admin '", S(_shpw(), "CLI_PASSWORD"), "'"],
    lambda: ["git clone https://", pick(["jkeller", "ci"]), ":", S(gh("ghp_"), "GITHUB_PAT"), "@github.com/parcelly/infra.git"],
    lambda: ["git remote set-url origin https://oauth2:", S(glpat(), "GITLAB_PAT"), "@gitlab.com/parcelly/mobile-app.git"],
    lambda: ["ldapsearch -x -H ldap://", K(private_ip(), "PRIVATE_IP"), " -D 'cn=admin,dc=parcelly,dc=local' -w '", S(_shpw(), "CLI_PASSWORD"), "' -b 'dc=parcelly,dc=local' '(uid=*)'"],
    lambda: ["kubectl create secret generic db-creds --from-literal=username=app --from-literal=password='", S(_shpw(), "CLI_PASSWORD"), "' -n prod"],
    lambda: ["heroku config:set STRIPE_SECRET_KEY=", S(stripe("sk_live_"), "STRIPE_SECRET_KEY"), " -a parcelly-api"],
    lambda: ["aws configure set aws_secret_access_key ", S(aws_secret(), "AWS_SECRET_ACCESS_KEY")],
    lambda: ["vault login ", S(vault_tok(), "VAULT_TOKEN")],
    lambda: ["npm config set //registry.npmjs.org/:_authToken ", S(npm_tok(), "NPM_TOKEN")],
    lambda: ["mysqldump -u backup --password=", S(rs(R.randint(12, 20)), "CLI_PASSWORD"), " --all-databases | gzip > backup-", K(date_plain().replace("/", "-").replace(".", "-"), "DATE"), ".sql.gz"],
    lambda: ["psql \"", dsn_parts("postgresql"), "\" -c 'select count(*) from orders'"],
    lambda: ["openssl pkcs12 -export -in cert.pem -inkey key.pem -out bundle.p12 -passout pass:", S(rs(R.randint(10, 16)), "CLI_PASSWORD")],
    lambda: ["smbclient //fileserver/finance -U 'PARCELLY\\svc_backup%", S(rs(14), "CLI_PASSWORD"), "'"],
    lambda: ["wget --user=deploy --password='", S(_shpw(), "CLI_PASSWORD"), "' https://artifacts.parcelly.io/releases/agent-", K(semver(), "VERSION"), ".tar.gz"],
    lambda: ["echo ", S(gh("ghp_"), "GITHUB_PAT"), " | docker login ghcr.io -u parcelly-bot --password-stdin"],
    lambda: ["az login --service-principal -u ", K(ruuid(), "UUID"), " -p ", S(azure_client_secret(), "AZURE_CLIENT_SECRET"), " --tenant ", K(ruuid(), "UUID")],
    lambda: ["gh auth login --with-token <<< ", S(gh("gho_"), "GITHUB_OAUTH_TOKEN")],
    lambda: ["rabbitmqadmin -H ", K(private_ip(), "PRIVATE_IP"), " -u admin -p ", S(rs(16), "CLI_PASSWORD"), " list queues"],
    lambda: ["pulumi login --cloud-url https://api.pulumi.com  # PULUMI_ACCESS_TOKEN=", S(pulumi(), "PULUMI_ACCESS_TOKEN")],
    lambda: ["doppler configure set token ", S(doppler(), "DOPPLER_TOKEN"), " --scope /srv/app"],
    lambda: ["curl -H \"Authorization: Bearer ", S(openai_key(), "OPENAI_API_KEY"), "\" https://api.openai.com/v1/models"],
    lambda: ["curl -s -X POST https://api.telegram.org/bot", S(telegram(), "TELEGRAM_BOT_TOKEN"), "/sendMessage -d chat_id=-100", digits(10), " -d text='deploy done'"],
    lambda: ["huggingface-cli login --token ", S(hf(), "HUGGINGFACE_TOKEN")],
    lambda: ["sqlcmd -S ", K(private_ip(), "PRIVATE_IP"), " -U sa -P '", S(_shpw(), "CLI_PASSWORD"), "' -Q \"SELECT @@VERSION\""],
    lambda: ["mongodump --uri=\"", dsn_parts("mongodb"), "\" --out /backup/", K(date_plain().replace("/", "-").replace(".", "-"), "DATE")],
    lambda: ["ansible-playbook site.yml -i inventory/prod -e 'ansible_become_pass=", S(_shpw(), "CLI_PASSWORD"), "'"],
    lambda: ["helm upgrade --install api ./chart --set image.tag=", K(semver(), "VERSION"), " --set secrets.dbPassword='", S(_shpw(), "CLI_PASSWORD"), "'"],
    lambda: ["twilio login --auth-token ", S(hexs(32), "TWILIO_AUTH_TOKEN")],
]

SHELL_NEUTRAL_CMDS = [
    lambda: ["cd ~/src/parcelly && git pull --rebase"],
    lambda: ["git checkout ", K(sha1()[:pick([7, 8, 40])], "GIT_SHA")],
    lambda: ["kubectl get pods -n prod -o wide"],
    lambda: ["docker ps --format '{{.Names}}'"],
    lambda: ["tail -f /var/log/nginx/error.log"],
    lambda: ["pip install requests==", K(semver(), "VERSION")],
    lambda: ["ping -c 3 ", K(private_ip(), "PRIVATE_IP")],
    lambda: ["ss -tlnp | grep ", K(port(), "PORT")],
    lambda: ["sha256sum release-", K(semver(), "VERSION"), ".tar.gz"],
    lambda: ["history | grep -i passw"],
    lambda: ["export API_KEY=", K(pick(PLACEHOLDERS_KEY[:3]), "PLACEHOLDER"), "   # TODO fill in"],
    lambda: ["docker pull parcelly/api@sha256:", K(sha256(), "SHA256_DIGEST")],
    lambda: ["snmpwalk -v2c -c public ", K(private_ip(), "PRIVATE_IP"), " ", K(oid(), "OID")],
    lambda: ["jira issue view ", K(jira(), "JIRA_KEY")],
    lambda: ["du -sh /var/lib/postgresql  # ", K(file_size(), "FILE_SIZE")],
    lambda: ["ls -la ~/.ssh"],
    lambda: ["vim config/production.yml"],
]


def t_shell_history():
    cmds = [pick(SHELL_SECRET_CMDS)() for _ in range(R.randint(1, 3))] + [pick(SHELL_NEUTRAL_CMDS)() for _ in range(R.randint(2, 4))]
    R.shuffle(cmds)
    style = R.randint(0, 2)
    n = R.randint(200, 1900)
    parts = []
    for i, c in enumerate(cmds):
        if style == 0:
            parts += ["%5d  " % (n + i), c, "\n"]
        elif style == 1:
            parts += ["$ ", c, "\n"]
        else:
            parts += ["ops@bastion-01:~$ ", c, "\n"]
    lead = pick(["", "", "output of `history` from the bastion host, attaching for the incident review:\n", "Zsh history (letzte Befehle vor dem Ausfall):\n"])
    return mk("shell", lead, parts)


def t_python_code():
    c = cyc("t_python_code", 7)
    if c == 0:
        parts = ["import requests\n\nAPI_URL = \"https://api.parcelly.io/v2/shipments\"\nHEADERS = {\n    \"Authorization\": \"Bearer ", S(jwt("RS256", iss="https://auth.parcelly.io/"), "JWT"),
                 "\",\n    \"X-Request-ID\": \"", K(ruuid(), "REQUEST_ID"), "\",\n    \"User-Agent\": \"parcelly-sync/", K(semver(), "VERSION"), "\",\n}\n\nresp = requests.get(API_URL, headers=HEADERS, timeout=", K("30", "DURATION"), ")\n"]
    elif c == 1:
        parts = ["import boto3\n\ns3 = boto3.client(\n    \"s3\",\n    aws_access_key_id=\"", S(aws_key_id(), "AWS_ACCESS_KEY_ID"), "\",\n    aws_secret_access_key=\"", S(aws_secret(), "AWS_SECRET_ACCESS_KEY"),
                 "\",\n    region_name=\"eu-central-1\",\n)\ns3.upload_file(\"/tmp/export.csv\", \"parcelly-exports\", \"daily/export.csv\")\n"]
    elif c == 2:
        parts = ["from openai import OpenAI\nfrom anthropic import Anthropic\n\n# TODO move to env before pushing!!\nclient = OpenAI(api_key=\"", S(openai_key(), "OPENAI_API_KEY"), "\")\nclaude = Anthropic(api_key=\"",
                 S(anthropic_key(), "ANTHROPIC_API_KEY"), "\")\n# docs example: client = OpenAI(api_key=\"", K("sk-...", "PLACEHOLDER"), "\")\n"]
    elif c == 3:
        parts = ["import smtplib\n\nwith smtplib.SMTP(\"smtp.office365.com\", ", K("587", "PORT"), ") as s:\n    s.starttls()\n    s.login(\"", pick(["noreply@parcelly.io", "billing@parcelly.io"]), "\", \"",
                 S(password(), "PASSWORD"), "\")\n    s.send_message(msg)\n"]
    elif c == 4:
        parts = ["conn = psycopg2.connect(\n    host=\"", host_part(), "\",\n    port=", K("5432", "PORT"), ",\n    dbname=\"", pick(DBNAMES), "\",\n    user=\"", pick(DBUSERS), "\",\n    password=\"", S(password(), "PASSWORD"), "\",\n)\n"]
    elif c == 5:
        parts = ["import telebot\n\nbot = telebot.TeleBot(\"", S(telegram(), "TELEGRAM_BOT_TOKEN"), "\")\n\n@bot.message_handler(commands=[\"status\"])\ndef status(m):\n    bot.reply_to(m, \"v", K(semver(), "VERSION"), " up\")\n"]
    else:
        parts = ["from huggingface_hub import login\nlogin(token=\"", S(hf(), "HUGGINGFACE_TOKEN"), "\")\n\nimport wandb\nwandb.login(key=\"", S(hexs(40), "WANDB_API_KEY"), "\")\nmodel_id = \"meta-llama/Llama-3.1-8B\"\nrevision = \"", K(sha1(), "GIT_SHA"), "\"\n"]
    return mk("code", parts)


def t_js_code():
    c = cyc("t_js_code", 7)
    if c == 0:
        parts = ["const config = {\n  port: ", K(port(), "PORT"), ",\n  stripe: {\n    secretKey: '", S(stripe("sk_live_"), "STRIPE_SECRET_KEY"), "',\n    webhookSecret: '", S(whsec(), "STRIPE_WEBHOOK_SECRET"),
                 "',\n  },\n  mongoUri: '", dsn_parts(pick(["mongodb+srv", "mongodb"])), "',\n  sessionSecret: '", S(rs(32), "SESSION_SECRET"), "',\n};\n\nmodule.exports = config;\n"]
    elif c == 1:
        parts = ["const { Client, GatewayIntentBits } = require('discord.js');\nconst client = new Client({ intents: [GatewayIntentBits.Guilds] });\n\nclient.login('", S(discord(), "DISCORD_BOT_TOKEN"), "');\n"]
    elif c == 2:
        parts = ["await axios.post('https://api.sendgrid.com/v3/mail/send', payload, {\n  headers: {\n    Authorization: `Bearer ", S(sendgrid(), "SENDGRID_API_KEY"), "`,\n    'Content-Type': 'application/json',\n  },\n  timeout: ",
                 K("10000", "DURATION"), ",\n});\n"]
    elif c == 3:
        parts = ["const firebaseConfig = {\n  apiKey: \"", S(google_api(), "GOOGLE_API_KEY"), "\",\n  authDomain: \"parcelly-app.firebaseapp.com\",\n  projectId: \"parcelly-app\",\n  messagingSenderId: \"", digits(12),
                 "\",\n  appId: \"1:", digits(12), ":web:", hexs(22), "\",\n};\n// legacy FCM server key for the push worker\nconst FCM_KEY = '", S(fcm(), "FIREBASE_SERVER_KEY"), "';\n"]
    elif c == 4:
        parts = ["import { WebClient } from '@slack/web-api';\nconst web = new WebClient('", S(slack_bot(), "SLACK_BOT_TOKEN"), "');\nconst ALERT_HOOK = '", S(slack_webhook(), "SLACK_WEBHOOK_URL"), "';\n// channel C0", rs(8, UP + DG), "\n"]
    elif c == 5:
        parts = ["const client = axios.create({\n  baseURL: 'https://erp.partner-logistics.de/api',\n  headers: { Authorization: 'Basic ", S(basic_b64(), "BASIC_AUTH_CREDENTIALS"),
                 "' },\n  timeout: ", K("15000", "DURATION"), ",\n});\n"]
    else:
        parts = ["fetch('https://api.linear.app/graphql', {\n  method: 'POST',\n  headers: { Authorization: '", S(linear(), "LINEAR_API_KEY"), "', 'Content-Type': 'application/json' },\n  body: JSON.stringify({ query: '{ issue(id: \"",
                 K(jira(), "JIRA_KEY"), "\") { title } }' }),\n});\n"]
    return mk("code", parts)


def basic_b64():
    u = pick(["admin", "api", "svc-reporting", "partner_dhl", "jkeller", "integration"])
    return b64s(u + ":" + password(pick(["human", "gen"])))


def auth_header():
    c = cyc("auth_header", 8)
    if c == 0:
        return ["Authorization: Bearer ", S(jwt(pick(["RS256", "HS256", "ES256"]), iss=pick(["https://auth.parcelly.io/", "https://parcelly.eu.auth0.com/", None])), "JWT")]
    if c == 1:
        return ["Authorization: Basic ", S(basic_b64(), "BASIC_AUTH_CREDENTIALS")]
    if c == 2:
        return ["Authorization: Token ", S(hexs(40), "API_TOKEN")]
    if c == 3:
        return [pick(["X-API-Key: ", "Api-Key: ", "x-api-key: "]), S(rs(pick([32, 40, 48])), "API_KEY")]
    if c == 4:
        return ["Authorization: SSWS ", S(okta(), "OKTA_API_TOKEN")]
    if c == 5:
        return ["Authorization: Bearer ", S(rs(R.choice([40, 64]), URLSAFE + "."), "BEARER_TOKEN")]
    if c == 6:
        return ["Authorization: Bearer ", S(stripe("sk_live_"), "STRIPE_SECRET_KEY")]
    return ["Authorization: Api-Key ", S(rs(8) + "." + rs(32), "API_KEY")]


def t_raw_http():
    method, path = pick([("GET", "/v2/shipments?status=in_transit&page=%d" % R.randint(1, 9)), ("POST", "/v1/labels"), ("PATCH", "/api/customers/%d" % R.randint(1000, 99999)),
                         ("DELETE", "/v2/webhooks/" + ruuid())])
    parts = ["%s %s HTTP/1.1\nHost: %s\n" % (method, path, pick(["api.parcelly.io", "partner-api.parcelly.io", "localhost:8080"])), auth_header(), "\n",
             "Accept: application/json\nUser-Agent: ", pick(["PostmanRuntime/", "okhttp/", "python-requests/", "curl/"]), K(pick(["7.39.0", "4.12.0", "2.31.0", "8.5.0", "2.32.3", "7.37.3"]), "VERSION"), "\nX-Correlation-ID: ", K(ruuid(), "REQUEST_ID"), "\n"]
    if chance(0.4):
        parts += ["Cookie: ", cookie_pair(), "\n"]
    if method in ("POST", "PATCH"):
        parts += ["Content-Type: application/json\n\n{\"reference\": \"", K(order_no(), "ORDER_NUMBER"), "\", \"weight_g\": ", str(R.randint(100, 30000)), "}\n"]
    code, reason = pick([("200", " OK"), ("201", " Created"), ("401", " Unauthorized"), ("403", " Forbidden"), ("429", " Too Many Requests"), ("502", " Bad Gateway"), ("204", " No Content")])
    parts += ["\nHTTP/1.1 ", K(code, "HTTP_STATUS"), reason, "\nx-request-id: ", K(ruuid(), "REQUEST_ID"), "\n"]
    lead = pick(["", "", "Raw request from Burp, the second call fails:\n\n", "Here's the full request we send (from our proxy log):\n"])
    return mk("http", lead, parts)


def cookie_pair():
    c = cyc("cookie_pair", 7)
    if c == 6:
        return [pick(["access_token=", "auth._token.local=Bearer%20", "jwt="]), S(jwt(pick(["HS256", "RS256"])), "JWT")]
    if c == 0:
        return ["connect.sid=", S("s%3A" + rs(32, URLSAFE) + "." + rs(43, B64).replace("+", "%2B").replace("/", "%2F"), "SESSION_COOKIE")]
    if c == 1:
        return ["PHPSESSID=", S(rs(26, LO + DG), "SESSION_COOKIE")]
    if c == 2:
        return ["session=", S(b64u(json.dumps({"_user_id": str(R.randint(1, 99999)), "_fresh": True})) + "." + rs(6, URLSAFE) + "." + rs(27, URLSAFE), "SESSION_COOKIE")]
    if c == 3:
        return ["JSESSIONID=", S(hexs(32).upper(), "SESSION_COOKIE")]
    if c == 4:
        return ["sessionid=", S(rs(32, LO + DG), "SESSION_COOKIE"), "; csrftoken=", S(rs(32), "CSRF_TOKEN")]
    return ["_parcelly_session=", S(rs(R.randint(180, 260), B64).replace("+", "%2B").replace("/", "%2F") + "--" + hexs(40), "SESSION_COOKIE")]


def har_auth(jt):
    c = cyc("har_auth", 4)
    if c == 0 or c == 1:
        return ["Bearer ", S(jt, "JWT")]
    if c == 2:
        return ["Basic ", S(basic_b64(), "BASIC_AUTH_CREDENTIALS")]
    return ["Token ", S(hexs(40), "API_TOKEN")]


def t_har():
    jt = jwt("RS256", iss="https://auth.parcelly.io/", extra={"scope": "shipments:read shipments:write"})
    parts = ["{\n  \"startedDateTime\": \"", K(ts_iso(), "TIMESTAMP"), "\",\n  \"time\": ", K("%.3f" % (R.random() * 900), "DURATION"),
             ",\n  \"request\": {\n    \"method\": \"GET\",\n    \"url\": \"https://app.parcelly.io/api/v2/shipments?limit=50\",\n    \"httpVersion\": \"HTTP/2\",\n    \"headers\": [\n"
             "      { \"name\": \"authorization\", \"value\": \"", har_auth(jt), "\" },\n      { \"name\": \"cookie\", \"value\": \"", cookie_pair(), "; _ga=GA1.1.", digits(10), ".", digits(10),
             "\" },\n      { \"name\": \"x-request-id\", \"value\": \"", K(ruuid(), "REQUEST_ID"), "\" },\n      { \"name\": \"traceparent\", \"value\": \"00-", K(trace_id(), "TRACE_ID"), "-", K(span_id(), "SPAN_ID"),
             "-01\" }\n    ],\n    \"queryString\": [{ \"name\": \"limit\", \"value\": \"50\" }]\n  },\n  \"response\": {\n    \"status\": ", K(http_status(), "HTTP_STATUS"),
             ",\n    \"headers\": [\n      { \"name\": \"set-cookie\", \"value\": \"", cookie_pair(), "; Path=/; HttpOnly; Secure; SameSite=Lax\" },\n      { \"name\": \"etag\", \"value\": \"W/\\\"", K(hexs(16), "CHECKSUM"),
             "\\\"\" }\n    ],\n    \"content\": { \"size\": ", K(str(R.randint(200, 90000)), "FILE_SIZE"), ", \"mimeType\": \"application/json\" }\n  },\n  \"serverIPAddress\": \"", "104.18.%d.%d" % (R.randint(0, 40), R.randint(1, 254)), "\"\n}\n"]
    if chance(0.35):
        parts = ["{\n  \"request\": {\n    \"method\": \"POST\",\n    \"url\": \"https://", pick(["login.parcelly.io", "app.parcelly.io"]), "/api/session\",\n    \"postData\": {\n      \"mimeType\": \"application/json\",\n      \"text\": \"{\\\"email\\\":\\\"",
                 P(email_for(), "EMAIL"), "\\\",\\\"password\\\":\\\"", S(password(pick(["human", "gen"])), "PASSWORD"), "\\\"}\"\n    }\n  },\n  \"response\": { \"status\": ", K(http_status(), "HTTP_STATUS"),
                 ", \"headers\": [{ \"name\": \"x-request-id\", \"value\": \"", K(ruuid(), "REQUEST_ID"), "\" }] },\n  \"time\": ", K("%.1f" % (R.random() * 900), "DURATION"), "\n}\n"]
    return mk("har", pick(["", "HAR export (trimmed) attached by the customer:\n", "Auszug aus der HAR-Datei:\n"]), parts)


def t_python_repr():
    hdrs = ["{'User-Agent': 'python-requests/", K(semver(), "VERSION"), "', 'Accept-Encoding': 'gzip, deflate', 'Accept': '*/*', 'Connection': 'keep-alive', "]
    c = cyc("t_python_repr", 4)
    if c == 0:
        hdrs += ["'Authorization': 'Bearer ", S(jwt(), "JWT"), "'}"]
    elif c == 1:
        hdrs += ["'Authorization': 'Basic ", S(basic_b64(), "BASIC_AUTH_CREDENTIALS"), "'}"]
    elif c == 2:
        hdrs += ["'X-Shopify-Access-Token': '", S(shopify("shpat_"), "SHOPIFY_ACCESS_TOKEN"), "'}"]
    else:
        hdrs += ["'Authorization': 'Bearer ", S(square_tok(), "SQUARE_ACCESS_TOKEN"), "', 'Square-Version': '", K("2024-05-15", "DATE"), "'}"]
    parts = [K(ts_log(), "TIMESTAMP"), " DEBUG urllib3.connectionpool Starting new HTTPS connection (1): ", pick(["api.parcelly.io", "connect.squareup.com", "parcelly-shop.myshopify.com"]), ":", K("443", "PORT"),
             "\n", K(ts_log(), "TIMESTAMP"), " DEBUG client request headers: ", hdrs, "\n", K(ts_log(), "TIMESTAMP"), " WARNING client got ", K(http_status(), "HTTP_STATUS"), " after ", K(duration(), "DURATION"), "\n"]
    return mk("log", parts)


def t_url_basic_auth():
    c = cyc("t_url_basic_auth", 5)
    pw = url_password()
    if c == 0:
        parts = ["Jenkins trigger: https://", pick(["admin", "deploy"]), ":", S(pw, "URL_PASSWORD"), "@jenkins.parcelly.io/job/deploy-prod/buildWithParameters?token=", S(rs(32), "API_TOKEN"), "&VERSION=", K(semver(), "VERSION"), "\n"]
    elif c == 1:
        parts = ["pip install --index-url https://", pick(["deploy", "pypi-reader"]), ":", S(pw, "URL_PASSWORD"), "@nexus.parcelly.local/repository/pypi/simple parcelly-sdk==", K(semver(), "VERSION"), "\n"]
    elif c == 2:
        parts = ["[", K(ts_log(), "TIMESTAMP"), "] ERROR Could not fetch https://", pick(["elastic", "kibana_admin"]), ":", S(pw, "URL_PASSWORD"), "@es.parcelly.local:", K("9200", "PORT"), "/_cluster/health: ", K(error_code(), "ERROR_CODE"), "\n"]
    elif c == 3:
        parts = ["Prometheus scrape target configured as http://prom:", S(pw, "URL_PASSWORD"), "@", K(private_ip(), "PRIVATE_IP"), ":9100/metrics — still getting ", K("401", "HTTP_STATUS"), ". Any idea?\n"]
    else:
        parts = ["ftp://", pick(["edi_user", "upload01"]), ":", S(pw, "URL_PASSWORD"), "@ftp.partner-logistics.de/outbound/", K(date_plain().replace("/", "").replace(".", "").replace("-", ""), "DATE"), "_manifest.xml\n"]
    return mk(pick(["chat", "log", "ticket"]), parts)


# --------------------------------------------------------------------------
# templates: logs, traces, CI, keys
# --------------------------------------------------------------------------

UAS = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
       "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
       "Parcelly/5.12.0 (Android 14; Pixel 7)", "curl/8.5.0", "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) Gecko/20100101 Firefox/125.0"]


def t_access_log():
    lines = []
    for _ in range(R.randint(3, 6)):
        c = R.randint(0, 9)
        if c <= 5:
            ip = P(public_ipv4() if chance(0.75) else public_ipv6(), "IP_ADDRESS")
        else:
            ip = K(private_ip(), "PRIVATE_IP")
        path = pick(["/api/v2/track/" + rs(12, UP + DG), "/login", "/static/app.%s.js" % hexs(8), "/healthz", "/api/v2/shipments?page=2"])
        q = R.randint(0, 9)
        pathparts = [path]
        if q == 0:
            pathparts = ["/api/v2/export?access_token=", S(jwt(), "JWT")]
        elif q == 1:
            pathparts = ["/password/reset?token=", S(rs(40, URLSAFE), "PASSWORD_RESET_TOKEN")]
        elif q == 2:
            pathparts = ["/maps/api/geocode/json?address=Berlin&key=", S(google_api(), "GOOGLE_API_KEY")]
        elif q == 3:
            pathparts = ["/webhooks/inbound?api_key=", S(rs(32, LO + DG), "API_KEY")]
        lines += [ip, " - - [", K(clf_time(), "TIMESTAMP"), "] \"", pick(["GET", "GET", "POST"]), " ", pathparts, " HTTP/1.1\" ", K(http_status(), "HTTP_STATUS"), " ", str(R.randint(0, 99999)),
                  " \"-\" \"", pick(UAS), "\" rt=", K("%.3f" % (R.random() * 2), "DURATION"), "\n"]
    return mk("log", pick(["", "/var/log/nginx/access.log (excerpt)\n", "zcat access.log.2.gz | grep -v healthz | head\n"]), lines)


def t_json_log():
    lines = []
    for _ in range(R.randint(2, 4)):
        c = R.randint(0, 4)
        base = ["{\"ts\":\"", K(ts_iso(), "TIMESTAMP"), "\",\"level\":\"", pick(["info", "warn", "error"]), "\",\"trace_id\":\"", K(trace_id(), "TRACE_ID"), "\","]
        if c == 0:
            lines += [base, "\"msg\":\"login succeeded\",\"user_email\":\"", P(email_for(), "EMAIL"), "\",\"client_ip\":\"", P(public_ipv4(), "IP_ADDRESS"), "\"}\n"]
        elif c == 1:
            lines += [base, "\"msg\":\"outbound call\",\"http\":{\"method\":\"POST\",\"url\":\"https://api.twilio.com/2010-04-01/Accounts/AC", hexs(32), "/Messages.json\",\"status\":", K(http_status(), "HTTP_STATUS"),
                      "},\"to\":\"", P(phone(), "PHONE"), "\",\"duration_ms\":", K(str(R.randint(20, 3000)), "DURATION"), "}\n"]
        elif c == 2:
            lines += [base, "\"msg\":\"request\",\"headers\":{\"authorization\":\"Bearer ", S(jwt(), "JWT"), "\",\"x-forwarded-for\":\"", P(public_ipv4(), "IP_ADDRESS"), ", ", K(private_ip(), "PRIVATE_IP"), "\"}}\n"]
        elif c == 3:
            lines += [base, "\"msg\":\"payment failed\",\"order\":\"", K(order_no(), "ORDER_NUMBER"), "\",\"error\":\"", K(pick(["card_declined", "insufficient_funds", "expired_card"]), "ERROR_CODE"), "\",\"customer\":\"",
                      P(person(), "PERSON"), "\"}\n"]
        else:
            lines += [base, "\"msg\":\"config loaded\",\"service\":\"label-worker\",\"version\":\"", K(semver(), "VERSION"), "\",\"sqs_queue\":\"orders-", pick(["prod", "eu"]), "\"}\n"]
    return mk("log", lines)


def t_py_traceback():
    d = dsn_parts("postgresql")
    parts = ["Traceback (most recent call last):\n  File \"/srv/app/venv/lib/python3.11/site-packages/sqlalchemy/engine/base.py\", line ", str(R.randint(100, 3000)), ", in _wrap_pool_connect\n    return fn()\n"
             "  File \"/srv/app/services/db.py\", line ", str(R.randint(10, 300)), ", in connect\n    engine = create_engine(settings.DATABASE_URL, pool_pre_ping=True)\n"
             "sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) connection to server at \"", K(private_ip(), "PRIVATE_IP"), "\", port ", K("5432", "PORT"), " failed: FATAL:  password authentication failed for user \"", pick(DBUSERS), "\"\n\n"
             "(Background on this error at: https://sqlalche.me/e/20/e3q8)\nDATABASE_URL was: ", d, "\n"]
    return mk("stacktrace", pick(["", "Worker crashed on boot:\n"]), parts)


def t_java_trace():
    parts = [K(ts_log(), "TIMESTAMP"), " INFO  [main] c.z.h.HikariDataSource - HikariPool-1 - Starting... url=", jdbc_parts(), "\n",
             K(ts_log(), "TIMESTAMP"), " ERROR [main] o.s.b.SpringApplication - Application run failed\njava.sql.SQLException: Access denied for user 'app'@'", K(private_ip(), "PRIVATE_IP"), "' (using password: YES)\n"
             "\tat com.mysql.cj.jdbc.exceptions.SQLError.createSQLException(SQLError.java:130)\n\tat com.mysql.cj.jdbc.ConnectionImpl.createNewIO(ConnectionImpl.java:", str(R.randint(800, 900)), ")\n"
             "\tat com.zaxxer.hikari.pool.HikariPool.checkFailFast(HikariPool.java:562)\n\t... 42 common frames omitted\nmysql-connector-j-", K(pick(["8.3.0", "8.0.33", "8.4.0"]), "VERSION"), ".jar, spring-boot ", K(semver(), "VERSION"), "\n"]
    return mk("stacktrace", parts)


def t_dotnet_trace():
    pw = password(pick(["human", "gen"]))
    parts = ["System.Data.SqlClient.SqlException (0x80131904): Login failed for user 'appuser'.\n   at System.Data.SqlClient.SqlInternalConnectionTds..ctor(DbConnectionPoolIdentity identity, SqlConnectionString connectionOptions)\n"
             "   at Parcelly.Billing.Data.Repo.Open() in D:\\a\\1\\s\\src\\Billing\\Repo.cs:line ", str(R.randint(20, 400)), "\nClientConnectionId:", K(ruuid(), "UUID"), "\nError Number:18456,State:1,Class:14\n"
             "ConnectionString: Server=", K(private_ip(), "PRIVATE_IP"), ";Database=billing;User Id=appuser;Password=", S(pw, "DSN_PASSWORD"), ";TrustServerCertificate=True\n"
             "Loaded: Newtonsoft.Json, Version=", K("13.0.0.0", "VERSION"), ", Culture=neutral, PublicKeyToken=", K("30ad4fe6b2a6aeed", "PUBLIC_KEY_TOKEN"), "\n"
             "Loaded: Microsoft.Data.SqlClient, Version=", K(ver4(), "VERSION"), "\n"]
    return mk("stacktrace", parts)


def t_node_error():
    pw = _shpw()
    parts = ["Error: connect ", K("ECONNREFUSED", "ERROR_CODE"), " ", K(private_ip(), "PRIVATE_IP"), ":", K("6379", "PORT"), "\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:", str(R.randint(1000, 1600)), ":16)\n"
             "  errno: -111,\n  code: 'ECONNREFUSED',\n  syscall: 'connect',\n  options: {\n    host: 'cache-01.internal',\n    port: 6379,\n    password: '", S(pw, "PASSWORD"), "',\n    db: 0,\n    connectTimeout: ",
             K("10000", "DURATION"), "\n  }\n}\nNode.js ", K(pick(["v20.12.2", "v18.19.1", "v22.2.0"]), "VERSION"), "\n"]
    return mk("stacktrace", parts)


def t_go_panic():
    parts = ["panic: dial redis: ", dsn_parts("redis"), ": i/o timeout\n\ngoroutine 1 [running]:\nmain.mustRedis(...)\n\t/build/cmd/worker/main.go:", str(R.randint(20, 200)), "\nmain.main()\n\t/build/cmd/worker/main.go:",
             str(R.randint(20, 200)), " +0x", hexs(3), "\nexit status 2\nbuild ", K(sha1()[:12], "GIT_SHA"), " go", K("1.22.3", "VERSION"), "\n"]
    return mk("stacktrace", parts)


def t_ci_log():
    n = R.randint(1000, 60000)
    parts = ["2024-06-", "%02d" % R.randint(1, 28), "T10:", "%02d" % R.randint(0, 59), ":11.1234567Z ##[group]Run actions/checkout@v4\n", "Checking out ref ", K(sha1(), "GIT_SHA"), "\n##[endgroup]\n"]
    c = cyc("t_ci_log", 5)
    if c == 0:
        parts += ["Run docker login -u parcellyci -p ", S(dckr(), "DOCKER_HUB_PAT"), " docker.io\nWARNING! Using --password via the CLI is insecure. Use --password-stdin.\nLogin Succeeded\n"]
    elif c == 1:
        parts += ["+ echo \"//registry.npmjs.org/:_authToken=", S(npm_tok(), "NPM_TOKEN"), "\" > .npmrc\n+ npm publish --access public\nnpm notice Publishing to https://registry.npmjs.org/ with tag latest\n+ @parcelly/sdk@", K(semver(), "VERSION"), "\n"]
    elif c == 2:
        parts += ["Run env | sort\nCI=true\nGITHUB_RUN_NUMBER=", K(str(n), "BUILD_NUMBER"), "\nGITHUB_TOKEN=", K("***", "PLACEHOLDER"), "\nSENTRY_AUTH_TOKEN=", S(sentry_tok(), "SENTRY_AUTH_TOKEN"), "\nTWINE_PASSWORD=", S(pypi_tok(), "PYPI_TOKEN"), "\n"]
    elif c == 3:
        parts += ["Run terraform init\nInitializing the backend...\n[DEBUG] using token ", S(tfc(), "TERRAFORM_CLOUD_TOKEN"), " for app.terraform.io\n- Installing hashicorp/aws v", K(semver(), "VERSION"), "...\n"]
    else:
        parts += ["$ curl -sf -H \"PRIVATE-TOKEN: ", S(glpat(), "GITLAB_PAT"), "\" \"$CI_API_V4_URL/projects/", str(R.randint(10, 9999)), "/releases\"\n$ echo \"job ", K(str(n), "BUILD_NUMBER"), " done in ", K(duration(), "DURATION"), "\"\n"]
    parts += ["Post job cleanup.\nJob completed in ", K(duration(), "DURATION"), " (run #", K(str(n), "BUILD_NUMBER"), ")\n"]
    return mk("log", parts)


def t_gha_workflow():
    parts = ["name: deploy\non:\n  push:\n    branches: [main]\njobs:\n  deploy:\n    runs-on: ubuntu-22.04\n    env:\n      NODE_VERSION: \"", K(pick(["20.12.2", "18.19.1"]), "VERSION"), "\"\n      DD_API_KEY: ",
             K("${{ secrets.DD_API_KEY }}", "PLACEHOLDER"), "\n      SLACK_WEBHOOK: ", S(slack_webhook(), "SLACK_WEBHOOK_URL"), "   # FIXME use secret\n    steps:\n      - uses: actions/checkout@", K(sha1(), "GIT_SHA"),
             "\n      - run: npx vercel deploy --prod --token ", S(rs(24), "VERCEL_TOKEN"), "\n"]
    if chance(0.5):
        parts += ["      - run: curl -X POST -H \"Authorization: Bearer ", S(gh("ghs_"), "GITHUB_APP_TOKEN"), "\" https://api.github.com/repos/parcelly/api/dispatches\n"]
    return mk("yaml", ".github/workflows/deploy.yml\n", parts)


KEYGENS = [("RSA_PRIVATE_KEY", rsa_pem), ("RSA_PRIVATE_KEY", rsa_pem_legacy_encrypted), ("EC_PRIVATE_KEY", ec_pem), ("PKCS8_PRIVATE_KEY", pkcs8_pem), ("PKCS8_PRIVATE_KEY", pkcs8_ec_pem),
           ("ENCRYPTED_PRIVATE_KEY", enc_pkcs8_pem), ("OPENSSH_PRIVATE_KEY", openssh_key), ("PUTTY_PRIVATE_KEY", putty_key), ("PGP_PRIVATE_KEY", pgp_private)]


def t_private_key():
    kind, g = KEYGENS[cyc("keygen", len(KEYGENS))]
    k = g()
    c = cyc("t_private_key", 5)
    if kind == "PUTTY_PRIVATE_KEY":
        return mk("chat", pick(["I converted the key with puttygen but WinSCP still says access denied. This is the ppk:\n\n", "deploy.ppk:\n"]), S(k, kind), "\n\nhost is ", K(private_ip(), "PRIVATE_IP"), " port ", K("22", "PORT"), "\n")
    if kind == "PGP_PRIVATE_KEY":
        return mk("email", "From: ", P(email_for(), "EMAIL"), "\nSubject: signing key for the release bot\n\nHi, exported it with gpg --export-secret-keys --armor ", K(hexs(16).upper(), "KEY_FINGERPRINT"), ", see below.\n\n", S(k, kind), "\n")
    if c == 0:
        return mk("chat", pick(["can you check why this key is rejected?\n", "Here's the key from the old CI box:\n", "ssh says 'invalid format' with this one:\n"]), S(k, kind), "\n", pick(["thx", "fingerprint SHA256:" + b64s(rbytes(32)).rstrip("="), ""]), "\n")
    if c == 1:
        ind = "      "
        body = ind + k.replace("\n", "\n" + ind)
        return mk("yaml", "deploy_user: ansible\ndeploy_ssh_key: |\n", ind, S(body[len(ind):], kind), "\ndeploy_port: ", K("22", "PORT"), "\n")
    if c == 2:
        return mk("code", "resource \"tls_private_key\" \"legacy\" {}\n\nlocals {\n  bastion_key = <<EOT\n", S(k, kind), "\nEOT\n}\n")
    if c == 3:
        return mk("env", "APP_NAME=parcelly-webhooks\nPRIVATE_KEY=\"", S(k.replace("\n", "\\n"), kind), "\\n\"\nGITHUB_APP_ID=", str(R.randint(100000, 999999)), "\n")
    return mk("ticket", "[", K(jira(), "JIRA_KEY"), "] TLS handshake fails after cert rotation\n\nAttached the key + cert we deployed on ", K(date_plain(), "DATE"), ":\n\n", S(k, kind), "\n\n-----BEGIN CERTIFICATE-----\n", wrap64(b64s(rbytes(600))), "\n-----END CERTIFICATE-----\n")


def t_vault_output():
    tok = vault_tok()
    parts = ["$ vault login -method=userpass username=", pick(["jkeller", "ops-admin"]), "\nPassword (will be hidden):\nSuccess! You are now authenticated. The token information displayed below\nis already stored in the token helper.\n\n"
             "Key                    Value\n---                    -----\ntoken                  ", S(tok, "VAULT_TOKEN"), "\ntoken_accessor         ", rs(24), "\ntoken_duration         ", K(pick(["768h", "32h", "1h"]), "DURATION"),
             "\ntoken_renewable        true\ntoken_policies         [\"default\" \"deploy\"]\n"]
    if chance(0.5):
        parts += ["$ vault kv get -field=password secret/prod/db\n", S(password(), "PASSWORD"), "\n"]
    if chance(0.3):
        parts += ["$ vault write -f auth/approle/role/ci/secret-id\nsecret_id             ", S(ruuid(), "VAULT_SECRET_ID"), "\nsecret_id_accessor    ", K(ruuid(), "UUID"), "\nbatch token: ", S(vault_batch(), "VAULT_TOKEN"), "\n"]
    return mk("shell", parts)


def t_kubectl_decode():
    pw = password()
    parts = ["$ kubectl get secret orders-db -n prod -o jsonpath='{.data.password}' | base64 -d\n", S(pw, "PASSWORD"), "\n$ kubectl get secret orders-db -n prod -o yaml | grep password\n  password: ",
             S(b64s(pw), "K8S_SECRET_DATA"), "\n$ kubectl get pods -n prod\nNAME                        READY   STATUS    RESTARTS   AGE\napi-", rs(10, LO + DG), "-", rs(5, LO + DG), "   1/1     Running   0          ", K(pick(["3d4h", "17m", "6h12m"]), "DURATION"), "\n"]
    return mk("shell", parts)


def wrap_value(v, width):
    cut = R.randint(max(8, len(v) // 3), len(v) - 8) if width is None else width
    return v[:cut] + "\n" + v[cut:]


def t_wrapped():
    c = cyc("t_wrapped", 6)
    if c == 0:
        v = atlassian()
        return mk("email", "Hi team,\n\nhere is the API token for the Jira automation user (please store it in Vault, I'll delete this mail):\n\n", S(wrap_value(v, 76), "ATLASSIAN_API_TOKEN"),
                  "\n\nIt belongs to the account svc-jira@parcelly.io, created ", K(date_plain(), "DATE"), ".\n")
    if c == 1:
        v = aws_session_token()
        return mk("shell", "$ aws sts assume-role --role-arn arn:aws:iam::", digits(12), ":role/deploy --role-session-name ci\n{\n    \"Credentials\": {\n        \"AccessKeyId\": \"", S(aws_key_id("ASIA"), "AWS_ACCESS_KEY_ID"),
                  "\",\n        \"SecretAccessKey\": \"", S(aws_secret(), "AWS_SECRET_ACCESS_KEY"), "\",\n        \"SessionToken\": \"", S(wrap_value(v, 120), "AWS_SESSION_TOKEN"), "\",\n        \"Expiration\": \"",
                  K(ts_iso(), "TIMESTAMP"), "\"\n    }\n}\n")
    if c == 2:
        v = openai_key()
        return mk("chat", "ok pasting the key again, the terminal wrapped it last time:\n", S(wrap_value(v, 80), "OPENAI_API_KEY"), "\n")
    if c == 3:
        v = pypi_tok()
        return mk("ticket", "Upload to PyPI fails with 403 (", K("HTTP 403", "HTTP_STATUS"), "). Token used:\n    ", S(wrap_value(v, 72).replace("\n", "\n    "), "PYPI_TOKEN"), "\nPackage version ", K(semver(), "VERSION"), "\n")
    if c == 4:
        v = azure_storage_key()
        return mk("log", K(ts_log(), "TIMESTAMP"), " WARN  storage: auth failed for account parcellylogs01 key=", S(wrap_value(v, None), "AZURE_STORAGE_ACCOUNT_KEY"), " (", K(pick(["AuthenticationFailed", "403"]), "ERROR_CODE"), ")\n")
    v = jwt("RS256", iss="https://parcelly.eu.auth0.com/")
    return mk("email", "> Authorization: Bearer ", S(wrap_value(v, 60).replace("\n", "\n> "), "JWT"), "\n> x-request-id: ", K(ruuid(), "REQUEST_ID"), "\n\nThat's the header our client sends, and we still get a ", K("401", "HTTP_STATUS"), ".\n")


def t_otp():
    c = cyc("t_otp", 7)
    if c == 0:
        return mk("chat", pick(["customer", "Kunde"]), ": I just got the SMS, the code is ", S(otp(), "OTP_CODE"), " but the app says it's expired??\n", agent(), ": Codes are valid for ", K("10 minutes", "DURATION"),
                  ". Please don't share them here though - I'll trigger a new one.\n")
    if c == 1:
        return mk("email", "Subject: Your Parcelly sign-in code\n\nYour verification code is ", S(otp(), "OTP_CODE"), ". It expires in ", K("15 minutes", "DURATION"), ".\nRequest ID: ", K(ruuid(), "REQUEST_ID"), "\n")
    if c == 2:
        codes = [recovery_code() for _ in range(R.randint(6, 10))]
        parts = ["github-recovery-codes.txt\n\n"]
        for cd in codes:
            parts += [S(cd, "RECOVERY_CODE"), "\n"]
        parts += ["\nKeep your recovery codes in a safe spot. Generated ", K(date_plain(), "DATE"), ".\n"]
        return mk("ticket", parts)
    if c == 3:
        codes = ["%s %s" % (digits(4), digits(4)) for _ in range(R.randint(4, 8))]
        parts = ["Backup codes for ", pick(["j.keller@parcelly.io", "ops-admin@parcelly.io"]), " (Google Workspace):\n"]
        for i, cd in enumerate(codes):
            parts += ["%d. " % (i + 1), S(cd, "RECOVERY_CODE"), "\n"]
        return mk("ticket", parts)
    if c == 4:
        return mk("chat", "Ihr Bestätigungscode lautet ", S(otp(), "OTP_CODE"), ". Geben Sie diesen Code niemals weiter. (Sendungsnummer ", K(rs(2, UP) + digits(9) + "DE", "TRACKING_NUMBER"), ")\n")
    if c == 5:
        return mk("chat", "Votre code de vérification est : ", S(otp(), "OTP_CODE"), "\nIl expire dans ", K("5 minutes", "DURATION"), ". Commande ", K(order_no(), "ORDER_NUMBER"), "\n")
    return mk("chat", "Tu código de verificación es ", S(otp(), "OTP_CODE"), ". No lo compartas con nadie. Pedido ", K(order_no(), "ORDER_NUMBER"), "\n")


# --------------------------------------------------------------------------
# templates: PII-heavy (chats, emails, tickets, forms, exports)
# --------------------------------------------------------------------------

COUNTRY_OF_ADDR = {"US": "US", "UK": "UK", "DE": "DE", "FR": "FR"}


def signature(name, lang="en", company=None):
    f = name.split(" ")[0]
    ph = phone(pick(["US", "UK", "DE", "FR", "NL", "IT", "ES", "AU", "CA"]))
    parts = [pick(["Best,", "Thanks,", "Kind regards,", "Cheers,"]) if lang == "en" else {"de": pick(["Viele Grüße", "Mit freundlichen Grüßen"]), "fr": "Cordialement,", "es": "Saludos,"}[lang],
             "\n", P(name, "PERSON"), "\n"]
    if company:
        parts += [company, "\n"]
    parts += [pick(["Tel: ", "T ", "Mobile: ", "📞 ", "Tel. "]), P(ph, "PHONE"), "\n"]
    if chance(0.5):
        parts += [P(address(pick(["US", "UK", "DE", "FR"])), "STREET_ADDRESS"), "\n"]
    return parts


def _clock():
    t = [R.randint(8 * 3600, 20 * 3600)]

    def nxt():
        t[0] += R.randint(8, 240)
        return K("%02d:%02d:%02d" % (t[0] // 3600, t[0] // 60 % 60, t[0] % 60), "TIMESTAMP")
    return nxt


def t_support_chat_secret():
    clk = _clock()
    name = person()
    f = name.split(" ")[0]
    c = cyc("t_support_chat_secret", 6)
    n, gen = pick(SECRET_VARS[:52])
    secret = gen()
    parts = ["[", clk(), "] ", P(name, "PERSON"), ": hi, our webhook integration stopped working since ", K(date_plain(), "DATE"), "\n",
             "[", clk(), "] ", agent(), ": Hi ", P(f, "PERSON"), "! Can you share the request id of a failing call?\n",
             "[", clk(), "] ", P(name, "PERSON"), ": sure, ", K(ruuid(), "REQUEST_ID"), ". we're calling it with ", n, "=", secret, pick([" if that helps", "", " (from our .env)"]), "\n"]
    if c < 3:
        parts += ["[", clk(), "] ", agent(), ": Thanks - please rotate that key now, this chat is logged. The call returned ", K(http_status(), "HTTP_STATUS"), " with ", K(error_code(), "ERROR_CODE"), ".\n"]
    else:
        parts += ["[", clk(), "] ", P(name, "PERSON"), ": also my number if easier: ", P(phone(), "PHONE"), "\n"]
    return mk("chat", parts)


def t_support_chat_card():
    name = person()
    f = name.split(" ")[0]
    cd = card()
    parts = [P(f, "PERSON"), ": the payment for order ", K(order_no(), "ORDER_NUMBER"), " keeps failing\n", agent(), ": Sorry about that! Which card did you use? Only the last 4 digits please.\n", P(f, "PERSON"), ": ",
             pick(["it's card: ", "card # ", "the visa ", "this one: ", ""]), P(cd, "CREDIT_CARD"), pick(["", " exp ", " valid till "])]
    if parts[-1] != "":
        parts += ["%02d/%02d" % (R.randint(1, 12), R.randint(25, 31)), pick([" cvc ", " CVV: "]), P(digits(4 if cd.replace(" ", "").replace("-", "").startswith(("34", "37")) else 3), "CARD_SECURITY_CODE")]
    parts += ["\n", agent(), ": Please never send full card numbers in chat. I've masked it on our side (", K("**** **** **** " + cd.replace(" ", "").replace("-", "")[-4:], "MASKED_CARD"), ").\n"]
    if chance(0.5):
        parts += [P(f, "PERSON"), ": ok. you can also reach me at ", P(email_for(name), "EMAIL"), "\n"]
    return mk("chat", parts)


def t_chat_de():
    name = person()
    parts = ["Kunde (", P(name, "PERSON"), "): Guten Tag, ich habe meine Adresse geändert. Neue Anschrift: ", P(address("DE"), "STREET_ADDRESS"), ".\n", agent(), ": Danke! Können Sie mir noch Ihr Geburtsdatum zur Verifizierung nennen?\n",
             "Kunde: geb. ", P(dob(1), "DATE_OF_BIRTH"), ", Telefon ", P(phone("DE"), "PHONE"), "\n"]
    if chance(0.6):
        parts += ["Kunde: Und bitte die Erstattung auf mein Konto ", P(iban("DE"), "IBAN"), " überweisen (Rechnung ", K(invoice_no(), "INVOICE_NUMBER"), ").\n"]
    if chance(0.4):
        parts += ["Kunde: Meine Steuer-ID für die Rechnung: ", P(steuer_id(), "DE_STEUER_ID"), "\n"]
    return mk("chat", parts)


def t_chat_fr():
    name = person()
    parts = ["Client : Bonjour, je m'appelle ", P(name, "PERSON"), ". Mon colis ", K(rs(2, UP) + digits(9) + "FR", "TRACKING_NUMBER"), " n'est jamais arrivé.\n", agent(), " : Bonjour ! Pouvez-vous confirmer l'adresse de livraison ?\n",
             "Client : ", P(address("FR"), "STREET_ADDRESS"), ", et mon portable c'est le ", P(phone("FR"), "PHONE"), "\n"]
    if chance(0.6):
        parts += ["Client : Pour le remboursement, voici mon IBAN : ", P(iban("FR"), "IBAN"), "\n"]
    if chance(0.5):
        parts += ["Client : vous pouvez m'écrire à ", P(email_obfuscated(name) if chance(0.5) else email_for(name), "EMAIL"), "\n"]
    return mk("chat", parts)


def t_chat_es():
    name = person()
    parts = ["Cliente: Hola, soy ", P(name, "PERSON"), ", necesito cambiar el teléfono de contacto a ", P(phone("ES"), "PHONE"), ".\n", agent(), ": ¡Claro! Para verificar, ¿me indica su DNI o NIE?\n",
             "Cliente: ", P(pick([dni, nie])(), "ES_DNI"), ", fecha de nacimiento ", P(dob(5), "DATE_OF_BIRTH"), "\n"]
    if chance(0.5):
        parts += ["Cliente: y la cuenta para el reembolso es ", P(iban("ES"), "IBAN"), ", gracias (pedido ", K(order_no(), "ORDER_NUMBER"), ")\n"]
    return mk("chat", parts)


def t_email_invoice():
    name = person()
    comp = pick(["Hansen Logistik GmbH", "Brightwave Ltd", "Soleil Déco SARL", "Osteria Verde S.r.l.", "Greenhouse B.V.", "Northwind Traders Inc."])
    lang = pick(["en", "en", "de", "fr"])
    em = email_for(name, corporate=True)
    body = {
        "en": ["Hi Parcelly billing,\n\nplease find attached invoice ", K(invoice_no(), "INVOICE_NUMBER"), " for the ", pick(["May", "June", "Q2"]), " shipments (", K(str(R.randint(20, 900)), "QUANTITY"),
               " labels). Payment to:\n\nIBAN: ", P(iban(pick(["GB", "DE", "NL", "IT", "FR", "BE"])), "IBAN"), "\nBIC: ", pick(["NWBKGB2L", "DEUTDEFF", "INGBNL2A", "BNPAFRPP"]), "\n\nOur PO reference is ", K(order_no(), "ORDER_NUMBER"), ".\n\n"],
        "de": ["Hallo,\n\nanbei die Rechnung ", K(invoice_no(), "INVOICE_NUMBER"), " vom ", K(date_plain(), "DATE"), ". Bitte überweisen Sie den Betrag auf folgendes Konto:\n\n", P(iban("DE"), "IBAN"), "\n\nBei Rückfragen erreichen Sie mich unter ",
               P(phone("DE"), "PHONE"), ".\n\n"],
        "fr": ["Bonjour,\n\nveuillez trouver ci-joint la facture ", K(invoice_no(), "INVOICE_NUMBER"), ". Merci d'effectuer le virement sur le compte ", P(iban("FR"), "IBAN"), ".\n\n"],
    }[lang]
    parts = ["From: ", P(name, "PERSON"), " <", P(em, "EMAIL"), ">\nTo: billing@parcelly.io\nDate: ", K(pick(["Tue, 11 Jun 2024 09:14:02 +0200", "Mon, 3 Jun 2024 16:40:19 +0100", "Fri, 24 May 2024 08:02:55 -0400"]), "TIMESTAMP"),
             "\nSubject: ", {"en": "Invoice", "de": "Rechnung", "fr": "Facture"}[lang], " ", pick(["June", "Q2", "2024-06"]), "\n\n", body, signature(name, lang, comp)]
    return mk("email", parts)


def t_email_support():
    name = person()
    f = name.split(" ")[0]
    em = email_for(name)
    parts = ["From: ", P(em, "EMAIL"), "\nTo: support@parcelly.io\nSubject: Re: [", K(ticket(), "TICKET_NUMBER"), "] Account locked\n\nHello,\n\nI still can't log in. The error says ", K(error_code(), "ERROR_CODE"),
             ". My account email is ", P(em, "EMAIL"), pick([" and my backup address is ", " (alt: "]), P(email_for(name, corporate=False), "EMAIL"), pick([".", ")"]),
             "\nYou can call me on ", P(phone(), "PHONE"), " any time after 5pm.\n\n"]
    if chance(0.4):
        parts += ["In case you need it to verify me, my date of birth is ", P(dob(), "DATE_OF_BIRTH"), ".\n\n"]
    parts += [signature(name)]
    if chance(0.5):
        parts += ["\n> On ", K(date_plain(), "DATE"), ", Parcelly Support <support@parcelly.io> wrote:\n> Hi ", P(f, "PERSON"), ", we have reset your MFA. Reference ", K(ruuid(), "REQUEST_ID"), ".\n"]
    return mk("email", parts)


def t_obfuscated_email():
    name = person()
    parts = [pick(["Forum post: ", "Comment on listing #%d: " % R.randint(1000, 99999), ""]), pick(["If anyone has a spare label printer, email me at ", "Contact: ", "mail me → ", "Schreibt mir gerne an "]),
             P(email_obfuscated(name), "EMAIL"), pick([" (no spam pls)", "", " - ", "."])]
    if chance(0.5):
        parts += [" or ", pick(["text ", "WhatsApp "]), P(phone(), "PHONE")]
    parts += ["\n— ", P(name.split(" ")[0], "PERSON"), "\n"]
    if chance(0.4):
        parts += ["mailto link in profile: mailto:", P(email_for(name), "EMAIL"), "?subject=Label%20printer\n"]
    return mk("chat", parts)


def t_kyc_us():
    name = person()
    parts = ["Identity verification – manual review ", K(ticket(), "TICKET_NUMBER"), "\nApplicant: ", P(name, "PERSON"), "\nDOB: ", P(dob(pick([0, 2, 4])), "DATE_OF_BIRTH"), "\nSSN: ", P(ssn(), "US_SSN"),
             "\nHome address: ", P(address("US"), "STREET_ADDRESS"), "\nDriver's license (", None, "\nPassport no.: ", P(passport("US"), "PASSPORT_NUMBER"),
             "\nPhone: ", P(phone("US"), "PHONE"), "\nReviewer note: document scan ", K(file_size(), "FILE_SIZE"), ", uploaded ", K(ts_iso(), "TIMESTAMP"), "\n"]
    st = pick(["CA", "NY"])
    i = parts.index(None)
    parts[i:i + 1] = [st, "): ", P(driver_licence("US-" + st), "DRIVER_LICENSE")]
    return mk("ticket", parts)


def t_kyc_uk():
    name = person()
    sn = name.split(" ", 1)[1]
    parts = ["Right-to-work check for new courier: ", P(name, "PERSON"), "\nNational Insurance number: ", P(nino(), "UK_NINO"), "\nDate of birth: ", P(dob(pick([3, 5])), "DATE_OF_BIRTH"),
             "\nDriving licence number: ", P(driver_licence("UK", sn), "DRIVER_LICENSE"), "\nPassport number: ", P(passport("UK"), "PASSPORT_NUMBER"), "\nAddress: ", P(address("UK"), "STREET_ADDRESS"),
             "\nStart date: ", K(date_plain(), "DATE"), "  Depot: Leeds-", str(R.randint(1, 9)), "\n"]
    return mk("ticket", parts)


def t_national_ids():
    c = cyc("t_national_ids", 8)
    name = person()
    if c == 0:
        return mk("chat", P(name, "PERSON"), ": KYC failed again. My Aadhaar is ", P(aadhaar(), "IN_AADHAAR"), " and PAN ", P(pan(name.split(" ")[-1]), "IN_PAN"), ", mobile ", P(phone("IN"), "PHONE"), "\n",
                  agent(), ": Thanks, the check returned ", K(error_code(), "ERROR_CODE"), ". Escalated as ", K(jira(), "JIRA_KEY"), ".\n")
    if c == 1:
        return mk("ticket", "Cadastro de cliente (Brasil)\nNome: ", P(name, "PERSON"), "\nCPF: ", P(cpf(), "BR_CPF"), "\nData de nascimento: ", P(dob(5), "DATE_OF_BIRTH"), "\nCelular: ", P(phone("BR"), "PHONE"),
                  "\nPedido: ", K(order_no(), "ORDER_NUMBER"), "\n")
    if c == 2:
        return mk("ticket", "Dati cliente per fattura elettronica\nNominativo: ", P(name, "PERSON"), "\nCodice fiscale: ", P(codice_fiscale(name), "IT_CODICE_FISCALE"), "\nTelefono: ", P(phone("IT"), "PHONE"),
                  "\nIBAN: ", P(iban("IT"), "IBAN"), "\nFattura n. ", K(invoice_no(), "INVOICE_NUMBER"), "\n")
    if c == 3:
        return mk("email", "Hi, for the contractor onboarding here are my details:\nName: ", P(name, "PERSON"), "\nTFN: ", P(tfn(), "AU_TFN"), "\nMobile: ", P(phone("AU"), "PHONE"), "\nBSB/Account: 062-000 ", digits(8),
                  "\nThanks!\n")
    if c == 4:
        return mk("ticket", "Payroll setup (Canada) - ", P(name, "PERSON"), "\nSIN: ", P(sin_ca(), "CA_SIN"), "\nBorn: ", P(dob(4), "DATE_OF_BIRTH"), "\nPhone: ", P(phone("CA"), "PHONE"), "\nEmployee ID: E", digits(5), "\n")
    if c == 5:
        return mk("ticket", "Onboarding Lagerhelfer ", P(name, "PERSON"), "\nSteuerliche Identifikationsnummer: ", P(steuer_id(), "DE_STEUER_ID"), "\nGeburtsdatum: ", P(dob(1), "DATE_OF_BIRTH"),
                  "\nPersonalausweis / Reisepass-Nr.: ", P(passport("DE"), "PASSPORT_NUMBER"), "\nAnschrift: ", P(address("DE"), "STREET_ADDRESS"), "\nFührerschein-Nr.: ", P(driver_licence("DE"), "DRIVER_LICENSE"), "\n")
    if c == 6:
        return mk("chat", "Hi, I'm ", P(name, "PERSON"), " from the Singapore warehouse team. NRIC for the access badge: ", P(nric(), "SG_NRIC"), ", contact ", P(phone(pick(["UK", "AU"])), "PHONE"), "\n")
    return mk("ticket", "Alta de repartidor\nNombre: ", P(name, "PERSON"), "\nNIE: ", P(nie(), "ES_DNI"), "\nPasaporte: ", P(passport(pick(["FR", "IN", "UK"])), "PASSPORT_NUMBER"), "\nTeléfono: ", P(phone("ES"), "PHONE"), "\n")


def t_sql():
    c = cyc("t_sql", 4)
    if c == 0:
        rows = []
        n = R.randint(2, 4)
        for i in range(n):
            name = person()
            f, l = name.split(" ", 1)
            rows += ["  (", str(R.randint(1000, 99999)), ", '", P(f, "PERSON"), "', '", P(l.replace("'", "''"), "PERSON"), "', '", P(email_for(name), "EMAIL"), "', '",
                     P(phone(), "PHONE"), "', '", K(ts_iso()[:10], "DATE"), "')", ";\n" if i == n - 1 else ",\n"]
        return mk("sql", "INSERT INTO customers (id, first_name, last_name, email, phone, created_at) VALUES\n", rows)
    if c == 1:
        return mk("sql", pick(["CREATE USER 'reporting'@'%' IDENTIFIED BY '", "CREATE USER 'app_rw'@'10.%' IDENTIFIED BY '"]), S(_shpw(), "PASSWORD"), "';\nGRANT SELECT ON shop.* TO 'reporting'@'%';\n"
                  "ALTER ROLE ", pick(["metabase", "airflow"]), " WITH LOGIN PASSWORD '", S(_shpw(), "PASSWORD"), "' VALID UNTIL '", K("2025-12-31", "DATE"), "';\n")
    if c == 2:
        name = person()
        return mk("sql", "-- support lookup ", K(ticket(), "TICKET_NUMBER"), "\nSELECT id, status, total_cents FROM orders\nWHERE customer_email = '", P(email_for(name), "EMAIL"), "'\n  AND shipping_phone = '", P(phone(), "PHONE"),
                  "'\n  AND created_at > '", K(date_plain(), "DATE"), "';\n-- ", str(R.randint(1, 40)), " rows (", K(duration(), "DURATION"), ")\n")
    name = person()
    return mk("sql", "UPDATE payment_methods SET pan = '", P(card().replace(" ", "").replace("-", ""), "CREDIT_CARD"), "', holder = '", P(name.replace("'", "''"), "PERSON"), "' WHERE id = ", str(R.randint(1, 99999)),
              ";  -- TODO remove, PCI!!\nUPDATE customers SET ssn = '", P(ssn(), "US_SSN"), "' WHERE email = '", P(email_for(name), "EMAIL"), "';\n")


def t_csv():
    cols = pick([["order_id", "customer_name", "email", "phone", "ship_to", "sku"],
                 ["customer_id", "name", "email", "iban", "signup_ip", "created"],
                 ["id", "full_name", "dob", "phone", "card_last4", "order_ref"]])
    parts = [",".join(cols), "\n"]
    for _ in range(R.randint(3, 5)):
        name = person()
        row = []
        for col in cols:
            if col in ("order_id", "order_ref"):
                row.append(K(order_no().lstrip("#"), "ORDER_NUMBER"))
            elif col in ("customer_name", "name", "full_name"):
                row.append(P(name, "PERSON"))
            elif col == "email":
                row.append(P(email_for(name), "EMAIL"))
            elif col == "phone":
                row.append(P(phone(), "PHONE"))
            elif col == "ship_to":
                row += ["\"", P(address(), "STREET_ADDRESS"), "\""]
            elif col == "sku":
                row.append(K(sku(), "SKU"))
            elif col == "id":
                row.append(str(R.randint(1000, 99999)))
            elif col == "customer_id":
                row.append(K(ruuid(), "UUID"))
            elif col == "iban":
                row.append(P(iban(), "IBAN"))
            elif col == "signup_ip":
                row.append(P(public_ipv4(), "IP_ADDRESS"))
            elif col == "created":
                row.append(K(ts_iso(), "TIMESTAMP"))
            elif col == "dob":
                row.append(P(dob(2), "DATE_OF_BIRTH"))
            elif col == "card_last4":
                row.append(digits(4))
            row.append(",")
        row[-1] = "\n"
        parts += row
    return mk("csv", pick(["", "export_customers_%s.csv\n" % date_plain().replace("/", "-").replace(".", "-")]), parts)


def t_api_json():
    name = person()
    cc = pick(["US", "UK", "DE", "FR"])
    parts = ["{\n  \"id\": \"", K(ruuid(), "UUID"), "\",\n  \"object\": \"customer\",\n  \"name\": \"", P(name, "PERSON"), "\",\n  \"email\": \"", P(email_for(name), "EMAIL"), "\",\n  \"phone\": \"", P(phone(cc if cc != "UK" else "UK"), "PHONE"),
             "\",\n  \"date_of_birth\": \"", P(dob(2), "DATE_OF_BIRTH"), "\",\n  \"address\": \"", P(address(cc), "STREET_ADDRESS"), "\",\n  \"last_login_ip\": \"", P(pick([public_ipv4, public_ipv6])(), "IP_ADDRESS"),
             "\",\n  \"created_at\": \"", K(ts_iso(), "TIMESTAMP"), "\",\n  \"plan\": \"", pick(["starter", "pro", "enterprise"]), "\",\n  \"default_payment\": { \"brand\": \"visa\", \"last4\": \"", digits(4), "\" }\n}\n"]
    return mk("json", pick(["", "GET /v1/customers/me ->\n"]), parts)


def t_phone_notes():
    parts = [pick(["CRM notes – callbacks\n", "Rückrufliste\n", "Liste de rappel\n"])]
    for _ in range(R.randint(3, 5)):
        name = person()
        cc = pick(["US", "UK", "DE", "FR", "IN", "JP", "AU", "BR", "CA", "ES", "IT", "NL"])
        ref = pick([(ticket, "TICKET_NUMBER"), (jira, "JIRA_KEY"), (order_no, "ORDER_NUMBER")])
        parts += ["- ", P(name, "PERSON"), " (", cc, "): ", P(phone(cc), "PHONE"), " re ", K(ref[0](), ref[1]), ", ", pick(["prefers mornings", "only WhatsApp", "bitte nach 14 Uhr", "rappeler demain", "angry"]), "\n"]
    return mk("ticket", parts)


def t_address_change():
    name = person()
    cc = pick(["US", "UK", "DE", "FR"])
    parts = ["Ticket ", K(ticket(), "TICKET_NUMBER"), " – address change\nCustomer ", P(name, "PERSON"), " asked to redirect parcel ", K(rs(2, UP) + digits(9) + pick(["DE", "GB", "US", "FR"]), "TRACKING_NUMBER"), " from\n  ",
             P(address(cc), "STREET_ADDRESS"), "\nto\n  ", P(address(cc), "STREET_ADDRESS"), "\nWarehouse geo: ", K(latlong(), "LAT_LONG"), "; parcel weight ", str(R.randint(1, 30)), " kg; label printed ", K(ts_iso(), "TIMESTAMP"), "\n"]
    return mk("ticket", parts)


def t_payment_form():
    name = person()
    parts = ["POST /checkout/confirm form data (from debug log, ", K(ts_log(), "TIMESTAMP"), "):\n  cardholder=", P(name.replace(" ", "+"), "PERSON"), "\n  pan=", P(card().replace(" ", ""), "CREDIT_CARD"), "\n  exp_month=", "%02d" % R.randint(1, 12),
             "\n  exp_year=20", str(R.randint(25, 31)), "\n  billing_email=", P(email_for(name).replace("@", "%40"), "EMAIL"), "\n  order=", K(order_no(), "ORDER_NUMBER"), "\n  amount=", str(R.randint(5, 500)), ".", digits(2), "\n"]
    return mk("log", parts)


def t_ticket_mixed():
    name = person()
    key = jira()
    parts = ["[", K(key, "JIRA_KEY"), "] Customer cannot download invoices\nReporter: support-bot   Priority: P2   Created: ", K(ts_iso(), "TIMESTAMP"), "\n\nCustomer ", P(name, "PERSON"), " (", P(email_for(name), "EMAIL"),
             ") reports that the invoice export returns ", K(http_status(), "HTTP_STATUS"), ". Trace: ", K(trace_id(), "TRACE_ID"), ". App version ", K(semver(), "VERSION"), " build ", K(build_no(), "BUILD_NUMBER"), ".\n"]
    c = cyc("t_ticket_mixed", 4)
    if c == 0:
        parts += ["\nThey also pasted their API key into the ticket (rotated since): ", S(rs(40, LO + DG), "API_KEY"), "\n"]
    elif c == 1:
        parts += ["\nRepro with: curl -H 'Authorization: Bearer ", S(jwt(), "JWT"), "' https://api.parcelly.io/v1/invoices/", K(invoice_no(), "INVOICE_NUMBER"), ".pdf\n"]
    elif c == 2:
        parts += ["\nLinked: ", K(jira(), "JIRA_KEY"), ", ", K(jira(), "JIRA_KEY"), ". Customer IP at time of error: ", P(public_ipv4(), "IP_ADDRESS"), "\n"]
    else:
        parts += ["\nCustomer's callback number: ", P(phone(), "PHONE"), "\n"]
    return mk("ticket", parts)


# --------------------------------------------------------------------------
# templates: vendor configs / integrations
# --------------------------------------------------------------------------


def t_observability_cfg():
    c = cyc("t_observability_cfg", 4)
    if c == 0:
        return mk("yaml", "# /etc/datadog-agent/datadog.yaml\napi_key: ", S(datadog_api(), "DATADOG_API_KEY"), "\nsite: datadoghq.eu\nhostname: ", pick(["web-01", "worker-3"]), "\nlogs_enabled: true\napm_config:\n  enabled: true\n  receiver_port: ",
                  K("8126", "PORT"), "\n# agent ", K(pick(["7.52.1", "7.54.0"]), "VERSION"), "\n")
    if c == 1:
        return mk("yaml", "common: &default_settings\n  license_key: '", S(nr_license(), "NEW_RELIC_LICENSE_KEY"), "'\n  app_name: Parcelly API\n  distributed_tracing:\n    enabled: true\n# user key for the CLI: ", S(nrak(), "NEW_RELIC_USER_KEY"), "\n")
    if c == 2:
        return mk("ini", "# .sentryclirc\n[defaults]\nurl = https://sentry.io/\norg = parcelly\nproject = web\n\n[auth]\ntoken = ", S(sentry_tok(), "SENTRY_AUTH_TOKEN"), "\n")
    return mk("yaml", "# grafana provisioning/datasources/loki.yaml\napiVersion: 1\ndatasources:\n  - name: Loki\n    type: loki\n    url: https://logs-prod-eu-west-0.grafana.net\n    basicAuth: true\n    basicAuthUser: \"", digits(6),
              "\"\n    secureJsonData:\n      basicAuthPassword: ", S(glc(), "GRAFANA_CLOUD_TOKEN"), "\n# alerting bot uses ", S(glsa(), "GRAFANA_SERVICE_ACCOUNT_TOKEN"), "\n")


def t_slack_paste():
    name = person()
    parts = [P(name, "PERSON"), "  ", K(pick(["10:42 AM", "3:17 PM", "09:05"]), "TIMESTAMP"), "\n", pick(["quick q: is this the right bot token for the alerts app? ", "posting for visibility, the old token: "]), (S(slack_bot(), "SLACK_BOT_TOKEN") if chance(0.5) else S(slack_user(), "SLACK_USER_TOKEN")),
             "\n", pick(["Jess", "Rik", "Ines"]), "  ", K(pick(["10:44 AM", "3:20 PM", "09:07"]), "TIMESTAMP"), "\n:warning: please delete + revoke. Also the incoming webhook ", S(slack_webhook(), "SLACK_WEBHOOK_URL"), " is in the repo since ", K(sha1()[:7], "GIT_SHA"), "\n"]
    return mk("chat", parts)


def t_idp_config():
    c = cyc("t_idp_config", 3)
    if c == 0:
        return mk("json", "{\n  \"domain\": \"parcelly.eu.auth0.com\",\n  \"clientId\": \"", rs(32), "\",\n  \"clientSecret\": \"", S(auth0_secret(), "AUTH0_CLIENT_SECRET"), "\",\n  \"audience\": \"https://api.parcelly.io\",\n  \"tokenTtl\": ",
                  K("86400", "DURATION"), "\n}\n")
    if c == 1:
        return mk("yaml", "okta:\n  oauth2:\n    issuer: https://parcelly.okta.com/oauth2/default\n    client-id: 0oa", rs(17), "\n    client-secret: ", S(rs(40, URLSAFE), "OKTA_CLIENT_SECRET"), "\n  client:\n    token: ", S(okta(), "OKTA_API_TOKEN"), "\n")
    return mk("code", "passport.use(new GoogleStrategy({\n  clientID: '", digits(12), "-", rs(32, LO + DG), ".apps.googleusercontent.com',\n  clientSecret: '", S("GOCSPX-" + rs(28, URLSAFE), "GOOGLE_OAUTH_CLIENT_SECRET"),
              "',\n  callbackURL: 'https://app.parcelly.io/auth/google/callback'\n}, verify));\n")


def t_messaging_vendors():
    c = cyc("t_messaging_vendors", 4)
    if c == 0:
        return mk("shell", "curl -X POST https://api.twilio.com/2010-04-01/Accounts/AC", hexs(32), "/Messages.json \\\n  --data-urlencode \"To=", P(pick(["+1", "+44", "+49", "+33", "+61", "+31"]) + str(R.randint(2, 9)) + digits(9), "PHONE"), "\" \\\n  --data-urlencode \"From=+1", digits(10), "\" \\\n  --data-urlencode \"Body=Your parcel is out for delivery\" \\\n  -u ",
                  S(twilio_sk(), "TWILIO_API_KEY"), ":", S(rs(32), "TWILIO_API_SECRET"), "\n")
    if c == 1:
        return mk("shell", "curl -s --user 'api:", S(mailgun(), "MAILGUN_API_KEY"), "' https://api.eu.mailgun.net/v3/mg.parcelly.io/messages \\\n  -F from='Parcelly <noreply@parcelly.io>' \\\n  -F to='", P(email_for(), "EMAIL"), "' \\\n  -F subject='Delivery ",
                  K(order_no(), "ORDER_NUMBER"), "'\n")
    if c == 2:
        k = mailchimp()
        return mk("code", "import mailchimp_marketing as MailchimpMarketing\nclient = MailchimpMarketing.Client()\nclient.set_config({\"api_key\": \"", S(k, "MAILCHIMP_API_KEY"), "\", \"server\": \"", k.split("-")[-1], "\"})\n"
                  "client.lists.add_list_member(\"", hexs(10), "\", {\"email_address\": \"", P(email_for(), "EMAIL"), "\", \"status\": \"subscribed\"})\n")
    return mk("shell", "curl -X POST https://fcm.googleapis.com/fcm/send \\\n  -H \"Authorization: key=", S(fcm(), "FIREBASE_SERVER_KEY"), "\" \\\n  -H 'Content-Type: application/json' \\\n  -d '{\"to\": \"", rs(22, URLSAFE), ":APA91b", rs(60, URLSAFE),
              "\", \"notification\": {\"title\": \"Parcel delivered\"}}'\n")


def t_commerce_vendors():
    c = cyc("t_commerce_vendors", 4)
    if c == 0:
        return mk("env", "SHOPIFY_STORE=parcelly-demo.myshopify.com\nSHOPIFY_API_KEY=", hexs(32), "\nSHOPIFY_API_SECRET=", S(shopify("shpss_"), "SHOPIFY_SHARED_SECRET"), "\nSHOPIFY_ADMIN_TOKEN=", S(shopify(pick(["shpat_", "shpca_"])), "SHOPIFY_ACCESS_TOKEN"),
                  "\nSHOPIFY_API_VERSION=", K("2024-04", "VERSION"), "\n")
    if c == 1:
        return mk("code", "square_client = Client(\n    access_token=\"", S(square_tok(), "SQUARE_ACCESS_TOKEN"), "\",\n    environment=\"production\",\n)\n# application secret (OAuth): ", S(square_secret(), "SQUARE_APP_SECRET"), "\nlocation_id = \"L",
                  rs(12, UP + DG), "\"\n")
    if c == 2:
        return mk("code", "gateway = braintree.BraintreeGateway(access_token=\"", S(braintree(), "BRAINTREE_ACCESS_TOKEN"), "\")\n# PayPal REST app\nPAYPAL_CLIENT_ID = \"A", rs(79, URLSAFE), "\"\nPAYPAL_SECRET = \"", S(paypal_secret(), "PAYPAL_CLIENT_SECRET"), "\"\n")
    return mk("shell", "stripe listen --forward-to localhost:", K("4242", "PORT"), "/webhooks --api-key ", S(stripe(pick(["sk_live_", "rk_live_"])), "STRIPE_SECRET_KEY"),
              "\n> Ready! Your webhook signing secret is ", S(whsec(), "STRIPE_WEBHOOK_SECRET"), " (^C to quit)\n", K(ts_log()[:19], "TIMESTAMP"), "   --> charge.succeeded [", K("evt_" + rs(24), "EVENT_ID"), "]\n")


def t_productivity_vendors():
    c = cyc("t_productivity_vendors", 5)
    if c == 0:
        return mk("code", "const { Client } = require('@notionhq/client');\nconst notion = new Client({ auth: '", S(notion(), "NOTION_TOKEN"), "' });\nconst databaseId = '", K(hexs(32), "DATABASE_ID"), "';\n")
    if c == 1:
        return mk("shell", "curl \"https://api.airtable.com/v0/app", rs(14), "/Orders?maxRecords=3\" \\\n  -H \"Authorization: Bearer ", S(airtable(), "AIRTABLE_PAT"), "\"\n")
    if c == 2:
        return mk("shell", "newman run https://api.getpostman.com/collections/", K(ruuid(), "UUID"), "?apikey=", S(postman(), "POSTMAN_API_KEY"), " --reporters cli,junit\n")
    if c == 3:
        return mk("shell", "curl -u ", pick(["jkeller@parcelly.io", "svc-jira@parcelly.io"]), ":", S(atlassian(), "ATLASSIAN_API_TOKEN"), " -X GET -H \"Accept: application/json\" https://parcelly.atlassian.net/rest/api/3/issue/", K(jira(), "JIRA_KEY"), "\n")
    return mk("code", "# Linear -> Slack sync\nLINEAR_KEY = \"", S(linear(), "LINEAR_API_KEY"), "\"\nSLACK = \"", S(slack_webhook(), "SLACK_WEBHOOK_URL"), "\"\nTEAM = \"", K(ruuid(), "UUID"), "\"\n")


def t_infra_vendors():
    c = cyc("t_infra_vendors", 4)
    if c == 0:
        return mk("yaml", "# Pulumi.prod.yaml\nconfig:\n  aws:region: eu-central-1\n  parcelly:dbPassword:\n    secure: v1:", rs(16, B64), ":", rs(60, B64),
                  "\n# CI uses PULUMI_ACCESS_TOKEN=", S(pulumi(), "PULUMI_ACCESS_TOKEN"), "\n")
    if c == 1:
        return mk("yaml", "# doppler.yaml\nsetup:\n  project: parcelly-api\n  config: prd\n# service token (read-only): ", S(doppler(), "DOPPLER_TOKEN"), "\n")
    if c == 2:
        return mk("code", "provider \"vault\" {\n  address = \"https://vault.parcelly.local:", K("8200", "PORT"), "\"\n  token   = \"", S(vault_tok(), "VAULT_TOKEN"), "\"\n}\n")
    return mk("shell", "$ docker login -u parcellyci\nPassword: ", S(dckr(), "DOCKER_HUB_PAT"), "\nLogin Succeeded\n$ docker push parcelly/api:", K(semver(), "VERSION"), "\n", K(semver(), "VERSION"), ": digest: sha256:", K(sha256(), "SHA256_DIGEST"), " size: ", K(str(R.randint(800, 4000)), "FILE_SIZE"), "\n")


def t_notebook():
    parts = ["{\n \"cells\": [\n  {\n   \"cell_type\": \"code\",\n   \"execution_count\": ", str(R.randint(1, 40)), ",\n   \"source\": [\n    \"import os\\n\",\n    \"os.environ[\\\"HF_TOKEN\\\"] = \\\"", S(hf(), "HUGGINGFACE_TOKEN"),
             "\\\"\\n\",\n    \"os.environ[\\\"OPENAI_API_KEY\\\"] = \\\"", S(openai_key(), "OPENAI_API_KEY"), "\\\"\\n\",\n    \"os.environ[\\\"ANTHROPIC_API_KEY\\\"] = \\\"", K("YOUR_API_KEY", "PLACEHOLDER"), "\\\"\"\n   ]\n  }\n ],\n \"metadata\": {\"language_info\": {\"version\": \"",
             K("3.11.7", "VERSION"), "\"}}\n}\n"]
    return mk("json", parts)


def t_set_cookie():
    parts = ["HTTP/2 ", K(pick(["200", "302"]), "HTTP_STATUS"), "\ndate: ", K(pick(["Tue, 11 Jun 2024 09:14:02 GMT", "Wed, 05 Jun 2024 21:03:44 GMT"]), "TIMESTAMP"), "\nset-cookie: ", cookie_pair(), "; Path=/; Expires=",
             pick(["Wed, 12 Jun 2024 09:14:02 GMT", "Thu, 06 Jun 2024 21:03:44 GMT"]), "; HttpOnly; Secure\nset-cookie: remember_token=", S(rs(64, LO + DG), "SESSION_COOKIE"), "; Max-Age=", K("2592000", "DURATION"), "\nx-request-id: ", K(ruuid(), "REQUEST_ID"), "\nlocation: /dashboard\n"]
    if chance(0.5):
        parts += ["\n$ curl -b '", cookie_pair(), "' https://app.parcelly.io/api/me\n"]
    return mk("http", parts)


# --------------------------------------------------------------------------
# templates: look-alike heavy (mostly nothing to mask)
# --------------------------------------------------------------------------


def t_release_notes():
    v = semver()
    parts = ["## Parcelly Agent ", K(v, "VERSION"), " (build ", K(build_no().lstrip("#"), "BUILD_NUMBER"), ", ", K(date_plain(), "DATE"), ")\n\n- Fix label rotation on Zebra printers (", K(jira(), "JIRA_KEY"), ")\n- Bump Newtonsoft.Json to ",
             K(pick(["13.0.3", "13.0.0.0"]), "VERSION"), " and Serilog to ", K(ver4(), "VERSION"), "\n- Retry ", K(http_status(), "HTTP_STATUS"), " responses up to ", K(pick(["3", "5"]), "RETRY_COUNT"), " times with ", K(duration(), "DURATION"), " backoff\n",
             "- Merged ", K(sha1()[:7], "GIT_SHA"), ", ", K(sha1()[:7], "GIT_SHA"), "\n\nChecksums (SHA-256):\n", K(sha256(), "SHA256_DIGEST"), "  parcelly-agent-", v, "-linux-amd64.tar.gz (", K(file_size(), "FILE_SIZE"), ")\n",
             K(sha256(), "SHA256_DIGEST"), "  parcelly-agent-", v, "-windows-x64.zip\nMD5 ", K(hexs(32), "CHECKSUM"), "\n"]
    return mk("ticket", parts)


def t_snmp():
    parts = ["$ snmpwalk -v2c -c public ", K(private_ip(), "PRIVATE_IP"), " ", K("1.3.6.1.2.1.1", "OID"), "\n"]
    for _ in range(R.randint(3, 5)):
        parts += ["SNMPv2-SMI::enterprises.", K(oid()[len("1.3.6.1.4.1."):], "OID"), " = ", pick(["INTEGER: %d" % R.randint(0, 99999), "Counter32: %d" % R.randint(0, 10 ** 9), "STRING: \"ZT410-%s\"" % digits(3)]), "\n"]
    parts += ["iso.", K("3.6.1.2.1.1.3.0", "OID"), " = Timeticks: (", str(R.randint(10 ** 6, 10 ** 9)), ") ", K("%d days, %d:%02d:%02d.%02d" % (R.randint(1, 400), R.randint(0, 23), R.randint(0, 59), R.randint(0, 59), R.randint(0, 99)), "DURATION"), "\n"]
    return mk("shell", parts)


def t_lockfile():
    parts = ["\"node_modules/", pick(["axios", "lodash", "express", "zod"]), "\": {\n  \"version\": \"", K(semver(), "VERSION"), "\",\n  \"resolved\": \"https://registry.npmjs.org/axios/-/axios-", K(semver(), "VERSION"), ".tgz\",\n  \"integrity\": \"sha512-",
             K(b64s(rbytes(64)), "CHECKSUM"), "\",\n  \"license\": \"MIT\"\n},\n"]
    if chance(0.5):
        parts += ["# poetry.lock\n[[package]]\nname = \"requests\"\nversion = \"", K(semver(), "VERSION"), "\"\nfiles = [\n    {file = \"requests-2.32.3-py3-none-any.whl\", hash = \"sha256:", K(sha256(), "SHA256_DIGEST"), "\"},\n]\n"]
    return mk("json", parts)


def t_git_log():
    parts = []
    for _ in range(R.randint(2, 4)):
        parts += ["commit ", K(sha1(), "GIT_SHA"), "\nAuthor: ", pick(["ci-bot <ci@parcelly.io>", "dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>", "release-bot <release@parcelly.io>"]),
                  "\nDate:   ", K(pick(["Tue Jun 11 09:14:02 2024 +0200", "Mon Jun 3 16:40:19 2024 +0100", "Fri May 24 08:02:55 2024 -0400"]), "TIMESTAMP"), "\n\n    ",
                  pick(["Bump express from ", "Merge pull request #%d from parcelly/" % R.randint(100, 9999), "chore(release): v"]), K(semver(), "VERSION"), " (", K(jira(), "JIRA_KEY"), ")\n\n"]
    return mk("shell", parts)


DEPOTS = {"Leipzig": (51.3397, 12.3731), "Lyon": (45.7640, 4.8357), "Rotterdam": (51.9244, 4.4777), "Leeds": (53.8008, -1.5491),
          "Milano": (45.4642, 9.1900), "Zaragoza": (41.6488, -0.8891), "Toronto": (43.6532, -79.3832), "Sydney": (-33.8688, 151.2093)}


def t_depots_geo():
    parts = ["depot_id,city,lat,lon,capacity,opened\n"]
    for _ in range(R.randint(3, 5)):
        city, (la, lo) = pick(list(DEPOTS.items()))
        ll = ["%.4f" % (la + R.uniform(-0.08, 0.08)), "%.4f" % (lo + R.uniform(-0.08, 0.08))]
        parts += ["DP-", digits(3), ",", city, ",", K(ll[0], "LAT_LONG"), ",", K(ll[1], "LAT_LONG"), ",", str(R.randint(500, 9000)), ",", K(date_plain(), "DATE"), "\n"]
    return mk("csv", parts)


def t_books_order():
    parts = ["Order ", K(order_no(), "ORDER_NUMBER"), " – B2B book shipment for ", K(pick(COMPANIES), "COMPANY"), "\n"]
    for _ in range(R.randint(2, 4)):
        parts += ["  ISBN ", K(isbn13(), "ISBN"), "  qty ", str(R.randint(1, 40)), "  SKU ", K(sku(), "SKU"), "\n"]
    parts += ["Total weight ", str(R.randint(2, 80)), " kg, ", K(file_size(), "FILE_SIZE"), " packing list attached\n"]
    return mk("ticket", parts)


def t_placeholder_docs():
    parts = ["## Quickstart\n\n1. Create an API key in the dashboard.\n2. Export it:\n\n```bash\nexport PARCELLY_API_KEY=", K(pick(PLACEHOLDERS_KEY), "PLACEHOLDER"), "\nexport STRIPE_SECRET_KEY=", K("sk_live_" + "x" * pick([24, 32]), "PLACEHOLDER"),
             "\n```\n\n3. Call the API:\n\n```bash\ncurl -H \"Authorization: Bearer ", K(pick(["<TOKEN>", "$PARCELLY_API_KEY", "YOUR_TOKEN_HERE"]), "PLACEHOLDER"), "\" https://api.parcelly.io/v2/ping\n```\n\nDB config example: `password: ",
             K(pick(["****", "********", "<password>", "changeit-not-a-real-password"]), "PLACEHOLDER"), "`. AWS docs use ", K("AKIAIOSFODNN7EXAMPLE", "PLACEHOLDER"), " / ", K("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "PLACEHOLDER"),
             ". Supported carriers: ", K(pick(COMPANIES[9:13]), "COMPANY"), ", ", K("DHL", "COMPANY"), ". Min SDK ", K(semver(), "VERSION"), ", default port ", K(port(), "PORT"), ".\n"]
    return mk("code", parts)


def t_company_chat():
    parts = [agent(), ": FYI the outage on ", K(date_plain(), "DATE"), " was on the ", K(pick(["Amazon Web Services", "Cloudflare", "Google Cloud"]), "COMPANY"), " side (their incident ", K(ticket(), "TICKET_NUMBER"), "), not ours.\n",
             pick(["Rik", "Jess"]), ": ok. ", K(pick(COMPANIES), "COMPANY"), " asked whether their SLA credit applies – it was ", K(duration(), "DURATION"), " of ", K(http_status(), "HTTP_STATUS"), "s, request ids like ", K(ruuid(), "REQUEST_ID"), ".\n",
             agent(), ": Logged under ", K(jira(), "JIRA_KEY"), ". Error was ", K(error_code(), "ERROR_CODE"), " from ", K(private_ip(), "PRIVATE_IP"), ":", K(port(), "PORT"), ".\n"]
    return mk("chat", parts)


def t_metrics():
    parts = ["# HELP http_request_duration_seconds Request latency\n# TYPE http_request_duration_seconds histogram\n"]
    for _ in range(R.randint(2, 4)):
        parts += ["http_request_duration_seconds_bucket{code=\"", K(http_status(), "HTTP_STATUS"), "\",le=\"", pick(["0.1", "0.5", "1", "+Inf"]), "\",instance=\"", K(private_ip(), "PRIVATE_IP"), ":", K("9100", "PORT"), "\",version=\"",
                  K(semver(), "VERSION"), "\"} ", str(R.randint(0, 99999)), "\n"]
    parts += ["process_start_time_seconds ", str(R.randint(1700000000, 1730000000)), "\ntrace_exemplar{trace_id=\"", K(trace_id(), "TRACE_ID"), "\"} 1\n"]
    return mk("log", parts)


# --------------------------------------------------------------------------
# assembly + invariants
# --------------------------------------------------------------------------

TEMPLATES = [
    # config files
    (t_dotenv, 14), (t_export_env, 8), (t_compose, 8), (t_k8s_secret, 12), (t_docker_config, 8), (t_aws_credentials, 8), (t_gcp_sa, 6),
    (t_azure_appsettings, 7), (t_azure_sas, 8), (t_npmrc, 7), (t_pypirc, 5), (t_netrc, 5), (t_git_credentials, 6), (t_spring_yaml, 6),
    (t_ini_configs, 14), (t_terraform, 8),
    # shell / code / http
    (t_shell_history, 16), (t_python_code, 12), (t_js_code, 10), (t_raw_http, 12), (t_har, 10), (t_python_repr, 7), (t_url_basic_auth, 9),
    # logs / traces / keys
    (t_access_log, 12), (t_json_log, 10), (t_py_traceback, 6), (t_java_trace, 5), (t_dotnet_trace, 5), (t_node_error, 5), (t_go_panic, 4),
    (t_ci_log, 10), (t_gha_workflow, 5), (t_private_key, 27), (t_vault_output, 6), (t_kubectl_decode, 5), (t_wrapped, 12), (t_otp, 14),
    # PII heavy
    (t_support_chat_secret, 14), (t_support_chat_card, 12), (t_chat_de, 8), (t_chat_fr, 8), (t_chat_es, 7), (t_email_invoice, 10),
    (t_email_support, 10), (t_obfuscated_email, 9), (t_kyc_us, 8), (t_kyc_uk, 7), (t_national_ids, 24), (t_sql, 10), (t_csv, 8),
    (t_api_json, 8), (t_phone_notes, 7), (t_address_change, 6), (t_payment_form, 6), (t_ticket_mixed, 10),
    # vendor integrations
    (t_observability_cfg, 7), (t_slack_paste, 5), (t_idp_config, 6), (t_messaging_vendors, 8), (t_commerce_vendors, 8),
    (t_productivity_vendors, 8), (t_infra_vendors, 7), (t_notebook, 4), (t_set_cookie, 6),
    # look-alike heavy
    (t_release_notes, 5), (t_snmp, 4), (t_lockfile, 4), (t_git_log, 4), (t_depots_geo, 3), (t_books_order, 4), (t_placeholder_docs, 5),
    (t_company_chat, 5), (t_metrics, 3),
]

CONTEXTS = {"chat", "log", "env", "shell", "yaml", "k8s", "har", "json", "code", "email", "ticket", "stacktrace", "ini", "toml", "sql", "csv",
            "http", "config", "properties"}

MIN = {"snippets": 450, "secret_kinds": 45, "secret_spans": 400, "pii_kinds": 14, "pii_spans": 350, "keep_spans": 170, "keep_kinds": 12}


def _kind_ok(k):
    return bool(k) and all(c in UP + DG + "_" for c in k) and k[0] in UP


def snippet_problems(sn):
    """Return a list of invariant violations for one snippet (empty = ok)."""
    errs = []
    text = sn["text"]
    if sn["context"] not in CONTEXTS:
        errs.append("bad context %r" % sn["context"])
    spans = [(s["start"], s["end"], "S", s) for s in sn["sensitive"]] + [(k["start"], k["end"], "K", k) for k in sn["keep"]]
    spans.sort(key=lambda x: (x[0], x[1]))
    for st, en, t, d in spans:
        if not (0 <= st < en <= len(text)):
            errs.append("offsets out of range %r" % (d,))
            continue
        v = text[st:en]
        if v != v.strip():
            errs.append("span has outer whitespace %r" % v)
        if not _kind_ok(d["kind"]):
            errs.append("bad kind %r" % d["kind"])
        if t == "S" and d["category"] not in ("secret", "pii"):
            errs.append("bad category")
    for a, b in zip(spans, spans[1:]):
        if b[0] < a[1]:
            errs.append("overlap %r / %r" % (text[a[0]:a[1]][:30], text[b[0]:b[1]][:30]))
    sens = [(s["start"], s["end"]) for s in sn["sensitive"]]
    for s in sn["sensitive"]:
        v = text[s["start"]:s["end"]]
        i = text.find(v)
        while i != -1:
            if not any(a <= i and i + len(v) <= b for a, b in sens):
                errs.append("unlabelled occurrence of %s %r" % (s["kind"], v[:40]))
                break
            i = text.find(v, i + 1)
    keepvals = {text[k["start"]:k["end"]] for k in sn["keep"]}
    for s in sn["sensitive"]:
        if text[s["start"]:s["end"]] in keepvals:
            errs.append("value both keep and sensitive")
    return errs


def _digits(v):
    return "".join(c for c in v if c.isdigit())


CHECKERS = {
    "CREDIT_CARD": lambda v: luhn_ok(_digits(v)) and 13 <= len(_digits(v)) <= 19,
    "IBAN": iban_valid,
    "CA_SIN": lambda v: luhn_ok(_digits(v)) and len(_digits(v)) == 9,
    "IN_AADHAAR": lambda v: verhoeff_ok(_digits(v)) and len(_digits(v)) == 12,
    "AU_TFN": lambda v: tfn_ok(_digits(v)),
    "BR_CPF": cpf_ok,
    "DE_STEUER_ID": steuer_id_ok,
    "SG_NRIC": nric_ok,
    "ES_DNI": dni_ok,
    "IT_CODICE_FISCALE": lambda v: len(v) == 16 and cf_check(v[:15]) == v[15],
    "US_SSN": lambda v: len(_digits(v)) == 9 and _digits(v)[:3] not in ("000", "666") and _digits(v)[0] != "9" and _digits(v)[3:5] != "00" and _digits(v)[5:] != "0000",
    "ISBN": lambda v: sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(_digits(v))) % 10 == 0,
}


def main():
    out = []
    retries = 0
    for fn, n in TEMPLATES:
        for _ in range(n):
            for attempt in range(50):
                sn = fn()
                if not snippet_problems(sn):
                    break
                retries += 1
            else:
                raise AssertionError("template %s keeps failing: %s" % (fn.__name__, snippet_problems(sn)))
            sn["_tpl"] = fn.__name__[2:]
            out.append(sn)
    R.shuffle(out)
    records = []
    for i, sn in enumerate(out):
        rec = {"id": "ulb-%04d-%s" % (i + 1, sn.pop("_tpl")), "context": sn["context"], "text": sn["text"], "sensitive": sn["sensitive"], "keep": sn["keep"]}
        records.append(rec)

    # ---- global invariants
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids))
    sec_kinds, pii_kinds, keep_kinds = collections.Counter(), collections.Counter(), collections.Counter()
    for r in records:
        probs = snippet_problems(r)
        assert not probs, (r["id"], probs)
        for s in r["sensitive"]:
            v = r["text"][s["start"]:s["end"]]
            chk = CHECKERS.get(s["kind"])
            if chk:
                assert chk(v), (r["id"], s["kind"], v)
            (sec_kinds if s["category"] == "secret" else pii_kinds)[s["kind"]] += 1
            if s["kind"].endswith("PRIVATE_KEY") and s["kind"] != "PUTTY_PRIVATE_KEY" or s["kind"] == "GCP_SERVICE_ACCOUNT_KEY":
                assert v.startswith("-----BEGIN") and v.endswith("-----"), (r["id"], v[:20], v[-20:])
            if s["kind"] == "PUTTY_PRIVATE_KEY":
                assert v.startswith("PuTTY-User-Key-File-") and "\nPrivate-MAC: " in v and len(v.rsplit(" ", 1)[1]) == 64
        for k in r["keep"]:
            keep_kinds[k["kind"]] += 1
    assert len(records) >= MIN["snippets"], len(records)
    assert len(sec_kinds) >= MIN["secret_kinds"], len(sec_kinds)
    assert sum(sec_kinds.values()) >= MIN["secret_spans"]
    assert len(pii_kinds) >= MIN["pii_kinds"], len(pii_kinds)
    assert sum(pii_kinds.values()) >= MIN["pii_spans"]
    assert sum(keep_kinds.values()) >= MIN["keep_spans"]
    assert len(keep_kinds) >= MIN["keep_kinds"]

    with open(OUT, "w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False, sort_keys=False) + "\n")

    # re-read and verify the file round-trips
    with open(OUT, encoding="utf-8") as fh:
        back = [json.loads(line) for line in fh]
    assert back == records

    ctx = collections.Counter(r["context"] for r in records)
    print("snippets: %d  (regenerated %d draws that violated invariants)" % (len(records), retries))
    print("contexts: " + ", ".join("%s=%d" % kv for kv in sorted(ctx.items())))
    print("secret: %d spans, %d kinds" % (sum(sec_kinds.values()), len(sec_kinds)))
    for k, v in sorted(sec_kinds.items()):
        print("  secret %-32s %d" % (k, v))
    print("pii: %d spans, %d kinds" % (sum(pii_kinds.values()), len(pii_kinds)))
    for k, v in sorted(pii_kinds.items()):
        print("  pii    %-32s %d" % (k, v))
    print("keep: %d spans, %d kinds" % (sum(keep_kinds.values()), len(keep_kinds)))
    for k, v in sorted(keep_kinds.items()):
        print("  keep   %-32s %d" % (k, v))
    print("sha256(jsonl) = " + hashlib.sha256(open(OUT, "rb").read()).hexdigest())


if __name__ == "__main__":
    main()
