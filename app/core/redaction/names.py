"""Which field names hold a credential: the one home for the words keyword-anchored detection uses.

A name is split into its words ('NEW_RELIC_LICENSE_KEY' -> new relic license key, 'snykToken' ->
snyk token, 'X-Api-Key' -> x api key). It names a secret when one of its words is a secret word, or
two neighbours form a secret pair ('license key'); it does not when its last word says the value is
about the secret rather than the secret itself ('token_url', 'password_policy', 'key_id').
"""

import re
from functools import lru_cache
from itertools import pairwise

SECRET_WORDS = frozenset(
    {
        *("password", "passwd", "passwort", "passphrase", "pwd", "pass", "pw", "mdp", "contrasena", "senha"),
        *("secret", "secrets", "token", "apikey", "credential", "credentials", "creds", "privatekey", "accesskey"),
        *("secretkey", "licensekey", "authkey", "authtoken", "sessionid", "sessid", "phpsessid", "jsessionid"),
        *("auth", "session", "sess", "sid", "otp", "passcode", "totp", "hotp", "authorization", "cookie"),
        *("clientsecret", "apitoken", "accesstoken", "refreshtoken", "bearer", "sas"),
        *("dockerconfigjson", "dockercfg", "pgpass", "netrc", "htpasswd"),
    }
)
# Two words that together name a credential; each alone is too common ('key', 'auth', 'license').
SECRET_PAIRS = frozenset(
    {
        *(("api", "key"), ("access", "key"), ("secret", "key"), ("private", "key"), ("license", "key")),
        *(("licence", "key"), ("auth", "key"), ("master", "key"), ("signing", "key"), ("encryption", "key")),
        *(("app", "key"), ("account", "key"), ("client", "key"), ("shared", "key"), ("service", "key")),
        *(("ingest", "key"), ("admin", "key"), ("write", "key"), ("deploy", "key"), ("root", "key")),
        *(("storage", "key"), ("subscription", "key"), ("webhook", "key"), ("hmac", "key"), ("crypt", "key")),
        *(("x", "auth"), ("basic", "auth"), ("http", "auth"), ("proxy", "auth"), ("auth", "string")),
        *(
            ("tls", "key"),
            ("ssl", "key"),
            ("docker", "config"),
            ("consumer", "key"),
            ("partner", "key"),
            ("user", "key"),
            ("browser", "key"),
            ("server", "key"),
        ),
        *(
            ("application", "key"),
            ("auth", "token"),
            ("access", "token"),
            ("license", "number"),
            ("mfa", "code"),
            ("verification", "code"),
            ("security", "code"),
            ("login", "code"),
            ("sms", "code"),
            # PagerDuty's Events API key, as Alertmanager and most integrations name it.
            ("routing", "key"),
            ("integration", "key"),
        ),
    }
)
# A name ending in one of these describes the credential (where, how long, which), not its value.
DESCRIPTIVE_TAILS = frozenset(
    {
        *("id", "ids", "url", "uri", "urls", "path", "file", "filename", "dir", "type", "name", "names", "length"),
        *("len", "ttl", "expiry", "expires", "expiration", "expired", "count", "enabled", "disabled", "policy"),
        *("reset", "hint", "format", "endpoint", "header", "field", "prompt", "label", "required", "min", "max"),
        *("size", "version", "prefix", "rotation", "rotated", "age", "lifetime", "timeout", "strength", "regex"),
        *("pattern", "env", "var", "variable", "location", "store", "manager", "provider", "helper", "mode"),
        *("usage", "limit", "limits", "used", "valid", "validity", "changed", "change", "set", "status", "scope"),
        *("scopes", "method", "methods", "kind", "algorithm", "alg", "hash", "digest", "index", "position"),
        *("placeholder", "description", "error", "errors", "message", "source", "ref", "arn", "fingerprint"),
        *("ms", "sec", "secs", "seconds", "minutes", "rate", "ratio", "percent", "pct", "per", "total"),
        *(
            "stdin",
            "command",
            "cmd",
            "prompted",
            "less",
            "ed",
            "counter",
            "budget",
            "estimate",
            "tokens",
            "cache",
            "created",
            "updated",
            # Vault's token/secret_id accessor: a handle safe to log, not the credential.
            "accessor",
        ),
    }
)
# Words that contain a secret word but are not one, and words that make the whole name public
# ('PublicKeyToken' in a .NET assembly name, Stripe's 'publishable_key').
_NOT_SECRET = frozenset(
    {
        *("bypass", "compass", "passed", "passing", "passenger", "passport", "tokenizer", "secretary"),
        *("public", "publishable", "pub", "sessions", "csrf", "xsrf", "nonce", "tokenized"),
    }
)
# Joined spellings that name a session or credential even though they end in 'id' ('session_id',
# 'ASP.NET_SessionId', 'JSESSIONID'): the cookie's value is the credential.
_SESSION_IDS = ("sessionid", "sessid", "sessionkey", "sessiontoken")
# Written run together in upper case ('PGPASSWORD', 'MYSQLPWD'), these still name a secret.
_STRONG_SUBSTRINGS = ("password", "passwd", "secret", "apikey", "api_key", "passphrase", "token", "credential")
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


@lru_cache(maxsize=8192)
def words(name: str) -> tuple[str, ...]:
    return tuple(w.lower() for w in _WORDS.findall(name))


@lru_cache(maxsize=8192)
def names_secret(name: str) -> bool:
    parts = words(name)
    if not parts or any(p in _NOT_SECRET for p in parts):
        return False
    if any(session in "".join(parts) for session in _SESSION_IDS):
        return True
    if parts[-1] in DESCRIPTIVE_TAILS:
        return False
    # 'keyVaultToStoreSecrets', 'tokenForUser': a name relating the secret to something else.
    if any(p in {"to", "for", "from", "of", "with"} for p in parts[1:-1]):
        return False
    if any(p in SECRET_WORDS for p in parts):
        return True
    joined = "".join(parts)
    if joined in SECRET_WORDS or any(strong in joined for strong in _STRONG_SUBSTRINGS):
        return True
    # 'AZURE_DEVOPS_EXT_PAT', 'gitlabPat': a personal access token. Alone 'pat' is a name ('Pat: hi').
    if len(parts) > 1 and parts[-1] == "pat":
        return True
    # 'storepass', 'keypass', 'rpcpass', 'dbpwd': a word ending in pass/pwd.
    if parts[-1].endswith(("pass", "pwd", "pw")) and len(parts[-1]) > 4:
        return True
    return any(pair in SECRET_PAIRS for pair in pairwise(parts))


def is_password_name(name: str) -> bool:
    return any(p in {"password", "passwd", "passwort", "passphrase", "pwd", "pass", "pw", "mdp"} for p in words(name))
