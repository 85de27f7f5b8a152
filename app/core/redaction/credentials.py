"""Hand-written recognizers, only for credentials that neither Presidio nor detect-secrets knows.

Each entry says which gap it fills. Group 'secret' is the part masked; the rest of the match is
context that stays readable ("Authorization: Bearer <BEARER_TOKEN_1>").
"""

import base64
import binascii
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from app.core.redaction.detection import Category, Detection
from app.core.redaction.lines import Lines


@dataclass(frozen=True)
class CredentialPattern:
    kind: str
    name: str
    regex: re.Pattern[str]
    # Literal strings (any case) one of which must occur in a line for the regex to run on it.
    anchors: tuple[str, ...]
    # A check of the value beyond its shape, when the shape alone also fits prose.
    valid: Callable[[str], bool] | None = None
    # For a format with no literal to look for: a cheap pattern that picks its lines instead.
    line_pattern: re.Pattern[str] | None = None


def _p(
    kind: str,
    name: str,
    pattern: str,
    anchors: tuple[str, ...],
    flags: int = 0,
    valid: Callable[[str], bool] | None = None,
    line_pattern: str | None = None,
) -> CredentialPattern:
    lines = re.compile(line_pattern) if line_pattern else None
    return CredentialPattern(kind, name, re.compile(pattern, flags), anchors, valid, lines)


def _user_colon_password(value: str) -> bool:
    """'Basic dXNlcjpwYXNz' holds base64 of 'user:pass'; 'basic information' holds no such thing."""
    try:
        decoded = base64.b64decode(value + "=" * (-len(value) % 4), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return False
    return ":" in decoded and decoded.isprintable()


# Where a header value ends: also a JSON-escaped quote ('\\"' inside a logged JSON string) or a '|'.
_VALUE_END = r"(?=$|[\s\"'`,;&)\]}>|\\])"
PATTERNS: tuple[CredentialPattern, ...] = (
    # Google OAuth secrets and access tokens (gitleaks' gcp-api-key covers API keys).
    _p("GCP_OAUTH_SECRET", "google_oauth_client_secret", r"(?P<secret>\bGOCSPX-[0-9A-Za-z_\-]{28})", ("GOCSPX-",)),
    _p("GCP_OAUTH_TOKEN", "google_oauth_access_token", r"(?P<secret>\bya29\.[0-9A-Za-z_\-]{20,})", ("ya29.",)),
    # Azure: detect-secrets knows only the 88-character storage AccountKey.
    _p(
        "AZURE_KEY",
        "azure_connection_string_key",
        r"(?i)\b(?:AccountKey|SharedAccessKey|SharedSecretValue|AccessKey)\s*=\s*(?P<secret>[A-Za-z0-9+/]{20,}={0,2})",
        ("accountkey", "sharedaccesskey", "sharedsecretvalue", "accesskey"),
    ),
    _p("AZURE_SAS", "azure_sas_signature", r"[?&]sig=(?P<secret>[A-Za-z0-9%+/=]{20,})", ("sig=",)),
    _p(
        "AZURE_CLIENT_SECRET",
        "azure_client_secret",
        r"(?<![\w~.-])(?P<secret>[A-Za-z0-9_~.\-]{3}\dQ~[A-Za-z0-9_~.\-]{31,34})(?![\w~.-])",
        ("Q~",),
    ),
    # OpenAI's current project/service/admin keys; detect-secrets knows only the legacy T3BlbkFJ form.
    _p("OPENAI_KEY", "openai_project_key", r"(?P<secret>\bsk-(?:proj|svcacct|admin)-[A-Za-z0-9_\-]{20,})", ("sk-",)),
    # Stripe test and restricted keys; detect-secrets matches live keys only.
    _p("STRIPE_KEY", "stripe_test_key", r"(?P<secret>\b[rs]k_test_[0-9A-Za-z]{16,})", ("k_test_",)),
    _p("STRIPE_KEY", "stripe_webhook_secret", r"(?P<secret>\bwhsec_[0-9A-Za-z]{24,})", ("whsec_",)),
    # GitHub fine-grained tokens; detect-secrets knows the classic gh?_ ones.
    _p("GITHUB_TOKEN", "github_fine_grained_pat", r"(?P<secret>\bgithub_pat_[0-9A-Za-z_]{22,})", ("github_pat_",)),
    # An AWS secret access key pasted without a 'key = value' shape ("my aws secret is ..."):
    # detect-secrets needs quotes or a keyword assignment. Mixed case keeps commit SHAs out.
    _p(
        "AWS_KEY",
        "aws_secret_access_key_in_prose",
        r"(?i:aws|secret)[^\n]{0,60}?(?<![A-Za-z0-9/+])(?P<secret>(?=[A-Za-z0-9/+]*[A-Z])(?=[A-Za-z0-9/+]*[a-z])"
        r"(?=[A-Za-z0-9/+]*\d)[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])",
        ("aws", "secret"),
    ),
    # Provider formats gitleaks' rule set (rules/gitleaks.toml) lacks or finds only next to the
    # provider's name; these prefixes or suffixes are unique enough to stand alone in prose.
    _p("AIRTABLE_PAT", "airtable_personal_access_token", r"(?P<secret>\bpat[A-Za-z0-9]{14}\.[a-f0-9]{64})\b", ("pat",)),
    _p("DOCKERHUB_PAT", "docker_hub_pat", r"(?P<secret>\bdckr_(?:pat|oat)_[A-Za-z0-9_\-]{20,})", ("dckr_",)),
    _p("FIGMA_TOKEN", "figma_pat", r"(?P<secret>\bfig[dou]_[A-Za-z0-9_\-]{38,})", ("fig",)),
    _p("NEW_RELIC_KEY", "new_relic_license_key", r"(?P<secret>\b[a-fA-F0-9]{36}NRAL)\b", ("nral",)),
    _p("NEW_RELIC_KEY", "new_relic_user_key", r"(?P<secret>\bNRA[KI]-[A-Za-z0-9]{27})\b", ("nra",)),
    _p(
        "AWS_KEY",
        "aws_session_token",
        r"(?P<secret>\b(?:FwoGZXIvYXdz|IQoJb3JpZ2lu)[A-Za-z0-9+/=]{80,})",
        ("fwogzxivyxdz", "iqojb3jpz2lu"),
    ),
    # A 64-byte key in base64 (Azure storage account keys) pasted without 'AccountKey='; a
    # package-lock 'sha512-' integrity hash has the same length and is public.
    _p(
        "AZURE_KEY",
        "azure_storage_key_shape",
        r"(?<![A-Za-z0-9+/])(?<!sha512-)(?P<secret>[A-Za-z0-9+/]{86}==)(?![A-Za-z0-9+/=])",
        ("==",),
    ),
    # Formats newer than the vendored gitleaks release (rules/SOURCE.md), from later gitleaks rules
    # and the vendors' documentation: Tailscale API/auth/OAuth keys, OpenRouter keys, Claude Code
    # OAuth tokens, and claude.ai session links (the link itself grants access to the session).
    _p(
        "TAILSCALE_KEY",
        "tailscale_key",
        r"(?P<secret>\btskey-(?:api|auth|client|scim|webhook)-[A-Za-z0-9]{6,}-[A-Za-z0-9]{16,})",
        ("tskey-",),
    ),
    _p("OPENROUTER_KEY", "openrouter_api_key", r"(?P<secret>\bsk-or-v1-[a-f0-9]{64})\b", ("sk-or-",)),
    _p("ANTHROPIC_KEY", "claude_code_oauth_token", r"(?P<secret>\bsk-ant-oat01-[A-Za-z0-9_\-]{93,})", ("sk-ant-oat",)),
    _p(
        "SESSION_URL",
        "claude_code_session_url",
        r"(?i)\bclaude\.ai/code/(?P<secret>session_[A-Za-z0-9]{16,})",
        ("claude.ai/code/",),
    ),
    # Webhook URLs whose path is the credential (the URL alone lets anyone post): Discord's
    # '/api/webhooks/<snowflake id>/<68-character token>'. gitleaks has rules for Discord's bot
    # tokens and client secrets, none for its webhooks.
    _p(
        "DISCORD_WEBHOOK",
        "discord_webhook_url",
        r"(?P<secret>\bhttps?://(?:(?:ptb|canary)\.)?discord(?:app)?\.com/api(?:/v\d+)?/webhooks/\d{16,20}/"
        r"[A-Za-z0-9_\-]{40,100})",
        ("/api/webhooks/", "/webhooks/"),
    ),
    # HashiCorp Vault tokens by their prefix (service 'hvs.', batch 'hvb.', recovery 'hvr.'); gitleaks'
    # rules want 90+ characters, but Vault's own docs show 'hvs.' + 24 characters (non-persisted
    # tokens, Vault 1.10+), and the prefix is unique.
    _p(
        "VAULT_TOKEN",
        "vault_prefixed_token",
        r"(?<![\w.])(?P<secret>hv[sbr]\.[A-Za-z0-9_\-]{20,})",
        ("hvs.", "hvb.", "hvr."),
    ),
    # NuGet.org API keys: 'oy2' and 43 lower-case letters and digits (the format trufflehog's NuGet
    # detector matches); gitleaks knows only the password in a NuGet.Config.
    _p("NUGET_API_KEY", "nuget_api_key", r"(?<![A-Za-z0-9])(?P<secret>oy2[a-z0-9]{43})(?![A-Za-z0-9])", ("oy2",)),
    # Replicate API tokens: 'r8_' and 37 letters, digits, '-' or '_' (trufflehog's Replicate detector).
    _p("REPLICATE_API_TOKEN", "replicate_api_token", r"(?<![\w-])(?P<secret>r8_[A-Za-z0-9_\-]{37})(?![\w-])", ("r8_",)),
    # Mapbox secret ('sk.') and temporary ('tk.') tokens: the prefix, a base64url JSON payload ('eyJ'),
    # '.', the signature. gitleaks matches only the public 'pk.' form, next to the word 'mapbox'.
    _p(
        "MAPBOX_SECRET_TOKEN",
        "mapbox_secret_token",
        r"(?<![\w.-])(?P<secret>[st]k\.eyJ[A-Za-z0-9_\-]{20,}\.[A-Za-z0-9_\-]{20,})",
        ("sk.eyj", "tk.eyj"),
    ),
    # Honeycomb API keys: 'hc' + key type ('aik' ingest, 'amk' management, ...) + '_' + the key.
    _p("HONEYCOMB_API_KEY", "honeycomb_api_key", r"(?<![\w-])(?P<secret>hc[a-z]{2}k_[a-z0-9]{40,})\b", ("k_",)),
    # More vendor formats gitleaks' rules lack (or find only next to the vendor's name), each with a
    # prefix or a layout no identifier has (the formats trufflehog's detectors match):
    # Bitbucket app passwords ('ATBB' + 32), Braintree access tokens ('access_token$production$...'),
    # Mailgun's current API keys (32 hex, 8 hex, 8 hex), Adyen API keys ('AQE', two base64 parts and
    # a tail, joined by '-'), Google OAuth refresh tokens ('1//0'), Fly.io macaroon tokens ('FlyV1 '
    # and comma-separated 'fm2_' parts; gitleaks' rule stops at the first comma).
    _p(
        "BITBUCKET_APP_PASSWORD",
        "bitbucket_app_password",
        r"(?<![\w-])(?P<secret>ATBB[A-Za-z0-9_\-=.]{28,})",
        ("atbb",),
    ),
    _p(
        "BRAINTREE_TOKEN",
        "braintree_access_token",
        r"(?P<secret>\baccess_token\$(?:production|sandbox|development|qa)\$[0-9a-z]{16}\$[0-9a-f]{32})\b",
        ("access_token$",),
    ),
    _p(
        "MAILGUN_KEY",
        "mailgun_api_key",
        r"(?<![\w-])(?P<secret>(?:key-)?[0-9a-f]{32}-[0-9a-f]{8}-[0-9a-f]{8})(?![\w-])",
        (),
        valid=lambda value: any(c.isalpha() for c in value) and any(c.isdigit() for c in value),
        line_pattern=r"-[0-9a-f]{8}-[0-9a-f]{8}(?![\w-])",
    ),
    _p(
        "ADYEN_API_KEY",
        "adyen_api_key",
        r"(?<![\w-])(?P<secret>AQE[A-Za-z0-9+/]{20,}={0,2}-[A-Za-z0-9+/]{20,}={0,2}-[^\s\"'`]{8,})",
        ("aqe",),
    ),
    _p("GCP_OAUTH_TOKEN", "google_oauth_refresh_token", r"(?<![\w/])(?P<secret>1//0[A-Za-z0-9_\-]{40,})", ("1//0",)),
    _p(
        "FLYIO_TOKEN",
        "flyio_macaroon_token",
        r"(?P<secret>\bFlyV1 fm\d[a-z]?_[A-Za-z0-9+/=_\-]{40,}(?:,fm\d[a-z]?_[A-Za-z0-9+/=_\-]{20,})*)",
        ("flyv1",),
    ),
    # An API key in a URL's query string under the bare name 'key' ('?key=AIza...', '&key=...'): the
    # name alone says nothing, so the value must look random (letters and digits, 20+ characters).
    _p(
        "SECRET",
        "url_query_key",
        r"[?&](?:key|apikey|api_key|access_key|token|access_token|auth)=(?P<secret>[A-Za-z0-9_\-]{20,})"
        r"(?=$|[&#\s\"'])",
        ("key=", "token=", "auth="),
        valid=lambda value: any(c.isupper() or c.islower() for c in value) and sum(c.isdigit() for c in value) >= 2,
    ),
    # Firebase Cloud Messaging legacy server key: 'AAAA' + 7 characters, ':APA91b', then the key.
    _p(
        "FIREBASE_KEY",
        "firebase_fcm_server_key",
        r"(?<![\w-])(?P<secret>AAAA[A-Za-z0-9_\-]{7}:APA91b[A-Za-z0-9_\-]{100,})",
        (":apa91b",),
    ),
    # Oracle's thin/OCI JDBC URL: 'jdbc:oracle:thin:user/password@//host:1521/SVC'.
    _p(
        "PASSWORD_IN_URL",
        "jdbc_oracle_password",
        r"(?i)\bjdbc:oracle:(?:thin|oci8?):[^\s/@:\"']+/(?P<secret>[^\s\"']+?)@(?=//|\(|[\w.\-\[]+:\d)",
        ("jdbc:oracle:",),
    ),
    # A login call with a literal user and password: smtplib's s.login("u", "p"), ftplib, imaplib,
    # requests' auth=("u", "p"), HTTPBasicAuth("u", "p").
    _p(
        "PASSWORD",
        "login_call_password",
        r"(?:\.login|\bHTTP(?:Basic|Digest)Auth|\bBasicAuth|\bauth\s*=\s*)\(\s*(?P<q1>[\"'])[^\"'\n]{1,80}(?P=q1)\s*,\s*"
        r"(?P<q>[\"'])(?P<secret>(?:\\.|(?!(?P=q))[^\\\n]){3,})(?P=q)\s*\)",
        ("login(", "auth(", "auth=", "auth ="),
    ),
    # An Authorization header whose scheme is a vendor's word, not Basic/Bearer: Okta's 'SSWS',
    # 'Token', Opsgenie's 'GenieKey', 'ApiKey', Splunk's 'Splunk', Klaviyo's 'Klaviyo-API-Key'.
    _p(
        "API_TOKEN",
        "authorization_scheme_token",
        r"(?i)\bAuthorization[\"']?\s*[:=]\s*[\"']?(?:SSWS|Token|GenieKey|Api-?Key|Key|Splunk|Klaviyo-API-Key|"
        r"sso-key|Zoho-oauthtoken|DeepL-Auth-Key|OAuth|JWT)\s+(?P<secret>[A-Za-z0-9\-._~+/:]{16,}=*)" + _VALUE_END,
        ("authorization",),
    ),
    # Atlassian API tokens: 'ATATT3' and the body, then '=' and an 8-hex-digit CRC32 checksum. gitleaks
    # wants exactly 186 characters after the prefix; the checksum suffix identifies a token of any length.
    _p(
        "ATLASSIAN_TOKEN",
        "atlassian_api_token_checksum",
        r"(?P<secret>\bATATT3[A-Za-z0-9_\-]{100,220}=[0-9A-Fa-f]{8})(?![\w=\-])",
        ("atatt3",),
    ),
    # WordPress's authentication keys and salts (wp-config.php), named by WordPress itself.
    _p(
        "APP_SECRET_KEY",
        "wordpress_auth_key_salt",
        r"\bdefine\(\s*[\"'](?:SECURE_AUTH|LOGGED_IN|NONCE|AUTH)_(?:KEY|SALT)[\"']\s*,\s*(?P<q>[\"'])"
        r"(?P<secret>(?:\\.|(?!(?P=q))[^\\\n]){8,})(?P=q)",
        ("_key", "_salt"),
    ),
    # HTTP credentials in headers, curl commands and logs.
    _p(
        "BEARER_TOKEN",
        "authorization_bearer",
        rf"(?i)\bBearer(?:\s+token)?(?:\s*[:=]\s*|\s+|%20|\+)[\"'`]?(?P<secret>[A-Za-z0-9\-._~+/%]{{8,}}=*){_VALUE_END}",
        ("bearer",),
    ),
    # 'Basic <base64>' anywhere: a header, a Python dict, a HAR entry, a log line.
    _p(
        "BASIC_AUTH",
        "authorization_basic",
        rf"\b[Bb]asic\s+(?P<secret>[A-Za-z0-9+/]{{6,}}={{0,2}}){_VALUE_END}",
        ("basic",),
        valid=_user_colon_password,
    ),
    _p(
        "SESSION_COOKIE",
        "cookie_header",
        r"(?im)\b(?<!Set-)Cookie\"?\s*:\s*\"?(?P<secret>[^\s=;\"]+=[^\n\"]{6,}?)(?=\"?\s*$|\"\s*[,}])",
        ("cookie",),
    ),
    # Set-Cookie holds one cookie, then its attributes ('; Path=/; HttpOnly; Max-Age=1209600'),
    # which are not secret and which the brief may need.
    _p(
        "SESSION_COOKIE",
        "set_cookie_header",
        r"(?im)\bSet-Cookie\"?\s*:\s*\"?(?P<secret>[^\s=;\"]+=[^\n\";]{6,}?)(?=\"?\s*$|\"\s*[,}]|\s*;)",
        ("set-cookie",),
    ),
    # Password fields in forms assignments.py does not parse: a quote never closed before a
    # delimiter, a name glued to other text ('x_db-password:...').
    _p(
        "PASSWORD",
        "password_field",
        r"(?i)(?<![\w-])(?:[\w-]*[_-])?(?:password|passwd|pwd)\"?\s*[:=]\s*[\"']?"
        r"(?P<secret>(?=[^\s\"'&,;<>]*[A-Za-z])(?=[^\s\"'&,;<>]*\d)[^\s\"'&,;<>]{8,})",
        ("passw", "pwd"),
    ),
    # user:password@host with characters detect-secrets' basic-auth pattern rejects ('!', '$', ...).
    _p(
        "PASSWORD_IN_URL",
        "password_in_url",
        r"\b[a-zA-Z][a-zA-Z0-9+.\-]{1,20}://[^\s:/@\"'<>]*:(?P<secret>[^\s/\"'<>]+)@(?=[\w.\-\[])",
        ("://",),
    ),
)


def find_credentials(text: str, lines: Lines | None = None) -> Iterator[Detection]:
    index = lines if lines is not None else Lines(text)
    for pattern in PATTERNS:
        if pattern.line_pattern is not None:
            numbers = index.matching(pattern.line_pattern)
        else:
            numbers = index.containing(anchor.lower() for anchor in pattern.anchors)
        for number in numbers:
            offset, line = index.line(number)
            for match in pattern.regex.finditer(line):
                if pattern.valid is not None and not pattern.valid(match.group("secret")):
                    continue
                start, end = match.span("secret")
                yield Detection(pattern.kind, offset + start, offset + end, f"custom:{pattern.name}", Category.secret)
