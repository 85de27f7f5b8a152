"""Credentials anchored on the name they are given, in whatever syntax the ticket uses.

Vendor rules know a token by its shape; a password has none. What gives it away is its name
(names.py) and the syntax binding the name to a value, which differs by where it was pasted:

    .env / INI / TOML / YAML    SMTP_PASS=..., password = "...", api_key: ...
    code                        snykToken := "...", $token ?= ..., 'secret' => '...', {'Authorization': 'Basic ...'}
    JSON / HAR                  "password": "...", {"name": "X-Api-Key", "value": "..."}
    XML (NuGet, web.config)     <add key="ClearTextPassword" value="..."/>, <password>...</password>
    CLI                         --password=..., --token ..., mysql -p..., redis-cli -a ..., curl -u user:pass
    DSNs                        user:pass@tcp(host:3306)/db, .pgpass host:port:db:user:pass
    prose                       "the password is ...", "your one-time code is 482913"

The whole value is masked; the name, the operator and any scheme word ('Basic ', 'Bearer ') stay.
"""

import math
import re
from collections import Counter
from collections.abc import Iterator
from functools import lru_cache

from app.core.redaction.detection import Category, Detection
from app.core.redaction.lines import Lines
from app.core.redaction.names import DESCRIPTIVE_TAILS, is_password_name, names_secret, words

# Lines worth reading: they hold one of these (lower-case) literals.
TRIGGERS = (
    *("pass", "pwd", "pw", "secret", "token", "key", "auth", "sid", "sess", "cred", "otp", "code", "cookie"),
    *(
        "dsn",
        "sig",
        "mdp",
        "senha",
        "contrase",
        "@tcp(",
        "@unix(",
        "--user",
        "bearer",
        "identified",
        "-u ",
        "-p",
        "-a ",
        "-w ",
        "-k ",
        "-f ",
        "-P",
        "-U",
    ),
    *("machine", "verif", "2fa", "mfa", "one-time", "one time", "is your", "enter ", "use ", "creds", "login"),
    *("echo", "printf", "chpasswd", "requirepass", "masterauth", "htpasswd", "mysql", "mariadb", "curl", "wget"),
    *("securestring", "net use", "pin", "otp"),
    # The word for password in other languages (INTL_PASSWORD below).
    *("clave", "kennwort", "wachtwoord", "hasło", "haslo", "heslo", "senord", "adgangskode", "salasana", "jelsz"),
    *("ifre", "parola d"),
    # A personal access token's name ending in 'pat' (names.py), right before its operator.
    *('pat"', "pat=", "pat =", "pat:"),
)
_QUOTED = r"(?P<q>[\"'`])(?P<qvalue>(?:\\.|(?!(?P=q))[^\\\n])*)(?P=q)"
_BARE = r"(?P<value>[^\s\"'`<>]+)"
_OPERATOR = r"(?P<op>:=|\?=|=>|->|:?=|:|\s(?:is|was|ist|est|es|é)\s)"
ASSIGNMENT = re.compile(
    # Not after ':' (an ARN's ':secret:'), except npm's '//registry/:_authToken='.
    r"(?:(?<![\w.\-$:])|(?<=:)(?=_))[\"'`]?(?P<name>[A-Za-z_$@][\w.\-]{0,60})[\"'`]?\]?[ \t]*" + _OPERATOR + r"[ \t]*"
    r"(?:(?:new\s+)?(?:String|str|Secret)\(\s*)?"
    # A quote never closed (a truncated paste) still opens a value.
    r"(?:" + _QUOTED + "|[\"'`]?" + _BARE + ")"
)
# A name written as words: 'Datadog API key: ...', 'the twilio auth token is ...', 'temp pw - ...'.
PROSE_NAME = re.compile(
    r"(?i)(?<![:/.])\b(?P<name>(?:[a-z0-9]+[ _\-]){0,3}?(?:key|token|secret|password|passwd|passphrase|pw|"
    r"pass|pwd|pin|code|credentials?|seed))"
    r"\b(?P<op>\s*(?:[:=]|is|was|are|=>)\s*|\s+-\s+|\s+)(?:" + _QUOTED + r"|(?P<value>[^\s\"'`<>]{6,}))"
)
# A YAML block scalar: 'password: >-' with the value on the indented line below.
YAML_BLOCK = re.compile(
    r"(?m)^[ \t]*[\"']?(?P<name>[A-Za-z_][\w.\-]{0,60})[\"']?:[ \t]*[|>][-+]?[ \t]*\n"
    r"[ \t]+(?P<value>[^\s#][^\n]*?)[ \t]*$"
)
# A Terraform variable's default: 'variable "pagerduty_token" {\n  default = "..."\n}'. The name is in
# the block's header, the value lines below.
TF_VARIABLE = re.compile(
    r"\bvariable\s+\"(?P<name>[\w\-]{1,60})\"\s*\{[^{}]{0,300}?\bdefault\s*=\s*(?P<q>\")(?P<qvalue>[^\"\n]*)\""
)
# A shell parameter's default: "${PGPASSWORD:-hunter2}" holds a literal password after ':-' / ':='
# (the reference rule drops '${...}' values as a whole).
SHELL_DEFAULT = re.compile(r"\$\{(?P<name>[A-Za-z_]\w{0,60}):?[-=](?P<value>[^}\s\"'`]{1,200})\}")
# A reference with a literal fallback: the literal is used whenever the variable is unset, so it is
# the credential ('process.env.BEARER_TOKEN || "..."', "ENV['API_KEY'] ?? '...'", 'os.environ.get(
# "DB_PASSWORD", "...")', "os.getenv('TOKEN', '...')", "ENV.fetch('SECRET', '...')", Laravel's
# "env('DB_PASSWORD', '...')", Java's 'getOrDefault("API_KEY", "...")'). The reference rule alone
# dropped the whole value as a variable.
ENV_FALLBACK = re.compile(
    r"(?:\bprocess\.env(?:\.|\[[\"'`])|\bENV\[[\"']|\bos\.environ\[[\"']|\$_ENV\[[\"']|\$_SERVER\[[\"'])"
    r"(?P<name>[A-Za-z_]\w{0,60})(?:[\"'`]\])?\s*(?:\|\||\?\?|\?:|\bor\b)\s*" + _QUOTED
)
ENV_GET_DEFAULT = re.compile(
    r"(?:\bos\.environ\.get|\bos\.getenv|\bgetenv|\bENV\.fetch|\bgetOrDefault|\benv|\bconfig)\(\s*[\"']"
    r"(?P<name>[A-Za-z_][\w.\-]{0,60})[\"']\s*,\s*" + _QUOTED
)
_ENV_LITERALS = ("process.env", "env[", "environ", "getenv", "env.fetch", "getordefault", "env(", "config(")
# JSON logged inside a JSON string: {\"password\":\"...\"}.
ESCAPED_JSON = re.compile(r'\\"(?P<name>[\w.\-]{1,60})\\"\s*:\s*\\"(?P<qvalue>(?:[^"\\]|\\(?!"))*)\\"')
# A name, a few words, then the value: 'auth token for Twilio: ...', 'the password for prod is ...'.
# A seed is a secret only under a secret word ('TOTP seed for reference: ...'; not 'random seed').
# The colon ends a phrase when a space follows it: in 'Failed password for invalid user test from
# 2a0d:5600:...' it is inside an IPv6 address.
PROSE_NAME_FAR = re.compile(
    r"(?i)\b(?P<name>(?:[a-z0-9]+[ _\-]){0,3}?(?:key|token|secret|password|passwd|passphrase|pwd|seed))\b"
    r"[^:=\n\"'`]{1,48}?(?P<op>:(?=\s)|=|\bis\b|\bwas\b)\s*(?:" + _QUOTED + r"|(?P<value>[^\s\"'`<>]{8,}))"
)
# PHP constants: define( 'DB_PASSWORD', '...' ) (wp-config.php and the like).
PHP_DEFINE = re.compile(r"(?i)\bdefine\(\s*[\"'](?P<name>[A-Za-z_]\w{0,60})[\"']\s*,\s*" + _QUOTED)
# PowerShell: ConvertTo-SecureString "..." -AsPlainText; net use \\srv\share <password> /user:...
POWERSHELL = re.compile(r"(?i)ConvertTo-SecureString\s+(?:-String\s+)?(?:" + _QUOTED + r"|(?P<value>[^\s\"'`]+))")
NET_USE = re.compile(r"(?i)\bnet\s+use\s+(?:\S+:\s+)?\\\\\S+\s+(?P<value>[^\s/\"']\S*)\s+/user:")
# A name/value pair as JSON objects hold them: HAR headers and ECS env ('"name": ..., "value": ...'),
# Postman environments and AWS tags ('"key": ..., "value": ...'), CloudFormation parameters
# ('"ParameterKey": ..., "ParameterValue": ...').
_PAIR_NAME = r"(?:[Pp]arameter)?(?:[Nn]ame|[Kk]ey)"
_PAIR_VALUE = r"(?:[Pp]arameter)?[Vv]alue"
HAR_PAIR = re.compile(
    r"\"" + _PAIR_NAME + r"\"\s*:\s*\"(?P<name>[^\"]{1,60})\"\s*,\s*\"" + _PAIR_VALUE
    + r"\"\s*:\s*\"(?P<qvalue>(?:\\.|[^\"\\])*)\""
)
XML_ATTR = re.compile(r"(?i)key\s*=\s*[\"'](?P<name>[^\"']{1,60})[\"']\s+value\s*=\s*[\"'](?P<qvalue>[^\"']*)[\"']")
XML_ELEMENT = re.compile(r"<(?P<name>[A-Za-z_][\w.\-:]{0,60})>(?P<qvalue>[^<\n]{1,512})</(?P=name)>")
CLI_FLAG = re.compile(
    r"(?<!\S)--?(?P<name>[A-Za-z][\w\-]{2,40})(?:=|[ \t]+)(?:"
    + _QUOTED
    + "|"
    + r"(?P<value>[^\s\"'`-][^\s\"'`]*)"
    + ")"
)
# Short flags whose meaning depends on the tool: mysql's -p<password> (written attached),
# redis-cli's -a, sshpass's -p, curl/wget's -u user:password.
MYSQL_P = re.compile(
    r"(?<!\S)-p(?:" + _QUOTED + r"|(?P<value>[^\s\"'`-][^\s\"'`]*)"
    # '-p Secret1!' (spaced) is read as a password only when it looks like one, not a database name.
    r"|[ \t]+(?P<value2>(?=[^\s]*[\d!@#$%^&*])(?=[^\s]*[A-Za-z])[^\s\"'`-][^\s\"'`]*))"
)
# Short flags that carry a password, per tool (redis-cli's -p is its port, its -a the password).
TOOL_PASSWORD_FLAGS: dict[str, str] = {
    "redis-cli": "a", "keydb-cli": "a", "valkey-cli": "a", "sshpass": "p", "mongo": "p", "mongosh": "p",
    "mongodump": "p", "mongorestore": "p", "mongoexport": "p", "docker login": "p", "podman login": "p",
    "helm registry login": "p", "az login": "p", "sqlcmd": "P", "bcp": "P", "ldapsearch": "w", "ldapmodify": "w",
    "ldapadd": "w", "ldapdelete": "w", "ldappasswd": "w", "smbclient": "U", "rclone": "pass", "zip": "P",
    "7z": "p", "unzip": "P", "openssl": "k", "vncpasswd": "f", "ftp": "p", "lftp": "p", "rabbitmqadmin": "p",
}  # fmt: skip
_FLAG_VALUE = r"(?:" + _QUOTED + r"|(?P<value>[^\s\"'`-][^\s\"'`]*))"
USER_COLON_PASS = re.compile(
    r"(?<!\S)(?:-u|--user|--proxy-user)[ \t=]+[\"']?[^\s:\"']+:(?P<value>[^\s\"'@]+)(?=[\"']?(?:\s|$))"
)
GO_DSN = re.compile(r"(?<![\w/])[\w.\-]{1,64}:(?P<value>[^\s:@/\"']{1,128})@(?:tcp6?|udp|unix)\(")
PGPASS_LINE = re.compile(r"^[ \t]*[\w.*\-]+:(?:\d{1,5}|\*):[\w.*\-]+:[^\s:]+:(?P<value>\S+)[ \t]*$")
_PGPASS_LINES = re.compile(PGPASS_LINE.pattern, re.MULTILINE)
ONE_TIME_CODE = re.compile(
    r"(?i)\b(?:otp|one[- ]time(?: pass)?(?:code|word| code| password| pin)|verification(?: code| pin)?|security code|"
    r"(?:2fa|mfa|sms|login|sign[- ]in|auth(?:entication|enticator)?|confirmation|access|backup|recovery|te"
    r"xt(?:ed)?) (?:code|pin)|"
    r"passcode|totp|2fa|mfa|"
    # The same words in the languages tickets come in: 'código de verificación', 'code de
    # vérification', 'Bestätigungscode', 'codice di verifica', 'verificatiecode', 'engangskode'.
    r"c[óo]digo de (?:verificaci[óo]n|verifica[çc][ãa]o|seguridad|seguran[çc]a|acceso|acesso|confirmaci[óo]n)|"
    r"code (?:de |d')?(?:v[ée]rification|confirmation|s[ée]curit[ée]|connexion|validation)|"
    r"(?:best[äa]tigungs|verifizierungs|sicherheits|anmelde|einmal|freigabe)-?code|"
    r"codice (?:di )?(?:verifica|sicurezza|conferma|accesso)|verificatiecode|beveiligingscode|"
    r"(?:verifierings|bekr[äa]ftelses|engangs)kod(?:e)?|kod weryfikacyjny)\b"
    # Not a date: 'for verification, my date of birth: 1953-07-03'.
    # Not a ticket reference either: 'Account verification [#52026]'.
    r"[^\n\d]{0,24}?(?<![\w#-])(?:G-)?(?P<value>\d{4,8}|\d{3}[ -]\d{3})\b(?![-/.]\d)"
    # The sender's name may lead the code as Google's 'G-' does: 'Nordhafen Bank-812518 is your code'.
    r"|(?:(?<![\w-])(?:G-)?|(?<=[A-Za-z]-))(?P<value2>\d{4,8}|\d{3}[ -]\d{3})\s+is\s+(?:your|the)\b[^\n]{0,30}?"
    r"\b(?:code|otp|"
    r"pin|passcode)\b"
    r"|\b(?:your|the|my|this)\b[^\n\d]{0,30}?\b(?:code|pin)\b(?:\s+(?:is|was|:))?\s*[:=]?\s*(?:G-)?(?P<val"
    r"ue3>\d{4,8}|\d{3}[ -]\d{3})\b"
    r"|\b(?:enter|use|type|input)\s+(?:the\s+)?(?:code\s+)?(?:G-)?(?P<value4>\d{4,8}|\d{3}[ -]\d{3})\b"
)
# 'the code they texted me was 482913': any code near a word about how it was sent or used.
# The lookahead first: a position that starts none of the three words fails before the sixteen
# lookbehinds run (91 ms -> 19 ms over the candidate lines of a 1 MB log, same matches).
ONE_TIME_CODE_LOOSE = re.compile(
    r"(?i)(?=(?:code|pin|otp)\b)(?<!error )(?<!status )(?<!exit )(?<!response )(?<!http )(?<!return )"
    r"(?<!reason )(?<!promo )(?<!zip )"
    r"(?<!postal )(?<!post )(?<!area )(?<!country )(?<!discount )(?<!product )(?<!sort )\b(?:code|pin|otp)"
    r"\b[^\n\d]{0,30}?(?<![\w-])(?:G-)?(?P<value>\d{4,8})\b"
)
_OTP_CONTEXT = (
    "expire",
    "valid",
    "verif",
    "sign",
    "log in",
    "login",
    "2fa",
    "mfa",
    "otp",
    "text",
    "sms",
    "one-time",
    "authenticat",
)
# 'hasło to ...', 'la password è ...', "mon mot de passe c'est ...", 'mein Kennwort lautet ...': the
# word for password and the copula in the languages tickets come in. Written by hand: no dependency
# of the project carries these words (ASSIGNMENT reads names that are identifiers, and English 'is').
# Up to three words may stand between ('hasło do konta to ...'); the value must look like a password.
PASSWORD_WORDS_INTL = (
    r"password|passwort|kennwort|mot de passe|mdp|contrase[ñn]a|clave|senha|palavra[- ]passe|parola d'ordine|"
    r"wachtwoord|has[łl]o|heslo|l[öo]senord|adgangskode|passord|salasana|jelsz[óo]|[şs]ifre"
)
INTL_PASSWORD = re.compile(
    r"(?i)(?<![\w-])(?P<word>" + PASSWORD_WORDS_INTL + r")(?![\w-])(?P<filler>(?:[ \t]+[^\W\d_]+){0,3}?)[ \t]*"
    r"(?P<op>[:=]|[ \t]-|\b(?:is|was|ist|lautet|war|est|c'est|c’est|était|es|era|é|è|jest|to|är|var|er|on|je|oli)\b)"
    r"[ \t]*(?P<value>[^\s\"'`<>]{6,})"
)
# English 'password is/:' is ASSIGNMENT's; the English word is read here only before another language's
# copula ('la password è').
INTL_PASSWORD_LITERALS = (
    *("mot de passe", "mdp", "contrase", "clave", "senha", "palavra", "parola d", "passwort", "kennwort"),
    *("wachtwoord", "hasło", "haslo", "heslo", "senord", "adgangskode", "passord", "salasana", "jelsz", "ifre"),
    *("password è", "password é", "password e ", "password es ", "password est", "password ist", "password c"),
    *("password lautet", "password jest", "password är", "password er ", "password era", "password war"),
)
# .netrc ('machine h login u password p'), SQL ('IDENTIFIED BY ...', 'WITH PASSWORD ...'),
# OpenSSL ('-passout pass:...'), and a password piped into '--password-stdin'.
NETRC = re.compile(r"(?i)\blogin\s+[^\s\"'`]+\s+password\s+(?P<value>[^\s\"'`]+)")
SQL_PASSWORD = re.compile(
    r"(?i)\b(?:identified\s+by|with\s+(?:(?:encrypted|unencrypted|login|nologin|superuser|createdb|createrole|inh"
    r"erit|replication)\s+)*password|set\s+password\s*=?|password\s+for\s+\S+\s*=)\s*"
    r"(?:" + _QUOTED + r"|(?P<value>[^\s\"'`;]+))"
)
OPENSSL_PASS = re.compile(r"(?<!\S)-pass(?:in|out|word)?\s+(?:pass|env)?:(?P<value>[^\s\"'`]+)")
ECHO_STDIN = re.compile(
    r"\b(?:echo|printf)\s+(?:-[ne]\s+)?(?:" + _QUOTED + r"|(?P<value>[^\s\"'`|]+))\s*\|[^\n]*"
    r"(?:--password-stdin|\bsudo\s+-S\b|\bchpasswd\b|\bpasswd\s+--stdin\b|\bkinit\b)"
)
# 'creds: admin / Hunter2', 'login admin:Hunter2', 'user/pass = bob/Hunter2'.
CREDENTIAL_PAIR = re.compile(
    r"(?i)(?<![/.\-])\b(?:creds?|credentials|login|user\s*/\s*pass(?:word)?|username\s*/\s*password|u/p)\b\s*[:=]?\s*"
    # Not a host and its port ('AUTH LOGIN email-smtp.eu-west-1.amazonaws.com:587'), nor a date or
    # time ('Last login: 2025-08-14T06:46:22.807Z', 'login at 12:30:45', 'logins 12/05/2024').
    r"(?!\d{4}-\d\d-\d\d|\d+[/:]\d)[\w.@+-]{2,64}\s*[/:]\s*(?P<value>(?!\d{1,5}(?![^\s\"'`,;]))[^\s\"'`,;]{3,})"
)
# redis.conf / sentinel: 'requirepass ...', 'masterauth ...'; htpasswd -b file user pass.
DIRECTIVE = re.compile(r"(?im)^\s*(?:requirepass|masterauth|sentinel\s+auth-pass\s+\S+)\s+(?P<value>\S+)")
HTPASSWD_B = re.compile(r"\bhtpasswd\s+(?:-\w+\s+)*-\w*b\w*\s+(?:-\w+\s+)*\S+\s+\S+\s+(?P<value>\S+)")
# A name/value pair split over lines: pretty-printed HAR/JSON ('"name": "password",\n "value": "..."'),
# a Kubernetes env entry ('- name: DB_PASSWORD\n  value: ...').
MULTILINE_PAIR = re.compile(
    r"(?<![\w-])[\"']?" + _PAIR_NAME + r"[\"']?\s*:\s*[\"']?(?P<name>[\w.\-]{1,60})[\"']?\s*,?\s*\n\s*[\"']?"
    + _PAIR_VALUE
    + r"[\"']?\s*:\s*"
    r"(?:" + _QUOTED + r"|(?P<value>[^\s\"'`,}]+))"
)
_OTP_WORDS = (
    *("otp", "one-time", "one time", "verif", "security code", "2fa", "mfa", "sms", "login", "sign", "auth"),
    *("confirm", "access code", "backup", "recovery", "text", "passcode", "totp", "code", "pin", "enter", "use "),
    *("códig", "codig", "codice", "kod"),
)
# Scheme words in an Authorization value, which stay readable.
_SCHEME = re.compile(
    r"^(?:Basic|Bearer|Token|token|Digest|Negotiate|NTLM|SSWS|GenieKey|ApiKey|Key|Splunk|OAuth|JWT)\s+"
)
_TOOL_WORDS_MYSQL = ("mysql", "mariadb", "mysqldump", "mysqladmin")


@lru_cache(maxsize=64)
def _tool_flag(flag: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\S)-{re.escape(flag)}(?:[ \t]+|(?=[^\s-]))" + _FLAG_VALUE)


# What follows "password:" in prose or configuration rather than a password.
PROSE_VALUES = frozenset(
    {
        *("reset", "expired", "expires", "change", "changed", "required", "incorrect", "invalid", "wrong"),
        *("policy", "field", "manager", "protected", "updated", "rotation", "rotated", "missing", "mismatch"),
        *("is", "was", "the", "for", "and", "not", "has", "have", "null", "none", "nil", "true", "false"),
        *("undefined", "yes", "no", "on", "off", "optional", "string", "str", "int", "bool", "boolean"),
        *("empty", "blank", "set", "unset", "hidden", "masked", "redacted", "removed", "same", "correct"),
        *("please", "must", "should", "will", "can", "cannot", "does", "did", "being", "been", "too", "very"),
        *("prompt", "stdin", "file", "env", "environment", "variable", "secret", "password", "token", "key"),
        *("auth", "basic", "bearer", "oauth", "sso", "saml", "ldap", "default", "auto", "any", "all", "n/a"),
        *("expiry", "expiration", "a", "an", "of", "to", "in", "at", "on", "my", "your", "our", "their", "this"),
        *("that", "it", "its", "still", "now", "also", "just", "only", "again", "here", "there", "below", "above"),
        # '--password via the CLI is insecure': docker's own warning.
        *("via", "using", "with", "from", "instead", "flag", "option", "argument", "parameter", "when", "if"),
    }
)
_MASKED_ALREADY = re.compile(
    r"^(?:[*•xX#.]{3,}|<[^>]*>|\[[^\]]*\]|\{\{.*\}\}|\$\{.*\}|\$\(.*\)|\$[A-Z_][A-Z0-9_]*|\$[a-z_][a-z0-9_]*|%[A-Za-z_]\w*%|%s|%\(\w+\)s"
    r"|:\w+|\{\w*\}|(?i:redacted|removed|hidden|masked|secret|password|changeme_in_prod|your[_-]?\w*|<\w+>))$"
)
_REFERENCE = re.compile(
    # '$VAR' and '$var_name' are variables; '$uperS3cret' (mixed case) is a password.
    r"^(?:var\.|local\.|module\.|data\.|ENC\[|vault:|\$\d|\$\{|\$\(|\$[A-Z_][A-Z0-9_]*$|\$[a-z_][a-z0-9_]*$|%[A-Za-z_]|\{\{|os\.|process\.env|env\(|getenv|System\.getenv|ENV\[|secret"
    # A closing bracket: the end of a template around the name ('{{ vault_db_password }}-style'); one
    # that opens brackets again after it starts a value (Django's SECRET_KEY=')(0z-m7s(1n-...').
    r"s\.|vault:|ref\+|arn:|file:|/|\./|~/|\.\./|[}\])](?![^\s\"']*[(\[{]))"
    r"|\($|\(\)|^[\w.]+\(.*\)$|\.(?:pem|key|crt|cer|p12|pfx|json|ya?ml|txt|env|ini|conf|cfg|jks|keystore|asc|gpg)$"
)
_WORD_ONLY = re.compile(r"^[A-Za-z]+$")
# A test runner's 'PASS src/__tests__/cart.test.ts (359ms)': a file after a word, not a password.
_FILE_PATH = re.compile(r"^(?:[\w.\-]+/)+[\w\-]+\.[A-Za-z]{1,5}$|^(?:[\w.\-]+/){2,}[\w.\-]*$")
# 'prompt_per_token_ms: 14.839102079395085' is a measurement, not a token.
_PASSWORD_LIKE = re.compile(r"^(?=.*[A-Za-z])(?=.*[\d!@#$%^&*?+=_~.-])\S{6,}$")
_TOKEN_LIKE = re.compile(r"^(?=.*\d)(?=.*[A-Za-z])[\w\-.+/=~]{8,}$")
_NUMBER = re.compile(r"^[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$")


def _entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


_PLACEHOLDER = re.compile(
    r"(?i)^(?:[\w.\-]*?[_\-])?(?:x{4,}|\*{3,}|0{6,}|•{3,}|\.{3,}|_{4,})$|^<[^>]*>$|changeme|replace[_\-]?m"
    r"e|placeholder|"
    r"(?:^|[_\-])your[_\-\s]|[_\-]here$|^example|^dummy|^fake[_\-]|^todo$|^tbd$|^n/?a$|^redacted$|^\[redacted\]$|^<redacted>$"
)


# A constant's name standing in for its value ('access_token=ACCESS_TOKEN'), a shell variable,
# a value ending in a run of one filler character ('bP88Q~xxxxxxxx'), AWS's documented examples.
_STAND_IN = re.compile(
    r"abcdefghijklmnop|^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$|^\$\{\w+\}$|^\$[A-Z_][A-Z0-9_]*$|^%\w+%$|([xX*#•0.])\1{7,}$|EXAMPLE(?:KEY)?$"
)


def is_placeholder(value: str) -> bool:
    """'YOUR_API_KEY', 'sk_live_xxxxxxxx', '<password>', '********': documentation, not a secret."""
    return bool(_PLACEHOLDER.search(value) or _STAND_IN.search(value))


# 'credentials "app.terraform.io" {': a host the credential is for (labels without digits).
_HOSTNAME = re.compile(r"^(?:[a-z][a-z\-]*\.)+(?:com|net|org|io|dev|app|cloud|co|ai|us|eu|uk|de|internal|local)$")
# 'Config{TwinePassword: twinePassword}': code passing a variable named after the credential.
_CAMEL_VARIABLE = re.compile(r"^[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+$")


_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s@]*$")
_TOKEN_SEGMENT = re.compile(r"(?=[\w\-]*\d)(?=[\w\-]*[A-Za-z])[\w\-]{16,}")


def _plain_url(value: str) -> bool:
    """'proxy_pass http://prometheus:9090': where to connect, not a secret. A URL with user info,
    or with a token in its path or query ('.../session_01DDpXdCk8uhiRdzku123456'), is not plain."""
    return bool(_URL.match(value)) and not _TOKEN_SEGMENT.search(value.split("://", 1)[1])


def plausible(name: str, value: str) -> bool:
    """A value that could be the credential itself, not a reference to it or a word about it."""
    if (
        not value
        or is_placeholder(value)
        or value.lower().rstrip(".!,:") in PROSE_VALUES
        or _MASKED_ALREADY.match(value)
    ):
        return False
    if _REFERENCE.search(value):
        return False
    if is_password_name(name):
        return len(value) >= 3 and not _plain_url(value)
    if any(word in name.lower() for word in ("otp", "passcode", "code")):
        return len(value) >= 4
    if len(value) < 8 or _NUMBER.match(value) or _HOSTNAME.match(value) or _plain_url(value):
        return False
    # A token: not one dictionary-like word ('token: expired'), some variety of characters.
    return not (_WORD_ONLY.match(value) and len(value) < 20) and _entropy(value) >= 2.5


def _kind(name: str) -> str:
    lowered = name.lower()
    if "aws" in lowered:
        return "AWS_KEY"
    if is_password_name(name):
        return "PASSWORD"
    if "sess" in lowered or lowered in {"sid", "cookie", "set-cookie"}:
        return "SESSION_COOKIE"
    if "otp" in lowered or "code" in lowered:
        return "ONE_TIME_CODE"
    return "SECRET"


def _value_span(match: re.Match[str]) -> tuple[int, int, str, bool] | None:
    """(start, end, value, quoted) of whichever value group matched."""
    for group in ("qvalue", "value", "value2", "value3", "value4"):
        if group in match.re.groupindex and match.group(group) is not None:
            start, end = match.span(group)
            return start, end, match.group(group), group == "qvalue"
    return None


# Where an unquoted value ends: before a query-string or connection-string field ('&b=', ';Server='),
# a closing bracket of the surrounding code, or a comma/semicolon ending the clause.
_BARE_END = re.compile(r"&[\w.\-]+=|;\s*[\w.\- ]+=|[;,]\s*$|[;,](?=\s)|\\[nrt]")
_CLOSERS = {")": "(", "]": "[", "}": "{"}


def _trim_bare(value: str) -> str:
    cut = _BARE_END.search(value)
    value = value[: cut.start()] if cut else value
    value = value.rstrip(".,:;")
    # A closing bracket of the code around the value ('connect(password=x)') is not part of it;
    # one the value opened itself ('Pa$$w0rd(1)') is.
    while value and value[-1] in _CLOSERS and value.count(value[-1]) > value.count(_CLOSERS[value[-1]]):
        value = value[:-1].rstrip(".,:;")
    return value


def _strip_scheme(start: int, value: str) -> tuple[int, str, bool]:
    scheme = _SCHEME.match(value)
    return (start + scheme.end(), value[scheme.end() :], True) if scheme else (start, value, False)


def _named_hits(pattern: re.Pattern[str], line: str) -> Iterator[tuple[str, int, int]]:
    for match in pattern.finditer(line):
        name = match.group("name")
        if not names_secret(name):
            continue
        span = _value_span(match)
        if span is None:
            continue
        start, _, value, quoted = span
        if _MASKED_ALREADY.match(value) or _REFERENCE.search(value):
            continue
        if quoted and match.groupdict().get("q") == "`" and " " in value:
            continue  # `etcdctl get /x`: a command whose output is the secret
        start, value, after_scheme = _strip_scheme(start, value)
        if not quoted:
            # An unquoted value ends at the first space; prose punctuation is not part of it.
            raw, value = value, _trim_bare(value)
            # A variable named after its field ('TwinePassword: twinePassword' in a Go literal), or
            # named for a credential and passed on in code ('Token:  planetscaleDbPassword,').
            if _CAMEL_VARIABLE.match(value) and (
                value.lower() == name.lower().replace("_", "")
                or (names_secret(value) and raw[len(value) : len(value) + 1] in {",", ")", ";"})
            ):
                continue
        # In prose ('the password was used') a lower-case word is a word, not a password.
        op = match.groupdict().get("op") or ""
        if op.strip().isalpha() and _WORD_ONLY.match(value) and value.islower():
            continue
        # With nothing but a space after the name ('pass through ...'), or words between the name and
        # the value, only a quoted or token-like value counts.
        loose = (op and not op.strip()) or pattern is PROSE_NAME_FAR
        credential_like = _PASSWORD_LIKE if is_password_name(name) else _TOKEN_LIKE
        if loose and not quoted and (not credential_like.match(value) or _FILE_PATH.match(value)):
            continue
        # After 'Basic '/'Bearer ' the value is a credential by the header's own word.
        if (after_scheme and len(value) >= 8 and not _MASKED_ALREADY.match(value)) or plausible(name, value):
            yield _kind(name), start, start + len(value)


def _needs(lowered: str, literals: tuple[str, ...]) -> bool:
    return not literals or any(literal in lowered for literal in literals)


def _anchored_hits(line: str) -> Iterator[tuple[str, int, int, str]]:
    lowered = line.lower()
    named: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
        (ASSIGNMENT, ("=", ":", " is ", " was ", " ist ", " est ", " es ")),
        (PROSE_NAME, ()),
        (PHP_DEFINE, ("define(",)),
        (PROSE_NAME_FAR, ()),
        (ESCAPED_JSON, ('\\"',)),
        (HAR_PAIR, ('name"', 'key"')),
        (XML_ATTR, ("value",)),
        (XML_ELEMENT, ("</",)),
        (CLI_FLAG, (" -", "\t-") if not lowered.lstrip().startswith("-") else ()),
        (SHELL_DEFAULT, (":-", ":=")),
        (ENV_FALLBACK, _ENV_LITERALS),
        (ENV_GET_DEFAULT, _ENV_LITERALS),
    )
    for pattern, literals in named:
        if _needs(lowered, literals):
            for kind, start, end in _named_hits(pattern, line):
                yield kind, start, end, "assignment" if pattern is ASSIGNMENT else "named_value"
    if any(tool in lowered for tool in _TOOL_WORDS_MYSQL):
        for match in MYSQL_P.finditer(line):
            yield _span_of("PASSWORD", match, "cli_mysql_password")
    for tool, flag in TOOL_PASSWORD_FLAGS.items():
        if tool in lowered:
            for match in _tool_flag(flag).finditer(line):
                kind, start, end, rule = _span_of("PASSWORD", match, "cli_password_flag")
                value = line[start:end]
                # smbclient -U user%password: the part after '%'.
                if flag == "U":
                    if "%" not in value:
                        continue
                    start += value.index("%") + 1
                yield kind, start, end, rule
    anchored: tuple[tuple[re.Pattern[str], str, str, tuple[str, ...]], ...] = (
        (USER_COLON_PASS, "PASSWORD", "cli_user_password", ("-u", "--user", "--proxy-user")),
        (GO_DSN, "PASSWORD_IN_URL", "dsn_password", ("@tcp", "@udp", "@unix")),
        (PGPASS_LINE, "PASSWORD", "pgpass_line", ()),
        (ONE_TIME_CODE, "ONE_TIME_CODE", "one_time_code", _OTP_WORDS),
        (NETRC, "PASSWORD", "netrc_password", ("login",)),
        (SQL_PASSWORD, "PASSWORD", "sql_password", ("identified", "password")),
        (OPENSSL_PASS, "PASSWORD", "openssl_pass", ("-pass",)),
        (ECHO_STDIN, "PASSWORD", "password_stdin", ("echo", "printf")),
        (CREDENTIAL_PAIR, "PASSWORD", "credential_pair", ("cred", "login", "u/p", "user")),
        (DIRECTIVE, "PASSWORD", "config_directive", ("requirepass", "masterauth", "auth-pass")),
        (HTPASSWD_B, "PASSWORD", "htpasswd", ("htpasswd",)),
        (POWERSHELL, "PASSWORD", "powershell_securestring", ("securestring",)),
        (NET_USE, "PASSWORD", "net_use", ("net use",)),
        (ONE_TIME_CODE_LOOSE, "ONE_TIME_CODE", "one_time_code", _OTP_CONTEXT),
    )
    if _needs(lowered, INTL_PASSWORD_LITERALS):
        for match in INTL_PASSWORD.finditer(line):
            value = _trim_bare(match.group("value"))
            # Polish 'hasło to ...'; in English 'password to the db01 host' is no copula.
            if match.group("op").lower() == "to" and match.group("word").lower() not in {"hasło", "haslo"}:
                continue
            # Words between the name and a ':' describe the password ('password reset failed with: ERR-401').
            if match.group("filler") and not match.group("op").strip().isalpha():
                continue
            if _CODE_LIKE.match(value):
                continue
            if _PASSWORD_LIKE.match(value) and not _stand_in(value) and not _FILE_PATH.match(value):
                yield "PASSWORD", match.start("value"), match.start("value") + len(value), "password_in_prose"
    for pattern, kind, rule, literals in anchored:
        if pattern is PGPASS_LINE and line.count(":") < 4:
            continue
        if _needs(lowered, literals):
            for match in pattern.finditer(line):
                hit = _span_of(kind, match, rule)
                if not _stand_in(line[hit[1] : hit[2]]):
                    yield hit


# Words that stand for a credential in documentation ('curl -u username:password').
DUMMY_VALUES = frozenset(
    {"test", "pass", "password", "passwd", "pwd", "token", "secret", "xxx", "yyy", "zzz", "foo", "bar", "changeme"}
)


def _stand_in(value: str) -> bool:
    return (
        not value
        or value.lower() in DUMMY_VALUES
        or value.lower().rstrip(".,:;") in PROSE_VALUES
        or bool(_MASKED_ALREADY.match(value) or _REFERENCE.search(value))
        or is_placeholder(value)
    )


def _span_of(kind: str, match: re.Match[str], rule: str) -> tuple[str, int, int, str]:
    span = _value_span(match)
    assert span is not None
    return kind, span[0], span[1], rule


# Chat pastes name the credential in one message and paste it in the next ('Datadog app key stopped
# working' / 'this is what's in the vault right now: 76dc...'; 'what's the admin login?' / 'admin /
# Hunter2!x'). The value line alone is a bare token or a user/password pair; a credential word in it
# or in the two lines above says what it is.
# The value ends the message, after a colon or after the question it answers ('this is the token we use
# in prod, maybe its expired? YyH7...').
_TRAILING_TOKEN = re.compile(r"(?m)[:?!][ \t]+[\"'`]?(?P<value>[A-Za-z0-9_\-+/=.~]{20,})[\"'`]?[ \t]*$")
_TRAILING_PASSWORD = re.compile(r"(?m)[:?!][ \t]+[\"'`]?(?P<value>[^\s\"'`]{6,64})[\"'`]?[ \t]*$")
_PASSWORD_HEAD_WORDS = ("pass", "pwd", "pw", "mdp", "senha", "contrase")
_CODE_LIKE = re.compile(r"^[A-Z][A-Z0-9]*[-_]\d+$|^v?\d+(?:\.\d+)+")
_SLASH_PAIR = re.compile(
    r"(?m)(?:^|[:>][ \t]+)[\"'`]?[\w.@+-]{2,40}[ \t]+/[ \t]+[\"'`]?(?P<value>[^\s\"'`]{6,})[\"'`]?[ \t]*$"
)
_CREDENTIAL_WORD = re.compile(
    r"(?i)\b(?:[a-z0-9]+[ _\-]){0,2}?(?:key|token|secret|password|passwd|passphrase|pwd|credentials?|creds)\b"
)
_LOGIN_WORD = re.compile(r"(?i)\b(?:login|log-in|logon|sign[- ]?in|creds?|credentials|password|passwd|pwd|user/pass)\b")
# What a bare hex or base64 run after a colon is when the line says so: a commit, a hash, an ID.
_NOT_A_CREDENTIAL = re.compile(
    r"(?i)\b(?:commit|sha\d*|hash|digest|checksum|fingerprint|revision|rev|trace|span|request|correlation|build|"
    r"etag|uuid|id|ids|version|integrity|md5|object|blob|tree|image|layer|serial|account|acct|tenant|org|customer|"
    r"user|project|order|invoice|ticket|session[ _-]?id|name|host|hostname|path|file|branch|tag|tunnel)\b"
)
# A chat line's speaker ('bob: ', '[12:42] tangerine: '), when that is all before the value.
# Not indented (an indented 'url:' is a YAML key), and not a word that names a field ('url', 'hash').
_SPEAKER = re.compile(r"^(?:\[[^\]\n]{1,20}\][ \t]*)?(?P<who>[\w.\-]{1,30}):[ \t]*[\"'`]?$")


# What a pasted key looks like: 32+ hex digits, upper and lower case with digits, or 40+ characters
# (not 'ubuntu-linux-22-04-desktop', a slug of words).
_RANDOM_TOKEN = re.compile(r"^(?:[a-fA-F0-9]{32,}|(?=.*[A-Z])(?=.*[a-z])(?=.*\d)[\w\-+/=.~]{20,}|[\w\-+/=.~]{40,})$")


def looks_random(value: str) -> bool:
    """A pasted key's shape: 32+ hex digits, mixed case with digits, or 40+ token characters, with
    enough entropy that it is no slug of words."""
    return bool(_RANDOM_TOKEN.match(value)) and _entropy(value) >= 3


def _context_above(lines: Lines, number: int, before: int = 2) -> str:
    start = lines.starts[max(0, number - before)]
    return lines.text[start : lines.starts[number]]


_SPEAKER_PREFIX = re.compile(r"^(?:\[[^\]\n]{1,20}\][ \t]*)?[A-Za-z][\w .'()-]{0,29}:[ \t]+")


def _strongly_random(value: str) -> bool:
    """A 32+ character run of upper and lower case letters and digits with high entropy: a key or
    token by its look alone (IDs are hex, UUIDs or a prefix and a short run)."""
    return (
        len(value) >= 32
        and bool(re.search(r"[A-Z]", value) and re.search(r"[a-z]", value) and re.search(r"\d", value))
        and _entropy(value) >= 4
    )


def _carried(text: str, lines: Lines) -> Iterator[Detection]:
    for pattern, kind in ((_TRAILING_TOKEN, "SECRET"), (_SLASH_PAIR, "PASSWORD"), (_TRAILING_PASSWORD, "PASSWORD")):
        for match in pattern.finditer(text):
            value = match.group("value")
            number = lines.index_of(match.start("value"))
            head = text[lines.starts[number] : match.start("value")]
            if pattern is _TRAILING_PASSWORD and not any(word in head.lower() for word in _PASSWORD_HEAD_WORDS):
                continue  # the common case in a log ('status: running'): no password word, nothing to read
            above = _context_above(lines, number)
            # The chat speaker ('[14:52] customer: ...') is who wrote it, not what the value is.
            speaker_prefix = _SPEAKER_PREFIX.match(head)
            said = head[speaker_prefix.end() :] if speaker_prefix and head[speaker_prefix.end() :].strip() else head
            if is_placeholder(value) or _stand_in(value) or _NOT_A_CREDENTIAL.search(" ".join(words(said))):
                continue
            if pattern is _TRAILING_PASSWORD:
                # A password ending a message that names it on the same line ('this is the db password
                # we use in prod, maybe its expired? Pepper11-velvet').
                named = [m.group(0) for m in _CREDENTIAL_WORD.finditer(head)]
                if (
                    any(is_password_name(n) and names_secret(n) for n in named)
                    and _PASSWORD_LIKE.match(value)
                    and not _CODE_LIKE.match(value)
                    and not _FILE_PATH.match(value)
                    and not _plain_url(value)
                    and "@" not in value
                ):
                    start, end = match.span("value")
                    yield Detection(kind, start, end, "custom:carried_context", Category.secret)
                continue
            # A field ('traceId: ...', 'Account: acct_...') is the named detectors' to judge; this
            # reads prose, which has words before its colon, or a chat message holding only the value.
            lead = re.sub(r"[:?!][ \t]*[\"'`]?$", "", head)
            if kind == "SECRET" and len(re.findall(r"[A-Za-z']+", lead)) < 3:
                speaker = _SPEAKER.match(head)
                if (
                    not speaker
                    or set(words(speaker.group("who"))) & DESCRIPTIVE_TAILS
                    or _NOT_A_CREDENTIAL.search(" ".join(words(above)))
                ):
                    continue
            if kind == "SECRET":
                named = [m.group(0) for m in _CREDENTIAL_WORD.finditer(above + head)]
                # Without a credential word, only a value random by its look alone ('we set it like
                # this: rt_UBqx...'), in a message with nothing naming an ID before it.
                if not (
                    (any(names_secret(n) for n in named) and looks_random(value))
                    or (_strongly_random(value) and len(re.findall(r"[A-Za-z']+", lead)) >= 3)
                ):
                    continue
            elif not (_PASSWORD_LIKE.match(value) and _LOGIN_WORD.search(above + head)):
                continue
            yield Detection(kind, match.start("value"), match.end("value"), "custom:carried_context", Category.secret)


# An e-mail naming the credential at the end of a line and pasting it as the next paragraph ('the key we
# configured (SESSION_SECRET):' / blank line / '419f3f7b...'), the value wrapped over lines by the mail
# client when long ('django-insecure-g9ic...(o*' / 'tw'). The name is the last words before the colon.
_NAME_BEFORE_COLON = re.compile(r"([A-Za-z][\w\-]*(?:[ ][A-Za-z][\w\-]*){0,3})[\"'`)\]]*[ \t]*:[ \t]*$")
_PARAGRAPH_MAX_LINES = 8


def _paragraph_values(lines: Lines, numbers: list[int]) -> Iterator[Detection]:
    """`numbers`: the lines holding a credential word (TRIGGERS), of which those ending in ':' are read."""
    count = len(lines.starts)
    for number in numbers:
        _, line = lines.line(number)
        if not line.rstrip().endswith(":"):
            continue
        name = _NAME_BEFORE_COLON.search(line)
        if not name or not names_secret(name.group(1)):
            continue
        first = number + 1
        while first < count and first <= number + 2 and not lines.line(first)[1].strip():
            first += 1
        if first == number + 1 or first >= count:
            continue  # the value on the very next line is a YAML/INI block, read by the named rules
        last = first
        while last + 1 < count and last + 1 < first + _PARAGRAPH_MAX_LINES and lines.line(last + 1)[1].strip():
            last += 1
        pieces = [lines.line(n) for n in range(first, last + 1)]
        if any(re.search(r"\s", piece.strip()) for _, piece in pieces):
            continue  # prose, not a value
        value = "".join(piece.strip() for _, piece in pieces)
        if len(value) < 16 or not (re.search(r"[A-Za-z]", value) and re.search(r"\d", value)):
            continue
        if _entropy(value) < 3.5 or is_placeholder(value) or _stand_in(value) or _plain_url(value):
            continue
        start_offset, start_line = pieces[0]
        end_offset, end_line = pieces[-1]
        start = start_offset + len(start_line) - len(start_line.lstrip())
        end = end_offset + len(end_line.rstrip())
        yield Detection(_kind(name.group(1)), start, end, "custom:named_paragraph", Category.secret)


# A code read back in a chat: the agent's line asks for the one-time code, the customer's reply holds
# only the number ('customer: its 3843', 'teh code is 582 063'); and Google's SMS form 'G-298606'.
_OTP_ASKED = re.compile(
    r"(?i)\b(?:one[- ]time (?:code|pass\w*|pin)|verification code|security code|(?:2fa|mfa|sms|login) code|otp|"
    r"code (?:we|I) (?:just )?(?:sent|texted)|(?:sent|texted) (?:you )?a code|read (?:it|the code) back)\b"
)
_OTP_ASKED_LITERALS = ("one-time", "one time", "code", "otp", "read it back")
_OTP_REPLY = re.compile(
    r"^[ \t]*(?:\[[^\]\n]{1,20}\][ \t]*)?[\w .'()-]{1,30}:[ \t]*(?:(?:it'?s|it is|its|teh code is|the code is|"
    r"code is|code|here(?: it is)?|sure|ok|okay|yes|got it)[,:]?[ \t]+)?(?:G-)?(?P<value>\d{4,8}|\d{3}[ -]\d{3})"
    r"[ \t]*[.!]?[ \t]*$"
)
_OTP_RULE = "custom:one_time_code"
_GOOGLE_CODE = re.compile(r"(?<![\w-])G-(?P<value>\d{6})\b(?![-/.]\d)")


def _otp_replies(text: str, lines: Lines) -> Iterator[Detection]:
    if "G-" in text:
        for number in lines.containing(("g-",)):
            offset, line = lines.line(number)
            if re.search(r"(?i)expire|code|verif|google|share", line + _context_above(lines, number, 1)):
                for code in _GOOGLE_CODE.finditer(line):
                    start, end = code.span("value")
                    yield Detection("ONE_TIME_CODE", offset + start, offset + end, _OTP_RULE, Category.secret)
    answered: set[int] = set()  # one answer per question: the first reply line that holds a code
    for question, offset, line in lines.replies(_OTP_ASKED_LITERALS, _OTP_ASKED):
        answer = _OTP_REPLY.match(line)
        if answer and question not in answered:
            answered.add(question)
            start, end = answer.span("value")
            yield Detection("ONE_TIME_CODE", offset + start, offset + end, _OTP_RULE, Category.secret)


def find_assignments(text: str, lines: Lines | None = None) -> list[Detection]:
    index = lines if lines is not None else Lines(text)
    hits: list[Detection] = []
    triggers = (*TRIGGERS, *TOOL_PASSWORD_FLAGS)
    hits.extend(_carried(text, index))
    hits.extend(_otp_replies(text, index))
    if "|" in text or ">" in text:
        for kind, start, end in _named_hits(YAML_BLOCK, text):
            hits.append(Detection(kind, start, end, "custom:yaml_block", Category.secret))
    if "variable" in text:
        for kind, start, end in _named_hits(TF_VARIABLE, text):
            hits.append(Detection(kind, start, end, "custom:terraform_variable", Category.secret))
    if "value" in text:
        for kind, start, end in _named_hits(MULTILINE_PAIR, text):
            hits.append(Detection(kind, start, end, "custom:multiline_pair", Category.secret))
    # A .pgpass line (host:port:db:user:password) names nothing: its shape is the trigger.
    named_lines = index.containing(triggers)
    hits.extend(_paragraph_values(index, named_lines))
    numbers = sorted({*named_lines, *index.matching(_PGPASS_LINES)})
    for number in numbers:
        offset, line = index.line(number)
        for kind, start, end, rule in _anchored_hits(line):
            if end > start:
                hits.append(Detection(kind, offset + start, offset + end, f"custom:{rule}", Category.secret))
    return hits
