#!/usr/bin/env python3
"""Build unseen_leaks_d.jsonl: a frozen, blind evaluation corpus for the secrets/PII redactor.

Stdlib only, deterministic (fixed seed, no dependence on PYTHONHASHSEED: no set/dict
iteration over hashed strings influences the output order).

    python3 tests/corpus/unseen_leaks_d/build.py            # writes unseen_leaks_d.jsonl
    python3 tests/corpus/unseen_leaks_d/build.py --stats    # also prints the tables

Record: {"id","context","text","sensitive":[{"start","end","category","kind"}],
         "keep":[{"start","end","kind"}]}  (Python str offsets, end exclusive).
"""
import base64
import collections
import datetime as dt
import json
import os
import re
import sys
import random
import unicodedata

SEED = 0x0D5EC12D
R = random.Random(SEED)
N_SNIPPETS = 560

UP = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
LO = 'abcdefghijklmnopqrstuvwxyz'
DG = '0123456789'
AN = UP + LO + DG
HEX = '0123456789abcdef'
HEXU = '0123456789ABCDEF'
B64 = AN + '+/'
B64U = AN + '-_'
B32 = UP + '234567'


def rs(alpha, n):
    return ''.join(R.choice(alpha) for _ in range(n))


def pick(seq):
    return seq[R.randrange(len(seq))]


def chance(p):
    return R.random() < p


def rbytes(n):
    return bytes(R.randrange(256) for _ in range(n))


def b64(b):
    return base64.b64encode(b).decode()


def b64u_nopad(b):
    return base64.urlsafe_b64encode(b).decode().rstrip('=')


def ascii_fold(s):
    return unicodedata.normalize('NFKD', s).encode('ascii', 'ignore').decode()


# --------------------------------------------------------------------------------------
# Document builder: text is assembled from segments, so offsets are known by construction
# --------------------------------------------------------------------------------------
class Mark:
    __slots__ = ('v', 'kind', 'cat')

    def __init__(self, v, kind, cat):
        self.v, self.kind, self.cat = v, kind, cat


def S(v, kind):
    return Mark(v, kind, 'secret')


def P(v, kind):
    return Mark(v, kind, 'pii')


def K(v, kind):
    return Mark(v, kind, 'keep')


class Doc:
    def __init__(self, context):
        self.context = context
        self.buf = []
        self.n = 0
        self.sens = []
        self.keep = []

    def add(self, *parts):
        for p in parts:
            if p is None:
                continue
            if isinstance(p, (list, tuple)):
                self.add(*p)
            elif isinstance(p, str):
                self.buf.append(p)
                self.n += len(p)
            elif isinstance(p, Mark):
                st = self.n
                self.buf.append(p.v)
                self.n += len(p.v)
                if p.cat == 'keep':
                    self.keep.append(({'start': st, 'end': self.n, 'kind': p.kind}, p.v))
                else:
                    self.sens.append(({'start': st, 'end': self.n, 'category': p.cat,
                                       'kind': p.kind}, p.v))
            else:
                raise TypeError(repr(p))
        return self

    def f(self, tpl, **kw):
        parts = re.split(r'«(\w+)»', tpl)
        for i, p in enumerate(parts):
            if i % 2 == 0:
                if p:
                    self.add(p)
            else:
                self.add(kw[p])
        return self

    @property
    def text(self):
        return ''.join(self.buf)


# --------------------------------------------------------------------------------------
# Checksums / validators (used both to generate and to re-validate from written text)
# --------------------------------------------------------------------------------------
def luhn_ok(digits):
    tot = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        tot += d
    return tot % 10 == 0


def luhn_complete(partial):
    for c in DG:
        if luhn_ok(partial + c):
            return partial + c
    raise AssertionError


def iban_check(country, bban):
    s = bban + country + '00'
    num = ''.join(str(int(c, 36)) for c in s)
    return '%02d' % (98 - int(num) % 97)


def iban_ok(s):
    s = re.sub(r'[\s\-]', '', s).upper()
    s2 = s[4:] + s[:4]
    return int(''.join(str(int(c, 36)) for c in s2)) % 97 == 1


VH_D = [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
        [2, 3, 4, 0, 1, 7, 8, 9, 5, 6], [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
        [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
        [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
        [8, 7, 6, 5, 9, 3, 2, 1, 0, 4], [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]]
VH_P = [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
        [5, 8, 0, 3, 7, 9, 6, 1, 4, 2], [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
        [9, 4, 5, 3, 1, 2, 6, 8, 7, 0], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
        [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8]]
VH_INV = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9]


def verhoeff_ok(digits):
    c = 0
    for i, ch in enumerate(reversed(digits)):
        c = VH_D[c][VH_P[i % 8][int(ch)]]
    return c == 0


def verhoeff_digit(digits):
    c = 0
    for i, ch in enumerate(reversed(digits)):
        c = VH_D[c][VH_P[(i + 1) % 8][int(ch)]]
    return str(VH_INV[c])


def bsn_ok(d):
    return len(d) == 9 and (sum(int(d[i]) * (9 - i) for i in range(8)) - int(d[8])) % 11 == 0


PESEL_W = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3]


def pesel_ok(d):
    return len(d) == 11 and (10 - sum(int(a) * w for a, w in zip(d, PESEL_W)) % 10) % 10 == int(d[10])


DNI_L = 'TRWAGMYFPDXBNJZSQVHLCKE'


def dni_ok(s):
    s = s.replace('-', '').replace(' ', '').upper()
    return len(s) == 9 and s[:8].isdigit() and DNI_L[int(s[:8]) % 23] == s[8]


def nir_ok(s):
    d = re.sub(r'\D', '', s)
    return len(d) == 15 and 97 - int(d[:13]) % 97 == int(d[13:])


def se_pnr_ok(s):
    d = re.sub(r'\D', '', s)
    if len(d) == 12:
        d = d[2:]
    return len(d) == 10 and luhn_ok(d)


HETU_C = '0123456789ABCDEFHJKLMNPRSTUVWXY'


def hetu_ok(s):
    m = re.fullmatch(r'(\d{6})([-+A-FYXWVU])(\d{3})([0-9A-Y])', s)
    return bool(m) and HETU_C[int(m.group(1) + m.group(3)) % 31] == m.group(4)


NRIC_W = [2, 7, 6, 5, 4, 3, 2]


def nric_ok(s):
    if not re.fullmatch(r'[ST]\d{7}[A-Z]', s):
        return False
    tot = sum(int(c) * w for c, w in zip(s[1:8], NRIC_W)) + (4 if s[0] == 'T' else 0)
    return 'JZIHGFEDCBA'[tot % 11] == s[8]


CN_W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def cn_check(d17):
    return '10X98765432'[sum(int(a) * w for a, w in zip(d17, CN_W)) % 11]


def cn_ok(s):
    return len(s) == 18 and s[:17].isdigit() and cn_check(s[:17]) == s[17].upper()


CF_ODD = {}
for _c, _v in zip('0123456789', [1, 0, 5, 7, 9, 13, 15, 17, 19, 21]):
    CF_ODD[_c] = _v
for _c, _v in zip(UP, [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14,
                       16, 10, 22, 25, 24, 23]):
    CF_ODD[_c] = _v


def cf_even(c):
    return int(c) if c.isdigit() else ord(c) - 65


def cf_check(s15):
    tot = 0
    for i, c in enumerate(s15):
        tot += CF_ODD[c] if i % 2 == 0 else cf_even(c)
    return UP[tot % 26]


def cf_ok(s):
    s = s.upper()
    return len(s) == 16 and cf_check(s[:15]) == s[15]


def be_nrn_ok(s):
    d = re.sub(r'\D', '', s)
    if len(d) != 11:
        return False
    base, chk = int(d[:9]), int(d[9:])
    return 97 - base % 97 == chk or 97 - (2000000000 + base) % 97 == chk


def ssn_ok(s):
    d = re.sub(r'\D', '', s)
    return (len(d) == 9 and d[:3] not in ('000', '666') and d[0] != '9'
            and d[3:5] != '00' and d[5:] != '0000')


NINO_BAD = ('BG', 'GB', 'KN', 'NK', 'NT', 'TN', 'ZZ')


def nino_ok(s):
    s = s.replace(' ', '').upper()
    m = re.fullmatch(r'([A-Z])([A-Z])(\d{6})([A-D])', s)
    return bool(m) and m.group(1) not in 'DFIQUV' and m.group(2) not in 'DFIOQUV' \
        and s[:2] not in NINO_BAD


VALIDATORS = {
    'CARD_NUMBER': lambda s: 13 <= len(re.sub(r'\D', '', s)) <= 19 and luhn_ok(re.sub(r'\D', '', s)),
    'IBAN': iban_ok,
    'CA_SIN': lambda s: len(re.sub(r'\D', '', s)) == 9 and luhn_ok(re.sub(r'\D', '', s)),
    'IN_AADHAAR': lambda s: len(re.sub(r'\D', '', s)) == 12 and verhoeff_ok(re.sub(r'\D', '', s)),
    'NL_BSN': lambda s: bsn_ok(re.sub(r'\D', '', s)),
    'PL_PESEL': pesel_ok,
    'ES_DNI': dni_ok,
    'FR_NIR': nir_ok,
    'SE_PERSONNUMMER': se_pnr_ok,
    'FI_HETU': hetu_ok,
    'SG_NRIC': nric_ok,
    'CN_RESIDENT_ID': cn_ok,
    'IT_CODICE_FISCALE': cf_ok,
    'BE_NRN': be_nrn_ok,
    'US_SSN': ssn_ok,
    'UK_NINO': nino_ok,
}

# --------------------------------------------------------------------------------------
# PII generators (synthetic)
# --------------------------------------------------------------------------------------
FIRST = ['Jane', 'Marco', 'Aisha', 'Tomasz', 'Lucía', 'Hiroshi', 'Priya', 'Oliver', 'Chloé',
         'Sven', 'Fatima', 'Diego', 'Ingrid', 'Kwame', 'Mei', 'Rafael', 'Anneke', 'Yusuf',
         'Elena', 'Liam', 'Björn', 'Noémie', 'Carmen', 'Deepak', 'Grace', 'Matteo', 'Zofia',
         'Tobias', 'Amara', 'Kenji']
LAST = ['Doe', 'Rossi', 'Khan', 'Nowak', 'García', 'Tanaka', 'Sharma', 'Bennett', 'Dubois',
        'Lindqvist', 'Haddad', 'Fernández', 'Johansson', 'Mensah', 'Chen', 'Oliveira',
        'de Vries', 'Demir', 'Popescu', 'Murphy', 'Schäfer', 'Kowalczyk', 'Moreau', 'Okafor',
        'Virtanen', 'Costa', 'Nakamura', 'Brennan', 'Ferreira', 'Ahmed']
AGENTS = ['Sam', 'Nadia', 'Pete', 'Lena', 'Ravi', 'Joanna', 'Tom', 'Ines']
MAIL_DOMAINS = ['gmail.com', 'outlook.com', 'yahoo.co.uk', 'web.de', 'orange.fr', 'proton.me',
                'icloud.com', 'gmx.net', 'libero.it', 'hotmail.es', 't-online.de', 'wp.pl',
                'bluewin.ch', 'telenet.be', 'kpnmail.nl', 'fastmail.com', 'hey.com',
                'acme-logistics.com', 'brightfield.co', 'nordhafen-gmbh.de']


def person():
    return pick(FIRST), pick(LAST)


def email_addr(fn=None, ln=None):
    if fn is None:
        fn, ln = person()
    f = ascii_fold(fn).lower()
    l = ascii_fold(ln).lower().replace(' ', '')
    local = pick([f + '.' + l, f[0] + l, f + l[0] + str(R.randint(70, 99)), f + '_' + l,
                  l + '.' + f + str(R.randint(1, 9)), f + str(R.randint(1980, 2005))])
    return local, pick(MAIL_DOMAINS)


def email(fn=None, ln=None):
    local, dom = email_addr(fn, ln)
    return local + '@' + dom


def email_obf(fn=None, ln=None):
    local, dom = email_addr(fn, ln)
    style = R.randrange(5)
    if style == 0:
        return local.replace('.', ' dot ') + ' at ' + dom.replace('.', ' dot ')
    if style == 1:
        return local + ' [at] ' + dom.replace('.', ' [dot] ')
    if style == 2:
        return local + '(at)' + dom.replace('.', '(dot)')
    if style == 3:
        return local + ' @ ' + dom
    return local + ' AT ' + dom.replace('.', ' DOT ')


def dd(n):
    return ''.join(R.choice(DG) for _ in range(n))


def phone(country=None):
    c = country or pick(['US', 'UK', 'DE', 'FR', 'ES', 'IT', 'NL', 'BR', 'IN', 'JP', 'AU',
                         'SE', 'PL', 'MX', 'CA', 'CH'])
    nat = chance(0.45)
    if c in ('US', 'CA'):
        a = pick(['212', '415', '312', '617', '206', '512', '303', '416', '604', '514'])
        x = '555'
        y = '01' + dd(2)
        return pick([f'({a}) {x}-{y}', f'{a}-{x}-{y}', f'{a}.{x}.{y}']) if nat else \
            pick([f'+1 {a} {x} {y}', f'+1 ({a}) {x}-{y}', f'+1-{a}-{x}-{y}', f'+1{a}{x}{y}'])
    if c == 'UK':
        if chance(0.5):
            n = '900' + dd(3)
            return f'07700 {n}' if nat else pick([f'+44 7700 {n}', f'+447700{n}'])
        n = '0' + dd(3)
        return f'020 7946 {n}' if nat else f'+44 20 7946 {n}'
    if c == 'DE':
        m = pick(['151', '160', '170', '176', '1522'])
        n = dd(8 if len(m) == 3 else 7)
        if chance(0.4):
            n = dd(7)
            return f'030 {n}' if nat else pick([f'+49 30 {n}', f'+49 (0)30 {n}'])
        return f'0{m} {n}' if nat else pick([f'+49 {m} {n}', f'0049 {m} {n}'])
    if c == 'FR':
        g = [pick(['6', '7', '1'])] + [dd(2) for _ in range(4)]
        return ('0' + ' '.join(g)) if nat else pick(['+33 ' + ' '.join(g), '+33' + ''.join(g),
                                                     '+33 (0)' + ' '.join(g)])
    if c == 'ES':
        a, b, cc = pick(['6', '7']) + dd(2), dd(3), dd(3)
        return f'{a} {b} {cc}' if nat else pick([f'+34 {a} {b} {cc}', f'+34{a}{b}{cc}'])
    if c == 'IT':
        a = '3' + pick(['20', '33', '38', '47', '49'])
        return f'{a} {dd(3)} {dd(4)}' if nat else f'+39 {a} {dd(3)} {dd(4)}'
    if c == 'NL':
        return f'06-{dd(8)}' if nat else pick([f'+31 6 {dd(8)}', f'+31 (0)6 {dd(4)} {dd(4)}'])
    if c == 'BR':
        a = pick(['11', '21', '31', '41', '51', '61'])
        return f'({a}) 9{dd(4)}-{dd(4)}' if nat else f'+55 {a} 9{dd(4)}-{dd(4)}'
    if c == 'IN':
        return f'0{pick("6789")}{dd(4)} {dd(5)}' if nat else f'+91 {pick("6789")}{dd(4)} {dd(5)}'
    if c == 'JP':
        return f'0{pick(["80", "90", "70"])}-{dd(4)}-{dd(4)}' if nat else \
            f'+81 {pick(["80", "90", "70"])}-{dd(4)}-{dd(4)}'
    if c == 'AU':
        return f'04{dd(2)} {dd(3)} {dd(3)}' if nat else f'+61 4{dd(2)} {dd(3)} {dd(3)}'
    if c == 'SE':
        return f'07{pick("0236")}-{dd(3)} {dd(2)} {dd(2)}' if nat else \
            f'+46 7{pick("0236")} {dd(3)} {dd(2)} {dd(2)}'
    if c == 'PL':
        return f'{pick("5678")}{dd(2)} {dd(3)} {dd(3)}' if nat else \
            f'+48 {pick("5678")}{dd(2)} {dd(3)} {dd(3)}'
    if c == 'MX':
        return f'55 {dd(4)} {dd(4)}' if nat else f'+52 55 {dd(4)} {dd(4)}'
    if c == 'CH':
        return f'07{pick("5689")} {dd(3)} {dd(2)} {dd(2)}' if nat else \
            f'+41 7{pick("5689")} {dd(3)} {dd(2)} {dd(2)}'
    raise ValueError(c)


def card(sep=None):
    brand = R.randrange(6)
    if brand == 0:
        p, n = '4' + dd(5), 16
    elif brand == 1:
        p, n = str(R.randint(51, 55)) + dd(4), 16
    elif brand == 2:
        p, n = str(R.randint(2221, 2720)) + dd(2), 16
    elif brand == 3:
        p, n = pick(['34', '37']) + dd(4), 15
    elif brand == 4:
        p, n = '6011' + dd(2), 16
    else:
        p, n = str(R.randint(3528, 3589)) + dd(2), 16
    num = luhn_complete(p + dd(n - len(p) - 1))
    if sep is None:
        sep = pick([' ', '-', '', ' '])
    if n == 15:
        g = [num[:4], num[4:10], num[10:]]
    else:
        g = [num[i:i + 4] for i in range(0, 16, 4)]
    return sep.join(g)


IBAN_SPEC = {  # country: BBAN pattern (n=digit, a=upper letter, c=alnum upper)
    'DE': 'n' * 18, 'FR': 'n' * 23, 'ES': 'n' * 20, 'IT': 'a' + 'n' * 10 + 'n' * 12,
    'NL': 'aaaa' + 'n' * 10, 'GB': 'aaaa' + 'n' * 14, 'BE': 'n' * 12, 'AT': 'n' * 16,
    'CH': 'n' * 17, 'PL': 'n' * 24, 'PT': 'n' * 21, 'IE': 'aaaa' + 'n' * 14, 'SE': 'n' * 20,
    'DK': 'n' * 14, 'FI': 'n' * 14, 'LU': 'nnn' + 'c' * 13,
}
BANK_CODES = {'NL': ['ABNA', 'INGB', 'RABO', 'SNSB'], 'GB': ['BARC', 'NWBK', 'HBUK', 'LOYD'],
              'IE': ['AIBK', 'BOFI']}


def iban(country=None, fmt=None):
    c = country or pick(sorted(IBAN_SPEC))
    spec = IBAN_SPEC[c]
    if c in BANK_CODES:
        bban = pick(BANK_CODES[c]) + ''.join(R.choice(DG) for _ in spec[4:])
    else:
        bban = ''.join(R.choice(DG) if t == 'n' else R.choice(UP) if t == 'a'
                       else R.choice(DG + UP) for t in spec)
    s = c + iban_check(c, bban) + bban
    fmt = fmt or pick(['space', 'space', 'plain', 'lower', 'dash', 'lower_space'])
    groups = [s[i:i + 4] for i in range(0, len(s), 4)]
    if fmt == 'space':
        return ' '.join(groups)
    if fmt == 'plain':
        return s
    if fmt == 'lower':
        return s.lower()
    if fmt == 'dash':
        return '-'.join(groups)
    return ' '.join(groups).lower()


def ssn(style=None):
    while True:
        a = R.randint(1, 899)
        if a != 666:
            break
    s = '%03d' % a, '%02d' % R.randint(1, 99), '%04d' % R.randint(1, 9999)
    style = style or pick(['-', '-', '', ' '])
    return style.join(s)


def nino(spaced=None):
    while True:
        a = R.choice([c for c in UP if c not in 'DFIQUV'])
        b = R.choice([c for c in UP if c not in 'DFIOQUV'])
        if a + b not in NINO_BAD:
            break
    d = dd(6)
    suf = pick('ABCD')
    if spaced if spaced is not None else chance(0.5):
        return f'{a}{b} {d[:2]} {d[2:4]} {d[4:]} {suf}'
    return f'{a}{b}{d}{suf}'


def sin():
    s = luhn_complete(pick('1234567') + dd(7))
    return pick([f'{s[:3]} {s[3:6]} {s[6:]}', f'{s[:3]}-{s[3:6]}-{s[6:]}', s])


def rand_date(y0=1950, y1=2004):
    return dt.date(R.randint(y0, y1), R.randint(1, 12), R.randint(1, 28))


MONTHS_EN = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August',
             'September', 'October', 'November', 'December']
MONTHS_DE = ['Januar', 'Februar', 'März', 'April', 'Mai', 'Juni', 'Juli', 'August',
             'September', 'Oktober', 'November', 'Dezember']
MONTHS_FR = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août',
             'septembre', 'octobre', 'novembre', 'décembre']
MONTHS_ES = ['enero', 'febrero', 'marzo', 'abril', 'mayo', 'junio', 'julio', 'agosto',
             'septiembre', 'octubre', 'noviembre', 'diciembre']


def dob(d=None, lang='en'):
    d = d or rand_date()
    if lang == 'de':
        return pick([d.strftime('%d.%m.%Y'), f'{d.day}. {MONTHS_DE[d.month - 1]} {d.year}'])
    if lang == 'fr':
        return pick([d.strftime('%d/%m/%Y'), f'{d.day} {MONTHS_FR[d.month - 1]} {d.year}'])
    if lang in ('es', 'pt', 'it'):
        return pick([d.strftime('%d/%m/%Y'), d.strftime('%d-%m-%Y')]) if lang != 'es' or chance(0.6) \
            else f'{d.day} de {MONTHS_ES[d.month - 1]} de {d.year}'
    return pick([d.isoformat(), d.strftime('%m/%d/%Y'), d.strftime('%d/%m/%Y'),
                 f'{MONTHS_EN[d.month - 1]} {d.day}, {d.year}', d.strftime('%d %b %Y'),
                 d.strftime('%Y%m%d')])


def address(country=None):
    c = country or pick(['US', 'UK', 'DE', 'FR', 'ES', 'IT', 'NL', 'CA', 'AU'])
    if c == 'US':
        st = pick(['Maple Ridge Dr', 'W 34th St', 'Oak Hollow Ln', 'Beacon St', 'Pine Ave',
                   'Cedar Crest Blvd', 'N Lamar Blvd'])
        city = pick([('Portland', 'OR', '972'), ('Austin', 'TX', '787'), ('Boston', 'MA', '021'),
                     ('Denver', 'CO', '802'), ('Raleigh', 'NC', '276')])
        apt = pick(['', f', Apt {R.randint(1, 40)}{pick("ABCD")}', f' Suite {R.randint(100, 900)}'])
        return f'{R.randint(10, 9899)} {st}{apt}, {city[0]}, {city[1]} {city[2]}{dd(2)}'
    if c == 'UK':
        st = pick(['Kingsley Road', 'Mill Lane', 'Victoria Street', 'Elm Grove', 'Station Road'])
        city = pick([('Leeds', 'LS6'), ('Bristol', 'BS8'), ('Manchester', 'M14'),
                     ('London', 'SE15'), ('Glasgow', 'G12')])
        return f'{R.randint(1, 220)} {st}, {city[0]} {city[1]} {R.randint(1, 9)}{pick("ABDEFGHJLNPQRSTUWXYZ")}{pick("ABDEFGHJLNPQRSTUWXYZ")}'
    if c == 'DE':
        st = pick(['Hauptstraße', 'Lindenallee', 'Goethestr.', 'Am Mühlbach', 'Schillerweg'])
        city = pick([('10115', 'Berlin'), ('80331', 'München'), ('50667', 'Köln'),
                     ('20095', 'Hamburg'), ('04109', 'Leipzig')])
        return f'{st} {R.randint(1, 140)}{pick(["", "a", "b"])}, {city[0]} {city[1]}'
    if c == 'FR':
        st = pick(['rue des Lilas', 'avenue Jean Jaurès', 'boulevard Voltaire', 'rue du Moulin'])
        city = pick([('69003', 'Lyon'), ('75011', 'Paris'), ('31000', 'Toulouse'),
                     ('13006', 'Marseille')])
        return f'{R.randint(1, 180)} {st}, {city[0]} {city[1]}'
    if c == 'ES':
        st = pick(['Calle Mayor', 'Avenida de la Constitución', 'Calle del Carmen', 'Paseo de Gracia'])
        city = pick([('28013', 'Madrid'), ('08007', 'Barcelona'), ('41001', 'Sevilla')])
        return f'{st} {R.randint(1, 120)}, {R.randint(1, 8)}º {pick("ABCD")}, {city[0]} {city[1]}'
    if c == 'IT':
        st = pick(['Via Roma', 'Corso Garibaldi', 'Via dei Mille', 'Piazza Dante'])
        city = pick([('20121', 'Milano'), ('00184', 'Roma'), ('10121', 'Torino'), ('80134', 'Napoli')])
        return f'{st} {R.randint(1, 160)}, {city[0]} {city[1]}'
    if c == 'NL':
        st = pick(['Keizersgracht', 'Oudegracht', 'Lange Voorhout', 'Witte de Withstraat'])
        return f'{st} {R.randint(1, 400)}, {R.randint(1011, 3584)} {pick(UP)}{pick(UP)} {pick(["Amsterdam", "Utrecht", "Rotterdam", "Den Haag"])}'
    if c == 'CA':
        st = pick(['Rue Sainte-Catherine', 'Queen St W', 'Robson St'])
        city = pick([('Montréal', 'QC', 'H3B'), ('Toronto', 'ON', 'M5V'), ('Vancouver', 'BC', 'V6E')])
        return f'{R.randint(10, 2400)} {st}, {city[0]}, {city[1]} {city[2]} {R.randint(1, 9)}{pick("ABCEGHJ")}{R.randint(1, 9)}'
    st = pick(['George St', 'Collins St', 'Queen St'])
    city = pick([('Sydney', 'NSW', '2000'), ('Melbourne', 'VIC', '3000'), ('Brisbane', 'QLD', '4000')])
    return f'{R.randint(1, 500)} {st}, {city[0]} {city[1]} {city[2]}'


def passport(country=None):
    c = country or pick(['US', 'UK', 'DE', 'FR', 'IN', 'ES', 'IT', 'NL'])
    if c in ('US', 'UK'):
        return str(R.randint(1, 9)) + dd(8)
    if c == 'DE':
        return ''.join(R.choice('CFGHJKLMNPRTVWXYZ') for _ in range(1)) + rs('CFGHJKLMNPRTVWXYZ' + DG, 8)
    if c == 'FR':
        return dd(2) + rs(UP, 2) + dd(5)
    if c == 'IN':
        return pick('JKLMNPRSTUVZ') + dd(7)
    if c == 'ES':
        return rs(UP, 3) + dd(6)
    if c == 'IT':
        return rs(UP, 2) + dd(7)
    return rs('ABCDEFGHJKLMNPRSTUVWXYZ', 2) + rs('ABCDEFGHJKLMNPRSTUVWXYZ' + DG, 6) + dd(1)


def driving_licence(kind=None):
    k = kind or pick(['UK', 'CA', 'NY', 'FL', 'DE', 'TX'])
    if k == 'UK':
        sur = ascii_fold(pick(LAST)).upper().replace(' ', '')[:5].ljust(5, '9')
        d = rand_date(1960, 2003)
        mm = d.month + (50 if chance(0.5) else 0)
        return f'{sur}{str(d.year)[2]}{mm:02d}{d.day:02d}{str(d.year)[3]}{rs(UP, 2)}9{rs(UP, 2)}'
    if k == 'CA':
        return pick(UP) + dd(7)
    if k == 'NY':
        return f'{dd(3)} {dd(3)} {dd(3)}'
    if k == 'FL':
        return f'{pick(UP)}{dd(3)}-{dd(3)}-{dd(2)}-{dd(3)}-{dd(1)}'
    if k == 'TX':
        return dd(8)
    return pick('BCDFGHJKLMNPRSTVWXYZ') + dd(2) + rs(UP + DG, 6) + dd(1) + rs(UP + DG, 1)


def public_ip(v6=None):
    if v6 if v6 is not None else chance(0.12):
        pre = pick(['2a02:908', '2a01:e0a', '2600:1700', '2a00:23c6', '2001:4860', '2a03:2880',
                    '2607:fb90', '2a0d:5600'])
        return pre + ':' + ':'.join('%x' % R.randrange(1, 65536) for _ in range(6))
    a = pick([24, 31, 37, 46, 62, 66, 71, 77, 81, 84, 88, 91, 94, 98, 109, 138, 146, 151, 176,
              178, 185, 188, 193, 195, 201, 213, 217])
    return f'{a}.{R.randint(1, 254)}.{R.randint(0, 254)}.{R.randint(1, 254)}'


def private_ip():
    t = R.randrange(4)
    if t == 0:
        return f'10.{R.randint(0, 255)}.{R.randint(0, 255)}.{R.randint(1, 254)}'
    if t == 1:
        return f'172.{R.randint(16, 31)}.{R.randint(0, 255)}.{R.randint(1, 254)}'
    if t == 2:
        return f'192.168.{R.randint(0, 255)}.{R.randint(1, 254)}'
    return '127.0.0.1'


# ---- national ids ----
def gen_dni():
    n = dd(8)
    return n + DNI_L[int(n) % 23]


def gen_bsn():
    while True:
        d = str(R.randint(1, 9)) + dd(7)
        tot = sum(int(d[i]) * (9 - i) for i in range(8))
        c = tot % 11
        if c < 10:
            return d + str(c)


def gen_pesel():
    d = rand_date(1950, 2005)
    mm = d.month + (20 if d.year >= 2000 else 0)
    base = f'{d.year % 100:02d}{mm:02d}{d.day:02d}{dd(4)}'
    return base + str((10 - sum(int(a) * w for a, w in zip(base, PESEL_W)) % 10) % 10)


def gen_nir():
    d = rand_date(1950, 2003)
    base = f'{pick("12")}{d.year % 100:02d}{d.month:02d}{R.randint(1, 95):02d}{R.randint(1, 990):03d}{R.randint(1, 999):03d}'
    key = 97 - int(base) % 97
    s = base + '%02d' % key
    return pick([s, f'{s[0]} {s[1:3]} {s[3:5]} {s[5:7]} {s[7:10]} {s[10:13]} {s[13:]}'])


def gen_se_pnr():
    d = rand_date(1950, 2003)
    base = d.strftime('%y%m%d') + dd(3)
    full = luhn_complete(base)
    return pick([f'{full[:6]}-{full[6:]}', f'{d.year // 100}{full[:6]}-{full[6:]}', full])


def gen_hetu():
    d = rand_date(1950, 2006)
    sign = '-' if d.year < 2000 else 'A'
    n = '%03d' % R.randint(2, 899)
    core = d.strftime('%d%m%y')
    return core + sign + n + HETU_C[int(core + n) % 31]


def gen_aadhaar():
    base = pick('23456789') + dd(10)
    full = base + verhoeff_digit(base)
    return pick([f'{full[:4]} {full[4:8]} {full[8:]}', full, f'{full[:4]}-{full[4:8]}-{full[8:]}'])


def gen_nric():
    p = pick('ST')
    d = dd(7)
    tot = sum(int(c) * w for c, w in zip(d, NRIC_W)) + (4 if p == 'T' else 0)
    return p + d + 'JZIHGFEDCBA'[tot % 11]


def gen_cn():
    d = rand_date(1955, 2003)
    d17 = pick(['110105', '310104', '440305', '510107', '330106', '420111']) + d.strftime('%Y%m%d') + dd(3)
    return d17 + cn_check(d17)


def gen_cf():
    d = rand_date(1950, 2003)
    day = d.day + (40 if chance(0.5) else 0)
    s15 = rs('BCDFGHLMNPRSTVZ', 3) + rs('BCDFGHLMNPRSTVZAEIOU', 3) + f'{d.year % 100:02d}' + \
        'ABCDEHLMPRST'[d.month - 1] + f'{day:02d}' + pick('ABCDEFGHILM') + dd(3)
    return s15 + cf_check(s15)


def gen_be():
    d = rand_date(1950, 1999)
    base = d.strftime('%y%m%d') + '%03d' % R.randint(1, 997)
    chk = 97 - int(base) % 97
    s = base + '%02d' % chk
    return pick([f'{s[:2]}.{s[2:4]}.{s[4:6]}-{s[6:9]}.{s[9:]}', s])


NATIONAL_IDS = [  # kind, generator, labels
    ('ES_DNI', gen_dni, ['DNI', 'NIF', 'DNI/NIF']),
    ('NL_BSN', gen_bsn, ['BSN', 'burgerservicenummer', 'BSN-nummer']),
    ('PL_PESEL', gen_pesel, ['PESEL', 'nr PESEL']),
    ('FR_NIR', gen_nir, ['n° de sécu', 'NIR', 'numéro de sécurité sociale']),
    ('SE_PERSONNUMMER', gen_se_pnr, ['personnummer', 'pnr']),
    ('FI_HETU', gen_hetu, ['henkilötunnus', 'HETU']),
    ('IN_AADHAAR', gen_aadhaar, ['Aadhaar', 'Aadhaar no', 'UID']),
    ('SG_NRIC', gen_nric, ['NRIC', 'NRIC/FIN']),
    ('CN_RESIDENT_ID', gen_cn, ['身份证号', 'resident ID', 'ID card no.']),
    ('IT_CODICE_FISCALE', gen_cf, ['codice fiscale', 'CF']),
    ('BE_NRN', gen_be, ['rijksregisternummer', 'numéro de registre national', 'NRN']),
    ('US_SSN', ssn, ['SSN', 'ssn', 'Social Security number']),
    ('UK_NINO', nino, ['NI number', 'National Insurance no.', 'NINO']),
    ('CA_SIN', sin, ['SIN', 'Social Insurance Number', 'NAS']),
]

# --------------------------------------------------------------------------------------
# Secret generators (providers' published shapes, random bodies)
# --------------------------------------------------------------------------------------
def uuid4():
    h = rs(HEX, 32)
    return f'{h[:8]}-{h[8:12]}-4{h[13:16]}-{pick("89ab")}{h[17:20]}-{h[20:]}'


WORDS = ['sunflower', 'harbor', 'maple', 'falcon', 'granite', 'velvet', 'comet', 'orchid',
         'tundra', 'lantern', 'pepper', 'walrus', 'quartz', 'meadow', 'bishop', 'saffron',
         'cobalt', 'rocket', 'willow', 'biscuit', 'nimbus', 'jaguar', 'tango', 'ember']


def password(url_safe=False):
    sym = '!*-_.~^+' if url_safe else '!#*-_.~^+?%$'
    t = R.randrange(5)
    if t == 0:
        return pick(WORDS).capitalize() + pick(sym) + str(R.randint(1990, 2025))
    if t == 1:
        return pick(WORDS).capitalize() + str(R.randint(10, 99)) + pick(sym) + pick(WORDS)
    if t == 2:
        while True:
            s = rs(AN + sym, R.randint(12, 22))
            if s[0] in AN and s[-1] in AN and any(c in DG for c in s):
                return s
    if t == 3:
        return rs(AN, R.randint(16, 32))
    w = pick(WORDS)
    return w[0].upper() + w[1:].replace('o', '0').replace('a', '@' if not url_safe else '4') + \
        pick(sym) + dd(2)


def jwt(alg=None):
    alg = alg or pick(['HS256', 'RS256', 'ES256'])
    hdr = {'alg': alg, 'typ': 'JWT'}
    if alg != 'HS256':
        hdr['kid'] = rs(AN, 16)
    now = R.randint(1_700_000_000, 1_760_000_000)
    pl = {'sub': pick([uuid4(), 'auth0|' + rs(HEX, 24), str(R.randint(10000, 999999))]),
          'iat': now, 'exp': now + pick([900, 3600, 86400])}
    if chance(0.6):
        pl['scope'] = pick(['read:orders write:orders', 'openid profile email', 'admin'])
    if chance(0.5):
        pl['iss'] = pick(['https://auth.brightfield.co/', 'https://login.example-idp.net',
                          'supabase'])
    if chance(0.3):
        pl['role'] = pick(['service_role', 'authenticated'])
    sig = {'HS256': 32, 'RS256': 256, 'ES256': 64}[alg]
    return '.'.join([b64u_nopad(json.dumps(hdr, separators=(',', ':')).encode()),
                     b64u_nopad(json.dumps(pl, separators=(',', ':')).encode()),
                     b64u_nopad(rbytes(sig))])


def g_teams():
    return (f'https://{pick(["contoso", "brightfield", "nordhafen", "acmelog"])}.webhook.office.com/'
            f'webhookb2/{uuid4()}@{uuid4()}/IncomingWebhook/{rs(HEX, 32)}/{uuid4()}')


def g_grafana_cloud():
    body = json.dumps({'o': str(R.randint(100000, 999999)), 'n': 'stack-' + dd(6) + '-hm-read',
                       'k': rs(AN, 24), 'm': {'r': pick(['prod-eu-west-2', 'prod-us-east-0'])}},
                      separators=(',', ':'))
    return 'glc_' + base64.b64encode(body.encode()).decode().rstrip('=')


def g_mapbox():
    body = json.dumps({'u': pick(['mapsteam', 'fleetviz', 'brightfield']), 'a': rs(AN, 25)},
                      separators=(',', ':'))
    return 'sk.' + b64u_nopad(body.encode()) + '.' + rs(AN + '-_', 22)


def g_discord_bot():
    return b64u_nopad(str(R.randint(10 ** 17, 13 * 10 ** 17)).encode()) + '.' + \
        rs(AN + '-_', 6) + '.' + rs(AN + '-_', 38)


def g_openai():
    t = R.randrange(3)
    if t == 0:
        return 'sk-proj-' + rs(AN + '-_', 156)
    if t == 1:
        return 'sk-' + rs(AN, 20) + 'T3BlbkFJ' + rs(AN, 20)
    return 'sk-svcacct-' + rs(AN + '-_', 156)


def g_session_cookie():
    t = R.randrange(4)
    if t == 0:
        return 's%3A' + rs(AN + '-_', 32) + '.' + rs(AN + '%', 43).replace('%', '%2B')
    if t == 1:
        return rs('abcdefghijklmnopqrstuvwxyz0123456789', 32)
    if t == 2:
        return rs(HEXU, 32)
    return 'eyJ' + rs(AN, 40) + '.' + rs(AN + '-_', 6) + '.' + rs(AN + '-_', 27)


def g_recovery(fmt=None):
    fmt = R.randrange(4) if fmt is None else fmt
    return ([f'{rs(LO + DG, 5)}-{rs(LO + DG, 5)}', f'{dd(4)}-{dd(4)}', rs(UP + DG, 10),
                 f'{rs(UP + DG, 4)}-{rs(UP + DG, 4)}-{rs(UP + DG, 4)}'])[fmt]


# kind -> (generator, [names in UPPER_SNAKE])
SECRETS = collections.OrderedDict([
    ('AWS_ACCESS_KEY_ID', (lambda: 'AKIA' + rs(UP + '234567', 16), ['AWS_ACCESS_KEY_ID', 'S3_ACCESS_KEY', 'AWS_KEY_ID'])),
    ('AWS_SECRET_ACCESS_KEY', (lambda: rs(B64, 40), ['AWS_SECRET_ACCESS_KEY', 'S3_SECRET_KEY', 'AWS_SECRET'])),
    ('AWS_SESSION_TOKEN', (lambda: 'IQoJb3JpZ2luX2VjE' + rs(B64, R.randint(300, 380)), ['AWS_SESSION_TOKEN'])),
    ('GCP_API_KEY', (lambda: 'AIza' + rs(B64U, 35), ['GOOGLE_API_KEY', 'MAPS_API_KEY', 'FIREBASE_API_KEY', 'GCP_KEY'])),
    ('GCP_OAUTH_CLIENT_SECRET', (lambda: 'GOCSPX-' + rs(B64U, 28), ['GOOGLE_CLIENT_SECRET', 'OAUTH_GOOGLE_SECRET'])),
    ('AZURE_CLIENT_SECRET', (lambda: rs(AN, 3) + pick('5678') + 'Q~' + rs(AN + '_~.-', 34), ['AZURE_CLIENT_SECRET', 'ARM_CLIENT_SECRET', 'AAD_APP_SECRET'])),
    ('AZURE_STORAGE_ACCOUNT_KEY', (lambda: rs(B64, 86) + '==', ['AZURE_STORAGE_KEY', 'STORAGE_ACCOUNT_KEY'])),
    ('AZURE_DEVOPS_PAT', (lambda: rs('abcdefghijklmnopqrstuvwxyz234567', 52), ['AZURE_DEVOPS_PAT', 'ADO_PAT', 'AZURE_DEVOPS_EXT_PAT'])),
    ('GITHUB_PAT', (lambda: 'ghp_' + rs(AN, 36), ['GITHUB_TOKEN', 'GH_TOKEN', 'GH_PAT', 'GITHUB_PAT'])),
    ('GITHUB_FINE_GRAINED_PAT', (lambda: 'github_pat_11' + rs(UP + DG, 20) + '_' + rs(AN, 59), ['GITHUB_TOKEN', 'GH_FG_TOKEN', 'RELEASE_TOKEN'])),
    ('GITHUB_APP_INSTALLATION_TOKEN', (lambda: 'ghs_' + rs(AN, 36), ['GITHUB_APP_TOKEN', 'INSTALLATION_TOKEN'])),
    ('GITHUB_OAUTH_TOKEN', (lambda: 'gho_' + rs(AN, 36), ['GH_OAUTH_TOKEN', 'GITHUB_OAUTH'])),
    ('GITHUB_REFRESH_TOKEN', (lambda: 'ghr_' + rs(AN, 76), ['GH_REFRESH_TOKEN'])),
    ('GITLAB_PAT', (lambda: 'glpat-' + rs(B64U, 20), ['GITLAB_TOKEN', 'GL_TOKEN', 'CI_PUSH_TOKEN'])),
    ('GITLAB_RUNNER_TOKEN', (lambda: 'glrt-' + rs(B64U, 20), ['RUNNER_TOKEN', 'CI_SERVER_TOKEN'])),
    ('GITLAB_DEPLOY_TOKEN', (lambda: 'gldt-' + rs(B64U, 20), ['GITLAB_DEPLOY_TOKEN'])),
    ('SLACK_BOT_TOKEN', (lambda: f'xoxb-{dd(R.choice([10, 11, 12]))}-{dd(13)}-{rs(AN, 24)}', ['SLACK_BOT_TOKEN', 'SLACK_TOKEN'])),
    ('SLACK_USER_TOKEN', (lambda: f'xoxp-{dd(11)}-{dd(11)}-{dd(13)}-{rs(HEX, 32)}', ['SLACK_USER_TOKEN'])),
    ('SLACK_APP_TOKEN', (lambda: f'xapp-1-A{rs(UP + DG, 10)}-{dd(13)}-{rs(HEX, 64)}', ['SLACK_APP_TOKEN'])),
    ('SLACK_WEBHOOK_URL', (lambda: f'https://hooks.slack.com/services/T{rs(UP + DG, 8)}/B{rs(UP + DG, 10)}/{rs(AN, 24)}', ['SLACK_WEBHOOK_URL', 'ALERT_WEBHOOK'])),
    ('DISCORD_WEBHOOK_URL', (lambda: f'https://discord.com/api/webhooks/{dd(19)}/{rs(B64U, 68)}', ['DISCORD_WEBHOOK', 'DISCORD_WEBHOOK_URL'])),
    ('DISCORD_BOT_TOKEN', (g_discord_bot, ['DISCORD_TOKEN', 'DISCORD_BOT_TOKEN'])),
    ('TEAMS_WEBHOOK_URL', (g_teams, ['TEAMS_WEBHOOK_URL', 'MSTEAMS_WEBHOOK'])),
    ('STRIPE_SECRET_KEY', (lambda: 'sk_live_' + rs(AN, pick([24, 99])), ['STRIPE_SECRET_KEY', 'STRIPE_API_KEY', 'STRIPE_SK'])),
    ('STRIPE_RESTRICTED_KEY', (lambda: 'rk_live_' + rs(AN, pick([24, 99])), ['STRIPE_RESTRICTED_KEY', 'STRIPE_RK'])),
    ('STRIPE_WEBHOOK_SECRET', (lambda: 'whsec_' + rs(AN, 32), ['STRIPE_WEBHOOK_SECRET', 'STRIPE_ENDPOINT_SECRET'])),
    ('TWILIO_AUTH_TOKEN', (lambda: rs(HEX, 32), ['TWILIO_AUTH_TOKEN'])),
    ('SENDGRID_API_KEY', (lambda: 'SG.' + rs(B64U, 22) + '.' + rs(B64U, 43), ['SENDGRID_API_KEY', 'SMTP_PASSWORD'])),
    ('MAILGUN_API_KEY', (lambda: pick(['key-' + rs(HEX, 32), rs(HEX, 32) + '-' + rs(HEX, 8) + '-' + rs(HEX, 8)]), ['MAILGUN_API_KEY', 'MAILGUN_KEY'])),
    ('MAILCHIMP_API_KEY', (lambda: rs(HEX, 32) + '-us' + str(R.randint(1, 21)), ['MAILCHIMP_API_KEY', 'MC_API_KEY'])),
    ('SHOPIFY_ACCESS_TOKEN', (lambda: pick(['shpat_', 'shpca_', 'shppa_']) + rs(HEX, 32), ['SHOPIFY_ACCESS_TOKEN', 'SHOPIFY_ADMIN_TOKEN'])),
    ('SHOPIFY_SHARED_SECRET', (lambda: 'shpss_' + rs(HEX, 32), ['SHOPIFY_API_SECRET', 'SHOPIFY_SHARED_SECRET'])),
    ('HUGGINGFACE_TOKEN', (lambda: 'hf_' + rs(UP + LO, 34), ['HF_TOKEN', 'HUGGING_FACE_HUB_TOKEN', 'HUGGINGFACEHUB_API_TOKEN'])),
    ('OPENAI_API_KEY', (g_openai, ['OPENAI_API_KEY', 'OPENAI_KEY', 'LLM_API_KEY'])),
    ('ANTHROPIC_API_KEY', (lambda: 'sk-ant-api03-' + rs(B64U, 93) + 'AA', ['ANTHROPIC_API_KEY', 'CLAUDE_API_KEY'])),
    ('DIGITALOCEAN_TOKEN', (lambda: pick(['dop_v1_', 'doo_v1_']) + rs(HEX, 64), ['DIGITALOCEAN_TOKEN', 'DO_API_TOKEN'])),
    ('HEROKU_API_KEY', (lambda: pick(['HRKU-AA' + rs(B64U, 58), uuid4()]), ['HEROKU_API_KEY'])),
    ('NEW_RELIC_USER_KEY', (lambda: 'NRAK-' + rs(UP + DG, 27), ['NEW_RELIC_API_KEY', 'NEWRELIC_USER_KEY'])),
    ('NEW_RELIC_LICENSE_KEY', (lambda: rs(HEX, 36) + 'NRAL', ['NEW_RELIC_LICENSE_KEY', 'NRIA_LICENSE_KEY'])),
    ('DATADOG_API_KEY', (lambda: rs(HEX, 32), ['DD_API_KEY', 'DATADOG_API_KEY'])),
    ('DATADOG_APP_KEY', (lambda: rs(HEX, 40), ['DD_APP_KEY', 'DATADOG_APP_KEY'])),
    ('SENTRY_AUTH_TOKEN', (lambda: 'sntryu_' + rs(HEX, 64), ['SENTRY_AUTH_TOKEN'])),
    ('ATLASSIAN_API_TOKEN', (lambda: 'ATATT3xFfGF0' + rs(B64U, 180) + '=' + rs(HEXU, 8), ['JIRA_API_TOKEN', 'CONFLUENCE_TOKEN', 'ATLASSIAN_TOKEN'])),
    ('NPM_TOKEN', (lambda: 'npm_' + rs(AN, 36), ['NPM_TOKEN', 'NODE_AUTH_TOKEN'])),
    ('PYPI_TOKEN', (lambda: 'pypi-AgEIcHlwaS5vcmc' + rs(B64U, R.randint(140, 180)), ['PYPI_API_TOKEN', 'TWINE_PASSWORD'])),
    ('NUGET_API_KEY', (lambda: 'oy2' + rs(LO + DG, 43), ['NUGET_API_KEY'])),
    ('DOCKERHUB_PAT', (lambda: 'dckr_pat_' + rs(B64U, 27), ['DOCKERHUB_TOKEN', 'DOCKER_PASSWORD'])),
    ('CLOUDFLARE_API_TOKEN', (lambda: rs(B64U, 40), ['CLOUDFLARE_API_TOKEN', 'CF_API_TOKEN'])),
    ('CLOUDFLARE_GLOBAL_API_KEY', (lambda: rs(HEX, 37), ['CLOUDFLARE_API_KEY', 'CF_API_KEY'])),
    ('OKTA_API_TOKEN', (lambda: '00' + rs(B64U, 40), ['OKTA_API_TOKEN', 'OKTA_CLIENT_TOKEN'])),
    ('AUTH0_CLIENT_SECRET', (lambda: rs(B64U, 64), ['AUTH0_CLIENT_SECRET'])),
    ('SQUARE_ACCESS_TOKEN', (lambda: 'EAAA' + rs(B64U, 60), ['SQUARE_ACCESS_TOKEN'])),
    ('SQUARE_OAUTH_SECRET', (lambda: 'sq0csp-' + rs(B64U, 43), ['SQUARE_APPLICATION_SECRET'])),
    ('PAYPAL_CLIENT_SECRET', (lambda: 'E' + rs(B64U, 79), ['PAYPAL_CLIENT_SECRET', 'PAYPAL_SECRET'])),
    ('BRAINTREE_ACCESS_TOKEN', (lambda: 'access_token$production$' + rs(LO + DG, 16) + '$' + rs(HEX, 32), ['BRAINTREE_ACCESS_TOKEN'])),
    ('TELEGRAM_BOT_TOKEN', (lambda: f'{R.randint(100000000, 7999999999)}:AA{rs(B64U, 33)}', ['TELEGRAM_BOT_TOKEN', 'TG_TOKEN'])),
    ('LINEAR_API_KEY', (lambda: 'lin_api_' + rs(AN, 40), ['LINEAR_API_KEY'])),
    ('NOTION_TOKEN', (lambda: pick(['ntn_' + dd(11) + rs(AN, 35), 'secret_' + rs(AN, 43)]), ['NOTION_TOKEN', 'NOTION_API_KEY'])),
    ('AIRTABLE_PAT', (lambda: 'pat' + rs(AN, 14) + '.' + rs(HEX, 64), ['AIRTABLE_TOKEN', 'AIRTABLE_PAT'])),
    ('VAULT_TOKEN', (lambda: pick(['hvs.' + rs(B64U, 24), 'hvs.CAESI' + rs(B64U, 82), 'hvb.AAAAAQ' + rs(B64U, 120)]), ['VAULT_TOKEN'])),
    ('DOPPLER_TOKEN', (lambda: pick(['dp.st.' + pick(['prd', 'dev', 'stg']) + '.' + rs(AN, 40), 'dp.pt.' + rs(AN, 43), 'dp.sa.' + rs(AN, 43)]), ['DOPPLER_TOKEN'])),
    ('PULUMI_ACCESS_TOKEN', (lambda: 'pul-' + rs(HEX, 40), ['PULUMI_ACCESS_TOKEN'])),
    ('TERRAFORM_CLOUD_TOKEN', (lambda: rs(AN, 14) + '.atlasv1.' + rs(AN, 67), ['TFE_TOKEN', 'TF_TOKEN_app_terraform_io', 'ATLAS_TOKEN'])),
    ('GRAFANA_SERVICE_ACCOUNT_TOKEN', (lambda: 'glsa_' + rs(AN, 32) + '_' + rs(HEX, 8), ['GRAFANA_TOKEN', 'GRAFANA_SA_TOKEN'])),
    ('GRAFANA_CLOUD_TOKEN', (g_grafana_cloud, ['GRAFANA_CLOUD_API_KEY', 'GRAFANA_CLOUD_TOKEN'])),
    ('POSTMAN_API_KEY', (lambda: 'PMAK-' + rs(HEX, 24) + '-' + rs(HEX, 34), ['POSTMAN_API_KEY'])),
    ('AGE_SECRET_KEY', (lambda: 'AGE-SECRET-KEY-1' + rs('QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L', 58), ['SOPS_AGE_KEY', 'AGE_KEY'])),
    ('REPLICATE_API_TOKEN', (lambda: 'r8_' + rs(AN, 37), ['REPLICATE_API_TOKEN'])),
    ('GROQ_API_KEY', (lambda: 'gsk_' + rs(AN, 52), ['GROQ_API_KEY'])),
    ('DATABRICKS_TOKEN', (lambda: 'dapi' + rs(HEX, 32), ['DATABRICKS_TOKEN'])),
    ('MAPBOX_SECRET_TOKEN', (g_mapbox, ['MAPBOX_SECRET_TOKEN', 'MAPBOX_DOWNLOADS_TOKEN'])),
    ('TAILSCALE_AUTH_KEY', (lambda: 'tskey-auth-k' + rs(AN, 10) + 'CNTRL-' + rs(AN, 33), ['TS_AUTHKEY', 'TAILSCALE_AUTHKEY'])),
    ('PLANETSCALE_PASSWORD', (lambda: 'pscale_pw_' + rs(B64U, 43), ['PLANETSCALE_DB_PASSWORD', 'DATABASE_PASSWORD'])),
    ('JWT', (jwt, ['ACCESS_TOKEN', 'ID_TOKEN', 'SUPABASE_SERVICE_ROLE_KEY', 'AUTH_TOKEN'])),
    ('PASSWORD', (password, ['PASSWORD', 'ADMIN_PASSWORD', 'SMTP_PASS', 'LDAP_BIND_PASSWORD', 'KEYSTORE_PASSWORD', 'REDIS_PASSWORD', 'RABBITMQ_DEFAULT_PASS', 'MAIL_PASSWORD', 'SFTP_PASS', 'ELASTIC_PASSWORD'])),
    ('DB_PASSWORD', (password, ['DB_PASSWORD', 'POSTGRES_PASSWORD', 'MYSQL_ROOT_PASSWORD', 'DATABASE_PASS', 'MONGO_INITDB_ROOT_PASSWORD', 'SPRING_DATASOURCE_PASSWORD', 'PG_PASS'])),
    ('GENERIC_API_KEY', (lambda: pick([rs(HEX, 32), rs(AN, 40), rs(AN, 32), 'ak_' + rs(AN, 30)]), ['API_KEY', 'X_API_KEY', 'PARTNER_API_KEY', 'WEATHER_API_KEY', 'GEOCODER_KEY', 'INTERNAL_API_SECRET', 'SERVICE_KEY'])),
    ('BEARER_TOKEN', (lambda: rs(AN, R.randint(40, 64)), ['SERVICE_TOKEN', 'BEARER_TOKEN', 'INGEST_TOKEN'])),
    ('OAUTH_CLIENT_SECRET', (lambda: rs(B64U, pick([32, 40, 48])), ['OAUTH_CLIENT_SECRET', 'CLIENT_SECRET', 'KEYCLOAK_CLIENT_SECRET'])),
    ('OAUTH_REFRESH_TOKEN', (lambda: pick(['1//0' + rs(B64U, 99), 'rt_' + rs(AN, 60), rs(B64U, 86)]), ['REFRESH_TOKEN', 'OAUTH_REFRESH_TOKEN'])),
    ('APP_SECRET_KEY', (lambda: pick(['django-insecure-', '']) + rs(LO + DG + '!@^*(-_=+)', 50), ['SECRET_KEY', 'DJANGO_SECRET_KEY', 'SECRET_KEY_BASE', 'FLASK_SECRET_KEY'])),
    ('JWT_SIGNING_SECRET', (lambda: rs(HEX, 64), ['JWT_SECRET', 'JWT_SIGNING_KEY', 'NEXTAUTH_SECRET', 'SESSION_SECRET'])),
    ('ENCRYPTION_KEY', (lambda: pick(['base64:', '']) + b64(rbytes(32)), ['APP_KEY', 'ENCRYPTION_KEY', 'FIELD_ENCRYPTION_KEY', 'MASTER_KEY'])),
])

GENERIC_POOL = list(SECRETS.keys())


def sec(kind):
    return SECRETS[kind][0]()


def sec_name(kind):
    return pick(SECRETS[kind][1])


class RoundRobin:
    def __init__(self, items):
        self.items = list(items)
        self.q = []

    def next(self):
        if not self.q:
            self.q = list(self.items)
            R.shuffle(self.q)
        return self.q.pop()


RR_SECRET = RoundRobin(GENERIC_POOL)
RR_NATID = RoundRobin(range(len(NATIONAL_IDS)))


def any_secret(kind=None):
    """-> (kind, value, NAME)"""
    k = kind or RR_SECRET.next()
    return k, sec(k), sec_name(k)


def natid():
    k, g, labels = NATIONAL_IDS[RR_NATID.next()]
    return k, g(), pick(labels)


def style(name, how):
    parts = name.lower().split('_')
    if how == 'env':
        return name.upper()
    if how == 'snake':
        return name.lower()
    if how == 'camel':
        return parts[0] + ''.join(p.capitalize() for p in parts[1:])
    if how == 'pascal':
        return ''.join(p.capitalize() for p in parts)
    if how == 'kebab':
        return '-'.join(parts)
    if how == 'dot':
        return '.'.join(parts)
    raise ValueError(how)


# --------------------------------------------------------------------------------------
# Private keys
# --------------------------------------------------------------------------------------
def wrap(s, n):
    return [s[i:i + n] for i in range(0, len(s), n)]


def crc24(data):
    crc = 0xB704CE
    for b in data:
        crc ^= b << 16
        for _ in range(8):
            crc <<= 1
            if crc & 0x1000000:
                crc ^= 0x1864CFB
    return crc & 0xFFFFFF


def sshstr(b):
    return len(b).to_bytes(4, 'big') + b


def key_lines(kind):
    """-> (begin_line, body_lines, end_line) for PEM-like kinds."""
    if kind == 'PRIVATE_KEY_RSA':
        der = bytes.fromhex('308204a40201000282010100') + rbytes(R.randint(1180, 1188))
        return '-----BEGIN RSA PRIVATE KEY-----', wrap(b64(der), 64), '-----END RSA PRIVATE KEY-----'
    if kind == 'PRIVATE_KEY_EC':
        der = bytes.fromhex('30770201010420') + rbytes(32) + \
            bytes.fromhex('a00a06082a8648ce3d030107a144034200') + b'\x04' + rbytes(64)
        return '-----BEGIN EC PRIVATE KEY-----', wrap(b64(der), 64), '-----END EC PRIVATE KEY-----'
    if kind == 'PRIVATE_KEY_PKCS8':
        if chance(0.5):
            der = bytes.fromhex('308204be020100300d06092a864886f70d0101010500048204a8') + rbytes(1192)
        else:
            der = bytes.fromhex('302e020100300506032b657004220420') + rbytes(32)
        return '-----BEGIN PRIVATE KEY-----', wrap(b64(der), 64), '-----END PRIVATE KEY-----'
    if kind == 'PRIVATE_KEY_ENCRYPTED_PKCS8':
        der = bytes.fromhex('3082051c304e06092a864886f70d01050d3041302906092a864886f70d01050c301c0408') + rbytes(1290)
        return '-----BEGIN ENCRYPTED PRIVATE KEY-----', wrap(b64(der), 64), '-----END ENCRYPTED PRIVATE KEY-----'
    if kind == 'PRIVATE_KEY_OPENSSH':
        pub = sshstr(b'ssh-ed25519') + sshstr(rbytes(32))
        chk = rbytes(4)
        priv = chk + chk + sshstr(b'ssh-ed25519') + sshstr(pub[19:]) + sshstr(rbytes(64)) + \
            sshstr(pick([b'deploy@ci-runner', b'ops@bastion', b'build@jenkins-02'])) + b'\x01\x02\x03\x04\x05'
        blob = b'openssh-key-v1\x00' + sshstr(b'none') + sshstr(b'none') + sshstr(b'') + \
            (1).to_bytes(4, 'big') + sshstr(pub) + sshstr(priv)
        return '-----BEGIN OPENSSH PRIVATE KEY-----', wrap(b64(blob), 70), '-----END OPENSSH PRIVATE KEY-----'
    if kind == 'PRIVATE_KEY_PGP':
        pkt = bytes.fromhex('9503be04') + rbytes(R.randint(900, 1000))
        body = wrap(b64(pkt), 64)
        c = crc24(pkt).to_bytes(3, 'big')
        return '-----BEGIN PGP PRIVATE KEY BLOCK-----', [''] + body + ['=' + b64(c)], \
            '-----END PGP PRIVATE KEY BLOCK-----'
    raise ValueError(kind)


def putty_key():
    pub = sshstr(b'ssh-ed25519') + sshstr(rbytes(32))
    priv = sshstr(rbytes(32))
    lines = ['PuTTY-User-Key-File-3: ssh-ed25519', 'Encryption: none',
             'Comment: ' + pick(['eddsa-key-20240311', 'deploy@legacy-ftp', 'imported-openssh-key'])]
    pl = wrap(b64(pub), 64)
    lines.append(f'Public-Lines: {len(pl)}')
    lines += pl
    vl = wrap(b64(priv), 64)
    lines.append(f'Private-Lines: {len(vl)}')
    lines += vl
    lines.append('Private-MAC: ' + rs(HEX, 64))
    return lines


KEY_KINDS = ['PRIVATE_KEY_RSA', 'PRIVATE_KEY_EC', 'PRIVATE_KEY_PKCS8', 'PRIVATE_KEY_ENCRYPTED_PKCS8',
             'PRIVATE_KEY_OPENSSH', 'PRIVATE_KEY_PGP', 'PRIVATE_KEY_PUTTY']
RR_KEY = RoundRobin(KEY_KINDS)


def pem(kind, nl='\n', indent=''):
    """Full key text as one string (lines joined with nl+indent)."""
    if kind == 'PRIVATE_KEY_PUTTY':
        lines = putty_key()
    else:
        b, body, e = key_lines(kind)
        lines = [b] + body + [e]
    return (nl + indent).join(lines)


# --------------------------------------------------------------------------------------
# Look-alike (keep) generators
# --------------------------------------------------------------------------------------
class Clock:
    def __init__(self):
        self.t = dt.datetime(2024, 1, 1) + dt.timedelta(seconds=R.randint(0, 600 * 86400))

    def tick(self, lo=1, hi=4000):
        self.t += dt.timedelta(milliseconds=R.randint(lo, hi))
        return self.t

    def iso(self):
        t = self.tick()
        return t.strftime('%Y-%m-%dT%H:%M:%S.') + '%03dZ' % (t.microsecond // 1000)

    def plain(self, sep=','):
        t = self.tick()
        return t.strftime('%Y-%m-%d %H:%M:%S') + sep + '%03d' % (t.microsecond // 1000)

    def syslog(self):
        t = self.tick()
        return t.strftime('%b ') + '%2d' % t.day + t.strftime(' %H:%M:%S')

    def clf(self):
        return self.tick().strftime('%d/%b/%Y:%H:%M:%S +0000')

    def epoch(self):
        return str(int(self.tick().replace(tzinfo=dt.timezone.utc).timestamp()))

    def hm(self):
        return self.tick(20000, 200000).strftime('%H:%M')

    def date(self):
        return self.t.strftime('%Y-%m-%d')

    def rfc(self):
        return self.tick().strftime('%a, %d %b %Y %H:%M:%S GMT')


def k_version():
    t = R.randrange(6)
    if t == 0:
        return f'{R.randint(0, 9)}.{R.randint(0, 30)}.{R.randint(0, 40)}'
    if t == 1:
        return f'v{R.randint(1, 3)}.{R.randint(0, 30)}.{R.randint(0, 12)}'
    if t == 2:
        return f'{R.randint(1, 13)}.0.0.0'
    if t == 3:
        return f'{R.randint(1, 8)}.{R.randint(0, 9)}.{R.randint(0, 9)}-rc.{R.randint(1, 5)}'
    if t == 4:
        return f'{R.randint(1, 6)}.{R.randint(0, 20)}.{R.randint(0, 9)}.{R.randint(1000, 9999)}'
    return f'{R.randint(2019, 2025)}.{R.randint(1, 12)}.{R.randint(0, 3)}'


OIDS = ['1.3.6.1.2.1.1.3.0', '1.3.6.1.2.1.2.2.1.10.2', '1.3.6.1.4.1.2021.10.1.3.1',
        '1.3.6.1.4.1.9.9.109.1.1.1.1.7.1', '1.2.840.113549.1.1.11', '2.5.4.3', '1.3.6.1.5.5.7.3.1',
        '1.3.6.1.2.1.25.2.3.1.6.1', '1.3.6.1.4.1.311.21.8', '1.2.840.10045.3.1.7',
        '1.3.6.1.2.1.31.1.1.1.6.3', '1.3.6.1.4.1.2636.3.1.13.1.8']
PUBLIC_HOSTS = ['api.github.com', 'registry.npmjs.org', 'pypi.org', 'api.stripe.com',
                'hooks.zapier.com', 'login.microsoftonline.com', 'sts.amazonaws.com',
                'oauth2.googleapis.com', 'api.openai.com', 'index.docker.io', 'gitlab.com',
                'api.twilio.com', 'api.sendgrid.com', 'cdn.jsdelivr.net', 'storage.googleapis.com',
                'bitbucket.org', 'api.cloudflare.com', 'app.terraform.io']
INTERNAL_HOSTS = ['db-primary.internal', 'redis-01.prod.svc.cluster.local', 'mq.internal',
                  'pg-replica-2.corp.local', 'mongo-0.mongo.svc', 'ldap.corp.local',
                  'vault.service.consul', 'es-data-3.internal', 'localhost', 'mysql.staging.local']
PATHS = ['/var/log/app/server.log', '/etc/nginx/conf.d/default.conf', '/opt/app/config/application.yml',
         'C:\\inetpub\\wwwroot\\web.config', 'src/main/resources/application.properties',
         '/home/deploy/.ssh/config', '/usr/lib/python3.11/site-packages/requests/adapters.py',
         'app/services/billing.py', '/srv/www/releases/20240311/.env', './deploy/helm/values.yaml',
         'C:\\Users\\build\\AppData\\Roaming\\NuGet\\NuGet.Config', '/tmp/upload_8f3k2.csv',
         'internal/store/postgres.go', 'src/Payments/Startup.cs', '/var/lib/docker/overlay2']
ERR_CODES = ['ECONNREFUSED', 'ETIMEDOUT', 'ORA-12541', 'ORA-01017', '0x80070005', 'E11000',
             'SQLSTATE 28P01', 'ERR_SSL_PROTOCOL_ERROR', 'ENOTFOUND', 'EACCES', 'HTTP_429',
             'AADSTS7000215', 'NU1101', 'CS0246', 'TS2304', 'errno 111', 'WSAECONNRESET',
             '1045 (28000)', 'ER_ACCESS_DENIED_ERROR', 'InvalidClientTokenId', 'E0401', 'KeyError']
PLACEHOLDERS = ['YOUR_API_KEY', '<your-token-here>', 'changeme', 'xxxxxxxxxxxxxxxx', 'REPLACE_ME',
                '********', '<redacted>', 'your-secret-here', 'sk_live_xxxxxxxxxxxxxxxxxxxxxxxx',
                'ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX', '${DB_PASSWORD}', '{{ .Values.db.password }}',
                '${{ secrets.NPM_TOKEN }}', '%(SMTP_PASSWORD)s', '<PASSWORD>', 'TODO', 'example-token',
                'AKIAXXXXXXXXXXXXXXXX', 'password123-not-real', 'dummy', '{{api_key}}', '$API_TOKEN',
                '...', 'sk-...', 'null']


def k_placeholder():
    return pick(PLACEHOLDERS)


def k_masked_card():
    last4 = dd(4)
    return pick([f'**** **** **** {last4}', f'•••• {last4}', f'{pick(["4", "5"])}{dd(5)}******{last4}',
                 f'XXXX-XXXX-XXXX-{last4}', f'************{last4}'])


def k_order():
    return pick([f'ORD-{R.randint(2023, 2025)}-{dd(6)}', f'#{R.randint(100000000, 999999999)}',
                 f'PO-{dd(5)}', f'SO{dd(8)}', f'{dd(3)}-{dd(7)}-{dd(7)}'])


def k_ticket():
    return pick([f'INC{dd(7)}', f'#{R.randint(10000, 99999)}', f'SUP-{R.randint(1000, 99999)}',
                 f'ZD-{dd(6)}', f'CS{dd(8)}', f'OPS-{R.randint(100, 9999)}'])


def k_invoice():
    return pick([f'INV-{R.randint(2023, 2025)}-{dd(5)}', f'in_1{rs(AN, 23)}', f'FAC/{R.randint(2023, 2025)}/{dd(4)}',
                 f'{R.randint(2023, 2025)}{dd(6)}'])


def k_build():
    return pick([str(R.randint(100, 99999)), f'{R.randint(20230101, 20251231)}.{R.randint(1, 9)}',
                 f'{R.randint(1000, 9999)}'])


def k_duration():
    return pick([f'{R.randint(1, 999)}ms', f'{R.randint(1, 59)}.{dd(2)}s', f'{R.randint(1, 9)}m{R.randint(0, 59)}s',
                 f'{R.randint(0, 9)}.{dd(3)}s', f'PT{R.randint(1, 90)}S', f'{R.randint(1, 900)} ms'])


def k_status():
    return pick(['200', '201', '204', '301', '302', '304', '400', '401', '403', '404', '409', '422',
                 '429', '500', '502', '503', '504'])


def k_port():
    return pick(['5432', '3306', '6379', '27017', '5672', '8080', '8443', '9200', '1433', '11211',
                 '9092', '2181', '15672', '443', '22', '6443', '9090', '3000'])


def k_sha256():
    return rs(HEX, 64)


def k_git():
    return rs(HEX, 40) if chance(0.6) else rs(HEX, R.choice([7, 8, 12]))


def k_trace():
    return rs(HEX, 32)


def k_span():
    return rs(HEX, 16)


def k_reqid():
    return pick([uuid4(), 'req_' + rs(AN, 14), rs(HEX, 16), 'Root=1-' + rs(HEX, 8) + '-' + rs(HEX, 24),
                 rs(UP + DG, 26)])


KEEP_GEN = {
    'UUID': uuid4, 'VERSION': k_version, 'OID': lambda: pick(OIDS), 'GIT_SHA': k_git,
    'HASH': k_sha256, 'TRACE_ID': k_trace, 'SPAN_ID': k_span, 'REQUEST_ID': k_reqid,
    'ORDER_NUMBER': k_order, 'TICKET_NUMBER': k_ticket, 'INVOICE_NUMBER': k_invoice,
    'BUILD_NUMBER': k_build, 'DURATION': k_duration, 'HTTP_STATUS': k_status,
    'ERROR_CODE': lambda: pick(ERR_CODES), 'PORT': k_port, 'PRIVATE_IP': private_ip,
    'HOSTNAME': lambda: pick(PUBLIC_HOSTS + INTERNAL_HOSTS), 'FILE_PATH': lambda: pick(PATHS),
    'PLACEHOLDER': k_placeholder, 'MASKED_CARD': k_masked_card,
}


def kk(kind, v=None):
    return K(KEEP_GEN[kind]() if v is None else v, kind)


def ts(clk, how='iso'):
    return K(getattr(clk, how)(), 'TIMESTAMP')


def typo(s, p=0.35):
    """Introduce chat-style typos into plain prose."""
    if not chance(p):
        return s
    words = s.split(' ')
    for _ in range(R.randint(1, 2)):
        i = R.randrange(len(words))
        w = words[i]
        if len(w) > 3 and w.isalpha():
            j = R.randrange(len(w) - 1)
            words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:]
    out = ' '.join(words)
    if chance(0.3):
        out = out.lower()
    return out


def split_value(v, sep='\n'):
    """A value wrapped across two lines; the span keeps the line break."""
    k = R.randint(max(4, len(v) // 3), max(5, 2 * len(v) // 3))
    return v[:k] + sep + v[k:]


def secret_says(kind):
    return {'PASSWORD': 'password', 'DB_PASSWORD': 'db password'}.get(kind, 'token')


# ======================================================================================
# Scenarios
# ======================================================================================
def sc_chat_support():
    d = Doc('chat')
    clk = Clock()
    fn, ln = person()
    ag = pick(AGENTS)
    kind, val, name = any_secret()
    who = pick([fn, f'{fn} {ln[0]}.', 'customer', 'Guest-' + dd(4)])
    d.f('[«t»] «who»: «m»\n', t=ts(clk, 'hm'), who=who,
        m=typo(pick(['hi, our integration stopped working since this morning',
                     'hello?? anyone there, the api keeps returing errors',
                     'hey, deploys are failing, pls help asap',
                     'Good morning, I think our credentials got rotated and nothing works now'])))
    d.f('[«t»] Agent «ag»: Hi «fn», sorry about that. What error do you see exactly?\n',
        t=ts(clk, 'hm'), ag=ag, fn=fn)
    d.f('[«t»] «who»: «m» «code» ', t=ts(clk, 'hm'), who=who,
        m=typo(pick(['it says', 'getting', 'error is', 'we get'])), code=kk('HTTP_STATUS', pick(['401', '403', '502'])))
    d.f('«w» request id «rid»\n', w=pick(['Unauthorized,', 'from the gateway,', '-']),
        rid=kk('REQUEST_ID'))
    wrapped = chance(0.3) and len(val) > 20
    v = split_value(val) if wrapped else val
    intro = typo(pick([f'this is the {secret_says(kind)} we use in prod, maybe its expired?',
                       f'here is our {name.lower().replace("_", " ")} so you can check:',
                       f'can you verify this {secret_says(kind)}?', f'{name}=',
                       'we set it like this:']))
    sep = '' if intro.endswith('=') else ' '
    d.f('[«t»] «who»: «i»«sep»«v»\n', t=ts(clk, 'hm'), who=who, i=intro, sep=sep, v=S(v, kind))
    if chance(0.6):
        d.f('[«t»] Agent «ag»: Please never share secrets in chat, I\'d revoke that one now. '
            'I opened ticket «tk» for you.\n', t=ts(clk, 'hm'), ag=ag, tk=kk('TICKET_NUMBER'))
    if chance(0.7):
        pi = R.randrange(4)
        if pi == 0:
            d.f('[«t»] «who»: «m» «e»\n', t=ts(clk, 'hm'), who=who,
                m=typo('ok. you can reach me at'), e=P(pick([email(fn, ln), email_obf(fn, ln)]), 'EMAIL'))
        elif pi == 1:
            d.f('[«t»] «who»: «m» «p»\n', t=ts(clk, 'hm'), who=who,
                m=typo(pick(['call me back pls', 'my cell is', 'phone:'])), p=P(phone(), 'PHONE'))
        elif pi == 2:
            d.f('[«t»] «who»: «m» «o», «m2» «c»\n', t=ts(clk, 'hm'), who=who,
                m=typo('also i was double charged on order'), o=kk('ORDER_NUMBER'),
                m2=typo('card was'), c=P(card(), 'CARD_NUMBER'))
        else:
            d.f('[«t»] «who»: «m» «e» / «p»\n', t=ts(clk, 'hm'), who=who, m=typo('contact:'),
                e=P(email(fn, ln), 'EMAIL'), p=P(phone(), 'PHONE'))
    d.f('[«t»] Agent «ag»: Thanks, escalated. Our status page shows «ver» rolled out at «ts2».\n',
        t=ts(clk, 'hm'), ag=ag, ver=kk('VERSION'), ts2=ts(clk, 'iso'))
    return d


ML = {
    'de': dict(hi='Hallo, ich habe eine Frage zu meiner Rechnung', iban='Meine IBAN lautet',
               dob='Geburtsdatum', addr='Neue Adresse:', phone='Rückruf bitte unter',
               pw='mein Passwort ist', mail='Meine E-Mail:', id_='Ausweis', inv='Rechnung',
               bye='Danke und viele Grüße', agent='Gerne, ich habe das im Ticket {} vermerkt.'),
    'fr': dict(hi='Bonjour, j\'ai un souci avec mon prélèvement', iban='voici mon IBAN',
               dob='date de naissance', addr='ma nouvelle adresse :', phone='vous pouvez m\'appeler au',
               pw='mon mot de passe c\'est', mail='mon mail :', id_='pièce d\'identité', inv='facture',
               bye='Merci, bonne journée', agent='Très bien, j\'ai noté cela dans le dossier {}.'),
    'es': dict(hi='Hola, tengo un problema con el pago', iban='mi IBAN es', dob='fecha de nacimiento',
               addr='mi dirección nueva es', phone='mi móvil es el', pw='la contraseña es',
               mail='mi correo:', id_='documento', inv='factura', bye='Gracias, un saludo',
               agent='Perfecto, lo he anotado en la incidencia {}.'),
    'pt': dict(hi='Olá, preciso de ajuda com a minha conta', iban='o meu IBAN é',
               dob='data de nascimento', addr='morada:', phone='o meu telemóvel é', pw='a senha é',
               mail='email:', id_='documento', inv='fatura', bye='Obrigado', agent='Registado no pedido {}.'),
    'it': dict(hi='Buongiorno, ho un problema con l\'addebito', iban='il mio IBAN è',
               dob='data di nascita', addr='indirizzo:', phone='il mio cellulare è', pw='la password è',
               mail='la mia email:', id_='documento', inv='fattura', bye='Grazie mille',
               agent='Ho aggiunto tutto alla pratica {}.'),
    'nl': dict(hi='Hoi, ik heb een vraag over mijn abonnement', iban='mijn IBAN is',
               dob='geboortedatum', addr='nieuw adres:', phone='bel me op', pw='mijn wachtwoord is',
               mail='mijn e-mail:', id_='identiteit', inv='factuur', bye='Bedankt!',
               agent='Prima, genoteerd in ticket {}.'),
    'pl': dict(hi='Dzień dobry, mam problem z płatnością', iban='mój IBAN to', dob='data urodzenia',
               addr='adres:', phone='mój numer to', pw='hasło to', mail='mój e-mail:',
               id_='dokument', inv='faktura', bye='Dziękuję', agent='Zapisałem w zgłoszeniu {}.'),
}
LANG_COUNTRY = {'de': 'DE', 'fr': 'FR', 'es': 'ES', 'pt': 'PT', 'it': 'IT', 'nl': 'NL', 'pl': 'PL'}
LANG_PHONE = {'de': 'DE', 'fr': 'FR', 'es': 'ES', 'pt': 'BR', 'it': 'IT', 'nl': 'NL', 'pl': 'PL'}
LANG_ADDR = {'de': 'DE', 'fr': 'FR', 'es': 'ES', 'pt': None, 'it': 'IT', 'nl': 'NL', 'pl': None}
LANG_ID = {'es': 'ES_DNI', 'nl': 'NL_BSN', 'pl': 'PL_PESEL', 'fr': 'FR_NIR', 'it': 'IT_CODICE_FISCALE'}


def sc_chat_multilingual():
    lang = pick(sorted(ML))
    L = ML[lang]
    d = Doc('chat')
    clk = Clock()
    fn, ln = person()
    ag = pick(AGENTS)
    d.f('«t» «fn»: «m»\n', t=ts(clk, 'hm'), fn=fn, m=typo(L['hi']))
    items = R.sample(['iban', 'dob', 'addr', 'phone', 'pw', 'mail', 'id'], R.randint(2, 4))
    for it in items:
        if it == 'iban':
            d.f('«t» «fn»: «m» «v»\n', t=ts(clk, 'hm'), fn=fn, m=typo(L['iban']),
                v=P(iban(LANG_COUNTRY[lang] if lang != 'pl' or chance(0.5) else None), 'IBAN'))
        elif it == 'dob':
            d.f('«t» «fn»: «m»: «v»\n', t=ts(clk, 'hm'), fn=fn, m=L['dob'],
                v=P(dob(lang=lang), 'DATE_OF_BIRTH'))
        elif it == 'addr':
            d.f('«t» «fn»: «m» «v»\n', t=ts(clk, 'hm'), fn=fn, m=L['addr'],
                v=P(address(LANG_ADDR[lang]), 'STREET_ADDRESS'))
        elif it == 'phone':
            d.f('«t» «fn»: «m» «v»\n', t=ts(clk, 'hm'), fn=fn, m=typo(L['phone']),
                v=P(phone(LANG_PHONE[lang]), 'PHONE'))
        elif it == 'pw':
            d.f('«t» «fn»: «m» «v»\n', t=ts(clk, 'hm'), fn=fn, m=typo(L['pw']),
                v=S(password(), 'PASSWORD'))
        elif it == 'mail':
            d.f('«t» «fn»: «m» «v»\n', t=ts(clk, 'hm'), fn=fn, m=L['mail'],
                v=P(pick([email(fn, ln), email_obf(fn, ln)]), 'EMAIL'))
        else:
            k = LANG_ID.get(lang)
            if k:
                g = [x for x in NATIONAL_IDS if x[0] == k][0]
                d.f('«t» «fn»: «lab»: «v»\n', t=ts(clk, 'hm'), fn=fn, lab=pick(g[2]), v=P(g[1](), k))
            else:
                d.f('«t» «fn»: «lab» «v»\n', t=ts(clk, 'hm'), fn=fn, lab=L['id_'] + ' / passport',
                    v=P(passport(), 'PASSPORT_NUMBER'))
    d.f('«t» «ag»: «m»', t=ts(clk, 'hm'), ag=ag, m=L['agent'].split('{}')[0])
    d.add(kk('TICKET_NUMBER'), L['agent'].split('{}')[1], ' (', L['inv'], ' ', kk('INVOICE_NUMBER'), ')\n')
    d.f('«t» «fn»: «m»\n', t=ts(clk, 'hm'), fn=fn, m=L['bye'])
    return d


def sc_email():
    d = Doc('email')
    clk = Clock()
    fn, ln = person()
    em = email(fn, ln)
    d.f('From: «fn» «ln» <«em»>\nTo: Billing Support\nDate: «date»\nSubject: Re: «sub» [«tk»]\n'
        'Message-ID: <«mid»@mail.«dom»>\n\n', fn=fn, ln=ln, em=P(em, 'EMAIL'), date=ts(clk, 'rfc'),
        sub=pick(['Account verification', 'Refund for order', 'Update my payout details',
                  'API access not working', 'Change of address']), tk=kk('TICKET_NUMBER'),
        mid=kk('UUID'), dom=em.split('@')[1])
    d.add(pick(['Hello,', 'Hi team,', 'Dear Sir or Madam,', 'Hallo zusammen,', 'Bonjour,']), '\n\n')
    parts = R.sample(['kyc', 'iban', 'card', 'secret', 'addr', 'dob'], R.randint(2, 4))
    for p in parts:
        if p == 'kyc':
            k, v, lab = natid()
            d.f('As requested for the verification, my «lab» is «v».\n', lab=lab, v=P(v, k))
        elif p == 'iban':
            d.f('Please send the refund for invoice «inv» to «v» (same account holder).\n',
                inv=kk('INVOICE_NUMBER'), v=P(iban(), 'IBAN'))
        elif p == 'card':
            d.f('The charge of EUR «amt» appeared on my card #«c», exp «exp», CVV «cvv».\n',
                amt=f'{R.randint(10, 999)}.{dd(2)}', c=P(card(pick(['', ' ', '-'])), 'CARD_NUMBER'),
                exp=f'{R.randint(1, 12):02d}/{R.randint(26, 31)}', cvv=P(dd(3), 'CARD_CVV'))
        elif p == 'secret':
            kind, val, name = any_secret()
            intro = f'Our developer said I should include the key we configured ({name}):'
            if len(val) > 60 and chance(0.6):
                col = pick([64, 72, 76])
                v = '\n'.join(wrap(val, col))
                d.f('«i»\n\n«v»\n\n', i=intro, v=S(v, kind))
            else:
                d.f('«i» «v»\n', i=intro, v=S(val, kind))
        elif p == 'addr':
            d.f('My new postal address is «a».\n', a=P(address(), 'STREET_ADDRESS'))
        else:
            d.f('Date of birth: «v»\n', v=P(dob(), 'DATE_OF_BIRTH'))
    d.f('\nBest regards,\n«fn» «ln»\n«ph»\n', fn=fn, ln=ln,
        ph=[pick(['Mobile: ', 'Tel. ', 'M ', '']), P(phone(), 'PHONE')])
    if chance(0.5):
        d.f('\nOn «dt», Support wrote:\n> Your case «tk» was updated. Ref «rid».\n',
            dt=ts(clk, 'rfc'), tk=kk('TICKET_NUMBER'), rid=kk('UUID'))
    return d


ML_MAIL = {
    'de': ('Sehr geehrte Damen und Herren,', 'bitte überweisen Sie die Erstattung für Rechnung «inv» auf folgendes Konto: «iban}.',
           'Zur Verifizierung: geboren am «dob», wohnhaft «addr».', 'Sie erreichen mich unter «phone} oder «mail}.', 'Mit freundlichen Grüßen'),
    'fr': ('Madame, Monsieur,', 'merci de rembourser la facture «inv» sur le compte «iban}.',
           'Pour vérification : née le «dob», domiciliée «addr».', 'Joignable au «phone} ou par mail «mail}.', 'Cordialement'),
    'es': ('Estimados señores:', 'les ruego que devuelvan el importe de la factura «inv» a la cuenta «iban}.',
           'Mis datos: fecha de nacimiento «dob}, domicilio en «addr».', 'Pueden llamarme al «phone} o escribir a «mail}.', 'Atentamente'),
    'it': ('Gentile assistenza,', 'vi chiedo di accreditare il rimborso della fattura «inv» sul conto «iban}.',
           'Per la verifica: data di nascita «dob}, residente in «addr».', 'Il mio numero è «phone}, email «mail}.', 'Cordiali saluti'),
    'pt': ('Exmos. Senhores,', 'solicito o reembolso da fatura «inv» para o IBAN «iban}.',
           'Dados: data de nascimento «dob}, morada «addr».', 'Contacto: «phone} / «mail}.', 'Com os melhores cumprimentos'),
    'nl': ('Geachte heer/mevrouw,', 'graag de terugbetaling van factuur «inv» op rekening «iban} storten.',
           'Ter verificatie: geboortedatum «dob}, adres «addr».', 'Bereikbaar op «phone} of via «mail}.', 'Met vriendelijke groet'),
}


def sc_email_ml():
    lang = pick(sorted(ML_MAIL))
    hi, l_iban, l_id, l_contact, bye = ML_MAIL[lang]
    d = Doc('email')
    clk = Clock()
    fn, ln = person()
    ctry = LANG_COUNTRY[lang]
    d.f('From: «fn» «ln» <«em»>\nDate: «date»\nSubject: [«tk»]\n\n', fn=fn, ln=ln, em=P(email(fn, ln), 'EMAIL'),
        date=ts(clk, 'rfc'), tk=kk('TICKET_NUMBER'))
    fix = lambda t: t.replace('}', '»')
    d.add(hi, '\n\n')
    d.f(fix(l_iban), inv=kk('INVOICE_NUMBER'), iban=P(iban(ctry), 'IBAN'))
    d.add('\n')
    d.f(fix(l_id), dob=P(dob(lang=lang), 'DATE_OF_BIRTH'), addr=P(address(LANG_ADDR[lang] or 'DE'), 'STREET_ADDRESS'))
    d.add('\n')
    if lang in LANG_ID and chance(0.7):
        k = LANG_ID[lang]
        g = [x for x in NATIONAL_IDS if x[0] == k][0]
        d.add(pick(g[2]), ': ', P(g[1](), k), '\n')
    if chance(0.35):
        kind, val, name = any_secret()
        d.add('PS: ', name, ' = ', S(val, kind), '\n')
    d.f(fix(l_contact), phone=P(phone(LANG_PHONE[lang]), 'PHONE'), mail=P(email_obf(fn, ln), 'EMAIL'))
    d.add('\n\n', bye, '\n', fn, ' ', ln, '\n')
    return d


API_PATHS = ['/api/v2/orders', '/api/v1/users/me', '/v1/payments', '/graphql', '/healthz',
             '/api/v3/invoices', '/oauth/token', '/api/v1/reports/export', '/internal/metrics']


def json_log_line(clk, d, extra=None):
    d.add('{"ts":"', ts(clk), '","level":"', pick(['info', 'info', 'debug', 'warn']),
          '","svc":"', pick(['checkout', 'billing-api', 'auth', 'gateway', 'notifier']),
          '","msg":"request completed","method":"', pick(['GET', 'POST', 'PUT']),
          '","path":"', pick(API_PATHS), '","status":', kk('HTTP_STATUS'),
          ',"duration":"', kk('DURATION'), '","request_id":"', kk('REQUEST_ID'),
          '","trace_id":"', kk('TRACE_ID'), '","span_id":"', kk('SPAN_ID'), '"')
    if extra:
        d.add(extra)
    d.add('}\n')


def sc_json_log():
    d = Doc('log')
    clk = Clock()
    n = R.randint(12, 30)
    leak_at = sorted(R.sample(range(n), R.randint(1, 2)))
    for i in range(n):
        if i in leak_at:
            t = R.randrange(5)
            if t == 0:
                kind, val, name = any_secret('JWT')
                d.add('{"ts":"', ts(clk), '","level":"debug","msg":"outbound call","headers":{"Authorization":"Bearer ',
                      S(val, 'JWT'), '","X-Request-Id":"', kk('UUID'), '"}}\n')
            elif t == 1:
                d.add('{"ts":"', ts(clk), '","level":"info","msg":"login ok","user":"', P(email(), 'EMAIL'),
                      '","client_ip":"', P(public_ip(), 'IP_ADDRESS'), '","ua":"Mozilla/5.0","session":"',
                      S(g_session_cookie(), 'SESSION_COOKIE'), '"}\n')
            elif t == 2:
                kind, val, name = any_secret()
                d.add('{"ts":"', ts(clk), '","level":"error","msg":"config dump on failure","env":{"',
                      name, '":"', S(val, kind), '","NODE_ENV":"production","PORT":"', kk('PORT'),
                      '"},"err":"', kk('ERROR_CODE'), '"}\n')
            elif t == 3:
                d.add('{"ts":"', ts(clk), '","level":"warn","msg":"signup","email":"', P(email(), 'EMAIL'),
                      '","phone":"', P(phone(), 'PHONE'), '","ip":"', P(public_ip(), 'IP_ADDRESS'),
                      '","dob":"', P(rand_date().isoformat(), 'DATE_OF_BIRTH'), '"}\n')
            else:
                pw = password()
                d.add('{"ts":"', ts(clk), '","level":"debug","msg":"POST /login body","body":{"username":"',
                      pick(['admin', 'ops', 'j.smith', 'svc-report']), '","password":"', S(pw, 'PASSWORD'),
                      '"},"remote":"', P(public_ip(), 'IP_ADDRESS'), '"}\n')
        else:
            json_log_line(clk, d)
    return d


def sc_logfmt():
    d = Doc('log')
    clk = Clock()
    n = R.randint(10, 24)
    leak = R.randrange(n)
    for i in range(n):
        d.add('time=', ts(clk), ' level=', pick(['info', 'debug', 'warn']), ' ')
        if i == leak:
            t = R.randrange(3)
            if t == 0:
                kind, val, name = any_secret()
                d.add('msg="loaded credentials" source=env ', style(name, 'snake'), '=', S(val, kind), '\n')
            elif t == 1:
                pw = password(url_safe=True)
                host = pick(INTERNAL_HOSTS[:-2])
                d.add('msg="connecting" dsn="postgres://app:', S(pw, 'DB_PASSWORD'), '@', kk('HOSTNAME', host),
                      ':', kk('PORT', '5432'), '/orders?sslmode=require"\n')
            else:
                d.add('msg="auth failed" user=', P(email(), 'EMAIL'), ' remote_addr=', P(public_ip(), 'IP_ADDRESS'),
                      ' err=', kk('ERROR_CODE'), '\n')
        else:
            d.add('msg="', pick(['handled request', 'cache miss', 'job finished', 'retrying']), '" path=',
                  pick(API_PATHS), ' status=', kk('HTTP_STATUS'), ' took=', kk('DURATION'), ' req_id=',
                  kk('REQUEST_ID'), ' peer=', kk('PRIVATE_IP'), ' build=', kk('GIT_SHA'), '\n')
    return d


def sc_syslog():
    d = Doc('syslog')
    clk = Clock()
    host = pick(['bastion-01', 'web-3', 'mail01', 'vpn-gw'])
    for _ in range(R.randint(8, 18)):
        t = R.randrange(7)
        d.add(ts(clk, 'syslog'), f' {host} ')
        pid = R.randint(300, 65000)
        if t == 0:
            d.add(f'sshd[{pid}]: Accepted publickey for deploy from ', P(public_ip(), 'IP_ADDRESS'), ' port ',
                  str(R.randint(30000, 65000)), ' ssh2: ED25519 SHA256:', kk('HASH', rs(B64, 43)), '\n')
        elif t == 1:
            d.add(f'sshd[{pid}]: Failed password for invalid user {pick(["admin", "test", "oracle"])} from ',
                  P(public_ip(), 'IP_ADDRESS'), ' port ', str(R.randint(30000, 65000)), ' ssh2\n')
        elif t == 2:
            d.add(f'sshd[{pid}]: Connection closed by ', kk('PRIVATE_IP'), ' port ', str(R.randint(30000, 65000)),
                  ' [preauth]\n')
        elif t == 3:
            d.add(f'postfix/smtpd[{pid}]: NOQUEUE: reject: RCPT from unknown[', P(public_ip(False), 'IP_ADDRESS'),
                  ']: 554 5.7.1 <', P(email(), 'EMAIL'), '>: Relay access denied\n')
        elif t == 4:
            d.add(f'CRON[{pid}]: (root) CMD (/usr/local/bin/backup.sh --target s3://backups-{dd(4)} ',
                  '--duration ', kk('DURATION'), ')\n')
        elif t == 5:
            d.add(f'kernel: [{R.randint(1000, 99999)}.{dd(6)}] UFW BLOCK IN=eth0 SRC=', P(public_ip(False), 'IP_ADDRESS'),
                  ' DST=', kk('PRIVATE_IP'), ' PROTO=TCP DPT=', kk('PORT'), '\n')
        else:
            d.add(f'snmpd[{pid}]: Connection from UDP: [', kk('PRIVATE_IP'), ']:', str(R.randint(1024, 65000)),
                  ' GET ', kk('OID'), '\n')
    # one leak: sudo with password on the command line
    t = R.randrange(3)
    d.add(ts(clk, 'syslog'), f' {host} ')
    if t == 0:
        pw = password()
        d.add(f'sudo[{R.randint(300, 65000)}]:   ops : TTY=pts/0 ; PWD=/home/ops ; USER=root ; COMMAND=/usr/bin/mysql -u root -p',
              S(pw, 'DB_PASSWORD'), ' -e SHOW DATABASES\n')
    elif t == 1:
        pw = password()
        d.add(f'sudo[{R.randint(300, 65000)}]:   deploy : TTY=pts/1 ; PWD=/srv ; USER=root ; COMMAND=/usr/bin/htpasswd -b /etc/nginx/.htpasswd admin ',
              S(pw, 'PASSWORD'), '\n')
    else:
        kind, val, name = any_secret()
        d.add(f'app[{R.randint(300, 65000)}]: WARNING using {name} from command line: ', S(val, kind), '\n')
    return d


def sc_access_log():
    d = Doc('access_log')
    clk = Clock()
    for i in range(R.randint(8, 20)):
        ip = public_ip() if chance(0.7) else None
        d.add(P(ip, 'IP_ADDRESS') if ip else kk('PRIVATE_IP'), ' - - [', ts(clk, 'clf'), '] "',
              pick(['GET', 'POST']), ' ', pick(API_PATHS))
        if chance(0.12):
            kind, val, name = any_secret(pick(['GENERIC_API_KEY', 'GCP_API_KEY', 'MAPBOX_SECRET_TOKEN', 'JWT']))
            d.add('?', pick(['api_key', 'key', 'access_token', 'token']), '=', S(val, kind))
        elif chance(0.3):
            d.add('?page=', str(R.randint(1, 40)), '&order=', kk('ORDER_NUMBER', f'ORD-{R.randint(2023, 2025)}-{dd(6)}'))
        d.add(' HTTP/1.1" ', kk('HTTP_STATUS'), ' ', str(R.randint(120, 90000)), ' "-" "',
              pick(['curl/8.4.0', 'Mozilla/5.0 (X11; Linux x86_64)', 'okhttp/4.12.0', 'python-requests/2.31.0']),
              '" rt=', kk('DURATION', f'0.{dd(3)}'), '\n')
    return d


def sc_lookalike_log():
    """Look-alike-only log: no leak, many keeps."""
    d = Doc('log')
    clk = Clock()
    for _ in range(R.randint(10, 22)):
        t = R.randrange(9)
        d.add(ts(clk, 'plain'), ' INFO  ')
        if t == 0:
            d.add('Deployed image registry.internal/app@sha256:', kk('HASH'), ' (commit ', kk('GIT_SHA'), ', build #',
                  kk('BUILD_NUMBER'), ')\n')
        elif t == 1:
            d.add('Loaded assembly Newtonsoft.Json, Version=', kk('VERSION', f'{R.randint(9, 13)}.0.0.0'),
                  ', Culture=neutral in ', kk('DURATION'), '\n')
        elif t == 2:
            d.add('SNMP poll ', kk('OID'), ' on ', kk('PRIVATE_IP'), ':161 -> ', str(R.randint(0, 10 ** 9)), '\n')
        elif t == 3:
            d.add('order ', kk('ORDER_NUMBER'), ' invoice ', kk('INVOICE_NUMBER'), ' paid with card ', kk('MASKED_CARD'), '\n')
        elif t == 4:
            d.add('upstream ', kk('HOSTNAME'), ':', kk('PORT'), ' responded ', kk('HTTP_STATUS'), ' in ', kk('DURATION'), '\n')
        elif t == 5:
            d.add('traceparent=00-', kk('TRACE_ID'), '-', kk('SPAN_ID'), '-01 request_id=', kk('UUID'), '\n')
        elif t == 6:
            d.add('wrote ', kk('FILE_PATH'), ' sha256=', kk('HASH'), '\n')
        elif t == 7:
            d.add('retry after ', kk('ERROR_CODE'), ' (ticket ', kk('TICKET_NUMBER'), ') attempt ', str(R.randint(1, 5)), '\n')
        else:
            d.add('config api_key=', kk('PLACEHOLDER', pick(['YOUR_API_KEY', '<redacted>', '********', 'REPLACE_ME'])),
                  ' version ', kk('VERSION'), '\n')
    return d


def sc_java_trace():
    d = Doc('stacktrace')
    clk = Clock()
    pw = password(url_safe=True)
    host = pick(['db-primary.internal', 'pg-replica-2.corp.local', 'mysql.staging.local'])
    db = pick(['postgresql', 'mysql', 'sqlserver'])
    port = {'postgresql': '5432', 'mysql': '3306', 'sqlserver': '1433'}[db]
    d.add(ts(clk, 'plain'), ' ERROR [', pick(['main', 'http-nio-8080-exec-4', 'scheduling-1']), '] ',
          'o.h.engine.jdbc.spi.SqlExceptionHelper - Unable to acquire JDBC Connection\n')
    if db == 'sqlserver':
        url = ['jdbc:sqlserver://', kk('HOSTNAME', host), ':', kk('PORT', port), ';databaseName=orders;user=app;password=',
               S(pw, 'DB_PASSWORD'), ';encrypt=true']
    elif chance(0.5):
        url = ['jdbc:', db, '://', kk('HOSTNAME', host), ':', kk('PORT', port), '/orders?user=app&password=', S(pw, 'DB_PASSWORD')]
    else:
        url = ['jdbc:', db, '://app:', S(pw, 'DB_PASSWORD'), '@', kk('HOSTNAME', host), ':', kk('PORT', port), '/orders']
    d.add('org.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC Connection for url [', url, ']\n')
    frames = ['org.springframework.jdbc.datasource.DataSourceUtils.getConnection(DataSourceUtils.java:84)',
              'com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:181)',
              'com.brightfield.orders.OrderRepository.findByCustomer(OrderRepository.java:57)',
              'com.brightfield.orders.OrderService.lambda$load$0(OrderService.java:112)',
              'java.base/java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1136)',
              'java.base/java.lang.Thread.run(Thread.java:840)']
    for f in frames[:R.randint(3, 6)]:
        d.add('\tat ', f, '\n')
    d.add('Caused by: org.postgresql.util.PSQLException: FATAL: password authentication failed for user "app" (',
          kk('ERROR_CODE', 'SQLSTATE 28P01'), ')\n\tat org.postgresql.core.v3.ConnectionFactoryImpl.doAuthentication(ConnectionFactoryImpl.java:693)\n')
    d.add('\t... ', str(R.randint(20, 60)), ' common frames omitted\n')
    d.add(ts(clk, 'plain'), ' INFO  [main] o.s.b.StartupInfoLogger - Started OrderApplication v', kk('VERSION'),
          ' in ', kk('DURATION'), ' (process running for 9.8)\n')
    if chance(0.5):
        kind, val, name = any_secret()
        d.add(ts(clk, 'plain'), ' DEBUG [main] o.s.c.e.PropertySourcesPropertyResolver - Found key \'',
              style(name, 'dot'), '\' in PropertySource \'systemEnvironment\' with value of type String: ', S(val, kind), '\n')
    return d


def sc_py_trace():
    d = Doc('stacktrace')
    kind, val, name = any_secret(pick(['GENERIC_API_KEY', 'GCP_API_KEY', 'OPENAI_API_KEY', 'HUGGINGFACE_TOKEN',
                                       'MAILCHIMP_API_KEY', 'DATADOG_API_KEY', 'SENDGRID_API_KEY', 'GROQ_API_KEY']))
    host = pick(PUBLIC_HOSTS)
    d.add('Traceback (most recent call last):\n  File "', kk('FILE_PATH', pick(['app/services/billing.py', '/srv/app/jobs/sync.py'])),
          '", line ', str(R.randint(10, 400)), ', in sync_all\n    resp = client.get(url, params=params)\n')
    d.add('  File "', kk('FILE_PATH', '/usr/lib/python3.11/site-packages/requests/adapters.py'), '", line 519, in send\n'
          '    raise ConnectionError(e, request=request)\n')
    d.add("requests.exceptions.ConnectionError: HTTPSConnectionPool(host='", kk('HOSTNAME', host), "', port=",
          kk('PORT', '443'), "): Max retries exceeded with url: /v1/sync?", pick(['api_key', 'key', 'token']), '=',
          S(val, kind), '&since=', kk('TIMESTAMP', Clock().iso()), " (Caused by NewConnectionError('Failed to establish a new connection: [Errno 111] Connection refused'))\n")
    if chance(0.6):
        pw = password(url_safe=True)
        d.add('\nDuring handling of the above exception, another exception occurred:\n\n'
              'psycopg2.OperationalError: connection to server at "', kk('PRIVATE_IP'), '", port ', kk('PORT', '5432'),
              ' failed: FATAL:  password authentication failed for user "etl"\n'
              '  (dsn: "dbname=warehouse user=etl password=', S(pw, 'DB_PASSWORD'), ' host=', kk('HOSTNAME', 'pg-replica-2.corp.local'), '")\n')
    return d


def sc_go_panic():
    d = Doc('stacktrace')
    clk = Clock()
    pw = password(url_safe=True)
    d.add(ts(clk, 'iso'), ' ERROR store/postgres.go:88 open db failed {"dsn": "postgres://orders_rw:', S(pw, 'DB_PASSWORD'),
          '@', kk('HOSTNAME', pick(['db-primary.internal', 'pg-replica-2.corp.local'])), ':', kk('PORT', '5432'), '/orders?sslmode=disable", "error": "dial tcp ',
          kk('PRIVATE_IP'), ':5432: connect: connection refused"}\n')
    d.add('panic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x', rs(HEX, 6), ']\n\n')
    d.add('goroutine ', str(R.randint(1, 300)), ' [running]:\nmain.(*Server).handle(0xc000', rs(HEX, 6), ')\n\t',
          kk('FILE_PATH', '/build/internal/store/postgres.go'), ':', str(R.randint(40, 300)), ' +0x', rs(HEX, 3), '\n')
    d.add('net/http.HandlerFunc.ServeHTTP(...)\n\t/usr/local/go/src/net/http/server.go:2166\n')
    if chance(0.6):
        kind, val, name = any_secret()
        d.add(ts(clk, 'iso'), ' DEBUG config loaded: &Config{Port:', kk('PORT', '8080'), ', ', style(name, 'pascal'),
              ':"', S(val, kind), '", Version:"', kk('VERSION'), '"}\n')
    return d


def sc_dotnet():
    d = Doc('stacktrace')
    clk = Clock()
    pw = password()
    d.add(ts(clk, 'plain'), ' fail: Microsoft.EntityFrameworkCore.Database.Connection[20004]\n')
    d.add('      An error occurred using the connection to database \'Payments\' on server \'', kk('HOSTNAME', 'sql-prod-01.corp.local'), '\'.\n')
    d.add('System.Data.SqlClient.SqlException (0x80131904): Login failed for user \'svc_payments\'.\n')
    d.add('   ConnectionString: "Server=tcp:', kk('HOSTNAME', 'sql-prod-01.corp.local'), ',', kk('PORT', '1433'),
          ';Database=Payments;User ID=svc_payments;Password=', S(pw, 'DB_PASSWORD'), ';Encrypt=True;"\n')
    d.add('   at Payments.Startup.ConfigureServices(IServiceCollection services) in ', kk('FILE_PATH', 'src/Payments/Startup.cs'),
          ':line ', str(R.randint(20, 200)), '\n')
    d.add('   Loaded: Newtonsoft.Json, Version=', kk('VERSION', '13.0.0.0'), ', Culture=neutral, PublicKeyToken=30ad4fe6b2a6aeed\n')
    d.add('ClientConnectionId:', kk('UUID'), '\nError Number:18456,State:1,Class:14\n')
    if chance(0.6):
        acct = pick(['stbrightfieldprod', 'nordhafenlogs', 'acmeassets'])
        d.add(ts(clk, 'plain'), ' warn: Azure.Storage.Blobs[0] using connection string DefaultEndpointsProtocol=https;AccountName=',
              acct, ';AccountKey=', S(sec('AZURE_STORAGE_ACCOUNT_KEY'), 'AZURE_STORAGE_ACCOUNT_KEY'), ';EndpointSuffix=core.windows.net\n')
    return d


def sc_shell_history():
    d = Doc('shell')
    n0 = R.randint(100, 2000)
    cmds = R.sample(range(17), R.randint(4, 7))
    i = n0
    for c in cmds:
        i += R.randint(1, 9)
        d.add(f'{i:5d}  ')
        if c == 0:
            d.add('mysql -h ', kk('PRIVATE_IP'), ' -P ', kk('PORT', '3306'), ' -u root -p', S(password(), 'DB_PASSWORD'), ' shop\n')
        elif c == 1:
            d.add("PGPASSWORD='", S(password(), 'DB_PASSWORD'), "' psql -h ", kk('HOSTNAME', 'db-primary.internal'), ' -U reporting -d analytics\n')
        elif c == 2:
            d.add('redis-cli -h ', kk('HOSTNAME', 'redis-01.prod.svc.cluster.local'), ' -p ', kk('PORT', '6379'), ' -a ',
                  S(password(url_safe=True), 'PASSWORD'), ' --no-auth-warning INFO\n')
        elif c == 3:
            d.add('curl -u admin:', S(password(url_safe=True), 'PASSWORD'), ' https://', kk('HOSTNAME', 'jenkins.corp.local'), '/api/json\n')
        elif c == 4:
            kind, val, name = any_secret(pick(['GITHUB_PAT', 'OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'BEARER_TOKEN',
                                               'DIGITALOCEAN_TOKEN', 'CLOUDFLARE_API_TOKEN', 'LINEAR_API_KEY', 'JWT']))
            d.add('curl -sS -H "Authorization: Bearer ', S(val, kind), '" https://', kk('HOSTNAME'), '/v1/me | jq .\n')
        elif c == 5:
            d.add('echo "', S(sec('DOCKERHUB_PAT'), 'DOCKERHUB_PAT'), '" | docker login -u ci-bot --password-stdin\n')
        elif c == 6:
            d.add('docker login -u deploy -p ', S(password(), 'PASSWORD'), ' registry.gitlab.com\n')
        elif c == 7:
            d.add('aws configure set aws_access_key_id ', S(sec('AWS_ACCESS_KEY_ID'), 'AWS_ACCESS_KEY_ID'), '\n')
            i += 1
            d.add(f'{i:5d}  aws configure set aws_secret_access_key ', S(sec('AWS_SECRET_ACCESS_KEY'), 'AWS_SECRET_ACCESS_KEY'), '\n')
        elif c == 8:
            d.add('kubectl create secret generic api-creds -n ', pick(['prod', 'payments', 'default']),
                  ' --from-literal=username=svc --from-literal=password=', S(password(), 'PASSWORD'), '\n')
        elif c == 9:
            kind, val, name = any_secret()
            d.add('export ', name, '=', "'" if '$' in val else '', S(val, kind), "'" if '$' in val else '', '\n')
        elif c == 10:
            tok = sec('GITHUB_PAT')
            d.add('git clone https://x-access-token:', S(tok, 'GITHUB_PAT'), '@github.com/brightfield/infra.git\n')
        elif c == 11:
            d.add('git log --oneline -3 ', kk('GIT_SHA'), '\n')
        elif c == 12:
            d.add('ssh -p ', kk('PORT', '22'), ' deploy@', kk('PRIVATE_IP'), ' "tail -n 200 ', kk('FILE_PATH', '/var/log/app/server.log'), '"\n')
        elif c == 13:
            d.add('sha256sum release.tar.gz  # ', kk('HASH'), '\n')
        elif c == 14:
            d.add('npm config set //registry.npmjs.org/:_authToken ', S(sec('NPM_TOKEN'), 'NPM_TOKEN'), '\n')
        elif c == 15:
            d.add('vault login ', S(sec('VAULT_TOKEN'), 'VAULT_TOKEN'), '\n')
        else:
            cred = f'{pick(["admin", "elastic", "grafana"])}:{password(url_safe=True)}'
            d.add("curl -H 'Authorization: Basic ", S(b64(cred.encode()), 'HTTP_BASIC_AUTH'), "' http://", kk('PRIVATE_IP'), ':', kk('PORT', '9200'),
                  '/_cluster/health\n')
    return d


def sc_cli_long():
    """Multi-line CLI invocations with backslash continuation."""
    d = Doc('shell')
    t = R.randrange(4)
    if t == 0:
        kind, val, name = any_secret(pick(['STRIPE_SECRET_KEY', 'STRIPE_RESTRICTED_KEY']))
        d.add('$ curl https://', kk('HOSTNAME', 'api.stripe.com'), '/v1/refunds \\\n  -u ', S(val, kind), ': \\\n',
              '  -d charge=ch_', rs(AN, 24), ' \\\n  -d amount=', str(R.randint(100, 90000)), '\n')
    elif t == 1:
        sid = 'AC' + rs(HEX, 32)
        d.add('$ curl -X POST "https://', kk('HOSTNAME', 'api.twilio.com'), '/2010-04-01/Accounts/', sid, '/Messages.json" \\\n',
              '    --data-urlencode "To=', P(phone(), 'PHONE'), '" \\\n    --data-urlencode "Body=Your code is ',
              S(dd(6), 'OTP_CODE'), '" \\\n    -u ', sid, ':', S(sec('TWILIO_AUTH_TOKEN'), 'TWILIO_AUTH_TOKEN'), '\n')
    elif t == 2:
        d.add('$ docker run -d --name pg \\\n  -e POSTGRES_USER=app \\\n  -e POSTGRES_PASSWORD=', S(password(), 'DB_PASSWORD'),
              ' \\\n  -p ', kk('PORT', '5432'), ':5432 postgres:', kk('VERSION', f'{R.randint(13, 17)}.{R.randint(1, 6)}'), '\n')
    else:
        val = sec('SENDGRID_API_KEY')
        d.add('$ curl --request POST --url https://', kk('HOSTNAME', 'api.sendgrid.com'), '/v3/mail/send \\\n',
              '  --header "Authorization: Bearer ', S(split_value(val, '\\\n'), 'SENDGRID_API_KEY'), '" \\\n',
              '  --header \'Content-Type: application/json\' --data \'{"personalizations":[{"to":[{"email":"',
              P(email(), 'EMAIL'), '"}]}]}\'\n')
    d.add('HTTP status: ', kk('HTTP_STATUS'), ' (', kk('DURATION'), ')\n')
    return d


def sc_dsn_config():
    d = Doc(pick(['env', 'config']))
    lines = R.sample(range(8), R.randint(3, 5))
    for c in lines:
        pw = password(url_safe=True)
        if c == 0:
            d.add('DATABASE_URL=postgresql://app_user:', S(pw, 'DB_PASSWORD'), '@', kk('HOSTNAME', 'db-primary.internal'), ':',
                  kk('PORT', '5432'), '/app_production\n')
        elif c == 1:
            d.add('MONGO_URI=mongodb+srv://analytics:', S(pw, 'DB_PASSWORD'), '@cluster0.', rs(LO + DG, 5),
                  '.mongodb.net/events?retryWrites=true&w=majority\n')
        elif c == 2:
            d.add('AMQP_URL=amqps://worker:', S(pw, 'PASSWORD'), '@', kk('HOSTNAME', 'mq.internal'), ':', kk('PORT', '5671'), '/%2Fprod\n')
        elif c == 3:
            d.add('REDIS_URL=redis://:', S(pw, 'PASSWORD'), '@', kk('HOSTNAME', 'redis-01.prod.svc.cluster.local'), ':',
                  kk('PORT', '6379'), '/0\n')
        elif c == 4:
            d.add('spring.datasource.url=jdbc:mysql://', kk('HOSTNAME', 'mysql.staging.local'), ':', kk('PORT', '3306'),
                  '/crm?user=crm&password=', S(pw, 'DB_PASSWORD'), '&useSSL=true\n')
        elif c == 5:
            d.add('ODBC_CONN="Driver={ODBC Driver 18 for SQL Server};Server=', kk('HOSTNAME', 'sql-prod-01.corp.local'), ',',
                  kk('PORT', '1433'), ';Uid=report;Pwd=', S(pw, 'DB_PASSWORD'), ';Encrypt=yes;"\n')
        elif c == 6:
            d.add('CELERY_BROKER_URL=amqp://guest:', S(pw, 'PASSWORD'), '@', kk('PRIVATE_IP'), ':', kk('PORT', '5672'), '//\n')
        else:
            d.add('SQLALCHEMY_DATABASE_URI=mysql+pymysql://etl:', S(pw, 'DB_PASSWORD'), '@', kk('PRIVATE_IP'), '/dw?charset=utf8mb4\n')
    return d


def sc_http_raw():
    d = Doc('http')
    clk = Clock()
    host = pick(['api.brightfield.co', 'shop.nordhafen.de', 'portal.acme-logistics.com'])
    method = pick(['GET', 'POST', 'PATCH'])
    d.add(method, ' ', pick(API_PATHS), ' HTTP/1.1\nHost: ', host, '\n')
    t = R.randrange(4)
    if t == 0:
        kind, val, name = any_secret(pick(['JWT', 'BEARER_TOKEN', 'GITHUB_OAUTH_TOKEN', 'OKTA_API_TOKEN', 'SQUARE_ACCESS_TOKEN']))
        d.add('Authorization: ', 'SSWS ' if kind == 'OKTA_API_TOKEN' else 'Bearer ', S(val, kind), '\n')
    elif t == 1:
        cred = f'{pick(["admin", "api", "svc-sync"])}:{password(url_safe=True)}'
        d.add('Authorization: Basic ', S(b64(cred.encode()), 'HTTP_BASIC_AUTH'), '\n')
    elif t == 2:
        kind, val, name = any_secret(pick(['GENERIC_API_KEY', 'DATADOG_API_KEY', 'NEW_RELIC_USER_KEY', 'POSTMAN_API_KEY', 'AIRTABLE_PAT']))
        d.add(pick(['X-API-Key', 'X-Api-Key', 'DD-API-KEY', 'Api-Key', 'X-Auth-Token']), ': ', S(val, kind), '\n')
    else:
        d.add('Cookie: _ga=GA1.2.', dd(10), '.', dd(10), '; sessionid=', S(g_session_cookie(), 'SESSION_COOKIE'), '; theme=dark\n')
    d.add('X-Request-ID: ', kk('UUID'), '\nX-Forwarded-For: ', P(public_ip(), 'IP_ADDRESS'), ', ', kk('PRIVATE_IP'), '\n')
    d.add('User-Agent: ', pick(['okhttp/4.12.0', 'axios/1.6.7', 'Go-http-client/2.0']), '\n')
    if method != 'GET':
        fn, ln = person()
        d.add('Content-Type: application/json\n\n{"customer":{"email":"', P(email(fn, ln), 'EMAIL'), '","phone":"',
              P(phone(), 'PHONE'), '"},"order":"', kk('ORDER_NUMBER'), '"}\n')
    d.add('\nHTTP/1.1 ', kk('HTTP_STATUS'), ' \nDate: ', ts(clk, 'rfc'), '\nETag: "', kk('HASH', rs(HEX, 32)), '"\n')
    if chance(0.5):
        d.add('Set-Cookie: session=', S(g_session_cookie(), 'SESSION_COOKIE'), '; Path=/; HttpOnly; Secure; SameSite=Lax\n')
    return d


def sc_har():
    d = Doc('har')
    clk = Clock()
    kind, val, name = any_secret(pick(['JWT', 'BEARER_TOKEN', 'SHOPIFY_ACCESS_TOKEN', 'GENERIC_API_KEY', 'AUTH0_CLIENT_SECRET']))
    fn, ln = person()
    pw = password()
    hdr = 'X-Shopify-Access-Token' if kind == 'SHOPIFY_ACCESS_TOKEN' else 'authorization'
    hv = [S(val, kind)] if kind == 'SHOPIFY_ACCESS_TOKEN' else ['Bearer ', S(val, kind)]
    d.add('{\n  "log": {\n    "version": "1.2",\n    "creator": {"name": "WebInspector", "version": "537.36"},\n    "entries": [\n      {\n',
          '        "startedDateTime": "', ts(clk), '",\n        "time": ', str(R.randint(20, 900)), '.', dd(3), ',\n',
          '        "request": {\n          "method": "POST",\n          "url": "https://', kk('HOSTNAME', pick(['app.brightfield.co', 'auth.nordhafen.de'])),
          '/api/session",\n          "headers": [\n            {"name": "', hdr, '", "value": "', hv, '"},\n',
          '            {"name": "x-request-id", "value": "', kk('UUID'), '"}\n          ],\n',
          '          "cookies": [{"name": "sid", "value": "', S(g_session_cookie(), 'SESSION_COOKIE'), '"}],\n',
          '          "postData": {"mimeType": "application/json", "text": "{\\"email\\":\\"', P(email(fn, ln), 'EMAIL'),
          '\\",\\"password\\":\\"', S(pw, 'PASSWORD'), '\\"}"}\n        },\n',
          '        "response": {"status": ', kk('HTTP_STATUS'), ', "headers": [{"name": "etag", "value": "W/\\"', rs(HEX, 16),
          '\\""}]},\n        "serverIPAddress": "', kk('PRIVATE_IP'),
          '",\n        "timings": {"wait": ', str(R.randint(5, 600)), '}\n      }\n    ]\n  }\n}\n')
    return d


def sc_postman():
    d = Doc('postman')
    kind, val, name = any_secret()
    k2, v2, n2 = any_secret()
    d.add('{\n  "id": "', kk('UUID'), '",\n  "name": "', pick(['Production', 'Staging', 'Partner API']), '",\n  "values": [\n')
    d.add('    {"key": "baseUrl", "value": "https://', kk('HOSTNAME'), '", "enabled": true},\n')
    d.add('    {"key": "', style(name, 'camel'), '", "value": "', S(val, kind), '", "type": "secret", "enabled": true},\n')
    d.add('    {"key": "', style(n2, 'snake'), '", "value": "', S(v2, k2), '", "enabled": true},\n')
    d.add('    {"key": "exampleKey", "value": "', kk('PLACEHOLDER', pick(['{{api_key}}', 'YOUR_API_KEY', '<your-token-here>'])), '", "enabled": false}\n')
    d.add('  ],\n  "_postman_variable_scope": "environment",\n  "_postman_exported_at": "', ts(Clock()),
          '",\n  "_postman_exported_using": "Postman/', kk('VERSION'), '"\n}\n')
    return d


def sc_env():
    d = Doc('env')
    d.add('# ', pick(['production', 'prod', 'staging']), ' – generated ', ts(Clock(), 'iso'), '\n')
    d.add('APP_ENV=production\nPORT=', kk('PORT', pick(['8080', '3000', '9090'])), '\nAPP_VERSION=', kk('VERSION'), '\n')
    for _ in range(R.randint(3, 7)):
        kind, val, name = any_secret()
        q = pick(['', '"', "'"]) if '$' not in val else "'"
        d.add(name, '=', q, S(val, kind), q, '\n')
    if chance(0.4):
        d.add('SUPPORT_PHONE_FALLBACK=', P(phone(), 'PHONE'), '  # on-call personal mobile\n')
    d.add('LOG_LEVEL=info\nREDIS_HOST=', kk('PRIVATE_IP'), '\n')
    return d


def sc_env_example():
    """.env.example / README snippet: placeholders only (keep), plus maybe one real leak."""
    d = Doc('env')
    d.add('# Copy to .env and fill in. Never commit real values.\n')
    names = R.sample(GENERIC_POOL, R.randint(4, 7))
    for kind in names:
        name = sec_name(kind)
        d.add(name, '=', kk('PLACEHOLDER', pick(['changeme', 'YOUR_API_KEY', '<your-token-here>', 'REPLACE_ME', 'xxxxxxxxxxxxxxxx',
                                                 'your-secret-here', 'TODO', 'dummy', 'example-token'])), '\n')
    d.add('DATABASE_URL=postgres://postgres:', kk('PLACEHOLDER', 'postgres'), '@', kk('HOSTNAME', 'localhost'), ':', kk('PORT', '5432'), '/dev\n')
    if chance(0.4):
        kind, val, name = any_secret()
        d.add('# TODO remove before merge\n', name, '_PROD=', S(val, kind), '\n')
    return d


def yaml_q(v):
    if re.fullmatch(r'[A-Za-z0-9][A-Za-z0-9_.\-/+=~]*', v) and not v.isdigit():
        return '', v, ''
    return '"', v, '"'


def sc_yaml():
    d = Doc('yaml')
    t = R.randrange(4)
    if t == 0:  # docker-compose
        pw = password()
        d.add('version: "3.9"\nservices:\n  db:\n    image: postgres:', kk('VERSION', f'{R.randint(13, 17)}.{R.randint(1, 6)}'), '\n',
              '    environment:\n      POSTGRES_USER: app\n      POSTGRES_PASSWORD: ')
        q1, v, q2 = yaml_q(pw)
        d.add(q1, S(v, 'DB_PASSWORD'), q2, '\n    ports:\n      - "', kk('PORT', '5432'), ':5432"\n  api:\n    build: .\n    environment:\n')
        for _ in range(R.randint(2, 4)):
            kind, val, name = any_secret()
            q1, v, q2 = yaml_q(val)
            d.add('      - ', name, '=', S(val, kind), '\n')
        d.add('      - DB_HOST=db\n')
    elif t == 1:  # GitHub Actions
        d.add('name: release\non:\n  push:\n    tags: ["v*"]\njobs:\n  publish:\n    runs-on: ubuntu-22.04\n    steps:\n',
              '      - uses: actions/checkout@', kk('GIT_SHA', rs(HEX, 40)), ' # v4\n',
              '      - run: npm publish\n        env:\n          NODE_AUTH_TOKEN: ', kk('PLACEHOLDER', '${{ secrets.NPM_TOKEN }}'), '\n')
        kind, val, name = any_secret()
        q1, v, q2 = yaml_q(val)
        d.add('      - name: notify\n        env:\n          ', name, ': ', q1, S(v, kind), q2,
              '  # FIXME move to secrets\n        run: ./scripts/notify.sh\n')
    elif t == 2:  # Spring application.yml
        pw = password()
        q1, v, q2 = yaml_q(pw)
        d.add('server:\n  port: ', kk('PORT', '8443'), '\nspring:\n  datasource:\n    url: jdbc:postgresql://', kk('HOSTNAME', 'db-primary.internal'),
              ':', kk('PORT', '5432'), '/billing\n    username: billing\n    password: ', q1, S(v, 'DB_PASSWORD'), q2, '\n')
        kind, val, name = any_secret()
        q1, v, q2 = yaml_q(val)
        d.add('  mail:\n    host: smtp.sendgrid.net\n    password: ', q1, S(v, kind), q2, '\nmanagement:\n  endpoints:\n    web:\n      exposure:\n        include: health\n')
    else:  # Ansible vars / helm values
        d.add('# ', kk('FILE_PATH', './deploy/helm/values.yaml'), '\nimage:\n  repository: registry.internal/api\n  tag: "',
              kk('VERSION'), '"\n  digest: sha256:', kk('HASH'), '\nsecrets:\n')
        for _ in range(R.randint(2, 4)):
            kind, val, name = any_secret()
            q1, v, q2 = yaml_q(val)
            d.add('  ', style(name, 'camel'), ': ', q1, S(v, kind), q2, '\n')
        d.add('  dbPassword: "', kk('PLACEHOLDER', pick(['${DB_PASSWORD}', '{{ .Values.db.password }}'])), '"\n')
    return d


def sc_toml():
    d = Doc('toml')
    d.add('[server]\nhost = "', kk('PRIVATE_IP'), '"\nport = ', kk('PORT'), '\n\n[database]\nurl = "postgres://svc:')
    d.add(S(password(url_safe=True), 'DB_PASSWORD'), '@', kk('HOSTNAME', 'db-primary.internal'), '/svc"\npool_timeout = "', kk('DURATION', '30s'), '"\n\n')
    d.add('[integrations]\n')
    for _ in range(R.randint(2, 4)):
        kind, val, name = any_secret()
        d.add(style(name, 'snake'), ' = "', S(val, kind), '"\n')
    if chance(0.5):
        d.add('\n[registries.internal]\nindex = "sparse+https://', kk('HOSTNAME', 'cargo.corp.local'), '/index/"\n')
    return d


def sc_ini():
    d = Doc('ini')
    t = R.randrange(3)
    if t == 0:
        d.add('[distutils]\nindex-servers =\n    pypi\n\n[pypi]\nusername = __token__\npassword = ', S(sec('PYPI_TOKEN'), 'PYPI_TOKEN'), '\n')
    elif t == 1:
        d.add('[client]\nuser=backup\npassword="', S(password(), 'DB_PASSWORD'), '"\nhost=', kk('PRIVATE_IP'), '\nport=', kk('PORT', '3306'), '\n')
    else:
        d.add('; ', kk('FILE_PATH', pick(['/etc/app/app.ini', 'C:\\ProgramData\\Sync\\sync.ini'])), '\n[general]\nversion=', kk('VERSION'), '\n\n[smtp]\nhost=', kk('HOSTNAME', 'smtp.sendgrid.net'),
              '\nuser=apikey\npass=', S(sec('SENDGRID_API_KEY'), 'SENDGRID_API_KEY'), '\n')
    d.add('\n[api]\n')
    kind, val, name = any_secret()
    d.add(style(name, 'snake'), ' = ', S(val, kind), '\ntimeout = ', kk('DURATION', f'{R.randint(5, 60)}s'), '\n')
    return d


def sc_properties():
    d = Doc('properties')
    d.add('# ', kk('FILE_PATH', 'src/main/resources/application.properties'), '\nserver.port=', kk('PORT', '8080'), '\n')
    d.add('spring.datasource.url=jdbc:postgresql://', kk('HOSTNAME', 'pg-replica-2.corp.local'), ':', kk('PORT', '5432'), '/ledger\n')
    d.add('spring.datasource.username=ledger\nspring.datasource.password=', S(password(), 'DB_PASSWORD'), '\n')
    for _ in range(R.randint(1, 3)):
        kind, val, name = any_secret()
        d.add(style(name, 'dot'), '=', S(val, kind), '\n')
    d.add('info.app.version=', kk('VERSION'), '\nmanagement.endpoint.health.show-details=never\n')
    return d


def sc_xml():
    d = Doc('xml')
    t = R.randrange(4)
    if t == 0:
        d.add('<settings>\n  <servers>\n    <server>\n      <id>nexus-releases</id>\n      <username>deployer</username>\n      <password>',
              S(password().replace('?', '!'), 'PASSWORD'), '</password>\n    </server>\n  </servers>\n</settings>\n')
    elif t == 1:
        d.add('<configuration>\n  <connectionStrings>\n    <add name="Default" connectionString="Server=', kk('HOSTNAME', 'sql-prod-01.corp.local'),
              ';Database=Crm;User Id=crm_app;Password=', S(password().replace('?', '!'), 'DB_PASSWORD'), ';" providerName="System.Data.SqlClient" />\n  </connectionStrings>\n')
        kind, val, name = any_secret()
        d.add('  <appSettings>\n    <add key="', style(name, 'pascal'), '" value="', S(val, kind), '" />\n    <add key="Version" value="',
              kk('VERSION'), '" />\n  </appSettings>\n</configuration>\n')
    elif t == 2:
        d.add('<?xml version="1.0" encoding="utf-8"?>\n<configuration>\n  <packageSources>\n    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />\n',
              '  </packageSources>\n  <apikeys>\n    <add key="https://www.nuget.org" value="', S(sec('NUGET_API_KEY'), 'NUGET_API_KEY'), '" />\n  </apikeys>\n</configuration>\n')
    else:
        kind, val, name = any_secret()
        d.add('<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">\n <soapenv:Header>\n  <wsse:UsernameToken>\n',
              '   <wsse:Username>partner-', dd(4), '</wsse:Username>\n   <wsse:Password>', S(password().replace('?', '!'), 'PASSWORD'), '</wsse:Password>\n',
              '  </wsse:UsernameToken>\n  <ApiKey>', S(val, kind), '</ApiKey>\n </soapenv:Header>\n <soapenv:Body><GetOrder><Id>', kk('ORDER_NUMBER'),
              '</Id></GetOrder></soapenv:Body>\n</soapenv:Envelope>\n')
    return d


def sc_hcl():
    d = Doc('hcl')
    t = R.randrange(3)
    if t == 0:
        d.add('provider "cloudflare" {\n  api_token = "', S(sec('CLOUDFLARE_API_TOKEN'), 'CLOUDFLARE_API_TOKEN'), '"\n}\n\n')
    elif t == 1:
        d.add('provider "aws" {\n  region     = "eu-central-1"\n  access_key = "', S(sec('AWS_ACCESS_KEY_ID'), 'AWS_ACCESS_KEY_ID'), '"\n  secret_key = "',
              S(sec('AWS_SECRET_ACCESS_KEY'), 'AWS_SECRET_ACCESS_KEY'), '"\n}\n\n')
    else:
        d.add('provider "vault" {\n  address = "https://', kk('HOSTNAME', 'vault.service.consul'), ':', kk('PORT', '8200'), '"\n  token   = "',
              S(sec('VAULT_TOKEN'), 'VAULT_TOKEN'), '"\n}\n\n')
    d.add('resource "aws_db_instance" "main" {\n  engine_version = "', kk('VERSION', f'{R.randint(13, 16)}.{R.randint(1, 9)}'), '"\n  username       = "dbadmin"\n',
          '  password       = "', S(password().replace('$', '!'), 'DB_PASSWORD'), '"\n  port           = ', kk('PORT', '5432'), '\n}\n')
    if chance(0.5):
        kind, val, name = any_secret()
        d.add('\nvariable "', style(name, 'snake'), '" {\n  type      = string\n  sensitive = true\n  default   = "', S(val, kind), '"\n}\n')
    return d


def sc_json_config():
    d = Doc('json')
    kind, val, name = any_secret()
    d.add('{\n  "Logging": {"LogLevel": {"Default": "Information"}},\n  "ConnectionStrings": {\n    "Main": "Host=', kk('PRIVATE_IP'), ';Port=',
          kk('PORT', '5432'), ';Username=app;Password=', S(password().replace('"', '!'), 'DB_PASSWORD'), ';Database=main"\n  },\n')
    d.add('  "', style(name, 'pascal'), '": "', S(val, kind), '",\n  "AzureAd": {\n    "TenantId": "', uuid4(), '",\n    "ClientId": "', uuid4(),
          '",\n    "ClientSecret": "', S(sec('AZURE_CLIENT_SECRET'), 'AZURE_CLIENT_SECRET'), '"\n  },\n  "BuildInfo": {"Version": "', kk('VERSION'),
          '", "Commit": "', kk('GIT_SHA'), '"}\n}\n')
    return d


def sc_ci_log():
    d = Doc('ci')
    clk = Clock()
    d.add('Run #', kk('BUILD_NUMBER'), ' on runner ', pick(['gh-ubuntu-22', 'gitlab-runner-07', 'jenkins-agent-3']), ' (', ts(clk), ')\n')
    d.add('$ git checkout ', kk('GIT_SHA', rs(HEX, 40)), '\n$ node --version\n', kk('VERSION', f'v{R.randint(18, 22)}.{R.randint(0, 12)}.{R.randint(0, 9)}'), '\n')
    t = R.randrange(5)
    if t == 0:
        d.add('$ echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc\n$ cat .npmrc   # debug\n//registry.npmjs.org/:_authToken=',
              S(sec('NPM_TOKEN'), 'NPM_TOKEN'), '\n')
    elif t == 1:
        d.add('$ docker login -u ci -p ', S(sec('DOCKERHUB_PAT'), 'DOCKERHUB_PAT'),
              '\nWARNING! Using --password via the CLI is insecure. Use --password-stdin.\nLogin Succeeded\n')
    elif t == 2:
        kind, val, name = any_secret()
        d.add('$ env | sort\nCI=true\nCI_JOB_ID=', kk('BUILD_NUMBER', str(R.randint(10 ** 8, 10 ** 9))), '\n', name, '=', S(val, kind), '\nHOME=/root\n')
    elif t == 3:
        d.add('$ twine upload dist/* -u __token__ -p ', S(sec('PYPI_TOKEN'), 'PYPI_TOKEN'), '\nUploading distributions to https://upload.pypi.org/legacy/\n')
    else:
        d.add('$ dotnet nuget push bin/Release/*.nupkg --api-key ', S(sec('NUGET_API_KEY'), 'NUGET_API_KEY'), ' --source https://api.nuget.org/v3/index.json\n')
    d.add('Masked value in later steps: ', kk('PLACEHOLDER', '***'), '\n')
    for _ in range(R.randint(3, 8)):
        d.add('[', ts(clk), '] ', pick(['PASS', 'PASS', 'SKIP']), ' ', pick(['tests/api/test_orders.py', 'src/__tests__/cart.test.ts', 'pkg/store']),
              ' (', kk('DURATION'), ')\n')
    d.add('Artifact sha256:', kk('HASH'), '\nJob succeeded in ', kk('DURATION', f'{R.randint(1, 20)}m{R.randint(0, 59)}s'), '\n')
    return d


def sc_k8s_secret():
    d = Doc('k8s')
    d.add('apiVersion: v1\nkind: Secret\nmetadata:\n  name: ', pick(['api-credentials', 'db-secret', 'app-env']), '\n  namespace: ',
          pick(['prod', 'payments', 'default']), '\n  uid: ', kk('UUID'), '\n  resourceVersion: "', str(R.randint(10 ** 5, 10 ** 8)), '"\ntype: Opaque\ndata:\n')
    d.add('  DB_HOST: ', b64(pick(INTERNAL_HOSTS[:4]).encode()), '\n  DB_USER: ', b64(pick(['app', 'admin', 'svc']).encode()), '\n')
    d.add('  DB_PASSWORD: ', S(b64(password().encode()), 'K8S_SECRET_DATA'), '\n')
    for _ in range(R.randint(1, 3)):
        kind, val, name = any_secret()
        d.add('  ', name, ': ', S(b64(val.encode()), 'K8S_SECRET_DATA'), '\n')
    if chance(0.5):
        kind, val, name = any_secret()
        q1, v, q2 = yaml_q(val)
        d.add('stringData:\n  ', name, ': ', q1, S(v, kind), q2, '\n')
    if chance(0.35):
        kk_ = pick(['PRIVATE_KEY_RSA', 'PRIVATE_KEY_EC', 'PRIVATE_KEY_PKCS8'])
        d.add('---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: tls-cert\ntype: kubernetes.io/tls\nstringData:\n  tls.key: |\n    ',
              S(pem(kk_, indent='    '), kk_), '\n')
    return d


def sc_docker_config():
    d = Doc('dotfile')
    user = pick(['ci-bot', 'deploy', 'brightfield', 'jdoe'])
    pw = pick([password(), sec('DOCKERHUB_PAT')])
    d.add('$ cat ~/.docker/config.json\n{\n  "auths": {\n    "https://index.docker.io/v1/": {\n      "auth": "',
          S(b64(f'{user}:{pw}'.encode()), 'DOCKER_CONFIG_AUTH'), '"\n    },\n')
    d.add('    "', pick(['ghcr.io', 'registry.gitlab.com', f'{dd(12)}.dkr.ecr.eu-west-1.amazonaws.com']), '": {\n      "auth": "',
          S(b64(f'{user}:{sec("GITHUB_PAT")}'.encode()), 'DOCKER_CONFIG_AUTH'), '"\n    }\n  },\n')
    d.add('  "credsStore": "", \n  "HttpHeaders": {"User-Agent": "Docker-Client/', kk('VERSION', f'{R.randint(20, 27)}.{R.randint(0, 3)}.{R.randint(0, 9)}'), ' (linux)"}\n}\n')
    return d


def sc_dotfiles():
    d = Doc('dotfile')
    t = R.randrange(6)
    if t == 0:
        k = pick(['HEROKU_API_KEY', 'GITHUB_PAT'])
        d.add('# ~/.netrc\nmachine ', kk('HOSTNAME', 'api.heroku.com' if k == 'HEROKU_API_KEY' else 'github.com'), '\n  login ',
              P(email(), 'EMAIL'), '\n  password ', S(sec(k), k), '\n')
    elif t == 1:
        d.add('# ~/.git-credentials\nhttps://', pick(['jdoe', 'oauth2', 'gitlab-ci-token']), ':', S(sec('GITLAB_PAT'), 'GITLAB_PAT'), '@gitlab.com\n')
    elif t == 2:
        d.add('# ~/.pgpass\n', kk('HOSTNAME', 'db-primary.internal'), ':', kk('PORT', '5432'), ':*:reporting:', S(password().replace(':', '!'), 'DB_PASSWORD'), '\n')
    elif t == 3:
        d.add('# ~/.config/gh/hosts.yml\ngithub.com:\n    user: ', pick(['jdoe', 'ops-bot']), '\n    oauth_token: ', S(sec('GITHUB_OAUTH_TOKEN'), 'GITHUB_OAUTH_TOKEN'),
              '\n    git_protocol: https\n')
    elif t == 4:
        d.add('# .yarnrc.yml\nnpmRegistries:\n  "https://registry.yarnpkg.com":\n    npmAuthToken: ', S(sec('NPM_TOKEN'), 'NPM_TOKEN'), '\n')
    else:
        d.add('# ~/.terraform.d/credentials.tfrc.json\n{\n  "credentials": {\n    "app.terraform.io": {\n      "token": "',
              S(sec('TERRAFORM_CLOUD_TOKEN'), 'TERRAFORM_CLOUD_TOKEN'), '"\n    }\n  }\n}\n')
    return d


def sc_aws_files():
    d = Doc('dotfile')
    d.add('# ~/.aws/credentials\n[default]\naws_access_key_id = ', S(sec('AWS_ACCESS_KEY_ID'), 'AWS_ACCESS_KEY_ID'),
          '\naws_secret_access_key = ', S(sec('AWS_SECRET_ACCESS_KEY'), 'AWS_SECRET_ACCESS_KEY'), '\n')
    if chance(0.6):
        d.add('\n[sso-temp]\naws_access_key_id = ', S('ASIA' + rs(UP + '234567', 16), 'AWS_ACCESS_KEY_ID'),
              '\naws_secret_access_key = ', S(sec('AWS_SECRET_ACCESS_KEY'), 'AWS_SECRET_ACCESS_KEY'),
              '\naws_session_token = ', S(sec('AWS_SESSION_TOKEN'), 'AWS_SESSION_TOKEN'), '\n')
    d.add('\n# ~/.aws/config\n[profile prod]\nregion = eu-west-1\nrole_arn = arn:aws:iam::', dd(12), ':role/Admin\nduration_seconds = ', str(pick([900, 3600, 43200])), '\n')
    return d


def sc_code():
    d = Doc('code')
    lang = pick(['python', 'js', 'go', 'php', 'ruby', 'java', 'csharp', 'kotlin', 'rust', 'makefile', 'bash', 'swift'])
    kind, val, name = any_secret()
    while '$' in val:
        kind, val, name = any_secret()
    k2, v2, n2 = any_secret()
    while '$' in v2:
        k2, v2, n2 = any_secret()
    if lang == 'python':
        d.add('import os\nimport requests\n\n', style(name, 'env'), ' = "', S(val, kind), '"\nCONFIG = {\n    "', style(n2, 'snake'), '": "',
              S(v2, k2), '",\n    "timeout": 30,\n    "api_key": os.environ.get("API_KEY", "', kk('PLACEHOLDER', pick(['YOUR_API_KEY', 'changeme', 'dummy'])),
              '"),\n}\n\nresp = requests.get("https://', kk('HOSTNAME'), '/v2/items", headers={"Authorization": f"Bearer {', style(name, 'env'), '}"})\n')
    elif lang == 'js':
        d.add("const axios = require('axios');\n\nconst ", style(name, 'camel'), " = '", S(val, kind), "';\nconst client = axios.create({\n  baseURL: 'https://",
              kk('HOSTNAME'), "',\n  headers: { 'x-api-key': ", style(name, 'camel'), " },\n});\nmodule.exports = { ", style(n2, 'camel'), ": process.env.",
              n2, " || '", S(v2, k2), "' };\n")
    elif lang == 'go':
        d.add('package config\n\nfunc Load() *Config {\n\t', style(name, 'camel'), ' := "', S(val, kind), '"\n\treturn &Config{\n\t\t', style(n2, 'pascal'),
              ': "', S(v2, k2), '",\n\t\tAddr:   "', kk('PRIVATE_IP'), ':', kk('PORT'), '",\n\t\tToken:  ', style(name, 'camel'), ',\n\t}\n}\n')
    elif lang == 'php':
        d.add("<?php\nreturn [\n    'default' => 'mysql',\n    '", style(name, 'snake'), "' => '", S(val, kind), "',\n    'mail' => [\n        'password' => '",
              S(password().replace("'", '!'), 'PASSWORD'), "',\n        '", style(n2, 'snake'), "' => env('", n2, "', '", S(v2, k2), "'),\n    ],\n];\n")
    elif lang == 'ruby':
        d.add("Rails.application.configure do\n  config.x.", style(name, 'snake'), " = '", S(val, kind), "'\n  config.x.partner = { ", style(n2, 'snake'),
              ": '", S(v2, k2), "', host: '", kk('HOSTNAME'), "' }\nend\n")
    elif lang == 'java':
        d.add('public final class Secrets {\n    private static final String ', style(name, 'env'), ' = "', S(val, kind), '";\n    private String ',
              style(n2, 'camel'), ' = "', S(v2, k2), '";\n    // version ', kk('VERSION'), '\n}\n')
    elif lang == 'csharp':
        d.add('var options = new ClientOptions\n{\n    ', style(name, 'pascal'), ' = "', S(val, kind), '",\n    ', style(n2, 'pascal'), ' = @"', S(v2, k2),
              '",\n    Endpoint = new Uri("https://', kk('HOSTNAME'), '"),\n    Timeout = TimeSpan.FromSeconds(30),\n};\n')
    elif lang == 'kotlin':
        d.add('object BuildConfig {\n    const val ', style(name, 'env'), ' = "', S(val, kind),
              '"\n    val ', style(n2, 'camel'), ': String = "', S(v2, k2), '"\n}\n')
    elif lang == 'rust':
        d.add('const ', style(name, 'env'), ': &str = "', S(val, kind), '";\n\nfn client() -> Client {\n    let ', style(n2, 'snake'), ' = "', S(v2, k2),
              '";\n    Client::new(', style(name, 'env'), ', ', style(n2, 'snake'), ')\n}\n')
    elif lang == 'makefile':
        d.add('REGISTRY ?= registry.internal\n', style(name, 'env'), ' ?= ', S(val, kind), '\n', n2, ' := ', S(v2, k2), '\nVERSION ?= ', kk('VERSION'),
              '\n\ndeploy:\n\t./deploy.sh --token $(', style(name, 'env'), ')\n')
    elif lang == 'bash':
        d.add('#!/usr/bin/env bash\nset -euo pipefail\n', name, "='", S(val, kind), "'\n", n2, '="${', n2, ':-', S(v2.replace('}', '!'), k2),
              '}"\ncurl -fsS -H "X-Token: $', name, '" https://', kk('HOSTNAME'), '/deploy\n')
    else:
        d.add('enum Keys {\n    static let ', style(name, 'camel'), ' = "', S(val, kind), '"\n    static let ', style(n2, 'camel'), ' = "', S(v2, k2),
              '"\n}\n')
    return d


def sc_private_key():
    kind = RR_KEY.next()
    t = R.randrange(7)
    if t == 0:  # plain file dump
        d = Doc('key')
        d.add('$ cat ', kk('FILE_PATH', pick(['/home/deploy/.ssh/id_ed25519', '/etc/ssl/private/server.key', './certs/app.key', 'keys/signing.asc'])), '\n',
              S(pem(kind), kind), '\n')
        if kind == 'PRIVATE_KEY_ENCRYPTED_PKCS8':
            d.add('# passphrase: ', S(password(), 'PASSWORD'), '\n')
    elif t == 1:  # chat paste
        d = Doc('chat')
        clk = Clock()
        d.add('[', ts(clk, 'hm'), '] ', pick(FIRST), ': ', typo('can someone check why this key is rejected by the server?'), '\n',
              S(pem(kind), kind), '\n[', ts(clk, 'hm'), '] ', pick(AGENTS), ': please rotate that immediately, it is now in the channel history\n')
    elif t == 2 and kind != 'PRIVATE_KEY_PUTTY':  # JSON with \n escapes
        d = Doc('json')
        v = pem(kind, nl='\\n')
        d.add('{\n  "type": "service_account",\n  "project_id": "', pick(['bf-prod-318', 'nordhafen-data', 'acme-ml-42']), '",\n  "private_key_id": "',
              rs(HEX, 40), '",\n  "private_key": "', S(v, kind), '\\n",\n  "client_email": "deployer@', pick(['bf-prod-318', 'acme-ml-42']),
              '.iam.gserviceaccount.com",\n  "client_id": "', dd(21), '",\n  "token_uri": "https://', kk('HOSTNAME', 'oauth2.googleapis.com'), '/token"\n}\n')
    elif t == 3 and kind not in ('PRIVATE_KEY_PUTTY', 'PRIVATE_KEY_PGP'):  # body without BEGIN line
        d = Doc('chat')
        b, body, e = key_lines(kind)
        keep_from = R.randint(1, max(1, len(body) // 2))
        v = '\n'.join(body[keep_from:] + [e])
        d.add(pick(AGENTS), ': ', typo('the paste got cut off at the top, here is the rest of the key file:'), '\n', S(v, kind), '\n')
    elif t == 4 and kind != 'PRIVATE_KEY_PUTTY':  # YAML block scalar
        d = Doc('yaml')
        d.add('ssl:\n  enabled: true\n  certificate: ', kk('FILE_PATH', '/etc/ssl/certs/app.pem'), '\n  key: |\n    ', S(pem(kind, indent='    '), kind), '\n')
    elif t == 5:  # env var with literal \n
        d = Doc('env')
        if kind == 'PRIVATE_KEY_PUTTY':
            d.add('# legacy.ppk\n', S(pem(kind), kind), '\n')
        else:
            d.add('GITHUB_APP_ID=', dd(6), '\nGITHUB_APP_PRIVATE_KEY="', S(pem(kind, nl='\\n'), kind), '"\n')
    else:
        d = Doc('ticket')
        fname = {'PRIVATE_KEY_PUTTY': 'key.ppk', 'PRIVATE_KEY_PGP': 'private.asc', 'PRIVATE_KEY_OPENSSH': 'id_ed25519.txt',
                 'PRIVATE_KEY_RSA': 'id_rsa.txt'}.get(kind, 'server.key')
        d.add('Ticket ', kk('TICKET_NUMBER'), ' – attachment "', fname, '" inline:\n\n', S(pem(kind), kind),
              '\n\nSubmitted ', ts(Clock()), '\n')
        if kind == 'PRIVATE_KEY_PGP' or kind == 'PRIVATE_KEY_ENCRYPTED_PKCS8':
            d.add('Passphrase is ', S(password(), 'PASSWORD'), '\n')
    return d


def sc_wrapped_token():
    kind, val, name = any_secret(pick(['GITHUB_FINE_GRAINED_PAT', 'OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'SLACK_APP_TOKEN', 'ATLASSIAN_API_TOKEN',
                                       'JWT', 'AWS_SESSION_TOKEN', 'PYPI_TOKEN', 'TERRAFORM_CLOUD_TOKEN', 'AIRTABLE_PAT', 'VAULT_TOKEN',
                                       'DISCORD_WEBHOOK_URL', 'TEAMS_WEBHOOK_URL', 'SENDGRID_API_KEY', 'SQUARE_ACCESS_TOKEN']))
    if chance(0.5):
        d = Doc('chat')
        clk = Clock()
        d.add('[', ts(clk, 'hm'), '] ', pick(FIRST), ': ', typo(f'pasting the {name.lower()} from the vault, tell me if it works'), '\n',
              S(split_value(val), kind), '\n[', ts(clk, 'hm'), '] ', pick(AGENTS), ': got it, works (', kk('HTTP_STATUS', '200'), ')\n')
    else:
        d = Doc('log')
        clk = Clock()
        ind = pick(['    ', '\t', '  | '])
        d.add(ts(clk, 'plain'), ' DEBUG HttpClient - request headers:\n', ind, 'Authorization: Bearer ', S(split_value(val, '\n' + ind), kind), '\n',
              ind, 'X-Correlation-Id: ', kk('UUID'), '\n', ts(clk, 'plain'), ' DEBUG HttpClient - response ', kk('HTTP_STATUS'), ' in ', kk('DURATION'), '\n')
    return d


def sc_cookies():
    d = Doc('log')
    clk = Clock()
    for _ in range(R.randint(3, 7)):
        t = R.randrange(4)
        if t == 0:
            d.add(ts(clk), ' resp ', kk('HTTP_STATUS'), ' Set-Cookie: ', pick(['connect.sid', 'JSESSIONID', 'PHPSESSID', '__Host-session', 'laravel_session']),
                  '=', S(g_session_cookie(), 'SESSION_COOKIE'), '; Path=/; HttpOnly\n')
        elif t == 1:
            d.add(ts(clk), ' req Cookie: csrftoken=', rs(AN, 32), '; sessionid=', S(g_session_cookie(), 'SESSION_COOKIE'), ' ip=',
                  P(public_ip(), 'IP_ADDRESS'), '\n')
        elif t == 2:
            d.add(ts(clk), ' password reset link issued: https://', pick(['app.brightfield.co', 'shop.nordhafen.de']), '/reset?token=',
                  S(rs(B64U, 43), 'PASSWORD_RESET_TOKEN'), ' for ', P(email(), 'EMAIL'), '\n')
        else:
            d.add(ts(clk), ' cache hit key=session:', kk('UUID'), ' ttl=', kk('DURATION', f'{R.randint(60, 3600)}s'), '\n')
    return d


def sc_otp():
    t = R.randrange(4)
    if t == 0:
        d = Doc('sms')
        svc = pick(['Brightfield', 'Nordhafen Bank', 'AcmePay', 'G'])
        pre, post = pick([(f'{svc}: Your verification code is ', '. It expires in 10 minutes. Do not share it.'),
                          (f'<#> {svc} code: ', f' {rs(AN, 11)}'), (f'{svc}-', ' is your Google verification code.'),
                          (f'{svc}: Ihr Bestätigungscode lautet ', '. Gültig 5 Minuten.'),
                          (f'{svc} : votre code de sécurité est ', '. Ne le communiquez à personne.'),
                          (f'{svc}: tu código de verificación es ', '')])
        d.add(pre, S(dd(pick([6, 6, 8])), 'OTP_CODE'), post, '\n')
    elif t == 1:
        d = Doc('chat')
        clk = Clock()
        fn = pick(FIRST)
        d.add('[', ts(clk, 'hm'), '] Agent ', pick(AGENTS), ': I sent a one-time code to the number on file, can you read it back?\n[', ts(clk, 'hm'), '] ', fn, ': ', typo(pick(['its', 'got it:', 'code is'])), ' ',
              S(pick([dd(6), f'{dd(3)} {dd(3)}', f'{dd(3)}-{dd(3)}']), 'OTP_CODE'), '\n')
    elif t == 2:
        d = Doc('text')
        d.add('Your backup codes for ', pick(['GitHub', 'Google', 'Okta', 'Proton']), ' (generated ', ts(Clock()), ')\n')
        fmt = R.randrange(4)
        for _ in range(R.randint(6, 10)):
            d.add('  ', S(g_recovery(fmt), 'RECOVERY_CODE'), '\n')
        d.add('Keep these somewhere safe.\n')
    else:
        d = Doc('ticket')
        d.add('Ticket ', kk('TICKET_NUMBER'), '\nUser could not log in; disabled 2FA manually. Old TOTP seed for reference: ',
              S(rs(B32, 32), 'TOTP_SECRET'), '\nRecovery code used: ', S(g_recovery(), 'RECOVERY_CODE'), '\n')
    return d


def sc_webhooks():
    d = Doc(pick(['yaml', 'chat', 'json']))
    kinds = R.sample(['SLACK_WEBHOOK_URL', 'DISCORD_WEBHOOK_URL', 'TEAMS_WEBHOOK_URL'], R.randint(1, 3))
    if d.context == 'yaml':
        d.add('alertmanager:\n  receivers:\n')
        for k in kinds:
            d.add('    - name: ', k.split('_')[0].lower(), '\n      webhook_configs:\n        - url: ', S(sec(k), k), '\n')
        d.add('  route:\n    group_wait: ', kk('DURATION', '30s'), '\n')
    elif d.context == 'chat':
        clk = Clock()
        for k in kinds:
            d.add('[', ts(clk, 'hm'), '] ', pick(FIRST), ': ', typo(pick(['new webhook for the alerts channel', 'use this one instead', 'hook url:'])), ' ',
                  S(sec(k), k), '\n')
    else:
        d.add('{\n  "notifications": [\n')
        for i, k in enumerate(kinds):
            d.add('    {"type": "', k.split('_')[0].lower(), '", "url": "', S(sec(k), k), '"}', ',' if i < len(kinds) - 1 else '', '\n')
        d.add('  ],\n  "version": "', kk('VERSION'), '"\n}\n')
    return d


def sc_csv():
    d = Doc('csv')
    d.add('customer_id,signup_ts,email,phone,dob,country,last_order,ip\n')
    for _ in range(R.randint(4, 9)):
        fn, ln = person()
        clk = Clock()
        d.add(str(R.randint(100000, 999999)), ',', ts(clk), ',', P(email(fn, ln), 'EMAIL'), ',"', P(phone(), 'PHONE'), '",',
              P(rand_date().isoformat(), 'DATE_OF_BIRTH'), ',', pick(['DE', 'FR', 'US', 'GB', 'ES', 'IT', 'NL']), ',', kk('ORDER_NUMBER'), ',',
              P(public_ip(), 'IP_ADDRESS'), '\n')
    return d


def sc_sql_dump():
    d = Doc('sql')
    d.add('-- MySQL dump ', kk('VERSION', f'10.{R.randint(11, 19)}'), '  Distrib ', kk('VERSION', f'8.0.{R.randint(20, 39)}'), '\n-- Host: ', kk('PRIVATE_IP'),
          '    Database: crm\nINSERT INTO `customers` (`id`,`full_name`,`email`,`phone`,`iban`,`created_at`) VALUES\n')
    n = R.randint(3, 6)
    for i in range(n):
        fn, ln = person()
        d.add("(", str(R.randint(1000, 99999)), ",'", fn, ' ', ln.replace("'", ''), "','", P(email(fn, ln), 'EMAIL'), "','", P(phone(), 'PHONE'), "','",
              P(iban(fmt='plain'), 'IBAN'), "','", K(Clock().plain(sep='.'), 'TIMESTAMP'), "')", ',' if i < n - 1 else ';', '\n')
    if chance(0.5):
        d.add("INSERT INTO `api_clients` VALUES (1,'partner-sync','", S(sec('GENERIC_API_KEY'), 'GENERIC_API_KEY'), "');\n")
    return d


def sc_kyc_form():
    d = Doc('ticket')
    fn, ln = person()
    k, v, lab = natid()
    d.add('=== KYC submission ', kk('TICKET_NUMBER'), ' ===\nName: ', fn, ' ', ln, '\nDate of birth: ', P(dob(), 'DATE_OF_BIRTH'), '\n')
    d.add(lab, ': ', P(v, k), '\n')
    if chance(0.6):
        d.add('Passport no.: ', P(passport(), 'PASSPORT_NUMBER'), ' (expires ', K(rand_date(2026, 2034).isoformat(), 'TIMESTAMP'), ')\n')
    if chance(0.5):
        d.add("Driver's licence #: ", P(driving_licence(), 'DRIVING_LICENCE_NUMBER'), '\n')
    d.add('Address: ', P(address(), 'STREET_ADDRESS'), '\nEmail: ', P(email(fn, ln), 'EMAIL'), '\nPhone: ', P(phone(), 'PHONE'), '\n')
    if chance(0.5):
        d.add('Payout IBAN: ', P(iban(), 'IBAN'), '\n')
    d.add('Submitted from IP ', P(public_ip(), 'IP_ADDRESS'), ' at ', ts(Clock()), ', reviewer note: doc check ', kk('UUID'), ' passed\n')
    return d


def sc_hr_export():
    """HR/payroll export with national identifiers of several countries."""
    d = Doc('csv')
    d.add(pick(['employee_id;name;email;id_type;id_number;birth_date;country', 'emp,name,mail,doc_type,doc_no,dob,ctry']), '\n')
    sep = ';' if d.buf[0].startswith('employee_id;') else ','
    for _ in range(R.randint(3, 6)):
        fn, ln = person()
        k, v, lab = natid()
        d.add(f'E{dd(5)}', sep, fn, ' ', ln, sep, P(email(fn, ln), 'EMAIL'), sep, k, sep, P(v, k), sep, P(rand_date().isoformat(), 'DATE_OF_BIRTH'),
              sep, k[:2], '\n')
    d.add('# exported ', ts(Clock()), ' by job ', kk('UUID'), '\n')
    return d


def sc_pii_ticket():
    """Support ticket mixing several identity documents in prose."""
    d = Doc('ticket')
    fn, ln = person()
    d.add('Case ', kk('TICKET_NUMBER'), ' (priority P', str(R.randint(1, 4)), ')\n\n')
    for _ in range(R.randint(2, 3)):
        t = R.randrange(6)
        if t == 0:
            d.add('Customer called from ', P(phone(), 'PHONE'), ' asking about order ', kk('ORDER_NUMBER'), '.\n')
        elif t == 1:
            d.add('Verified identity with ssn=', P(ssn(pick(['-', ''])), 'US_SSN'), ' and DOB ', P(dob(), 'DATE_OF_BIRTH'), '.\n')
        elif t == 2:
            d.add('UK customer, NINO ', P(nino(), 'UK_NINO'), ', driving licence ', P(driving_licence('UK'), 'DRIVING_LICENCE_NUMBER'), '.\n')
        elif t == 3:
            d.add('Canadian payroll record, SIN ', P(sin(), 'CA_SIN'), ', born ', P(dob(), 'DATE_OF_BIRTH'), '.\n')
        elif t == 4:
            k, v, lab = natid()
            d.add('Supplied ', lab, ' ', P(v, k), ' via upload form.\n')
        else:
            d.add('Refund to card ', P(card(), 'CARD_NUMBER'), ' instead of ', kk('MASKED_CARD'), ' as requested by ', P(email_obf(fn, ln), 'EMAIL'), '.\n')
    d.add('Last login: ', ts(Clock()), ' from ', P(public_ip(), 'IP_ADDRESS'), '\n')
    return d


def sc_git_diff():
    d = Doc('diff')
    kind, val, name = any_secret()
    path = pick(['config/settings.py', '.env.staging', 'deploy/values-prod.yaml', 'src/config.ts'])
    afn, aln = person()
    d.add('commit ', kk('GIT_SHA', rs(HEX, 40)), '\nAuthor: ', afn, ' ', aln, ' <', P(email(afn, aln), 'EMAIL'), '>\nDate:   ', ts(Clock(), 'rfc'),
          '\n\n    remove hardcoded credentials (', kk('TICKET_NUMBER', f'OPS-{R.randint(100, 9999)}'), ')\n\n')
    d.add('diff --git a/', path, ' b/', path, '\nindex ', kk('GIT_SHA', rs(HEX, 7)), '..', kk('GIT_SHA', rs(HEX, 7)), ' 100644\n--- a/', path, '\n+++ b/', path,
          '\n@@ -12,7 +12,7 @@\n-', name, ' = "', S(val, kind), '"\n+', name, ' = os.environ["', name, '"]\n')
    return d


def sc_gh_review():
    d = Doc('chat')
    clk = Clock()
    kind, val, name = any_secret()
    d.add(pick(FIRST), ' commented on PR #', str(R.randint(100, 9999)), ' (', ts(clk), '):\n> line ', str(R.randint(5, 300)), ': `', style(name, 'camel'), ': "',
          S(val, kind), '"`\n', typo('This looks like a real credential, please rotate it and use the secret store instead.'), '\n')
    return d


def sc_notebook():
    d = Doc('notebook')
    kind, val, name = any_secret(pick(['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'HUGGINGFACE_TOKEN', 'REPLICATE_API_TOKEN', 'GROQ_API_KEY',
                                       'DATABRICKS_TOKEN', 'GENERIC_API_KEY', 'MAPBOX_SECRET_TOKEN']))
    d.add('In [', str(R.randint(1, 9)), ']: import os\n   ...: os.environ["', name, '"] = "', S(val, kind), '"\n\nIn [', str(R.randint(10, 20)),
          ']: df = pd.read_csv("', kk('FILE_PATH', '/tmp/upload_8f3k2.csv'), '")\n   ...: df.head(2)\nOut[', str(R.randint(10, 20)), ']:\n')
    d.add('   id  email                               amount\n')
    for i in range(2):
        e = email()
        d.add(f'{i:>5}  ', P(e, 'EMAIL'), ' ' * max(1, 36 - len(e)), f'{R.randint(10, 999)}.{dd(2)}\n')
    return d


# --------------------------------------------------------------------------------------
SCENARIOS = [
    (sc_chat_support, 8), (sc_chat_multilingual, 6), (sc_email, 6), (sc_email_ml, 4), (sc_json_log, 5), (sc_logfmt, 4),
    (sc_syslog, 3), (sc_access_log, 3), (sc_lookalike_log, 4), (sc_java_trace, 3), (sc_py_trace, 3),
    (sc_go_panic, 2), (sc_dotnet, 2), (sc_shell_history, 5), (sc_cli_long, 3), (sc_dsn_config, 3),
    (sc_http_raw, 4), (sc_har, 2), (sc_postman, 2), (sc_env, 5), (sc_env_example, 3), (sc_yaml, 4),
    (sc_toml, 2), (sc_ini, 2), (sc_properties, 2), (sc_xml, 3), (sc_hcl, 2), (sc_json_config, 2),
    (sc_ci_log, 4), (sc_k8s_secret, 3), (sc_docker_config, 2), (sc_dotfiles, 3), (sc_aws_files, 2),
    (sc_code, 7), (sc_private_key, 9), (sc_wrapped_token, 3), (sc_cookies, 2), (sc_otp, 3),
    (sc_webhooks, 2), (sc_csv, 2), (sc_sql_dump, 2), (sc_kyc_form, 7), (sc_pii_ticket, 6), (sc_hr_export, 3),
    (sc_git_diff, 2), (sc_gh_review, 2), (sc_notebook, 2),
]


# --------------------------------------------------------------------------------------
# Invariants
# --------------------------------------------------------------------------------------
def bounded_occurrences(text, v):
    i = text.find(v)
    while i != -1:
        j = i + len(v)
        before = text[i - 1] if i > 0 else ''
        after = text[j] if j < len(text) else ''
        if not (before.isascii() and before.isalnum()) and not (after.isascii() and after.isalnum()):
            yield i, j
        i = text.find(v, i + 1)


class Invalid(Exception):
    pass


def check(doc):
    text = doc.text
    spans = []
    for rec, v in doc.sens + doc.keep:
        if text[rec['start']:rec['end']] != v:
            raise AssertionError('span/value mismatch')
        if not v or v != v.strip():
            raise AssertionError('whitespace at span edge: %r' % v)
        spans.append((rec['start'], rec['end']))
    spans.sort()
    for (a1, b1), (a2, b2) in zip(spans, spans[1:]):
        if a2 < b1:
            raise AssertionError('overlap')
    sens = sorted((r['start'], r['end']) for r, _ in doc.sens)
    for rec, v in doc.sens:
        for i, j in bounded_occurrences(text, v):
            if not any(a <= i and j <= b for a, b in sens):
                raise Invalid('uncovered occurrence of %r' % v[:20])
        if rec['category'] == 'pii' and rec['kind'] in VALIDATORS:
            if not VALIDATORS[rec['kind']](text[rec['start']:rec['end']]):
                raise AssertionError('checksum failed %s %r' % (rec['kind'], v))
    # a keep value must not contain a sensitive value
    for rec, v in doc.keep:
        for _, s in doc.sens:
            if len(s) >= 4 and s in v:
                raise Invalid('keep contains sensitive')


def self_test():
    assert verhoeff_ok('2363') and luhn_ok('79927398713') and dni_ok('12345678Z') and bsn_ok('111222333')
    assert pesel_ok('44051401359') and cn_ok('11010519491231002X') and hetu_ok('131052-308T')
    assert nric_ok('S1234567D') and se_pnr_ok('811228-9874') and cf_ok('RSSMRA85T10A562S')
    assert iban_ok('DE89 3704 0044 0532 0130 00') and iban_ok('gb82 west 1234 5698 7654 32')
    assert nir_ok('2 69 05 49 588 157 80') and nino_ok('AB 12 34 56 C') and not nino_ok('QQ123456C')


def build():
    self_test()
    total = sum(w for _, w in SCENARIOS)
    records = []
    i = 0
    while len(records) < N_SNIPPETS:
        x = R.random() * total
        for fn_, w in SCENARIOS:
            x -= w
            if x < 0:
                break
        for attempt in range(60):
            doc = fn_()
            try:
                check(doc)
                break
            except Invalid:
                continue
        else:
            raise RuntimeError('could not build a valid %s' % fn_.__name__)
        i += 1
        records.append({
            'id': 'uld-%04d' % i,
            'context': doc.context,
            'text': doc.text,
            'sensitive': [r for r, _ in sorted(doc.sens, key=lambda x: x[0]['start'])],
            'keep': [r for r, _ in sorted(doc.keep, key=lambda x: x[0]['start'])],
        })
    return records


def stats(records):
    cnt = {'secret': collections.Counter(), 'pii': collections.Counter(), 'keep': collections.Counter()}
    ctx = collections.Counter()
    for r in records:
        ctx[r['context']] += 1
        for s in r['sensitive']:
            cnt[s['category']][s['kind']] += 1
        for k in r['keep']:
            cnt['keep'][k['kind']] += 1
    return cnt, ctx


def main():
    records = build()
    cnt, ctx = stats(records)
    summary = {
        'snippets': len(records),
        'secret_kinds': len(cnt['secret']), 'secret_spans': sum(cnt['secret'].values()),
        'pii_kinds': len(cnt['pii']), 'pii_spans': sum(cnt['pii'].values()),
        'keep_kinds': len(cnt['keep']), 'keep_spans': sum(cnt['keep'].values()),
    }
    assert summary['snippets'] >= 450, summary
    assert summary['secret_kinds'] >= 45 and summary['secret_spans'] >= 400, summary
    assert summary['pii_kinds'] >= 14 and summary['pii_spans'] >= 350, summary
    assert summary['keep_kinds'] >= 12 and summary['keep_spans'] >= 200, summary
    ids = [r['id'] for r in records]
    assert len(set(ids)) == len(ids)
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'unseen_leaks_d.jsonl')
    with open(out, 'w', encoding='utf-8', newline='\n') as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False, sort_keys=False) + '\n')
    if '--stats' in sys.argv[1:]:
        print('| metric | value |\n|---|---|')
        for k, v in summary.items():
            print(f'| {k} | {v} |')
        for cat in ('secret', 'pii', 'keep'):
            c = cnt[cat]
            print(f'\n#### {cat} ({len(c)} kinds, {sum(c.values())} spans)\n')
            print(', '.join(f'`{k}` {v}' for k, v in sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))))
        print(f'\n#### context ({len(ctx)} contexts, {len(records)} snippets)\n')
        print(', '.join(f'`{k}` {v}' for k, v in sorted(ctx.items(), key=lambda kv: (-kv[1], kv[0]))))
    else:
        print(f'wrote {out}: ' + ', '.join(f'{k}={v}' for k, v in summary.items()))


if __name__ == '__main__':
    main()
