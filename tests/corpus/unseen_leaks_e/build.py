#!/usr/bin/env python3
"""Generator for the frozen, blind redaction evaluation corpus ``unseen_leaks_e``.

Stdlib only and deterministic (fixed seed, no dependence on hash ordering).

    python3 tests/corpus/unseen_leaks_e/build.py            # writes unseen_leaks_e.jsonl
    python3 tests/corpus/unseen_leaks_e/build.py --stats    # also prints per-kind counts

Every snippet is assembled from segments (plain text, sensitive values, keep values), so each
span offset is known by construction.  See README.md for the span rules.
"""
import argparse
import base64
import json
import os
import random
import re
import string
import unicodedata

SEED = 0x0E5EC7E5
R = random.Random(SEED)

UP = string.ascii_uppercase
LO = string.ascii_lowercase
DG = string.digits
AN = UP + LO + DG
ANL = LO + DG
ANU = UP + DG
HEX = '0123456789abcdef'
HEXU = HEX.upper()
B64 = AN + '+/'
B64U = AN + '-_'
B32 = UP + '234567'


def rs(alpha, n):
    return ''.join(R.choice(alpha) for _ in range(n))


def rmix(alpha, n):
    """Random string that contains at least one digit and one letter when the alphabet has both."""
    while True:
        s = rs(alpha, n)
        has_d = any(c in DG for c in s) or not any(c in DG for c in alpha)
        has_l = any(c.isalpha() for c in s) or not any(c.isalpha() for c in alpha)
        if has_d and has_l:
            return s


def ch(seq):
    return R.choice(seq)


def chance(p):
    return R.random() < p


def ri(a, b):
    return R.randint(a, b)


def pick(seq, k):
    return R.sample(list(seq), k)


FOLD = {'\u0142': 'l', '\u0141': 'L', '\u00f8': 'o', '\u00d8': 'O', '\u00e6': 'ae', '\u00c6': 'AE', '\u00df': 'ss', '\u0111': 'd'}


def ascii_fold(s):
    s = ''.join(FOLD.get(c, c) for c in s)
    return ''.join(c for c in unicodedata.normalize('NFKD', s) if not unicodedata.combining(c))


# ---------------------------------------------------------------------------------------------
# Segments
# ---------------------------------------------------------------------------------------------

class S:
    """A sensitive value (secret or PII)."""
    __slots__ = ('kind', 'value')

    def __init__(self, kind, value):
        assert value, kind
        self.kind = kind
        self.value = value


class K:
    """A look-alike that must be kept."""
    __slots__ = ('kind', 'value')

    def __init__(self, kind, value):
        assert value, kind
        self.kind = kind
        self.value = value


PII_KINDS = {
    'EMAIL', 'PHONE', 'CARD_NUMBER', 'CARD_CVV', 'IBAN', 'US_SSN', 'US_ITIN', 'UK_NINO',
    'UK_NHS_NUMBER', 'DATE_OF_BIRTH', 'STREET_ADDRESS', 'ES_DNI', 'ES_NIE', 'IT_CODICE_FISCALE',
    'FR_NIR', 'NL_BSN', 'PL_PESEL', 'SE_PERSONNUMMER', 'BR_CPF', 'IN_AADHAAR', 'IN_PAN', 'CA_SIN',
    'AU_TFN', 'AU_MEDICARE', 'DE_STEUER_ID', 'NO_FODSELSNUMMER', 'PT_NIF', 'MX_CURP', 'CH_AHV',
    'IE_PPSN', 'ZA_ID', 'JP_MY_NUMBER', 'BE_NRN', 'FI_HETU', 'PASSPORT_NUMBER',
    'DRIVING_LICENCE_NUMBER', 'IP_ADDRESS', 'PERSON_NAME',
}


class Doc:
    def __init__(self, context):
        self.context = context
        self.buf = []
        self.n = 0
        self.sens = []
        self.keep = []

    def _t(self, s):
        self.buf.append(s)
        self.n += len(s)

    def add(self, *items):
        for it in items:
            if it is None:
                continue
            if isinstance(it, str):
                self._t(it)
            elif isinstance(it, S):
                self.sens.append((self.n, self.n + len(it.value), it.kind, it.value))
                self._t(it.value)
            elif isinstance(it, K):
                self.keep.append((self.n, self.n + len(it.value), it.kind, it.value))
                self._t(it.value)
            elif isinstance(it, (list, tuple)):
                self.add(*it)
            else:
                raise TypeError(repr(it))
        return self

    def line(self, *items):
        self.add(*items)
        self._t('\n')
        return self

    def text(self):
        return ''.join(self.buf)


def V(x):
    """The written text of a segment or list of segments."""
    if isinstance(x, str):
        return x
    if isinstance(x, (S, K)):
        return x.value
    return ''.join(V(i) for i in x)


# ---------------------------------------------------------------------------------------------
# Checksums
# ---------------------------------------------------------------------------------------------

def luhn_ok(digits):
    tot = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        tot += d
    return tot % 10 == 0


def luhn_complete(prefix_digits):
    for c in DG:
        if luhn_ok(prefix_digits + c):
            return prefix_digits + c
    raise AssertionError


def iban_ok(s):
    s = re.sub(r'[\s\-]', '', s).upper()
    if not re.fullmatch(r'[A-Z]{2}\d{2}[A-Z0-9]+', s):
        return False
    r = s[4:] + s[:4]
    num = ''.join(str(int(c, 36)) for c in r)
    return int(num) % 97 == 1


IBAN_FMT = {
    # country: BBAN pattern (n digit, a upper letter, c alnum upper)
    'DE': 'n' * 18, 'FR': 'n' * 10 + 'c' * 11 + 'nn', 'ES': 'n' * 20, 'IT': 'a' + 'n' * 10 + 'c' * 12,
    'NL': 'aaaa' + 'n' * 10, 'GB': 'aaaa' + 'n' * 14, 'BE': 'n' * 12, 'AT': 'n' * 16,
    'CH': 'n' * 5 + 'c' * 12, 'PL': 'n' * 24, 'PT': 'n' * 21, 'SE': 'n' * 20, 'IE': 'aaaa' + 'n' * 14,
    'DK': 'n' * 14, 'NO': 'n' * 11, 'FI': 'n' * 14, 'LU': 'nnn' + 'c' * 13, 'CZ': 'n' * 20,
    'GR': 'n' * 7 + 'c' * 16, 'HU': 'n' * 24, 'RO': 'aaaa' + 'c' * 16, 'SK': 'n' * 20,
    'SI': 'n' * 15, 'HR': 'n' * 17, 'LT': 'n' * 16, 'LV': 'aaaa' + 'c' * 13, 'EE': 'n' * 16,
    'MT': 'aaaa' + 'n' * 5 + 'c' * 18, 'BG': 'aaaa' + 'n' * 6 + 'c' * 8, 'TR': 'n' * 5 + '0' + 'c' * 16,
    'SA': 'nn' + 'c' * 18, 'AE': 'n' * 19, 'BR': 'n' * 23 + 'a' + 'c', 'IS': 'n' * 22,
}


def iban_raw(cc=None):
    cc = cc or ch(sorted(IBAN_FMT))
    bban = ''
    for p in IBAN_FMT[cc]:
        if p == 'n':
            bban += ch(DG)
        elif p == 'a':
            bban += ch(UP)
        elif p == 'c':
            bban += ch(DG) if chance(0.7) else ch(UP)
        else:
            bban += p
    r = bban + cc + '00'
    num = ''.join(str(int(c, 36)) for c in r)
    chk = 98 - int(num) % 97
    s = cc + '%02d' % chk + bban
    assert iban_ok(s)
    return s


def dni_letter(n):
    return 'TRWAGMYFPDXBNJZSQVHLCKE'[n % 23]


def bsn_ok(s):
    s = re.sub(r'\D', '', s)
    if len(s) != 9:
        return False
    tot = sum(int(s[i]) * (9 - i) for i in range(8)) - int(s[8])
    return tot % 11 == 0 and s[0] != '0'


def pesel_ok(s):
    s = re.sub(r'\D', '', s)
    if len(s) != 11:
        return False
    w = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3]
    return (10 - sum(int(s[i]) * w[i] for i in range(10)) % 10) % 10 == int(s[10])


def nir_ok(s):
    s = re.sub(r'\s', '', s)
    if not re.fullmatch(r'[12]\d{14}', s):
        return False
    return 97 - int(s[:13]) % 97 == int(s[13:])


def personnummer_ok(s):
    m = re.fullmatch(r'(?:\d\d)?(\d{6})[-+]?(\d{4})', s.strip())
    return bool(m) and luhn_ok(m.group(1) + m.group(2))


def cpf_ok(s):
    d = re.sub(r'\D', '', s)
    if len(d) != 11 or len(set(d)) == 1:
        return False
    for n in (9, 10):
        tot = sum(int(d[i]) * (n + 1 - i) for i in range(n))
        r = tot % 11
        if (0 if r < 2 else 11 - r) != int(d[n]):
            return False
    return True


V_D = [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5], [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
       [3, 4, 0, 1, 2, 8, 9, 5, 6, 7], [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
       [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3], [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
       [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]]
V_P = [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4], [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
       [8, 9, 1, 6, 0, 4, 3, 5, 2, 7], [9, 4, 5, 3, 1, 2, 6, 8, 7, 0], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
       [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8]]
V_INV = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9]


def verhoeff_ok(s):
    c = 0
    for i, x in enumerate(reversed(s)):
        c = V_D[c][V_P[i % 8][int(x)]]
    return c == 0


def verhoeff_digit(s):
    c = 0
    for i, x in enumerate(reversed(s)):
        c = V_D[c][V_P[(i + 1) % 8][int(x)]]
    return str(V_INV[c])


def tfn_ok(s):
    d = re.sub(r'\D', '', s)
    w = [1, 4, 3, 7, 5, 8, 6, 9, 10]
    return len(d) == 9 and sum(int(d[i]) * w[i] for i in range(9)) % 11 == 0


def medicare_ok(s):
    d = re.sub(r'\D', '', s)
    if len(d) not in (10, 11) or d[0] not in '23456':
        return False
    w = [1, 3, 7, 9, 1, 3, 7, 9]
    return sum(int(d[i]) * w[i] for i in range(8)) % 10 == int(d[8])


def steuer_id_ok(s):
    d = re.sub(r'\D', '', s)
    if len(d) != 11 or d[0] == '0':
        return False
    counts = [d[:10].count(c) for c in DG]
    if sorted(x for x in counts if x > 1) not in ([2], [3]):
        return False
    product = 10
    for c in d[:10]:
        sm = (int(c) + product) % 10
        if sm == 0:
            sm = 10
        product = (sm * 2) % 11
    chk = 11 - product
    if chk == 10:
        chk = 0
    return chk == int(d[10])


def nhs_ok(s):
    d = re.sub(r'\D', '', s)
    if len(d) != 10:
        return False
    r = sum(int(d[i]) * (10 - i) for i in range(9)) % 11
    c = 11 - r
    if c == 11:
        c = 0
    return c != 10 and c == int(d[9])


def fnr_ok(s):
    d = re.sub(r'\D', '', s)
    if len(d) != 11:
        return False
    w1 = [3, 7, 6, 1, 8, 9, 4, 5, 2]
    w2 = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
    k1 = 11 - sum(int(d[i]) * w1[i] for i in range(9)) % 11
    k1 = 0 if k1 == 11 else k1
    k2 = 11 - sum(int(d[i]) * w2[i] for i in range(10)) % 11
    k2 = 0 if k2 == 11 else k2
    return k1 < 10 and k2 < 10 and k1 == int(d[9]) and k2 == int(d[10])


def nif_pt_ok(s):
    d = re.sub(r'\D', '', s)
    if len(d) != 9:
        return False
    c = 11 - sum(int(d[i]) * (9 - i) for i in range(8)) % 11
    c = 0 if c >= 10 else c
    return c == int(d[8])


CURP_DICT = '0123456789ABCDEFGHIJKLMN\u00d1OPQRSTUVWXYZ'


def curp_ok(s):
    if not re.fullmatch(r'[A-Z]{4}\d{6}[HM][A-Z]{5}[0-9A-Z]\d', s):
        return False
    tot = sum(CURP_DICT.index(s[i]) * (18 - i) for i in range(17))
    return (10 - tot % 10) % 10 == int(s[17])


def ahv_ok(s):
    d = re.sub(r'\D', '', s)
    if len(d) != 13 or not d.startswith('756'):
        return False
    tot = sum(int(d[i]) * (1 if i % 2 == 0 else 3) for i in range(12))
    return (10 - tot % 10) % 10 == int(d[12])


def ppsn_ok(s):
    m = re.fullmatch(r'(\d{7})([A-W])([A-IW]?)', s.replace(' ', ''))
    if not m:
        return False
    tot = sum(int(m.group(1)[i]) * (8 - i) for i in range(7))
    if m.group(3):
        tot += 9 * (0 if m.group(3) == 'W' else ord(m.group(3)) - 64)
    return 'WABCDEFGHIJKLMNOPQRSTUV'[tot % 23] == m.group(2)


def za_id_ok(s):
    d = re.sub(r'\D', '', s)
    return len(d) == 13 and luhn_ok(d)


def my_number_ok(s):
    d = re.sub(r'\D', '', s)
    if len(d) != 12:
        return False
    body = d[:11]
    tot = 0
    for n in range(1, 12):
        p = int(body[11 - n])
        q = n + 1 if n <= 6 else n - 5
        tot += p * q
    r = tot % 11
    c = 0 if r <= 1 else 11 - r
    return c == int(d[11])


def nrn_ok(s):
    d = re.sub(r'\D', '', s)
    if len(d) != 11:
        return False
    body, cc = d[:9], int(d[9:])
    return 97 - int(body) % 97 == cc or 97 - int('2' + body) % 97 == cc


HETU_CH = '0123456789ABCDEFHJKLMNPRSTUVWXY'


def hetu_ok(s):
    m = re.fullmatch(r'(\d{6})[-+A-F](\d{3})([0-9A-Y])', s)
    return bool(m) and HETU_CH[int(m.group(1) + m.group(2)) % 31] == m.group(3)


CF_ODD = {'0': 1, '1': 0, '2': 5, '3': 7, '4': 9, '5': 13, '6': 15, '7': 17, '8': 19, '9': 21,
          'A': 1, 'B': 0, 'C': 5, 'D': 7, 'E': 9, 'F': 13, 'G': 15, 'H': 17, 'I': 19, 'J': 21,
          'K': 2, 'L': 4, 'M': 18, 'N': 20, 'O': 11, 'P': 3, 'Q': 6, 'R': 8, 'S': 12, 'T': 14,
          'U': 16, 'V': 10, 'W': 22, 'X': 25, 'Y': 24, 'Z': 23}


def cf_check(s15):
    tot = 0
    for i, c in enumerate(s15):
        if i % 2 == 0:
            tot += CF_ODD[c]
        else:
            tot += int(c) if c.isdigit() else ord(c) - 65
    return chr(65 + tot % 26)


def cf_ok(s):
    s = s.upper()
    return bool(re.fullmatch(r'[A-Z]{6}\d\d[ABCDEHLMPRST]\d\d[A-Z]\d{3}[A-Z]', s)) and cf_check(s[:15]) == s[15]


def ssn_ok(s):
    d = re.sub(r'\D', '', s)
    if len(d) != 9:
        return False
    a, g, n = int(d[:3]), int(d[3:5]), int(d[5:])
    return 0 < a < 900 and a != 666 and g > 0 and n > 0


def itin_ok(s):
    d = re.sub(r'\D', '', s)
    if len(d) != 9 or d[0] != '9':
        return False
    g = int(d[3:5])
    return 50 <= g <= 65 or 70 <= g <= 88 or 90 <= g <= 92 or 94 <= g <= 99


NINO_BAD_PREFIX = {'BG', 'GB', 'NK', 'KN', 'TN', 'NT', 'ZZ'}


def nino_ok(s):
    s = s.replace(' ', '').upper()
    m = re.fullmatch(r'([A-CEGHJ-PR-TW-Z])([A-CEGHJ-NPR-TW-Z])(\d{6})([A-D])', s)
    return bool(m) and (m.group(1) + m.group(2)) not in NINO_BAD_PREFIX


def dni_ok(s):
    s = s.replace('-', '').replace(' ', '').replace('.', '').upper()
    m = re.fullmatch(r'(\d{8})([A-Z])', s)
    return bool(m) and dni_letter(int(m.group(1))) == m.group(2)


def nie_ok(s):
    s = s.replace('-', '').replace(' ', '').upper()
    m = re.fullmatch(r'([XYZ])(\d{7})([A-Z])', s)
    return bool(m) and dni_letter(int(str('XYZ'.index(m.group(1))) + m.group(2))) == m.group(3)


def sin_ok(s):
    d = re.sub(r'\D', '', s)
    return len(d) == 9 and luhn_ok(d) and d[0] not in '08'


def aadhaar_ok(s):
    d = re.sub(r'\D', '', s)
    return len(d) == 12 and d[0] in '23456789' and verhoeff_ok(d)


def card_ok(s):
    d = re.sub(r'[^0-9]', '', s)
    return 13 <= len(d) <= 19 and luhn_ok(d)


VALIDATORS = {
    'CARD_NUMBER': card_ok, 'IBAN': iban_ok, 'ES_DNI': dni_ok, 'ES_NIE': nie_ok,
    'IT_CODICE_FISCALE': cf_ok, 'FR_NIR': nir_ok, 'NL_BSN': bsn_ok, 'PL_PESEL': pesel_ok,
    'SE_PERSONNUMMER': personnummer_ok, 'BR_CPF': cpf_ok, 'IN_AADHAAR': aadhaar_ok, 'CA_SIN': sin_ok,
    'AU_TFN': tfn_ok, 'AU_MEDICARE': medicare_ok, 'DE_STEUER_ID': steuer_id_ok,
    'UK_NHS_NUMBER': nhs_ok, 'NO_FODSELSNUMMER': fnr_ok, 'PT_NIF': nif_pt_ok, 'MX_CURP': curp_ok,
    'CH_AHV': ahv_ok, 'IE_PPSN': ppsn_ok, 'ZA_ID': za_id_ok, 'JP_MY_NUMBER': my_number_ok,
    'BE_NRN': nrn_ok, 'FI_HETU': hetu_ok, 'US_SSN': ssn_ok, 'US_ITIN': itin_ok, 'UK_NINO': nino_ok,
    'IN_PAN': lambda s: bool(re.fullmatch(r'[A-Z]{3}P[A-Z]\d{4}[A-Z]', s)),
}


# ---------------------------------------------------------------------------------------------
# People and personal data
# ---------------------------------------------------------------------------------------------

FIRST = {
    'en': ['Emily', 'James', 'Olivia', 'Michael', 'Sophia', 'Daniel', 'Grace', 'Ethan', 'Chloe',
           'Liam', 'Hannah', 'Noah', 'Priya', 'Marcus', 'Aisha', 'Rebecca', 'Tyler', 'Megan',
           'Connor', 'Brianna', 'Jamal', 'Courtney', 'Declan', 'Siobhan', 'Harriet', 'Oliver'],
    'de': ['Lukas', 'Anna', 'Jonas', 'Lea', 'Felix', 'Sophie', 'Maximilian', 'Marie', 'J\u00fcrgen',
           'Sabine', 'Katrin', 'Tobias', 'Bj\u00f6rn', 'Ute', 'Henrik', 'Franziska'],
    'fr': ['Camille', 'Louis', 'Chlo\u00e9', 'Hugo', 'L\u00e9a', 'Th\u00e9o', 'Manon', 'Nathan', 'In\u00e8s',
           'Mathis', 'C\u00e9line', 'Fran\u00e7ois', 'Ga\u00eblle', 'J\u00e9r\u00f4me'],
    'es': ['Luc\u00eda', 'Hugo', 'Mart\u00edn', 'Sof\u00eda', 'Pablo', 'Alba', 'Javier', 'Carmen',
           'Alejandro', 'Marta', 'Iker', 'Nerea', 'Roc\u00edo', 'Sergio'],
    'pt': ['Jo\u00e3o', 'Ana', 'Gabriel', 'Beatriz', 'Rafael', 'Mariana', 'Thiago', 'Larissa',
           'Gon\u00e7alo', 'In\u00eas', 'Caio', 'Fernanda'],
    'it': ['Giulia', 'Marco', 'Francesca', 'Alessandro', 'Chiara', 'Lorenzo', 'Federica',
           'Matteo', 'Elisa', 'Davide', 'Sara', 'Riccardo'],
    'nl': ['Daan', 'Sanne', 'Bram', 'Lotte', 'Joost', 'Femke', 'Sem', 'Anouk', 'Thijs', 'Iris',
           'Ruben', 'Maaike'],
    'pl': ['Katarzyna', 'Piotr', 'Agnieszka', 'Tomasz', 'Magdalena', 'Micha\u0142', 'Joanna',
           'Krzysztof', 'Zofia', '\u0141ukasz'],
    'sv': ['Elin', 'Oskar', 'Maja', 'Erik', 'Astrid', 'Johan', 'Ingrid', 'Nils', 'Saga', 'Linn\u00e9a'],
    'ja': ['\u7530\u4e2d \u82b1\u5b50', '\u4f50\u85e4 \u5065\u592a', '\u9234\u6728 \u7f8e\u548c',
           '\u9ad8\u6a4b \u5927\u8f14', '\u4f0a\u85e4 \u3055\u304f\u3089', '\u6e21\u8fba \u7fd4'],
    'in': ['Aarav', 'Ananya', 'Rohan', 'Diya', 'Vikram', 'Kavya', 'Arjun', 'Meera', 'Siddharth',
           'Ishita'],
}
LAST = {
    'en': ['Carter', 'Nguyen', 'Patel', "O'Brien", 'Whitfield', 'Okafor', 'Henderson', 'Lawson',
           'Brennan', 'Castillo', 'Fitzgerald', 'Harrington', 'Mbeki', 'Sullivan', 'Kowalczyk',
           'Nakamura', 'Greene', 'Abernathy', 'Donovan', 'Pereira', 'McAllister', 'Thornton'],
    'de': ['M\u00fcller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Becker', 'Hoffmann',
           'Kr\u00fcger', 'Wagner', 'Zimmermann', 'Sch\u00e4fer', 'Hartmann', 'Lehmann'],
    'fr': ['Martin', 'Bernard', 'Dubois', 'Lef\u00e8vre', 'Moreau', 'Girard', 'Fontaine', 'Rousseau',
           'Chevalier', 'Lemaire', 'Garnier'],
    'es': ['Garc\u00eda', 'Fern\u00e1ndez', 'L\u00f3pez', 'Mart\u00ednez', 'S\u00e1nchez', 'Romero',
           'Navarro', 'Ib\u00e1\u00f1ez', 'Ortega', 'Dom\u00ednguez'],
    'pt': ['Silva', 'Santos', 'Oliveira', 'Souza', 'Pereira', 'Costa', 'Rodrigues', 'Almeida',
           'Carvalho', 'Ferreira'],
    'it': ['Rossi', 'Russo', 'Ferrari', 'Esposito', 'Bianchi', 'Romano', 'Colombo', 'Ricci',
           'Marino', 'Greco', 'Bruno', 'Gallo'],
    'nl': ['de Vries', 'Jansen', 'van den Berg', 'Bakker', 'Visser', 'Smit', 'Meijer',
           'de Boer', 'Mulder', 'van Dijk'],
    'pl': ['Nowak', 'Kowalska', 'Wi\u015bniewski', 'W\u00f3jcik', 'Kami\u0144ska', 'Lewandowski',
           'Zieli\u0144ska', 'Szyma\u0144ski'],
    'sv': ['Andersson', 'Johansson', 'Karlsson', 'Nilsson', 'Eriksson', 'Lindqvist', 'Bergstr\u00f6m',
           'Sj\u00f6berg'],
    'ja': [''],
    'in': ['Sharma', 'Iyer', 'Reddy', 'Nair', 'Gupta', 'Menon', 'Banerjee', 'Kulkarni', 'Chatterjee'],
}

AGENTS = ['Tom', 'Mia', 'Ravi', 'Jo', 'Sam', 'Lena', 'Kai', 'Nadia', 'Ollie', 'Ines', 'Femi',
          'Yuki', 'Bea', 'Matt', 'Chiara', 'Pedro']


class Person:
    def __init__(self, loc='en'):
        self.loc = loc
        if loc == 'ja':
            i = ri(0, len(FIRST['ja']) - 1)
            self.full = FIRST['ja'][i]
            self.last, self.first = self.full.split(' ')
            self.ascii_last, self.ascii_first = ['tanaka hanako', 'sato kenta', 'suzuki miwa', 'takahashi daisuke', 'ito sakura', 'watanabe sho'][i].split(' ')
        else:
            self.first = ch(FIRST[loc])
            self.last = ch(LAST[loc])
            self.full = self.first + ' ' + self.last
            self.ascii_first = ascii_fold(self.first).lower().replace("'", '')
            self.ascii_last = ascii_fold(self.last).lower().replace("'", '').replace(' ', '')
        self.female = chance(0.5)
        self.birth = (ri(1950, 2004), ri(1, 12), ri(1, 28))


MAIL_DOMAINS = {
    'en': ['gmail.com', 'outlook.com', 'yahoo.com', 'icloud.com', 'hotmail.co.uk', 'proton.me',
           'fastmail.com', 'btinternet.com', 'comcast.net', 'bigpond.com'],
    'de': ['gmx.de', 'web.de', 't-online.de', 'posteo.de', 'gmail.com', 'mailbox.org'],
    'fr': ['orange.fr', 'free.fr', 'laposte.net', 'sfr.fr', 'gmail.com'],
    'es': ['gmail.com', 'hotmail.es', 'telefonica.net', 'yahoo.es'],
    'pt': ['gmail.com', 'uol.com.br', 'bol.com.br', 'sapo.pt', 'hotmail.com'],
    'it': ['libero.it', 'virgilio.it', 'gmail.com', 'tiscali.it'],
    'nl': ['ziggo.nl', 'kpnmail.nl', 'gmail.com', 'xs4all.nl'],
    'pl': ['wp.pl', 'onet.pl', 'o2.pl', 'interia.pl', 'gmail.com'],
    'sv': ['telia.com', 'gmail.com', 'spray.se', 'bredband.net'],
    'ja': ['docomo.ne.jp', 'yahoo.co.jp', 'gmail.com', 'ezweb.ne.jp'],
    'in': ['gmail.com', 'rediffmail.com', 'yahoo.co.in', 'outlook.com'],
}
CORP_DOMAINS = ['northwind-traders.com', 'globex.io', 'initech.co', 'kogl-soehne.de', 'vandelay.com',
                'umbrella-logistics.eu', 'tyrell-systems.com', 'fratellirossi.it', 'vandijk-installatie.nl',
                'nordvik.se', 'ferreirafilhos.com.br', 'sakura-seiki.co.jp', 'transibericos.es',
                'boulangerie-martin.fr', 'kowalski-sp.pl', 'harbourline.com.au', 'mapleleaf-dental.ca']


def email_for(p, corp=False):
    dom = ch(CORP_DOMAINS) if corp else ch(MAIL_DOMAINS[p.loc])
    f, l = p.ascii_first, p.ascii_last
    local = ch([f + '.' + l, f[0] + l, f + l[:1], f + '_' + l, l + '.' + f, f + str(ri(1, 99)),
                f + '.' + l + str(ri(70, 99)), f[0] + '.' + l])
    return local + '@' + dom


def obfuscated_email(p):
    f, l = p.ascii_first, p.ascii_last
    dom = ch(MAIL_DOMAINS[p.loc] if p.loc != 'ja' else MAIL_DOMAINS['en'])
    name, tld = dom.rsplit('.', 1)
    name = name.replace('.', ch([' dot ', '[dot]', ' . ']))
    style = ri(0, 6)
    if style == 0:
        return '%s dot %s at %s dot %s' % (f, l, name, tld)
    if style == 1:
        return '%s.%s[at]%s[dot]%s' % (f, l, name, tld)
    if style == 2:
        return '%s.%s (at) %s (dot) %s' % (f, l, name, tld)
    if style == 3:
        return '%s.%s @ %s . %s' % (f, l, name, tld)
    if style == 4:
        return '%s_%s AT %s DOT %s' % (f, l, name.upper(), tld.upper())
    if style == 5:
        return '%s.%s {at} %s {dot} %s' % (f, l, name, tld)
    return '%s%s at %s.%s' % (f[0], l, name, tld)


def phone(cc=None, intl=None):
    cc = cc or ch(['US', 'UK', 'DE', 'FR', 'IN', 'JP', 'AU', 'BR', 'ES', 'IT', 'NL', 'MX', 'CA',
                   'PL', 'SE', 'IE', 'PT', 'CH'])
    if intl is None:
        intl = chance(0.5)
    d = lambda n: rs(DG, n)
    if cc in ('US', 'CA'):
        area = ch(['212', '312', '415', '617', '206', '512', '303', '404', '702']) if cc == 'US' else \
            ch(['416', '604', '514', '403', '613', '902'])
        sub = '01' + d(2)
        if intl:
            return ch(['+1 %s-555-%s', '+1 (%s) 555-%s', '+1.%s.555.%s', '+1 %s 555 %s']) % (area, sub)
        return ch(['(%s) 555-%s', '%s-555-%s', '%s.555.%s', '1-%s-555-%s']) % (area, sub)
    if cc == 'UK':
        if chance(0.6):
            s = '900' + d(3)
            return ('+44 7700 %s' % s) if intl else ch(['07700 %s', '07700%s', '(07700) %s']) % s
        s = '0' + d(3)
        return ('+44 20 7946 %s' % s) if intl else ch(['020 7946 %s', '(020) 7946 %s']) % s
    if cc == 'DE':
        if chance(0.6):
            pre = ch(['151', '160', '170', '171', '176', '157'])
            b = d(8)
            return ('+49 %s %s' % (pre, b)) if intl else ch(['0%s %s', '0%s/%s', '0%s-%s']) % (pre, b)
        city = ch(['30', '40', '89', '69', '221', '711'])
        b = d(4) + ' ' + d(4) if len(city) == 2 else d(3) + ' ' + d(4)
        return ('+49 (0)%s %s' % (city, b)) if intl else '0%s %s' % (city, b)
    if cc == 'FR':
        first = ch(['6', '7', '1', '4'])
        g = ' '.join(d(2) for _ in range(4))
        if intl:
            return ch(['+33 %s %s', '+33 (0)%s %s']) % (first, g)
        return ch(['0%s %s', '0%s.%s']) % (first, g if chance(0.5) else g.replace(' ', '.'))
    if cc == 'IN':
        n = ch('9876') + d(4)
        m = d(5)
        return ch(['+91 %s %s', '+91-%s%s', '+91 %s-%s']) % (n, m) if intl else ch(['0%s %s', '%s %s', '%s%s']) % (n, m)
    if cc == 'JP':
        if chance(0.6):
            pre = ch(['90', '80', '70'])
            a, b = d(4), d(4)
            return ('+81 %s-%s-%s' % (pre, a, b)) if intl else '0%s-%s-%s' % (pre, a, b)
        a, b = d(4), d(4)
        return ('+81 3 %s %s' % (a, b)) if intl else '03-%s-%s' % (a, b)
    if cc == 'AU':
        if chance(0.6):
            a = '4' + d(2)
            return ('+61 %s %s %s' % (a, d(3), d(3))) if intl else '0%s %s %s' % (a, d(3), d(3))
        a = ch(['2', '3', '7', '8'])
        return ('+61 %s %s %s' % (a, d(4), d(4))) if intl else '(0%s) %s %s' % (a, d(4), d(4))
    if cc == 'BR':
        ddd = ch(['11', '21', '31', '41', '51', '61', '71'])
        if chance(0.6):
            n = '9' + d(4) + '-' + d(4)
        else:
            n = ch('2345') + d(3) + '-' + d(4)
        return ch(['+55 %s %s', '+55 (%s) %s']) % (ddd, n) if intl else '(%s) %s' % (ddd, n)
    if cc == 'ES':
        if chance(0.6):
            a = ch('67') + d(2)
            return ('+34 %s %s %s %s' % (a, d(2), d(2), d(2))) if intl else '%s %s %s' % (a, d(3), d(3))
        return ('+34 91 %s %s %s' % (d(3), d(2), d(2))) if intl else '91 %s %s %s' % (d(3), d(2), d(2))
    if cc == 'IT':
        if chance(0.6):
            a = '3' + d(2)
            return ('+39 %s %s %s' % (a, d(3), d(4))) if intl else ch(['%s %s %s', '%s/%s%s', '%s-%s%s']) % (a, d(3), d(4))
        a = ch(['02', '06', '011', '055'])
        return ('+39 %s %s %s' % (a, d(4), d(4))) if intl else '%s %s %s' % (a, d(4), d(4))
    if cc == 'NL':
        if chance(0.6):
            return ('+31 6 %s' % d(8)) if intl else ch(['06 %s', '06-%s']) % d(8)
        return ('+31 (0)20 %s %s' % (d(3), d(4))) if intl else '020 %s %s' % (d(3), d(4))
    if cc == 'MX':
        a = ch(['55', '33', '81'])
        return ch(['+52 %s %s %s', '+52 1 %s %s %s']) % (a, d(4), d(4)) if intl else '%s %s %s' % (a, d(4), d(4))
    if cc == 'PL':
        a = ch('5678') + d(2)
        return ('+48 %s %s %s' % (a, d(3), d(3))) if intl else '%s-%s-%s' % (a, d(3), d(3))
    if cc == 'SE':
        a = '7' + ch('0236')
        return ('+46 %s %s %s %s' % (a, d(3), d(2), d(2))) if intl else '0%s-%s %s %s' % (a, d(3), d(2), d(2))
    if cc == 'IE':
        a = '8' + ch('35679')
        return ('+353 %s %s %s' % (a, d(3), d(4))) if intl else '0%s %s %s' % (a, d(3), d(4))
    if cc == 'PT':
        a = '9' + ch('1236') + d(1)
        return ('+351 %s %s %s' % (a, d(3), d(3))) if intl else '%s %s %s' % (a, d(3), d(3))
    if cc == 'CH':
        a = '7' + ch('6789')
        return ('+41 %s %s %s %s' % (a, d(3), d(2), d(2))) if intl else '0%s %s %s %s' % (a, d(3), d(2), d(2))
    raise ValueError(cc)


LOC_CC = {'en': ['US', 'UK', 'CA', 'AU', 'IE'], 'de': ['DE', 'CH'], 'fr': ['FR', 'CH'], 'es': ['ES', 'MX'],
          'pt': ['BR', 'PT'], 'it': ['IT'], 'nl': ['NL'], 'pl': ['PL'], 'sv': ['SE'], 'ja': ['JP'], 'in': ['IN']}


def phone_for(p, intl=None):
    return phone(ch(LOC_CC[p.loc]), intl)


def card_number(sep=None, brand=None):
    brand = brand or ch(['visa', 'visa', 'mc', 'mc2', 'amex', 'disc', 'jcb', 'diners', 'unionpay', 'maestro'])
    if brand == 'visa':
        pre, ln = '4' + rs(DG, 5), 16
    elif brand == 'mc':
        pre, ln = '5' + ch('12345') + rs(DG, 4), 16
    elif brand == 'mc2':
        pre, ln = str(ri(2221, 2720)) + rs(DG, 2), 16
    elif brand == 'amex':
        pre, ln = ch(['34', '37']) + rs(DG, 4), 15
    elif brand == 'disc':
        pre, ln = '6011' + rs(DG, 2), 16
    elif brand == 'jcb':
        pre, ln = '35' + str(ri(28, 89)) + rs(DG, 2), 16
    elif brand == 'diners':
        pre, ln = '36' + rs(DG, 4), 14
    elif brand == 'unionpay':
        pre, ln = '62' + rs(DG, 4), ch([16, 19])
    else:
        pre, ln = ch(['6759', '6761', '5018']) + rs(DG, 2), ch([16, 18])
    digits = luhn_complete(pre + rs(DG, ln - len(pre) - 1))
    if sep is None:
        sep = ch([' ', ' ', '-', '', ' '])
    if ln == 15:
        groups = [digits[:4], digits[4:10], digits[10:]]
    elif ln == 14:
        groups = [digits[:4], digits[4:10], digits[10:]]
    elif ln == 19:
        groups = [digits[:4], digits[4:8], digits[8:12], digits[12:16], digits[16:]]
    elif ln == 18:
        groups = [digits[:4], digits[4:8], digits[8:12], digits[12:16], digits[16:]]
    else:
        groups = [digits[i:i + 4] for i in range(0, 16, 4)]
    return sep.join(groups)


def iban(cc=None, style=None):
    raw = iban_raw(cc)
    style = style if style is not None else ri(0, 5)
    if style in (0, 1):
        return ' '.join(raw[i:i + 4] for i in range(0, len(raw), 4))
    if style == 2:
        return raw
    if style == 3:
        return raw.lower()
    if style == 4:
        return '-'.join(raw[i:i + 4] for i in range(0, len(raw), 4))
    return ' '.join(raw[i:i + 4] for i in range(0, len(raw), 4)).lower()


def ssn(sep='-'):
    while True:
        a = ri(1, 899)
        if a != 666:
            break
    s = '%03d%s%02d%s%04d' % (a, sep, ri(1, 99), sep, ri(1, 9999))
    assert ssn_ok(s)
    return s


def itin():
    g = ch(list(range(50, 66)) + list(range(70, 89)) + [90, 91, 92] + list(range(94, 100)))
    return '9%02d-%02d-%04d' % (ri(0, 99), g, ri(1, 9999))


def nino(spaced=None):
    ok1 = 'ABCEGHJKLMNOPRSTWXYZ'
    ok2 = 'ABCEGHJKLMNPRSTWXYZ'
    while True:
        pre = ch(ok1) + ch(ok2)
        if pre not in NINO_BAD_PREFIX:
            break
    d = rs(DG, 6)
    suf = ch('ABCD')
    if spaced is None:
        spaced = chance(0.5)
    s = '%s %s %s %s %s' % (pre, d[:2], d[2:4], d[4:], suf) if spaced else pre + d + suf
    assert nino_ok(s)
    return s


def nhs_number():
    while True:
        d = str(ri(4, 9)) + rs(DG, 8)
        r = sum(int(d[i]) * (10 - i) for i in range(9)) % 11
        c = 11 - r
        if c == 11:
            c = 0
        if c != 10:
            break
    s = d + str(c)
    s = ch([s[:3] + ' ' + s[3:6] + ' ' + s[6:], s, s[:3] + '-' + s[3:6] + '-' + s[6:]])
    assert nhs_ok(s)
    return s


def dni():
    n = ri(10000000, 99999999)
    s = ch(['%08d%s', '%08d-%s', '%08d %s']) % (n, dni_letter(n))
    assert dni_ok(s)
    return s


def nie():
    p = ch('XYZ')
    n = rs(DG, 7)
    s = p + n + dni_letter(int(str('XYZ'.index(p)) + n))
    if chance(0.3):
        s = s[0] + '-' + s[1:8] + '-' + s[8]
    assert nie_ok(s)
    return s


CF_PLACES = ['H501', 'F205', 'F839', 'L219', 'G273', 'D612', 'A944', 'L736', 'B157', 'C351']


def cf_code(word, is_name):
    w = ascii_fold(word).upper()
    w = re.sub(r'[^A-Z]', '', w)
    cons = [c for c in w if c not in 'AEIOU']
    vow = [c for c in w if c in 'AEIOU']
    if is_name and len(cons) >= 4:
        return cons[0] + cons[2] + cons[3]
    return (''.join(cons + vow) + 'XXX')[:3]


def codice_fiscale(p):
    y, m, dd = p.birth
    day = dd + (40 if p.female else 0)
    s15 = cf_code(p.last, False) + cf_code(p.first, True) + '%02d' % (y % 100) + \
        'ABCDEHLMPRST'[m - 1] + '%02d' % day + ch(CF_PLACES)
    s = s15 + cf_check(s15)
    assert cf_ok(s)
    return s


def nir(p=None):
    sex = ch('12') if p is None else ('2' if p.female else '1')
    y, m, _ = p.birth if p else (ri(1950, 2004), ri(1, 12), 1)
    dept = ch(['75', '69', '13', '33', '59', '31', '44', '67', '06', '92', '93'])
    body = '%s%02d%02d%s%03d%03d' % (sex, y % 100, m, dept, ri(1, 999), ri(1, 999))
    key = 97 - int(body) % 97
    s = body + '%02d' % key
    if chance(0.6):
        s = ' '.join([s[0], s[1:3], s[3:5], s[5:7], s[7:10], s[10:13], s[13:]])
    assert nir_ok(s)
    return s


def bsn():
    while True:
        d = str(ri(1, 9)) + rs(DG, 7)
        tot = sum(int(d[i]) * (9 - i) for i in range(8))
        last = tot % 11
        if last < 10:
            s = d + str(last)
            if bsn_ok(s):
                break
    if chance(0.3):
        s = s[:4] + '.' + s[4:6] + '.' + s[6:]
    return s


def pesel(p=None):
    y, m, dd = p.birth if p else (ri(1950, 2004), ri(1, 12), ri(1, 28))
    mm = m + (20 if y >= 2000 else 0)
    sex_digit = ch('02468') if (p and p.female) else ch('13579')
    body = '%02d%02d%02d%s%s' % (y % 100, mm, dd, rs(DG, 3), sex_digit)
    w = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3]
    c = (10 - sum(int(body[i]) * w[i] for i in range(10)) % 10) % 10
    s = body + str(c)
    assert pesel_ok(s)
    return s


def personnummer(p=None):
    y, m, dd = p.birth if p else (ri(1950, 2004), ri(1, 12), ri(1, 28))
    body = '%02d%02d%02d%s' % (y % 100, m, dd, rs(DG, 3))
    full = luhn_complete(body)
    s = ch([full[:6] + '-' + full[6:], ('%d' % (y // 100)) + full[:6] + '-' + full[6:], ('%d' % (y // 100)) + full])
    assert personnummer_ok(s), s
    return s


def cpf():
    while True:
        d = rs(DG, 9)
        if len(set(d)) > 1:
            break
    for n in (9, 10):
        tot = sum(int(d[i]) * (n + 1 - i) for i in range(n))
        r = tot % 11
        d += str(0 if r < 2 else 11 - r)
    s = ch(['%s.%s.%s-%s' % (d[:3], d[3:6], d[6:9], d[9:]), d, '%s.%s.%s-%s' % (d[:3], d[3:6], d[6:9], d[9:])])
    assert cpf_ok(s)
    return s


def aadhaar():
    body = str(ri(2, 9)) + rs(DG, 10)
    d = body + verhoeff_digit(body)
    s = ch(['%s %s %s', '%s-%s-%s', '%s%s%s']) % (d[:4], d[4:8], d[8:])
    assert aadhaar_ok(s), s
    return s


def pan(p):
    s = rs(UP, 3) + 'P' + ascii_fold(p.last or 'X')[0].upper() + rs(DG, 4) + ch(UP)
    return s


def sin():
    body = str(ri(1, 7)) + rs(DG, 7)
    d = luhn_complete(body)
    s = ch(['%s %s %s', '%s-%s-%s', '%s%s%s']) % (d[:3], d[3:6], d[6:])
    assert sin_ok(s)
    return s


def tfn():
    w = [1, 4, 3, 7, 5, 8, 6, 9, 10]
    while True:
        d = str(ri(1, 9)) + rs(DG, 7)
        tot = sum(int(d[i]) * w[i] for i in range(8))
        last = tot % 11
        if last <= 9:
            s = d + str(last)
            if tfn_ok(s):
                break
    s = ch(['%s %s %s' % (s[:3], s[3:6], s[6:]), s])
    return s


def medicare():
    w = [1, 3, 7, 9, 1, 3, 7, 9]
    d = str(ri(2, 6)) + rs(DG, 7)
    c = sum(int(d[i]) * w[i] for i in range(8)) % 10
    s = d + str(c) + str(ri(1, 9))
    s = ch(['%s %s %s' % (s[:4], s[4:9], s[9]), s, '%s %s %s' % (s[:4], s[4:9], s[9])])
    assert medicare_ok(s)
    return s


def steuer_id():
    while True:
        digits = R.sample(DG, 9)
        dup = ch(digits)
        ds = digits + [dup]
        R.shuffle(ds)
        if ds[0] == '0':
            continue
        product = 10
        for c in ds:
            sm = (int(c) + product) % 10
            if sm == 0:
                sm = 10
            product = (sm * 2) % 11
        chk = 11 - product
        if chk == 10:
            chk = 0
        s = ''.join(ds) + str(chk)
        if steuer_id_ok(s):
            break
    return ch([s, '%s %s %s %s' % (s[:2], s[2:5], s[5:8], s[8:])])


def fodselsnummer(p=None):
    y, m, dd = p.birth if p else (ri(1950, 2004), ri(1, 12), ri(1, 28))
    w1 = [3, 7, 6, 1, 8, 9, 4, 5, 2]
    w2 = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
    while True:
        d = '%02d%02d%02d%s' % (dd, m, y % 100, rs(DG, 3))
        k1 = 11 - sum(int(d[i]) * w1[i] for i in range(9)) % 11
        k1 = 0 if k1 == 11 else k1
        if k1 == 10:
            continue
        d += str(k1)
        k2 = 11 - sum(int(d[i]) * w2[i] for i in range(10)) % 11
        k2 = 0 if k2 == 11 else k2
        if k2 == 10:
            continue
        s = d + str(k2)
        break
    s = ch([s, s[:6] + ' ' + s[6:]])
    assert fnr_ok(s)
    return s


def nif_pt():
    d = ch('123') + rs(DG, 7)
    c = 11 - sum(int(d[i]) * (9 - i) for i in range(8)) % 11
    c = 0 if c >= 10 else c
    s = d + str(c)
    s = ch([s, '%s %s %s' % (s[:3], s[3:6], s[6:])])
    assert nif_pt_ok(s)
    return s


CURP_STATES = ['AS', 'BC', 'CH', 'DF', 'GT', 'JC', 'MC', 'MN', 'NL', 'OC', 'PL', 'QT', 'SL', 'VZ', 'YN']


def curp(p=None):
    y, m, dd = p.birth if p else (ri(1950, 2004), ri(1, 12), ri(1, 28))
    body = rs(UP, 4) + '%02d%02d%02d' % (y % 100, m, dd) + ch('HM') + ch(CURP_STATES) + \
        rs('BCDFGHJKLMNPQRSTVWXYZ', 3) + (ch(DG) if y < 2000 else ch(UP))
    tot = sum(CURP_DICT.index(body[i]) * (18 - i) for i in range(17))
    s = body + str((10 - tot % 10) % 10)
    assert curp_ok(s)
    return s


def ahv():
    d = '756' + rs(DG, 9)
    tot = sum(int(d[i]) * (1 if i % 2 == 0 else 3) for i in range(12))
    d += str((10 - tot % 10) % 10)
    s = ch(['%s.%s.%s.%s' % (d[:3], d[3:7], d[7:11], d[11:]), d])
    assert ahv_ok(s)
    return s


def ppsn():
    d = rs(DG, 7)
    second = ch(['', '', 'A', 'B'])
    tot = sum(int(d[i]) * (8 - i) for i in range(7))
    if second:
        tot += 9 * (0 if second == 'W' else ord(second) - 64)
    s = d + 'WABCDEFGHIJKLMNOPQRSTUV'[tot % 23] + second
    assert ppsn_ok(s)
    return s


def za_id(p=None):
    y, m, dd = p.birth if p else (ri(1950, 2004), ri(1, 12), ri(1, 28))
    body = '%02d%02d%02d%04d0%s' % (y % 100, m, dd, ri(0, 9999), '8')
    s = luhn_complete(body)
    s = ch([s, '%s %s %s' % (s[:6], s[6:10], s[10:])])
    assert za_id_ok(s)
    return s


def my_number():
    body = rs(DG, 11)
    tot = 0
    for n in range(1, 12):
        p = int(body[11 - n])
        q = n + 1 if n <= 6 else n - 5
        tot += p * q
    r = tot % 11
    s = body + str(0 if r <= 1 else 11 - r)
    s = ch([s, '%s %s %s' % (s[:4], s[4:8], s[8:]), '%s-%s-%s' % (s[:4], s[4:8], s[8:])])
    assert my_number_ok(s)
    return s


def nrn(p=None):
    y, m, dd = p.birth if p else (ri(1950, 2004), ri(1, 12), ri(1, 28))
    body = '%02d%02d%02d%03d' % (y % 100, m, dd, ri(1, 997))
    cc = 97 - int(('2' if y >= 2000 else '') + body) % 97
    s = '%s.%s.%s-%s.%02d' % (body[:2], body[2:4], body[4:6], body[6:], cc)
    assert nrn_ok(s)
    return s


def hetu(p=None):
    y, m, dd = p.birth if p else (ri(1950, 2004), ri(1, 12), ri(1, 28))
    z = '%03d' % ri(2, 899)
    b = '%02d%02d%02d' % (dd, m, y % 100)
    s = b + ('-' if y < 2000 else 'A') + z + HETU_CH[int(b + z) % 31]
    assert hetu_ok(s)
    return s


def passport_number(cc):
    f = {
        'US': lambda: ch([rs(DG, 9), ch(UP) + rs(DG, 8)]),
        'UK': lambda: rs(DG, 9),
        'DE': lambda: ch('CFGHJK') + rs('CFGHJKLMNPRTVWXYZ0123456789', 8),
        'FR': lambda: rs(DG, 2) + rs(UP, 2) + rs(DG, 5),
        'ES': lambda: rs(UP, 3) + rs(DG, 6),
        'IT': lambda: rs(UP, 2) + rs(DG, 7),
        'IN': lambda: ch(UP) + rs(DG, 7),
        'JP': lambda: ch(['TK', 'TR', 'MZ', 'TZ']) + rs(DG, 7),
        'AU': lambda: ch(['PA', 'PB', 'N', 'E']) + rs(DG, 7),
        'BR': lambda: rs(UP, 2) + rs(DG, 6),
        'NL': lambda: rs('ABCDEFGHIJKLMNPRSTUVWXYZ', 2) + rs('ABCDEFGHIJKLMNPRSTUVWXYZ123456789', 6) + ch(DG),
        'CA': lambda: rs(UP, 2) + rs(DG, 6),
        'MX': lambda: ch(UP) + rs(DG, 8),
        'PL': lambda: rs(UP, 2) + rs(DG, 7),
        'SE': lambda: rs(DG, 8),
        'IE': lambda: rs(UP, 2) + rs(DG, 7),
    }[cc]
    return f()


def driving_licence(cc, p):
    if cc == 'UK':
        sur = (re.sub(r'[^A-Z]', '', ascii_fold(p.last).upper()) + '99999')[:5]
        y, m, dd = p.birth
        mm = m + (50 if p.female else 0)
        return '%s%s%02d%02d%s%s9%s' % (sur, str(y)[2], mm, dd, str(y)[3],
                                        ascii_fold(p.first)[0].upper() + '9', rs(UP, 2) + rs(DG, 2))
    if cc == 'US':
        return ch([ch(UP) + rs(DG, 7), rs(DG, 9), ch(UP) + rs(DG, 3) + '-' + rs(DG, 3) + '-' + rs(DG, 2) + '-' + rs(DG, 3) + '-' + ch(DG)])
    if cc == 'DE':
        return ch(UP) + rs(DG, 3) + rs(ANU, 6) + ch(DG)
    if cc == 'FR':
        return rs(DG, 12)
    if cc == 'AU':
        return rs(DG, ch([8, 9]))
    return rs(ANU, 10)


BIRTH_WORDS = {
    'en': ['DOB', 'Date of birth', 'born on', 'D.O.B.', 'birthday', 'Birth date'],
    'de': ['Geburtsdatum', 'geboren am', 'geb.', 'Geb.-Datum'],
    'fr': ['Date de naissance', 'n\u00e9e le', 'n\u00e9 le', 'date de naiss.'],
    'es': ['Fecha de nacimiento', 'nacido el', 'nacida el', 'F. nacimiento'],
    'pt': ['Data de nascimento', 'nascido em', 'nascida em', 'Dt. nasc.'],
    'it': ['Data di nascita', 'nato il', 'nata il'],
    'nl': ['Geboortedatum', 'geboren op', 'geb. datum'],
    'pl': ['Data urodzenia', 'urodzony', 'urodzona', 'ur.'],
    'sv': ['F\u00f6delsedatum', 'f\u00f6dd', 'f\u00f6dd den'],
    'ja': ['\u751f\u5e74\u6708\u65e5', '\u8a95\u751f\u65e5'],
    'in': ['DOB', 'Date of Birth', 'D.O.B'],
}
BIRTH_LABEL = {
    'en': ['DOB', 'Date of birth', 'D.O.B.', 'Birth date'], 'de': ['Geburtsdatum', 'Geb.-Datum', 'Geb.'],
    'fr': ['Date de naissance', 'Date de naiss.', 'N\u00e9(e) le'], 'es': ['Fecha de nacimiento', 'F. nacimiento', 'F. de nac.'],
    'pt': ['Data de nascimento', 'Dt. nasc.', 'Nascimento'], 'it': ['Data di nascita', 'Nato/a il'], 'nl': ['Geboortedatum', 'Geb. datum'],
    'pl': ['Data urodzenia', 'Data ur.'], 'sv': ['F\u00f6delsedatum', 'F\u00f6dd'], 'ja': ['\u751f\u5e74\u6708\u65e5'], 'in': ['DOB', 'Date of Birth'],
}
MONTHS = {
    'en': ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September',
           'October', 'November', 'December'],
    'de': ['Januar', 'Februar', 'M\u00e4rz', 'April', 'Mai', 'Juni', 'Juli', 'August', 'September',
           'Oktober', 'November', 'Dezember'],
    'fr': ['janvier', 'f\u00e9vrier', 'mars', 'avril', 'mai', 'juin', 'juillet', 'ao\u00fbt',
           'septembre', 'octobre', 'novembre', 'd\u00e9cembre'],
    'es': ['enero', 'febrero', 'marzo', 'abril', 'mayo', 'junio', 'julio', 'agosto', 'septiembre',
           'octubre', 'noviembre', 'diciembre'],
    'pt': ['janeiro', 'fevereiro', 'mar\u00e7o', 'abril', 'maio', 'junho', 'julho', 'agosto',
           'setembro', 'outubro', 'novembro', 'dezembro'],
    'it': ['gennaio', 'febbraio', 'marzo', 'aprile', 'maggio', 'giugno', 'luglio', 'agosto',
           'settembre', 'ottobre', 'novembre', 'dicembre'],
    'nl': ['januari', 'februari', 'maart', 'april', 'mei', 'juni', 'juli', 'augustus', 'september',
           'oktober', 'november', 'december'],
    'pl': ['stycznia', 'lutego', 'marca', 'kwietnia', 'maja', 'czerwca', 'lipca', 'sierpnia',
           'wrze\u015bnia', 'pa\u017adziernika', 'listopada', 'grudnia'],
    'sv': ['januari', 'februari', 'mars', 'april', 'maj', 'juni', 'juli', 'augusti', 'september',
           'oktober', 'november', 'december'],
}


def dob_text(p, loc=None):
    loc = loc or p.loc
    y, m, d = p.birth
    if loc == 'ja':
        return ch(['%d\u5e74%d\u6708%d\u65e5' % (y, m, d), '%d/%02d/%02d' % (y, m, d)])
    if loc == 'in':
        loc = 'en'
    opts = ['%04d-%02d-%02d' % (y, m, d)]
    if loc == 'en':
        opts += ['%02d/%02d/%04d' % (m, d, y), '%d/%d/%04d' % (m, d, y), '%s %d, %d' % (MONTHS['en'][m - 1], d, y),
                 '%d %s %d' % (d, MONTHS['en'][m - 1][:3], y), '%02d/%02d/%04d' % (d, m, y)]
    elif loc in ('de', 'pl', 'sv', 'nl'):
        opts += ['%02d.%02d.%04d' % (d, m, y), '%d. %s %d' % (d, MONTHS[loc][m - 1], y) if loc == 'de' else
                 '%d %s %d' % (d, MONTHS[loc][m - 1], y), '%02d-%02d-%04d' % (d, m, y)]
    else:
        opts += ['%02d/%02d/%04d' % (d, m, y), ('%d de %s de %d' if loc in ('es', 'pt') else '%d %s %d') % (d, MONTHS[loc][m - 1], y)]
    return ch(opts)


def address(cc):
    n = ri(1, 240)
    if cc == 'US':
        return ch(['%d %s %s' % (ri(100, 9899), ch(['Maple Ridge', 'Oak Hollow', 'Lakeview', 'Juniper', 'W 43rd', 'Elmwood', 'Sycamore']),
                                  ch(['Dr', 'Ave', 'St', 'Blvd', 'Ln', 'Ct'])) +
                   ch(['', ', Apt %d%s' % (ri(1, 30), ch('ABCD')), ' Unit %d' % ri(1, 400)]) +
                   ', ' + ch(['Columbus, OH 43215', 'Austin, TX 78704', 'Portland, OR 97214', 'Denver, CO 80205',
                              'Raleigh, NC 27601', 'Madison, WI 53703', 'Tucson, AZ 85719', 'Brooklyn, NY 11215'])])
    if cc == 'UK':
        return ch(['', 'Flat %d, ' % ri(1, 12)]) + '%d %s, %s' % (n, ch(['Belvedere Road', 'Kingsley Avenue', 'Mill Lane', 'Church Street', 'Rosebery Gardens']),
                                                                  ch(['London SE19 2HL', 'Leeds LS6 3BN', 'Bristol BS7 8AU', 'Manchester M14 5RT', 'Glasgow G12 8QQ', 'Cardiff CF24 4HQ']))
    if cc == 'DE':
        return '%s %d%s, %s' % (ch(['Lindenstra\u00dfe', 'Hauptstr.', 'Am Kirchberg', 'Bahnhofstra\u00dfe', 'Goethestra\u00dfe', 'Schillerweg']),
                                n, ch(['', 'a', 'b']), ch(['10969 Berlin', '80331 M\u00fcnchen', '50667 K\u00f6ln', '20095 Hamburg', '70173 Stuttgart', '04109 Leipzig']))
    if cc == 'FR':
        return '%d%s %s, %s' % (n, ch(['', ' bis']), ch(['rue des Acacias', 'avenue Jean Jaur\u00e8s', 'boulevard Voltaire', 'all\u00e9e des Tilleuls', 'chemin du Moulin']),
                                ch(['69003 Lyon', '75011 Paris', '13006 Marseille', '31000 Toulouse', '44000 Nantes', '33000 Bordeaux']))
    if cc == 'ES':
        return '%s %d, %s, %s' % (ch(['Calle de Alcal\u00e1', 'Avenida Diagonal', 'Calle Mayor', 'Paseo de Gracia', 'Calle del Sol']), n,
                                  ch(['3\u00ba B', '1\u00ba izq.', '5\u00ba 2\u00aa', 'bajo']), ch(['28009 Madrid', '08029 Barcelona', '46002 Valencia', '41001 Sevilla']))
    if cc == 'IT':
        return '%s %d, %s' % (ch(['Via Garibaldi', 'Corso Vittorio Emanuele II', 'Via Roma', 'Piazza Navona', 'Viale Europa']), n,
                              ch(['20121 Milano MI', '00186 Roma RM', '10121 Torino TO', '50123 Firenze FI', '80133 Napoli NA']))
    if cc == 'NL':
        return '%s %d%s, %s' % (ch(['Prinsengracht', 'Kerkstraat', 'Dorpsstraat', 'Oudegracht', 'Lange Voorhout']), n, ch(['', '-1', 'A', ' hs']),
                                ch(['1016 GV Amsterdam', '3511 AB Utrecht', '2514 EE Den Haag', '3012 CN Rotterdam', '9711 LV Groningen']))
    if cc == 'CA':
        return ch(['%d Rue Sainte-Catherine O, Montr\u00e9al, QC H3B 1A7', '%d Queen St W, Toronto, ON M5V 2A9',
                   '%d Robson St, Vancouver, BC V6E 1B5', '%d Jasper Ave NW, Edmonton, AB T5J 3N4']) % ri(10, 2999)
    if cc == 'AU':
        return ch(['', 'Unit %d, ' % ri(1, 20)]) + '%d %s, %s' % (n, ch(['Beach Road', 'George Street', 'Sydney Road', 'Hay Street']),
                                                                 ch(['Bondi NSW 2026', 'Brunswick VIC 3056', 'Perth WA 6000', 'Fortitude Valley QLD 4006']))
    if cc == 'JP':
        return ch(['\u3012150-0002 \u6771\u4eac\u90fd\u6e0b\u8c37\u533a\u6e0b\u8c37%d-%d-%d',
                   '\u3012530-0001 \u5927\u962a\u5e9c\u5927\u962a\u5e02\u5317\u533a\u6885\u7530%d-%d-%d',
                   '\u3012060-0042 \u5317\u6d77\u9053\u672d\u5e4c\u5e02\u4e2d\u592e\u533a\u5927\u901a\u897f%d-%d-%d']) % (ri(1, 4), ri(1, 30), ri(1, 20))
    if cc == 'BR':
        return '%s, %d, apto %d - %s' % (ch(['Rua Augusta', 'Avenida Paulista', 'Rua das Laranjeiras', 'Rua XV de Novembro']), ri(10, 2500), ri(11, 190),
                                         ch(['Consola\u00e7\u00e3o, S\u00e3o Paulo - SP, 01304-001', 'Laranjeiras, Rio de Janeiro - RJ, 22240-003',
                                             'Centro, Curitiba - PR, 80020-310']))
    if cc == 'PL':
        return 'ul. %s %d/%d, %s' % (ch(['Marsza\u0142kowska', 'Piotrkowska', 'D\u0142uga', 'Grunwaldzka']), n, ri(1, 80),
                                      ch(['00-514 Warszawa', '90-001 \u0141\u00f3d\u017a', '80-828 Gda\u0144sk', '30-001 Krak\u00f3w']))
    if cc == 'SE':
        return '%s %d, %s' % (ch(['Drottninggatan', 'Storgatan', 'Kungsgatan', 'Vasagatan']), n, ch(['111 21 Stockholm', '411 03 G\u00f6teborg', '211 43 Malm\u00f6']))
    if cc == 'IE':
        return '%d %s, %s' % (n, ch(['Harcourt Street', 'Griffith Avenue', 'Main Street']), ch(['Dublin 2, D02 XK80', 'Cork T12 R2NC', 'Galway H91 E2K3']))
    if cc == 'IN':
        return 'Flat %d, %s, %s' % (ri(101, 1204), ch(['Sai Residency, 14th Cross, Indiranagar', 'Lotus Towers, Andheri West', 'Green Park Extension']),
                                    ch(['Bengaluru 560038', 'Mumbai 400053', 'New Delhi 110016']))
    if cc == 'MX':
        return 'Av. %s %d, Col. %s' % (ch(['Insurgentes Sur', 'Reforma', 'Universidad']), ri(10, 3000),
                                       ch(['Cr\u00e9dito Constructor, 03940 Ciudad de M\u00e9xico, CDMX', 'Ju\u00e1rez, 06600 CDMX', 'Del Valle, 03100 CDMX']))
    if cc == 'CH':
        return '%s %d, %s' % (ch(['Bahnhofstrasse', 'Rue du Rh\u00f4ne', 'Marktgasse']), n, ch(['8001 Z\u00fcrich', '1204 Gen\u00e8ve', '3011 Bern']))
    if cc == 'PT':
        return 'Rua %s, %d, %s' % (ch(['Augusta', 'de Santa Catarina', 'do Almada']), n, ch(['1100-053 Lisboa', '4000-443 Porto']))
    raise ValueError(cc)


LOC_ADDR = {'en': ['US', 'UK', 'CA', 'AU', 'IE'], 'de': ['DE', 'CH'], 'fr': ['FR'], 'es': ['ES', 'MX'],
            'pt': ['BR', 'PT'], 'it': ['IT'], 'nl': ['NL'], 'pl': ['PL'], 'sv': ['SE'], 'ja': ['JP'], 'in': ['IN']}


def address_for(p):
    return address(ch(LOC_ADDR[p.loc]))


def public_ipv4():
    while True:
        a = ri(1, 223)
        if a in (10, 127, 100, 169, 172, 192, 0):
            continue
        return '%d.%d.%d.%d' % (a, ri(0, 255), ri(0, 255), ri(1, 254))


def public_ipv6():
    pre = ch(['2a02:8108', '2001:4860', '2a01:e0a', '2600:1700', '2804:14d', '2405:201', '2a00:23c8', '2001:db8'])
    groups = [rs(HEX, ri(1, 4)).lstrip('0') or '0' for _ in range(ch([2, 4, 6]))]
    if len(groups) < 6:
        return pre + ':' + ':'.join(groups[:2]) + '::' + rs(HEX, 4).lstrip('0')
    return pre + ':' + ':'.join(groups)


def customer_ip():
    return public_ipv6() if chance(0.2) else public_ipv4()


def national_id(loc, p):
    """(kind, value, label) for a person's national ID."""
    opts = {
        'en': [('US_SSN', lambda: ssn(ch(['-', '-', ' ', ''])), 'SSN'), ('UK_NINO', nino, 'NI number'),
               ('UK_NHS_NUMBER', nhs_number, 'NHS number'), ('CA_SIN', sin, 'SIN'),
               ('AU_TFN', tfn, 'TFN'), ('AU_MEDICARE', medicare, 'Medicare no.'), ('IE_PPSN', ppsn, 'PPS number'),
               ('ZA_ID', lambda: za_id(p), 'SA ID number'), ('US_ITIN', itin, 'ITIN')],
        'de': [('DE_STEUER_ID', steuer_id, 'Steuer-ID'), ('CH_AHV', ahv, 'AHV-Nr.')],
        'fr': [('FR_NIR', lambda: nir(p), 'N\u00b0 de s\u00e9curit\u00e9 sociale'), ('BE_NRN', lambda: nrn(p), 'N\u00b0 de registre national')],
        'es': [('ES_DNI', dni, 'DNI'), ('ES_NIE', nie, 'NIE'), ('MX_CURP', lambda: curp(p), 'CURP')],
        'pt': [('BR_CPF', cpf, 'CPF'), ('PT_NIF', nif_pt, 'NIF')],
        'it': [('IT_CODICE_FISCALE', lambda: codice_fiscale(p), 'Codice fiscale')],
        'nl': [('NL_BSN', bsn, 'BSN'), ('BE_NRN', lambda: nrn(p), 'Rijksregisternummer')],
        'pl': [('PL_PESEL', lambda: pesel(p), 'PESEL')],
        'sv': [('SE_PERSONNUMMER', lambda: personnummer(p), 'Personnummer'), ('NO_FODSELSNUMMER', lambda: fodselsnummer(p), 'F\u00f8dselsnummer'),
               ('FI_HETU', lambda: hetu(p), 'Henkil\u00f6tunnus')],
        'ja': [('JP_MY_NUMBER', my_number, '\u30de\u30a4\u30ca\u30f3\u30d0\u30fc')],
        'in': [('IN_AADHAAR', aadhaar, 'Aadhaar'), ('IN_PAN', lambda: pan(p), 'PAN')],
    }[loc]
    low = min(_nid_used.get(o[0], 0) for o in opts)
    kind, f, label = ch([o for o in opts if _nid_used.get(o[0], 0) == low])
    _nid_used[kind] = _nid_used.get(kind, 0) + 1
    return kind, f(), label


_nid_used = {}


# round-robin over all national-ID kinds so every one is covered
NID_ALL = [('en', 'US_SSN'), ('en', 'UK_NINO'), ('en', 'UK_NHS_NUMBER'), ('en', 'CA_SIN'), ('en', 'AU_TFN'),
           ('en', 'AU_MEDICARE'), ('en', 'IE_PPSN'), ('en', 'ZA_ID'), ('en', 'US_ITIN'), ('de', 'DE_STEUER_ID'),
           ('de', 'CH_AHV'), ('fr', 'FR_NIR'), ('fr', 'BE_NRN'), ('es', 'ES_DNI'), ('es', 'ES_NIE'),
           ('es', 'MX_CURP'), ('pt', 'BR_CPF'), ('pt', 'PT_NIF'), ('it', 'IT_CODICE_FISCALE'), ('nl', 'NL_BSN'),
           ('pl', 'PL_PESEL'), ('sv', 'SE_PERSONNUMMER'), ('sv', 'NO_FODSELSNUMMER'), ('sv', 'FI_HETU'),
           ('ja', 'JP_MY_NUMBER'), ('in', 'IN_AADHAAR'), ('in', 'IN_PAN')]
_nid_i = [0]


def next_nid():
    loc, kind = NID_ALL[_nid_i[0] % len(NID_ALL)]
    _nid_i[0] += 1
    p = Person(loc)
    for _ in range(50):
        k, v, label = national_id(loc, p)
        if k == kind:
            return p, k, v, label
    raise AssertionError(kind)


# ---------------------------------------------------------------------------------------------
# Look-alikes (keep)
# ---------------------------------------------------------------------------------------------

class Clock:
    """Monotonic fake clock for logs (no datetime dependence on the local timezone)."""
    MDAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

    def __init__(self):
        self.y = ch([2024, 2025])
        self.mo = ri(1, 12)
        self.d = ri(1, 28)
        self.s = ri(0, 86399 - 7200)
        self.ms = ri(0, 999)

    def tick(self, lo=0.05, hi=20.0):
        dt = R.uniform(lo, hi)
        self.ms += int((dt - int(dt)) * 1000)
        self.s += int(dt) + self.ms // 1000
        self.ms %= 1000
        self.s = min(self.s, 86399)
        return self

    def hms(self):
        return '%02d:%02d:%02d' % (self.s // 3600, self.s // 60 % 60, self.s % 60)

    def iso(self, style=None):
        style = ri(0, 5) if style is None else style
        base = '%04d-%02d-%02d' % (self.y, self.mo, self.d)
        if style == 0:
            return '%sT%s.%03dZ' % (base, self.hms(), self.ms)
        if style == 1:
            return '%sT%sZ' % (base, self.hms())
        if style == 2:
            return '%s %s,%03d' % (base, self.hms(), self.ms)
        if style == 3:
            return '%sT%s.%03d+0%d:00' % (base, self.hms(), self.ms, ri(1, 2))
        if style == 4:
            return '%s %s.%06d' % (base, self.hms(), self.ms * 1000 + ri(0, 999))
        return '%s %s' % (base, self.hms())

    def syslog(self):
        return '%s %2d %s' % (self.MON[self.mo - 1], self.d, self.hms())

    def clf(self):
        return '%02d/%s/%04d:%s +0000' % (self.d, self.MON[self.mo - 1], self.y, self.hms())

    def goform(self):
        return '%04d/%02d/%02d %s' % (self.y, self.mo, self.d, self.hms())

    def short(self):
        return self.hms()[:5]

    def epoch_ms(self):
        # rough but monotonic epoch milliseconds
        days = (self.y - 1970) * 365 + (self.y - 1969) // 4 + sum(self.MDAYS[:self.mo - 1]) - (1 if self.mo > 2 and self.y % 4 else 0) + self.d - 1
        return str((days * 86400 + self.s) * 1000 + self.ms)

    def us(self):
        h = self.s // 3600
        return '%d/%d/%04d %d:%02d:%02d %s' % (self.mo, self.d, self.y, (h % 12) or 12, self.s // 60 % 60, self.s % 60, 'AM' if h < 12 else 'PM')

    def klog(self):
        return '%02d%02d %s.%06d' % (self.mo, self.d, self.hms(), self.ms * 1000 + ri(0, 999))

    def dow(self):
        import datetime
        return ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'][datetime.date(self.y, self.mo, self.d).weekday()]

    def date(self):
        return '%04d-%02d-%02d' % (self.y, self.mo, self.d)


def k_ts(c, style=None):
    return K('TIMESTAMP', c.iso(style))


def version():
    return ch([
        lambda: '%d.%d.%d' % (ri(0, 12), ri(0, 40), ri(0, 60)),
        lambda: 'v%d.%d.%d' % (ri(0, 5), ri(0, 30), ri(0, 20)),
        lambda: '%d.%d.%d.%d' % (ri(1, 17), ri(0, 9), ri(0, 30000), ri(0, 9999)),
        lambda: '%d.%d.%d-rc.%d' % (ri(1, 9), ri(0, 20), ri(0, 9), ri(1, 5)),
        lambda: '%d.%02d.%d' % (ch([2023, 2024, 2025]), ri(1, 12), ri(0, 5)),
        lambda: '%d.%d.%d+build.%d' % (ri(1, 4), ri(0, 20), ri(0, 9), ri(100, 9999)),
        lambda: '%d.0.%d' % (ri(17, 23), ri(1, 12)),
        lambda: '%d.%d.%d-beta.%d' % (ri(0, 3), ri(1, 20), ri(0, 9), ri(1, 9)),
    ])()


def git_sha(n=None):
    return rs(HEX, n or ch([7, 7, 8, 10, 12, 40]))


def uuid4():
    h = rs(HEX, 32)
    return '%s-%s-4%s-%s%s-%s' % (h[:8], h[8:12], h[13:16], ch('89ab'), h[17:20], h[20:32])


def ulid():
    return '01' + rs('0123456789ABCDEFGHJKMNPQRSTVWXYZ', 24)


def request_id():
    return ch([uuid4, lambda: 'req-' + rs(HEX, 16), lambda: 'Root=1-%s-%s' % (rs(HEX, 8), rs(HEX, 24)), ulid,
               lambda: rs(HEX, 8) + '-' + rs(HEX, 4), lambda: 'rid_' + rs(ANL, 12), lambda: rs(HEXU, 12) + ':' + rs(HEXU, 4)])()


def order_no():
    return ch([lambda: 'ORD-%d-%06d' % (ch([2024, 2025]), ri(1, 999999)), lambda: '#%d' % ri(100000000, 999999999),
               lambda: '%03d-%07d-%07d' % (ri(100, 999), ri(0, 9999999), ri(0, 9999999)), lambda: 'SO%08d' % ri(0, 99999999),
               lambda: 'BE-%s-%d' % (rs(UP, 2), ri(10000, 99999)), lambda: 'PO-%d' % ri(40000, 99999)])()


def ticket_no():
    return ch([lambda: 'INC%07d' % ri(1, 9999999), lambda: 'SUP-%d' % ri(100, 99999), lambda: '#%d' % ri(10000, 999999),
               lambda: '%s-%d' % (ch(['OPS', 'PLAT', 'BILL', 'CS', 'ESC', 'SEC']), ri(10, 9999)),
               lambda: 'CS-%d-%02d-%05d' % (ch([2024, 2025]), ri(1, 12), ri(1, 99999)), lambda: 'CASE-%08d' % ri(1, 99999999),
               lambda: 'RITM%07d' % ri(1, 9999999)])()


def invoice_no():
    return ch([lambda: 'INV-%d-%05d' % (ch([2024, 2025]), ri(1, 99999)), lambda: 'RE-%d-%04d' % (ch([2024, 2025]), ri(1, 9999)),
               lambda: 'FAC-%d-%04d' % (ch([2024, 2025]), ri(1, 9999)), lambda: 'F%d/%02d/%04d' % (ch([2024, 2025]), ri(1, 12), ri(1, 9999)),
               lambda: 'in_%s' % rmix(AN, 24)])()


def duration():
    return ch([lambda: '%dms' % ri(1, 9999), lambda: '%.3fs' % R.uniform(0.001, 30), lambda: '%dm%02ds' % (ri(0, 59), ri(0, 59)),
               lambda: 'PT%dM' % ri(1, 90), lambda: '%dh%dm' % (ri(1, 9), ri(0, 59)), lambda: '%.1f ms' % R.uniform(0.1, 900),
               lambda: '%d s' % ri(1, 600), lambda: '%02d:%02d:%02d.%03d' % (0, ri(0, 59), ri(0, 59), ri(0, 999))])()


def hex_color():
    return ch(['#' + rs(HEX, 6), '#' + rs(HEXU, 6), '#' + rs(HEX, 3), '#' + rs(HEX, 8)])


def sha256():
    return rs(HEX, 64)


def oid():
    return ch(['1.3.6.1.4.1.%d.%d.%d.%d' % (ri(2000, 60000), ri(1, 20), ri(1, 9), ri(0, 40)), '1.3.6.1.2.1.%d.%d.%d' % (ri(1, 31), ri(1, 20), ri(1, 9)),
               '2.5.29.%d' % ch([14, 15, 17, 19, 31, 32, 35, 37]), '1.2.840.113549.1.%d.%d' % (ch([1, 9]), ri(1, 14)),
               '1.3.6.1.5.5.7.3.%d' % ri(1, 9), '2.16.840.1.101.3.4.2.%d' % ri(1, 3), '1.2.840.10045.%d.%d' % (ri(2, 4), ri(1, 3))])


def build_no():
    return ch([lambda: '%d' % ri(100, 99999), lambda: '%d.%d' % (ri(20240101, 20251231), ri(1, 12)), lambda: '%d%s%d' % (ri(20, 24), ch(UP), ri(100, 999)),
               lambda: 'b%d' % ri(1000, 9999), lambda: '%d.%d.%d.%d' % (ri(1, 9), ri(0, 9), ri(1000, 9999), ri(1, 99))])()


def error_code():
    return ch(['ERR_CONNECTION_RESET', '0x80070005', 'ORA-01017', 'E11000', 'SQLSTATE 28P01', 'AADSTS7000215', 'ECONNREFUSED',
               'ERR_SSL_PROTOCOL_ERROR', '0xC0000022', 'NU1301', 'CS0246', 'TS2345', 'ERR-4031', 'E_ACCESSDENIED',
               'ENOTFOUND', 'AADSTS50126', 'PGRST301', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ETIMEDOUT',
               'WSAECONNRESET', 'MSB3073', 'SQLSTATE[HY000] [1045]', 'E0401', 'KB5034441', 'CVE-%d-%d' % (ri(2019, 2025), ri(1000, 49999))])


def port():
    return ch(['5432', '3306', '6379', '27017', '8080', '8443', '443', '9200', '5672', '11211', '9092', '1433', '22', '2222', '15672', '6443'])


def private_ip():
    return ch(['10.%d.%d.%d' % (ri(0, 255), ri(0, 255), ri(1, 254)), '172.%d.%d.%d' % (ri(16, 31), ri(0, 255), ri(1, 254)),
               '192.168.%d.%d' % (ri(0, 255), ri(1, 254)), '127.0.0.1'])


def internal_host():
    return ch(['db-primary.internal', 'redis-0.redis.svc.cluster.local', 'api.staging.internal', 'pg-replica-2.prod.internal',
               'localhost', 'kafka-1.kafka-headless.svc.cluster.local', 'mq01.corp.local', 'ldap.corp.example.net',
               'mongo-rs0-1.db.internal', 'vault.service.consul', 'smtp-relay.internal', 'sftp.partner-gw.internal'])


def masked_card():
    last = rs(DG, 4)
    return ch(['**** **** **** ' + last, 'XXXX-XXXX-XXXX-' + last, '\u2022\u2022\u2022\u2022 ' + last, '************' + last,
               rs(DG, 6) + '******' + last, 'xxxx xxxx xxxx ' + last, '*' * 4 + last])


def company():
    return ch(['Northwind Traders', 'Contoso Ltd', 'Globex Corporation', 'Initech', 'Umbrella Logistics', 'Hooli',
               'Vandelay Industries', 'Tyrell Systems', 'Pied Piper Inc.', 'Aperture Labs', 'Massive Dynamic',
               'K\u00f6gl & S\u00f6hne GmbH', 'Boulangerie Martin SARL', 'Transportes Ib\u00e9ricos S.L.',
               'Fratelli Rossi S.p.A.', 'Van Dijk Installatietechniek B.V.', 'Nordvik AB', 'Kowalski Sp. z o.o.',
               '\u682a\u5f0f\u4f1a\u793e\u30b5\u30af\u30e9\u7cbe\u6a5f', 'Ferreira & Filhos Ltda.', 'Harbourline Pty Ltd',
               'Maple Leaf Dental Clinics', 'Bluewater Analytics LLC', 'Acme Freight AG', 'Lindqvist & Co KB'])


def sku():
    return ch([lambda: 'SKU-%s-%s-%04d' % (rs(UP, 3), ch(['XS', 'S', 'M', 'L', 'XL']), ri(1, 9999)),
               lambda: '%s%d-%s-%d' % (rs(UP, 3), ri(10, 99), rs(UP, 2) + str(ri(1, 9)), ch([128, 256, 512])),
               lambda: 'PRD-%05d' % ri(1, 99999), lambda: '%s-%s-%s' % (rs(UP, 2), rs(DG, 4), rs(UP, 1)),
               lambda: 'A%d' % ri(1000, 3000), lambda: 'plan_%s_%s' % (ch(['pro', 'team', 'business', 'starter']), ch(['monthly', 'annual']))])()


def file_path():
    return ch(['/etc/nginx/conf.d/default.conf', '/var/log/app/worker.log', 'C:\\ProgramData\\Relaybox\\config.json',
               '/home/deploy/.config/relaybox/settings.toml', 'src/main/resources/application.yml', './deploy/values-prod.yaml',
               '/opt/relaybox/bin/agent', '~/.ssh/config', 'app/services/billing.py', '/var/lib/docker/volumes/pg/_data'])


def hostname_public():
    return ch(['api.stripe.com', 'hooks.example-partner.com', 'api.github.com', 'smtp.sendgrid.net', 'registry.npmjs.org',
               'api.openai.com', 'sts.amazonaws.com', 'login.microsoftonline.com', 'api.twilio.com', 'eu.api.relaybox.io'])


# ---------------------------------------------------------------------------------------------
# Secrets: provider tokens in their published shapes, random bodies
# ---------------------------------------------------------------------------------------------

def b64url(b):
    return base64.urlsafe_b64encode(b).decode().rstrip('=')


def rbytes(n):
    return bytes(R.getrandbits(8) for _ in range(n))


def jwt(alg=None, claims=None):
    alg = alg or ch(['HS256', 'RS256', 'ES256', 'HS512'])
    hdr = {'alg': alg, 'typ': 'JWT'}
    if alg != 'HS256' and chance(0.6):
        hdr['kid'] = rs(ANL, 12)
    iat = ri(1704067200, 1767225600)
    c = claims or ch([
        {'sub': str(ri(10000, 99999999)), 'role': ch(['service_role', 'authenticated', 'admin']), 'iat': iat, 'exp': iat + ch([3600, 86400, 31536000])},
        {'iss': 'https://' + ch(['auth.relaybox.io', 'login.acme-id.com', 'securetoken.google.com/prj-' + rs(ANL, 6)]), 'sub': uuid4(), 'aud': ch(['api', 'account', 'relaybox-web']), 'iat': iat, 'exp': iat + 3600, 'scope': ch(['openid profile email', 'read:tickets write:tickets', 'offline_access'])},
        {'user_id': ri(1000, 999999), 'email_verified': True, 'iat': iat, 'exp': iat + 900, 'jti': rs(HEX, 16)},
        {'ref': rs(LO, 20), 'role': 'service_role', 'iss': 'supabase', 'iat': iat, 'exp': iat + 315360000},
    ])
    sig_len = {'HS256': 43, 'HS512': 86, 'RS256': 342, 'ES256': 86}[alg]
    return b64url(json.dumps(hdr, separators=(',', ':')).encode()) + '.' + \
        b64url(json.dumps(c, separators=(',', ':')).encode()) + '.' + rs(B64U, sig_len)


def aws_session_token():
    return ch(['IQoJb3JpZ2luX2Vj', 'FwoGZXIvYXdzE']) + rs(B64, ri(280, 380)) + ch(['', '=', '=='])


def discord_bot():
    uid = str(ri(10 ** 17, 10 ** 18 - 1))
    return b64url(uid.encode()) + '.' + rs(B64U, 6) + '.' + rs(B64U, 38)


def gen_pw(style=None, safe='xml'):
    """Human-ish or random passwords.  safe: 'xml' avoids &<>\"', 'url' avoids URL delimiters too."""
    words = ['Summer', 'Winter', 'Falcon', 'Orchid', 'Copper', 'Harbor', 'Maple', 'Nebula', 'Quartz', 'Tango',
             'Sommer', 'Welkom', 'Soleil', 'Primavera', 'Bacalhau', 'Pierogi', 'Kanelbulle', 'Sakura', 'Girasole',
             'Tulpen', 'Zebra', 'Granite', 'Pelican', 'Cobalt', 'Juniper', 'Matterhorn']
    sym_x = '!#$%*-_.@+=?^~'
    sym_u = '!*-_.~'
    sym = sym_u if safe == 'url' else sym_x
    style = ri(0, 6) if style is None else style
    if style == 0:
        return ch(words) + str(ri(1, 2025)) + ch(sym)
    if style == 1:
        return ''.join(ch(AN + sym) for _ in range(ri(14, 28)))
    if style == 2:
        return '-'.join(ch(['correct', 'horse', 'battery', 'staple', 'violet', 'lantern', 'orbit', 'pickle', 'tundra',
                            'walrus', 'kettle', 'meadow', 'saffron', 'glacier']) for _ in range(ch([3, 4])))
    if style == 3:
        w = ch(words)
        return w[0].upper() + w[1:].replace('a', '4' if safe == 'url' else '@').replace('o', '0').replace('e', '3') + ch(sym) + str(ri(10, 99))
    if style == 4:
        return rmix(AN, ri(16, 32))
    if style == 5:
        return ch(words).lower() + ch(sym) + ch(words) + str(ri(0, 9))
    return rs(AN, 3) + ch(sym) + rs(AN, 4) + ch(sym) + rs(AN, 5)


class Prov:
    def __init__(self, kind, gen, names, desc, host=None):
        self.kind = kind
        self.gen = gen
        self.names = names
        self.desc = desc
        self.host = host


def _p(kind, gen, names, desc, host=None):
    return Prov(kind, gen, names, desc, host)


PROVIDERS = [
    # cloud
    _p('AWS_ACCESS_KEY_ID', lambda: ch(['AKIA', 'AKIA', 'ASIA']) + rs(B32, 16), ['AWS_ACCESS_KEY_ID', 'aws_access_key_id', 'accessKeyId'], 'AWS access key id', 'sts.amazonaws.com'),
    _p('AWS_SECRET_ACCESS_KEY', lambda: rmix(AN + '/+', 40), ['AWS_SECRET_ACCESS_KEY', 'aws_secret_access_key', 'secretAccessKey'], 'AWS secret access key'),
    _p('AWS_SESSION_TOKEN', aws_session_token, ['AWS_SESSION_TOKEN', 'aws_session_token'], 'AWS session token'),
    _p('GCP_API_KEY', lambda: 'AIza' + rs(B64U, 35), ['GOOGLE_API_KEY', 'GEMINI_API_KEY', 'firebase_api_key', 'MAPS_API_KEY'], 'Google API key', 'generativelanguage.googleapis.com'),
    _p('GCP_OAUTH_CLIENT_SECRET', lambda: 'GOCSPX-' + rs(B64U, 28), ['GOOGLE_CLIENT_SECRET', 'google_oauth_client_secret'], 'Google OAuth client secret'),
    _p('AZURE_CLIENT_SECRET', lambda: rs(AN, 3) + str(ri(1, 9)) + 'Q~' + rs(AN + '_~.-', 34), ['AZURE_CLIENT_SECRET', 'ClientSecret', 'azure_ad_client_secret'], 'Azure AD client secret', 'login.microsoftonline.com'),
    _p('AZURE_STORAGE_ACCOUNT_KEY', lambda: rs(B64, 86) + '==', ['AZURE_STORAGE_KEY', 'AZURE_STORAGE_ACCOUNT_KEY', 'STORAGE_ACCOUNT_KEY'], 'Azure storage account key'),
    _p('AZURE_DEVOPS_PAT', lambda: rs(LO + '234567', 52) if chance(0.5) else rs(AN, 52) + 'AZDO' + rs(AN, 28), ['AZURE_DEVOPS_EXT_PAT', 'AZDO_PAT', 'SYSTEM_ACCESSTOKEN'], 'Azure DevOps PAT', 'dev.azure.com'),
    _p('ALIBABA_ACCESS_KEY_SECRET', lambda: rmix(AN, 30), ['ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'aliyun_access_key_secret'], 'Alibaba Cloud AccessKey secret'),
    _p('ALIBABA_ACCESS_KEY_ID', lambda: 'LTAI' + rmix(AN, 20), ['ALIBABA_CLOUD_ACCESS_KEY_ID', 'aliyun_access_key_id'], 'Alibaba Cloud AccessKey id'),
    _p('IBM_CLOUD_API_KEY', lambda: rmix(B64U, 44), ['IBMCLOUD_API_KEY', 'IC_API_KEY'], 'IBM Cloud API key'),
    _p('DIGITALOCEAN_TOKEN', lambda: ch(['dop_v1_', 'doo_v1_']) + rs(HEX, 64), ['DIGITALOCEAN_ACCESS_TOKEN', 'DO_TOKEN'], 'DigitalOcean token', 'api.digitalocean.com'),
    _p('HETZNER_API_TOKEN', lambda: rmix(AN, 64), ['HCLOUD_TOKEN', 'hetzner_token'], 'Hetzner Cloud API token'),
    _p('LINODE_TOKEN', lambda: rs(HEX, 64), ['LINODE_TOKEN', 'LINODE_CLI_TOKEN'], 'Linode PAT'),
    _p('CLOUDFLARE_API_TOKEN', lambda: rmix(B64U, 40), ['CLOUDFLARE_API_TOKEN', 'CF_API_TOKEN'], 'Cloudflare API token', 'api.cloudflare.com'),
    _p('CLOUDFLARE_GLOBAL_API_KEY', lambda: rs(HEX, 37), ['CF_API_KEY', 'CLOUDFLARE_API_KEY'], 'Cloudflare global API key'),
    _p('FASTLY_API_TOKEN', lambda: rmix(B64U, 32), ['FASTLY_API_TOKEN', 'FASTLY_KEY'], 'Fastly API token', 'api.fastly.com'),
    _p('AKAMAI_CLIENT_SECRET', lambda: rs(B64, 43) + '=', ['AKAMAI_CLIENT_SECRET', 'EDGEGRID_CLIENT_SECRET'], 'Akamai EdgeGrid client secret'),
    _p('AKAMAI_ACCESS_TOKEN', lambda: 'akab-' + rs(ANL, 16) + '-' + rs(ANL, 16), ['AKAMAI_ACCESS_TOKEN', 'EDGEGRID_ACCESS_TOKEN'], 'Akamai EdgeGrid access token'),
    _p('BUNNY_API_KEY', lambda: uuid4() + '-' + rs(HEX, 4) + '-' + rs(HEX, 4) + '-' + rs(HEX, 4) + '-' + rs(HEX, 12), ['BUNNY_API_KEY', 'BUNNYNET_API_KEY'], 'bunny.net account API key'),
    _p('NETLIFY_TOKEN', lambda: 'nfp_' + rmix(AN, 36), ['NETLIFY_AUTH_TOKEN'], 'Netlify PAT', 'api.netlify.com'),
    _p('VERCEL_TOKEN', lambda: rmix(AN, 24), ['VERCEL_TOKEN'], 'Vercel token', 'api.vercel.com'),
    _p('FLY_API_TOKEN', lambda: 'FlyV1 fm2_' + rs(B64, 180) if chance(0.5) else 'fo1_' + rs(B64U, 43), ['FLY_API_TOKEN'], 'Fly.io token'),
    _p('RENDER_API_KEY', lambda: 'rnd_' + rmix(AN, 32), ['RENDER_API_KEY'], 'Render API key', 'api.render.com'),
    _p('HEROKU_API_KEY', lambda: 'HRKU-' + rs(B64U, 60) if chance(0.5) else uuid4(), ['HEROKU_API_KEY'], 'Heroku API key', 'api.heroku.com'),
    # databases-as-a-service
    _p('PLANETSCALE_PASSWORD', lambda: 'pscale_pw_' + rs(B64U, 43), ['DATABASE_PASSWORD', 'PLANETSCALE_DB_PASSWORD'], 'PlanetScale password'),
    _p('PLANETSCALE_TOKEN', lambda: 'pscale_tkn_' + rs(B64U, 43), ['PLANETSCALE_SERVICE_TOKEN'], 'PlanetScale service token'),
    _p('NEON_PASSWORD', lambda: 'npg_' + rmix(AN, 12), ['PGPASSWORD', 'NEON_DB_PASSWORD'], 'Neon Postgres password'),
    _p('NEON_API_KEY', lambda: 'napi_' + rs(ANL, 64), ['NEON_API_KEY'], 'Neon API key'),
    _p('SUPABASE_SECRET_KEY', lambda: 'sb_secret_' + rs(B64U, 31), ['SUPABASE_SECRET_KEY', 'SUPABASE_SERVICE_KEY'], 'Supabase secret key'),
    _p('AIVEN_PASSWORD', lambda: 'AVNS_' + rmix(AN + '-_', 19), ['AIVEN_PG_PASSWORD', 'KAFKA_PASSWORD'], 'Aiven service password'),
    _p('UPSTASH_REDIS_TOKEN', lambda: 'A' + ch('XYZ') + rs(B64U, 58) + '=', ['UPSTASH_REDIS_REST_TOKEN', 'KV_REST_API_TOKEN'], 'Upstash REST token'),
    _p('MONGODB_ATLAS_PRIVATE_KEY', lambda: uuid4(), ['MONGODB_ATLAS_PRIVATE_KEY', 'ATLAS_PRIVATE_KEY'], 'MongoDB Atlas API private key'),
    _p('FIREBASE_FCM_SERVER_KEY', lambda: 'AAAA' + rs(B64U, 7) + ':APA91b' + rs(B64U, 134), ['FCM_SERVER_KEY', 'firebase_server_key'], 'Firebase Cloud Messaging legacy server key', 'fcm.googleapis.com'),
    _p('FAUNA_SECRET', lambda: 'fnA' + rs(B64U, 37), ['FAUNA_SECRET'], 'Fauna secret'),
    # VCS
    _p('GITHUB_PAT', lambda: 'ghp_' + rmix(AN, 36), ['GITHUB_TOKEN', 'GH_TOKEN', 'GH_ENTERPRISE_TOKEN'], 'GitHub personal access token', 'api.github.com'),
    _p('GITHUB_FINE_GRAINED_PAT', lambda: 'github_pat_' + rs(ANU, 22) + '_' + rs(AN, 59), ['GITHUB_TOKEN', 'GH_PAT'], 'GitHub fine-grained PAT', 'api.github.com'),
    _p('GITHUB_OAUTH_TOKEN', lambda: 'gho_' + rmix(AN, 36), ['GITHUB_OAUTH_TOKEN', 'GH_OAUTH_TOKEN'], 'GitHub OAuth token'),
    _p('GITHUB_APP_INSTALLATION_TOKEN', lambda: 'ghs_' + rmix(AN, 36), ['GITHUB_APP_TOKEN', 'INSTALLATION_TOKEN'], 'GitHub App installation token'),
    _p('GITHUB_USER_TO_SERVER_TOKEN', lambda: 'ghu_' + rmix(AN, 36), ['GITHUB_USER_TOKEN'], 'GitHub user-to-server token'),
    _p('GITHUB_REFRESH_TOKEN', lambda: 'ghr_' + rmix(AN, 76), ['GITHUB_REFRESH_TOKEN'], 'GitHub refresh token'),
    _p('GITLAB_PAT', lambda: 'glpat-' + rmix(B64U, 20), ['GITLAB_TOKEN', 'CI_JOB_TOKEN_OVERRIDE', 'GL_TOKEN'], 'GitLab PAT', 'gitlab.com'),
    _p('GITLAB_RUNNER_TOKEN', lambda: 'glrt-' + rmix(B64U, 20), ['RUNNER_TOKEN', 'CI_SERVER_TOKEN'], 'GitLab runner authentication token'),
    _p('GITLAB_DEPLOY_TOKEN', lambda: 'gldt-' + rmix(B64U, 20), ['DEPLOY_TOKEN'], 'GitLab deploy token'),
    _p('GITLAB_PIPELINE_TRIGGER_TOKEN', lambda: 'glptt-' + rs(HEX, 40), ['TRIGGER_TOKEN'], 'GitLab pipeline trigger token'),
    _p('GITLAB_FEED_TOKEN', lambda: 'glft-' + rmix(B64U, 20), ['GITLAB_FEED_TOKEN'], 'GitLab feed token'),
    _p('BITBUCKET_APP_PASSWORD', lambda: 'ATBB' + rmix(AN, 32) + rs(HEXU, 8), ['BITBUCKET_APP_PASSWORD', 'BB_APP_PASSWORD'], 'Bitbucket app password'),
    _p('ATLASSIAN_API_TOKEN', lambda: 'ATATT3xFfGF0' + rs(B64U, 170) + '=' + rs(HEXU, 8), ['JIRA_API_TOKEN', 'CONFLUENCE_API_TOKEN', 'ATLASSIAN_TOKEN'], 'Atlassian API token'),
    # chat
    _p('SLACK_BOT_TOKEN', lambda: 'xoxb-%d-%d-%s' % (ri(10 ** 10, 10 ** 12), ri(10 ** 12, 10 ** 13), rmix(AN, 24)), ['SLACK_BOT_TOKEN', 'SLACK_TOKEN'], 'Slack bot token', 'slack.com'),
    _p('SLACK_USER_TOKEN', lambda: 'xoxp-%d-%d-%d-%s' % (ri(10 ** 10, 10 ** 12), ri(10 ** 10, 10 ** 12), ri(10 ** 12, 10 ** 13), rs(HEX, 32)), ['SLACK_USER_TOKEN'], 'Slack user token'),
    _p('SLACK_APP_TOKEN', lambda: 'xapp-1-A%s-%d-%s' % (rs(ANU, 10), ri(10 ** 12, 10 ** 13), rs(HEX, 64)), ['SLACK_APP_TOKEN'], 'Slack app-level token'),
    _p('SLACK_WEBHOOK_URL', lambda: 'https://hooks.slack.com/services/T%s/B%s/%s' % (rs(ANU, 9), rs(ANU, 10), rmix(AN, 24)), ['SLACK_WEBHOOK_URL', 'slack_api_url'], 'Slack incoming webhook'),
    _p('DISCORD_BOT_TOKEN', discord_bot, ['DISCORD_TOKEN', 'DISCORD_BOT_TOKEN'], 'Discord bot token'),
    _p('DISCORD_WEBHOOK_URL', lambda: 'https://discord.com/api/webhooks/%d/%s' % (ri(10 ** 17, 10 ** 18), rs(B64U, 68)), ['DISCORD_WEBHOOK'], 'Discord webhook'),
    _p('TEAMS_WEBHOOK_URL', lambda: ch([
        lambda: 'https://prod-%02d.%s.logic.azure.com:443/workflows/%s/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%%2Ftriggers%%2Fmanual%%2Frun&sv=1.0&sig=%s' % (ri(1, 99), ch(['westeurope', 'northeurope', 'eastus']), rs(HEX, 32), rs(B64U, 43)),
        lambda: 'https://%s.webhook.office.com/webhookb2/%s@%s/IncomingWebhook/%s/%s' % (ch(['contoso', 'globex', 'northwind']), uuid4(), uuid4(), rs(HEX, 32), uuid4())])(),
        ['TEAMS_WEBHOOK_URL'], 'Microsoft Teams webhook'),
    _p('TELEGRAM_BOT_TOKEN', lambda: '%d:AA%s' % (ri(10 ** 8, 10 ** 10), rs(B64U, 33)), ['TELEGRAM_BOT_TOKEN', 'TG_TOKEN'], 'Telegram bot token', 'api.telegram.org'),
    _p('MATTERMOST_TOKEN', lambda: rs(ANL, 26), ['MATTERMOST_TOKEN', 'MM_TOKEN'], 'Mattermost personal access token'),
    # payments
    _p('STRIPE_SECRET_KEY', lambda: 'sk_live_51' + rmix(AN, 97), ['STRIPE_SECRET_KEY', 'STRIPE_API_KEY', 'stripe.api_key'], 'Stripe secret key', 'api.stripe.com'),
    _p('STRIPE_RESTRICTED_KEY', lambda: 'rk_live_51' + rmix(AN, 97), ['STRIPE_RESTRICTED_KEY'], 'Stripe restricted key', 'api.stripe.com'),
    _p('STRIPE_WEBHOOK_SECRET', lambda: 'whsec_' + rmix(AN, 32), ['STRIPE_WEBHOOK_SECRET', 'STRIPE_ENDPOINT_SECRET'], 'Stripe webhook signing secret'),
    _p('PAYPAL_CLIENT_SECRET', lambda: 'E' + rs(B64U, 79), ['PAYPAL_CLIENT_SECRET', 'PAYPAL_SECRET'], 'PayPal client secret', 'api-m.paypal.com'),
    _p('BRAINTREE_ACCESS_TOKEN', lambda: 'access_token$production$%s$%s' % (rs(ANL, 16), rs(HEX, 32)), ['BRAINTREE_ACCESS_TOKEN'], 'Braintree access token'),
    _p('SQUARE_ACCESS_TOKEN', lambda: 'EAAA' + rs(B64U, 60), ['SQUARE_ACCESS_TOKEN'], 'Square access token', 'connect.squareup.com'),
    _p('SQUARE_OAUTH_SECRET', lambda: 'sq0csp-' + rs(B64U, 43), ['SQUARE_APPLICATION_SECRET'], 'Square OAuth secret'),
    _p('ADYEN_API_KEY', lambda: 'AQE' + rs(B64U, 20) + '+' + rs(B64, 60) + '=-' + rs(B64, 44) + '=-' + rs(AN, 16), ['ADYEN_API_KEY', 'ADYEN_CHECKOUT_API_KEY'], 'Adyen API key'),
    _p('RAZORPAY_KEY_SECRET', lambda: rmix(AN, 24), ['RAZORPAY_KEY_SECRET'], 'Razorpay key secret', 'api.razorpay.com'),
    _p('MOLLIE_API_KEY', lambda: 'live_' + rmix(AN, 30), ['MOLLIE_API_KEY'], 'Mollie live API key', 'api.mollie.com'),
    _p('GOCARDLESS_ACCESS_TOKEN', lambda: 'live_' + rs(B64U, 40), ['GOCARDLESS_ACCESS_TOKEN', 'GC_ACCESS_TOKEN'], 'GoCardless access token'),
    _p('PAYSTACK_SECRET_KEY', lambda: 'sk_live_' + rs(HEX, 40), ['PAYSTACK_SECRET_KEY'], 'Paystack secret key'),
    _p('FLUTTERWAVE_SECRET_KEY', lambda: 'FLWSECK-' + rs(HEX, 32) + '-X', ['FLW_SECRET_KEY'], 'Flutterwave secret key'),
    _p('PADDLE_API_KEY', lambda: 'pdl_live_apikey_' + rs(ANL, 26) + '_' + rs(AN, 22) + '_' + rs(AN, 3), ['PADDLE_API_KEY'], 'Paddle API key'),
    _p('SHOPIFY_ACCESS_TOKEN', lambda: 'shpat_' + rs(HEX, 32), ['SHOPIFY_ACCESS_TOKEN', 'SHOPIFY_ADMIN_TOKEN'], 'Shopify Admin API token'),
    _p('SHOPIFY_SHARED_SECRET', lambda: 'shpss_' + rs(HEX, 32), ['SHOPIFY_API_SECRET'], 'Shopify shared secret'),
    _p('COINBASE_API_SECRET', lambda: rmix(AN, 32), ['COINBASE_API_SECRET'], 'Coinbase API secret'),
    # email / SMS
    _p('SENDGRID_API_KEY', lambda: 'SG.' + rs(B64U, 22) + '.' + rs(B64U, 43), ['SENDGRID_API_KEY', 'SMTP_PASSWORD'], 'SendGrid API key', 'api.sendgrid.com'),
    _p('MAILGUN_API_KEY', lambda: ch(['key-' + rs(HEX, 32), rs(HEX, 32) + '-' + rs(HEX, 8) + '-' + rs(HEX, 8)]), ['MAILGUN_API_KEY'], 'Mailgun API key', 'api.eu.mailgun.net'),
    _p('MAILCHIMP_API_KEY', lambda: rs(HEX, 32) + '-us' + str(ri(1, 21)), ['MAILCHIMP_API_KEY', 'MC_API_KEY'], 'Mailchimp API key'),
    _p('POSTMARK_SERVER_TOKEN', uuid4, ['POSTMARK_SERVER_TOKEN', 'POSTMARK_API_TOKEN'], 'Postmark server token', 'api.postmarkapp.com'),
    _p('MAILJET_SECRET_KEY', lambda: rs(HEX, 32), ['MJ_APIKEY_PRIVATE', 'MAILJET_SECRET_KEY'], 'Mailjet secret key'),
    _p('BREVO_API_KEY', lambda: 'xkeysib-' + rs(HEX, 64) + '-' + rmix(AN, 16), ['BREVO_API_KEY', 'SENDINBLUE_API_KEY'], 'Brevo API key', 'api.brevo.com'),
    _p('RESEND_API_KEY', lambda: 're_' + rmix(AN, 8) + '_' + rmix(AN, 24), ['RESEND_API_KEY'], 'Resend API key', 'api.resend.com'),
    _p('SPARKPOST_API_KEY', lambda: rs(HEX, 40), ['SPARKPOST_API_KEY'], 'SparkPost API key'),
    _p('TWILIO_AUTH_TOKEN', lambda: rs(HEX, 32), ['TWILIO_AUTH_TOKEN'], 'Twilio auth token', 'api.twilio.com'),
    _p('TWILIO_API_SECRET', lambda: rmix(AN, 32), ['TWILIO_API_SECRET'], 'Twilio API key secret'),
    _p('VONAGE_API_SECRET', lambda: rmix(AN, 16), ['VONAGE_API_SECRET', 'NEXMO_API_SECRET'], 'Vonage API secret'),
    _p('MESSAGEBIRD_ACCESS_KEY', lambda: rmix(AN, 25), ['MESSAGEBIRD_ACCESS_KEY'], 'MessageBird live access key'),
    _p('PLIVO_AUTH_TOKEN', lambda: rmix(AN, 40), ['PLIVO_AUTH_TOKEN'], 'Plivo auth token'),
    # observability
    _p('DATADOG_API_KEY', lambda: rs(HEX, 32), ['DD_API_KEY', 'DATADOG_API_KEY'], 'Datadog API key', 'api.datadoghq.eu'),
    _p('DATADOG_APP_KEY', lambda: rs(HEX, 40), ['DD_APP_KEY', 'DATADOG_APP_KEY'], 'Datadog application key'),
    _p('NEW_RELIC_LICENSE_KEY', lambda: rs(HEX, 36) + 'NRAL', ['NEW_RELIC_LICENSE_KEY', 'NRIA_LICENSE_KEY'], 'New Relic license key'),
    _p('NEW_RELIC_USER_KEY', lambda: 'NRAK-' + rs(ANU, 27), ['NEW_RELIC_API_KEY'], 'New Relic user key'),
    _p('SENTRY_AUTH_TOKEN', lambda: ch(['sntrys_' + b64url(json.dumps({'iat': ri(1704067200, 1767225600), 'url': 'https://sentry.io', 'org': ch(['acme', 'globex'])}, separators=(',', ':')).encode()) + '_' + rs(B64U, 43),
                                        'sntryu_' + rs(HEX, 64)]), ['SENTRY_AUTH_TOKEN'], 'Sentry auth token'),
    _p('GRAFANA_SERVICE_ACCOUNT_TOKEN', lambda: 'glsa_' + rmix(AN, 32) + '_' + rs(HEX, 8), ['GRAFANA_TOKEN', 'GF_SA_TOKEN'], 'Grafana service account token'),
    _p('GRAFANA_CLOUD_TOKEN', lambda: 'glc_' + b64url(json.dumps({'o': str(ri(100000, 999999)), 'n': 'stack-' + str(ri(100000, 999999)) + '-hm-read', 'k': rs(AN, 24), 'm': {'r': 'prod-eu-west-2'}}, separators=(',', ':')).encode()), ['GRAFANA_CLOUD_API_KEY'], 'Grafana Cloud token'),
    _p('DYNATRACE_API_TOKEN', lambda: 'dt0c01.' + rs(ANU, 24) + '.' + rs(ANU, 64), ['DT_API_TOKEN', 'DYNATRACE_TOKEN'], 'Dynatrace API token'),
    _p('SPLUNK_HEC_TOKEN', uuid4, ['SPLUNK_HEC_TOKEN'], 'Splunk HEC token'),
    _p('HONEYCOMB_API_KEY', lambda: 'hcaik_01' + rs(ANL, 24) + rs(ANL, 34), ['HONEYCOMB_API_KEY'], 'Honeycomb ingest key'),
    _p('ELASTIC_API_KEY', lambda: base64.b64encode((rmix(AN, 20) + ':' + rmix(B64U, 22)).encode()).decode(), ['ELASTIC_API_KEY', 'ES_API_KEY'], 'Elasticsearch API key'),
    _p('ROLLBAR_ACCESS_TOKEN', lambda: rs(HEX, 32), ['ROLLBAR_ACCESS_TOKEN'], 'Rollbar token'),
    _p('PAGERDUTY_API_KEY', lambda: 'u+' + rs(B64U, 18), ['PAGERDUTY_TOKEN', 'PD_API_KEY'], 'PagerDuty API key'),
    _p('OPSGENIE_API_KEY', uuid4, ['OPSGENIE_API_KEY'], 'Opsgenie API key'),
    # package registries
    _p('NPM_TOKEN', lambda: 'npm_' + rmix(AN, 36), ['NPM_TOKEN', 'NODE_AUTH_TOKEN'], 'npm token', 'registry.npmjs.org'),
    _p('PYPI_TOKEN', lambda: 'pypi-AgEIcHlwaS5vcmc' + rs(B64U, ri(150, 190)), ['PYPI_TOKEN', 'TWINE_PASSWORD', 'UV_PUBLISH_TOKEN'], 'PyPI API token'),
    _p('NUGET_API_KEY', lambda: 'oy2' + rs(ANL, 43), ['NUGET_API_KEY'], 'NuGet API key'),
    _p('RUBYGEMS_API_KEY', lambda: 'rubygems_' + rs(HEX, 48), ['GEM_HOST_API_KEY', 'RUBYGEMS_API_KEY'], 'RubyGems API key'),
    _p('DOCKERHUB_PAT', lambda: 'dckr_pat_' + rs(B64U, 27), ['DOCKERHUB_TOKEN', 'DOCKER_PASSWORD'], 'Docker Hub PAT'),
    _p('CRATES_IO_TOKEN', lambda: 'cio' + rmix(AN, 32), ['CARGO_REGISTRY_TOKEN'], 'crates.io token'),
    _p('ARTIFACTORY_API_KEY', lambda: 'AKCp' + rs(DG, 1) + rmix(AN, 68), ['ARTIFACTORY_API_KEY', 'JFROG_API_KEY'], 'JFrog Artifactory API key'),
    _p('ARTIFACTORY_ACCESS_TOKEN', lambda: 'cmVmdGtuOjAxOj' + rs(B64, 50), ['JFROG_ACCESS_TOKEN', 'ARTIFACTORY_TOKEN'], 'JFrog reference token'),
    _p('CLOJARS_TOKEN', lambda: 'CLOJARS_' + rs(HEX, 60), ['CLOJARS_PASSWORD'], 'Clojars deploy token'),
    _p('PACKAGECLOUD_TOKEN', lambda: rs(HEX, 48), ['PACKAGECLOUD_TOKEN'], 'packagecloud token'),
    # AI APIs
    _p('OPENAI_API_KEY', lambda: ch(['sk-proj-' + rs(B64U, 74) + 'T3BlbkFJ' + rs(B64U, 74), 'sk-svcacct-' + rs(B64U, 74) + 'T3BlbkFJ' + rs(B64U, 74),
                                     'sk-' + rmix(AN, 20) + 'T3BlbkFJ' + rmix(AN, 20), 'sk-admin-' + rs(B64U, 74) + 'T3BlbkFJ' + rs(B64U, 74)]), ['OPENAI_API_KEY', 'OPENAI_KEY'], 'OpenAI API key', 'api.openai.com'),
    _p('ANTHROPIC_API_KEY', lambda: 'sk-ant-api03-' + rs(B64U, 93) + 'AA', ['ANTHROPIC_API_KEY', 'CLAUDE_API_KEY'], 'Anthropic API key', 'api.anthropic.com'),
    _p('HUGGINGFACE_TOKEN', lambda: 'hf_' + rmix(AN, 34), ['HF_TOKEN', 'HUGGINGFACEHUB_API_TOKEN'], 'Hugging Face token', 'huggingface.co'),

    _p('GROQ_API_KEY', lambda: 'gsk_' + rmix(AN, 52), ['GROQ_API_KEY'], 'Groq API key'),
    _p('REPLICATE_API_TOKEN', lambda: 'r8_' + rmix(AN, 37), ['REPLICATE_API_TOKEN'], 'Replicate token'),
    _p('COHERE_API_KEY', lambda: rmix(AN, 40), ['COHERE_API_KEY', 'CO_API_KEY'], 'Cohere API key'),
    _p('MISTRAL_API_KEY', lambda: rmix(AN, 32), ['MISTRAL_API_KEY'], 'Mistral API key'),
    _p('PERPLEXITY_API_KEY', lambda: 'pplx-' + rmix(AN, 48), ['PERPLEXITY_API_KEY', 'PPLX_API_KEY'], 'Perplexity API key'),
    _p('XAI_API_KEY', lambda: 'xai-' + rmix(AN, 80), ['XAI_API_KEY'], 'xAI API key'),
    _p('OPENROUTER_API_KEY', lambda: 'sk-or-v1-' + rs(HEX, 64), ['OPENROUTER_API_KEY'], 'OpenRouter key'),
    _p('DEEPSEEK_API_KEY', lambda: 'sk-' + rs(HEX, 32), ['DEEPSEEK_API_KEY'], 'DeepSeek API key'),
    _p('LANGSMITH_API_KEY', lambda: 'lsv2_' + ch(['pt', 'sk']) + '_' + rs(HEX, 32) + '_' + rs(HEX, 10), ['LANGSMITH_API_KEY', 'LANGCHAIN_API_KEY'], 'LangSmith API key'),
    _p('PINECONE_API_KEY', lambda: 'pcsk_' + rmix(AN, 6) + '_' + rmix(AN, 63), ['PINECONE_API_KEY'], 'Pinecone API key'),
    _p('ELEVENLABS_API_KEY', lambda: 'sk_' + rs(HEX, 48), ['ELEVENLABS_API_KEY', 'XI_API_KEY'], 'ElevenLabs API key'),
    _p('WANDB_API_KEY', lambda: rs(HEX, 40), ['WANDB_API_KEY'], 'Weights & Biases API key'),
    # CI/CD, infra tooling
    _p('CIRCLECI_TOKEN', lambda: 'CCIPAT_' + rmix(AN, 22) + '_' + rs(HEX, 40), ['CIRCLECI_TOKEN', 'CIRCLE_TOKEN'], 'CircleCI PAT', 'circleci.com'),
    _p('BUILDKITE_TOKEN', lambda: 'bkua_' + rs(HEX, 40), ['BUILDKITE_API_TOKEN'], 'Buildkite API token'),
    _p('BUILDKITE_AGENT_TOKEN', lambda: rs(HEX, 50), ['BUILDKITE_AGENT_TOKEN'], 'Buildkite agent token'),
    _p('JENKINS_API_TOKEN', lambda: '11' + rs(HEX, 32), ['JENKINS_API_TOKEN', 'JENKINS_TOKEN'], 'Jenkins API token'),
    _p('TERRAFORM_CLOUD_TOKEN', lambda: rmix(AN, 14) + '.atlasv1.' + rs(AN, 67), ['TFE_TOKEN', 'TF_TOKEN_app_terraform_io'], 'Terraform Cloud token', 'app.terraform.io'),
    _p('VAULT_TOKEN', lambda: ch(['hvs.' + rs(B64U, 24), 'hvs.CAESI' + rs(B64U, 85), 'hvb.' + rs(B64U, 130)]), ['VAULT_TOKEN'], 'HashiCorp Vault token'),
    _p('DOPPLER_TOKEN', lambda: ch(['dp.st.', 'dp.pt.', 'dp.sa.']) + ch(['prd.', 'dev.', '']) + rmix(AN, 43), ['DOPPLER_TOKEN'], 'Doppler token'),
    _p('PULUMI_ACCESS_TOKEN', lambda: 'pul-' + rs(HEX, 40), ['PULUMI_ACCESS_TOKEN'], 'Pulumi access token'),
    _p('OCTOPUS_API_KEY', lambda: 'API-' + rs(ANU, 30), ['OCTOPUS_API_KEY', 'OCTOPUS_CLI_API_KEY'], 'Octopus Deploy API key'),
    _p('SONARQUBE_TOKEN', lambda: ch(['squ_', 'sqp_', 'sqa_']) + rs(HEX, 40), ['SONAR_TOKEN', 'sonar.token'], 'SonarQube token'),
    _p('SNYK_TOKEN', uuid4, ['SNYK_TOKEN'], 'Snyk API token'),
    _p('CODECOV_TOKEN', uuid4, ['CODECOV_TOKEN'], 'Codecov upload token'),
    _p('HARNESS_PAT', lambda: 'pat.' + rs(B64U, 22) + '.' + rs(HEX, 24) + '.' + rmix(AN, 20), ['HARNESS_PLATFORM_API_KEY'], 'Harness PAT'),
    _p('EXPO_TOKEN', lambda: rmix(B64U, 40), ['EXPO_TOKEN'], 'Expo access token'),
    _p('ONEPASSWORD_SERVICE_ACCOUNT_TOKEN', lambda: 'ops_eyJ' + rs(B64U, 300), ['OP_SERVICE_ACCOUNT_TOKEN'], '1Password service account token'),
    _p('TAILSCALE_AUTH_KEY', lambda: 'tskey-' + ch(['auth', 'api', 'client']) + '-k' + rs(AN, 11) + 'CNTRL-' + rmix(AN, 33), ['TS_AUTHKEY', 'TAILSCALE_AUTHKEY'], 'Tailscale key'),
    _p('NGROK_AUTHTOKEN', lambda: '2' + rmix(AN, 26) + '_' + rmix(AN, 21), ['NGROK_AUTHTOKEN'], 'ngrok authtoken'),
    _p('AGE_SECRET_KEY', lambda: 'AGE-SECRET-KEY-1' + rs('QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L'.upper(), 58), ['SOPS_AGE_KEY'], 'age secret key'),
    # feature flags
    _p('LAUNCHDARKLY_SDK_KEY', lambda: 'sdk-' + uuid4(), ['LAUNCHDARKLY_SDK_KEY', 'LD_SDK_KEY'], 'LaunchDarkly SDK key'),
    _p('LAUNCHDARKLY_API_TOKEN', lambda: 'api-' + uuid4(), ['LAUNCHDARKLY_ACCESS_TOKEN', 'LD_API_TOKEN'], 'LaunchDarkly API access token'),
    _p('CONFIGCAT_SDK_KEY', lambda: 'configcat-sdk-1/' + rs(B64U, 22) + '/' + rs(B64U, 22), ['CONFIGCAT_SDK_KEY'], 'ConfigCat SDK key'),
    _p('UNLEASH_API_TOKEN', lambda: ch(['*', 'default', 'checkout']) + ':' + ch(['production', 'development']) + '.' + rs(HEX, 64), ['UNLEASH_API_TOKEN', 'UNLEASH_SERVER_API_TOKEN'], 'Unleash API token'),
    _p('FLAGSMITH_SERVER_KEY', lambda: 'ser.' + rmix(AN, 22), ['FLAGSMITH_ENVIRONMENT_KEY'], 'Flagsmith server-side key'),
    _p('STATSIG_SERVER_SECRET', lambda: 'secret-' + rmix(AN, 43), ['STATSIG_SERVER_SECRET'], 'Statsig server secret'),
    # SaaS misc
    _p('MAPBOX_SECRET_TOKEN', lambda: 'sk.eyJ1IjoiI' + rs(B64U, 50) + '.' + rs(B64U, 22), ['MAPBOX_DOWNLOADS_TOKEN', 'MAPBOX_SECRET_TOKEN'], 'Mapbox secret token'),
    _p('TWITTER_BEARER_TOKEN', lambda: 'AAAAAAAAAAAAAAAAAAAAA' + rmix(AN, 20) + '%3D' + rmix(AN, 50), ['TWITTER_BEARER_TOKEN', 'X_BEARER_TOKEN'], 'X/Twitter bearer token'),
    _p('FACEBOOK_ACCESS_TOKEN', lambda: 'EAA' + ch('BGI') + rmix(AN, ri(150, 200)), ['FB_ACCESS_TOKEN', 'META_PAGE_ACCESS_TOKEN'], 'Meta Graph API access token', 'graph.facebook.com'),
    _p('LINEAR_API_KEY', lambda: 'lin_api_' + rmix(AN, 40), ['LINEAR_API_KEY'], 'Linear API key'),
    _p('NOTION_TOKEN', lambda: ch(['secret_' + rmix(AN, 43), 'ntn_' + rs(DG, 11) + rmix(AN, 35)]), ['NOTION_TOKEN', 'NOTION_API_KEY'], 'Notion integration token'),
    _p('AIRTABLE_PAT', lambda: 'pat' + rmix(AN, 14) + '.' + rs(HEX, 64), ['AIRTABLE_API_KEY', 'AIRTABLE_PAT'], 'Airtable PAT'),
    _p('ASANA_PAT', lambda: '2/%d/%d:%s' % (ri(10 ** 15, 10 ** 16 - 1), ri(10 ** 15, 10 ** 16 - 1), rs(HEX, 32)), ['ASANA_ACCESS_TOKEN'], 'Asana PAT'),
    _p('CLICKUP_API_TOKEN', lambda: 'pk_%d_%s' % (ri(10 ** 7, 10 ** 8), rs(ANU, 32)), ['CLICKUP_API_TOKEN'], 'ClickUp token'),
    _p('HUBSPOT_PRIVATE_APP_TOKEN', lambda: 'pat-' + ch(['na1', 'eu1']) + '-' + uuid4(), ['HUBSPOT_ACCESS_TOKEN', 'HUBSPOT_API_KEY'], 'HubSpot private app token', 'api.hubapi.com'),
    _p('INTERCOM_ACCESS_TOKEN', lambda: 'dG9rOj' + rs(B64, 54) + '=', ['INTERCOM_ACCESS_TOKEN'], 'Intercom access token'),
    _p('ZENDESK_API_TOKEN', lambda: rmix(AN, 40), ['ZENDESK_API_TOKEN', 'ZENDESK_TOKEN'], 'Zendesk API token'),
    _p('FRESHDESK_API_KEY', lambda: rmix(AN, 20), ['FRESHDESK_API_KEY'], 'Freshdesk API key'),
    _p('SALESFORCE_ACCESS_TOKEN', lambda: '00D' + rs(AN, 12) + '!' + rs(AN + '._', 96), ['SF_ACCESS_TOKEN', 'SALESFORCE_SESSION_ID'], 'Salesforce session id'),
    _p('OKTA_API_TOKEN', lambda: '00' + rs(B64U, 40), ['OKTA_API_TOKEN', 'OKTA_CLIENT_TOKEN'], 'Okta API token'),
    _p('AUTH0_CLIENT_SECRET', lambda: rs(B64U, 64), ['AUTH0_CLIENT_SECRET'], 'Auth0 client secret'),
    _p('CONTENTFUL_TOKEN', lambda: 'CFPAT-' + rs(B64U, 43), ['CONTENTFUL_MANAGEMENT_TOKEN'], 'Contentful management token'),
    _p('ALGOLIA_ADMIN_KEY', lambda: rs(HEX, 32), ['ALGOLIA_ADMIN_API_KEY', 'ALGOLIA_WRITE_KEY'], 'Algolia admin API key'),
    _p('DATABRICKS_TOKEN', lambda: 'dapi' + rs(HEX, 32) + ch(['', '-2', '-3']), ['DATABRICKS_TOKEN'], 'Databricks PAT'),
    _p('SHIPPO_API_TOKEN', lambda: 'shippo_live_' + rs(HEX, 40), ['SHIPPO_API_TOKEN'], 'Shippo live token'),
    _p('EASYPOST_API_KEY', lambda: 'EZAK' + rs(HEX, 54), ['EASYPOST_API_KEY'], 'EasyPost production key'),
    _p('DROPBOX_ACCESS_TOKEN', lambda: 'sl.' + ch(['u.', 'B']) + rs(B64U, 130), ['DROPBOX_ACCESS_TOKEN'], 'Dropbox short-lived token'),
    _p('POSTHOG_PERSONAL_API_KEY', lambda: 'phx_' + rmix(AN, 43), ['POSTHOG_PERSONAL_API_KEY'], 'PostHog personal API key'),
    _p('PREFECT_API_KEY', lambda: 'pnu_' + rmix(AN, 36), ['PREFECT_API_KEY'], 'Prefect API key'),
    _p('TYPEFORM_TOKEN', lambda: 'tfp_' + rs(B64U, 44) + '_' + rs(B64U, 14), ['TYPEFORM_TOKEN'], 'Typeform PAT'),
    _p('POSTMAN_API_KEY', lambda: 'PMAK-' + rs(HEX, 24) + '-' + rs(HEX, 34), ['POSTMAN_API_KEY'], 'Postman API key'),
    _p('TWITCH_CLIENT_SECRET', lambda: rs(ANL, 30), ['TWITCH_CLIENT_SECRET'], 'Twitch client secret'),
]
PROV_BY_KIND = {p.kind: p for p in PROVIDERS}
assert len(PROV_BY_KIND) == len(PROVIDERS)

# Generic secret kinds (not provider specific); value generators
GENERIC = {
    'PASSWORD': lambda: gen_pw(),
    'DB_PASSWORD': lambda: gen_pw(),
    'GENERIC_API_KEY': lambda: ch([rmix(AN, 32), rs(HEX, 40), 'ak_' + rmix(AN, 32), 'key_live_' + rmix(AN, 28), rmix(B64U, 43),
                                   'sk-' + rmix(AN, 48), 'api_' + rs(HEX, 32), 'rbx_live_' + rmix(AN, 36)]),
    'BEARER_TOKEN': lambda: ch([rmix(B64U, 64), 'at_' + rmix(AN, 40), rs(HEX, 64), 'ya29.a0' + rs(B64U, 150)]),
    'OAUTH_CLIENT_SECRET': lambda: ch([rmix(B64U, 40), rs(HEX, 64), rmix(AN, 48)]),
    'OAUTH_REFRESH_TOKEN': lambda: ch(['1//0' + rs(B64U, 99), 'rt_' + rmix(AN, 48), rmix(B64U, 86), 'v1.' + rmix(B64U, 120)]),
    'JWT': jwt,
    'JWT_SIGNING_SECRET': lambda: ch([rs(HEX, 64), rmix(B64, 44), rmix(AN, 48)]),
    'APP_SECRET_KEY': lambda: ch(['django-insecure-' + rs(LO + DG + '!@#%^&*(-_=+)', 50), rs(HEX, 128), 'base64:' + base64.b64encode(rbytes(32)).decode(),
                                  rs(HEX, 32), rmix(AN + '!@#%^*-_', 50)]),
    'ENCRYPTION_KEY': lambda: ch([base64.b64encode(rbytes(32)).decode(), rs(HEX, 64), rs(HEX, 32)]),
    'WEBHOOK_SIGNING_SECRET': lambda: ch(['whsec_' + base64.b64encode(rbytes(24)).decode(), rs(HEX, 64), 'shh_' + rmix(AN, 32)]),
    'SMTP_PASSWORD': lambda: gen_pw(),
    'LDAP_BIND_PASSWORD': lambda: gen_pw(),
    'SESSION_COOKIE': lambda: ch([rmix(AN, 32), 's%3A' + rmix(B64U, 32) + '.' + rs(B64, 43).replace('+', '%2B').replace('/', '%2F'),
                                  rs(HEX, 40), 'eyJ' + rs(B64U, 120) + '--' + rs(HEX, 40), '.eJw' + rs(B64U, 90) + '.' + rs(B64U, 6) + '.' + rs(B64U, 27)]),
    'HTTP_BASIC_AUTH': None,  # built from user:password
    'K8S_SECRET_DATA': None,
    'DOCKER_CONFIG_AUTH': None,
    'OTP_CODE': lambda: ch(['%06d' % ri(0, 999999), '%06d' % ri(0, 999999), '%04d' % ri(1000, 9999), '%03d-%03d' % (ri(0, 999), ri(0, 999)), '%08d' % ri(0, 99999999)]),
    'RECOVERY_CODE': lambda: ch([rs(ANL, 5) + '-' + rs(ANL, 5), rs(DG, 4) + '-' + rs(DG, 4), rs(HEX, 8), rs(ANU, 4) + '-' + rs(ANU, 4) + '-' + rs(ANU, 4)]),
    'TOTP_SECRET': lambda: rs(B32, ch([16, 32])),
    'PASSWORD_RESET_TOKEN': lambda: ch([rmix(B64U, 43), rs(HEX, 64), rmix(AN, 32)]),
    'MAGIC_LINK_TOKEN': lambda: ch([rmix(B64U, 48), rs(HEX, 40)]),
    'PASSWORD_HASH': lambda: ch(['$2y$10$' + rs(AN + './', 53), '$2b$12$' + rs(AN + './', 53), '$6$' + rs(AN + './', 16) + '$' + rs(AN + './', 86),
                                 '$argon2id$v=19$m=65536,t=3,p=4$' + rs(B64, 22) + '$' + rs(B64, 43), '$apr1$' + rs(AN + './', 8) + '$' + rs(AN + './', 22),
                                 'pbkdf2_sha256$600000$' + rmix(AN, 22) + '$' + rs(B64, 43) + '=']),
    'WIFI_PSK': lambda: gen_pw(ch([0, 2, 5])),
    'SNMP_COMMUNITY': lambda: ch(['n0c-r3ad', 'Mon1tor!ng', 'corp-' + rmix(ANL, 8), rmix(AN, 12)]),
    'VPN_PRE_SHARED_KEY': lambda: rmix(AN + '!#%*-_', 28),
    'WIREGUARD_PRIVATE_KEY': lambda: base64.b64encode(rbytes(32)).decode(),
    'SAS_TOKEN_SIGNATURE': lambda: base64.b64encode(rbytes(32)).decode().replace('+', '%2B').replace('/', '%2F').replace('=', '%3D'),
    'API_SIGNATURE': lambda: rs(HEX, 64),
    'LICENSE_KEY': lambda: '-'.join(rs(ANU, 5) for _ in range(5)),
    'KEYSTORE_PASSWORD': lambda: gen_pw(),
    'CLIENT_CERT_PASSWORD': lambda: gen_pw(),
}

_prov_used = {p.kind: 0 for p in PROVIDERS}


def next_prov(pred=None):
    """Least-used provider (optionally filtered), so every provider kind is covered evenly."""
    cands = [p for p in PROVIDERS if pred is None or pred(p)]
    low = min(_prov_used[p.kind] for p in cands)
    p = ch([p for p in cands if _prov_used[p.kind] == low])
    _prov_used[p.kind] += 1
    return p


def sec(kind):
    """A sensitive marker with a fresh value of a provider or generic kind."""
    if kind in PROV_BY_KIND:
        return S(kind, PROV_BY_KIND[kind].gen())
    return S(kind, GENERIC[kind]())


def prov_secret():
    p = next_prov()
    return p, S(p.kind, p.gen())


# ---------------------------------------------------------------------------------------------
# Keys
# ---------------------------------------------------------------------------------------------

def b64body(prefix, total):
    body = prefix + rs(B64, total - len(prefix))
    return body


def lines_of(s, width):
    return [s[i:i + width] for i in range(0, len(s), width)]


def pem(label, body, width=64, headers=None, eol='\n', indent=''):
    out = ['-----BEGIN %s-----' % label]
    if headers:
        out += headers + ['']
    out += lines_of(body, width)
    out.append('-----END %s-----' % label)
    return (eol + indent).join(out)


def key_body(kind):
    if kind == 'PRIVATE_KEY_RSA':
        return 'RSA PRIVATE KEY', None, ch([('MIIEowIBAAKCAQEA', 1588), ('MIIEpAIBAAKCAQEA', 1592), ('MIICXAIBAAKBgQ', 812)])
    if kind == 'PRIVATE_KEY_EC':
        return 'EC PRIVATE KEY', None, ch([('MHcCAQEEI', 164), ('MIGkAgEBBDA', 220)])
    if kind == 'PRIVATE_KEY_PKCS8':
        return 'PRIVATE KEY', None, ch([('MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ', 1624),
                                       ('MC4CAQAwBQYDK2VwBCIEI', 64),
                                       ('MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg', 184),
                                       ('MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQ', 1628)])
    if kind == 'PRIVATE_KEY_ENCRYPTED_PKCS8':
        return 'ENCRYPTED PRIVATE KEY', None, ch([('MIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQI', 1760),
                                                 ('MIHsMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAg', 316)])
    if kind == 'PRIVATE_KEY_ENCRYPTED_PEM':
        cipher = ch(['AES-256-CBC', 'AES-128-CBC', 'DES-EDE3-CBC'])
        hdr = ['Proc-Type: 4,ENCRYPTED', 'DEK-Info: %s,%s' % (cipher, rs(HEXU, 32 if 'AES' in cipher else 16))]
        return ch(['RSA PRIVATE KEY', 'EC PRIVATE KEY']), hdr, (rs(B64, 4), ch([1600, 232]))
    if kind == 'PRIVATE_KEY_OPENSSH':
        return 'OPENSSH PRIVATE KEY', None, ch([('b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW', 400),
                                               ('b3BlbnNzaC1rZXktdjEAAAAACmFlczI1Ni1jdHIAAAAGYmNyeXB0AAAAGAAAABD', 464),
                                               ('b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAABlwAAAAdzc2gtcn', 2600)])
    if kind == 'PRIVATE_KEY_DSA':
        return 'DSA PRIVATE KEY', None, ('MIIBuwIBAAKBgQ', 892)
    raise ValueError(kind)


def pem_private(kind, width=None, eol='\n', indent=''):
    label, hdr, (prefix, total) = key_body(kind)
    body = b64body(prefix, total)
    if total % 4:
        body = body[:total - total % 4]
    if chance(0.3):
        body = body[:-1] + '='
    w = width or (70 if kind == 'PRIVATE_KEY_OPENSSH' else 64)
    return pem(label, body, w, hdr, eol, indent)


def putty_key():
    alg = ch(['ssh-ed25519', 'ssh-rsa', 'ecdsa-sha2-nistp256'])
    v3 = chance(0.6)
    enc = ch(['none', 'none', 'aes256-cbc'])
    pub_lines = {'ssh-ed25519': 2, 'ssh-rsa': 6, 'ecdsa-sha2-nistp256': 3}[alg]
    priv_lines = {'ssh-ed25519': 1, 'ssh-rsa': 14, 'ecdsa-sha2-nistp256': 1}[alg]
    out = ['PuTTY-User-Key-File-%d: %s' % (3 if v3 else 2, alg), 'Encryption: %s' % enc,
           'Comment: %s' % ch(['eddsa-key-2024%02d%02d' % (ri(1, 12), ri(1, 28)), 'rsa-key-2023%02d%02d' % (ri(1, 12), ri(1, 28)), 'imported-openssh-key', 'sftp-partner'])]
    out.append('Public-Lines: %d' % pub_lines)
    pub = {'ssh-ed25519': 'AAAAC3NzaC1lZDI1NTE5AAAAI', 'ssh-rsa': 'AAAAB3NzaC1yc2EAAAADAQABAAABAQ',
           'ecdsa-sha2-nistp256': 'AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBB'}[alg]
    pub += rs(B64, 64 * (pub_lines - 1) + ri(8, 60) - len(pub))
    out += lines_of(pub, 64)
    if v3 and enc != 'none':
        out += ['Key-Derivation: Argon2id', 'Argon2-Memory: 8192', 'Argon2-Passes: %d' % ri(8, 21), 'Argon2-Parallelism: 1', 'Argon2-Salt: ' + rs(HEX, 32)]
    out.append('Private-Lines: %d' % priv_lines)
    for i in range(priv_lines):
        out.append(rs(B64, 64 if i < priv_lines - 1 else ri(20, 64)))
    out.append('Private-MAC: ' + rs(HEX, 64 if v3 else 40))
    return '\n'.join(out)


def pgp_private():
    lines = ['-----BEGIN PGP PRIVATE KEY BLOCK-----']
    if chance(0.4):
        lines.append('Comment: ' + ch(['GPGTools - https://gpgtools.org', 'User-ID:\tbilling-exports', 'exported by gpg2']))
    lines.append('')
    n = ri(10, 24)
    first = 'lQ' + ch(['dGBGX', 'WGBGY', 'OYBGW', 'cYBGX']) + rs(B64, 57)
    lines.append(first)
    for _ in range(n - 2):
        lines.append(rs(B64, 64))
    lines.append(rs(B64, ri(10, 60)) + ch(['', '=', '==']))
    lines.append('=' + rs(B64, 4))
    lines.append('-----END PGP PRIVATE KEY BLOCK-----')
    return '\n'.join(lines)


PRIVATE_KEY_KINDS = ['PRIVATE_KEY_RSA', 'PRIVATE_KEY_EC', 'PRIVATE_KEY_PKCS8', 'PRIVATE_KEY_ENCRYPTED_PKCS8',
                     'PRIVATE_KEY_ENCRYPTED_PEM', 'PRIVATE_KEY_OPENSSH', 'PRIVATE_KEY_DSA', 'PRIVATE_KEY_PUTTY',
                     'PRIVATE_KEY_PGP']
_key_i = [0]


def next_key_kind():
    k = PRIVATE_KEY_KINDS[_key_i[0] % len(PRIVATE_KEY_KINDS)]
    _key_i[0] += 1
    return k


def private_key(kind, width=None):
    if kind == 'PRIVATE_KEY_PUTTY':
        return putty_key()
    if kind == 'PRIVATE_KEY_PGP':
        return pgp_private()
    return pem_private(kind, width)


def ssh_public(alg=None):
    alg = alg or ch(['ssh-ed25519', 'ssh-rsa', 'ecdsa-sha2-nistp256'])
    if alg == 'ssh-ed25519':
        return 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI' + rs(B64, 43)
    if alg == 'ssh-rsa':
        return 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQ' + rs(B64, 506) + ch(['', '='])
    return 'ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBB' + rs(B64, 87) + '='


def pem_public():
    return ch([lambda: pem('PUBLIC KEY', 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA' + rs(B64, 342) + 'IDAQAB'),
               lambda: pem('PUBLIC KEY', 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE' + rs(B64, 84) + '=='),
               lambda: pem('RSA PUBLIC KEY', 'MIIBCgKCAQEA' + rs(B64, 340) + 'IDAQAB')])()


def pem_cert():
    body = 'MII' + ch(['B', 'C', 'D']) + rs(B64, ri(500, 900))
    body = body[:len(body) - len(body) % 4]
    return pem('CERTIFICATE', body)


def ssh_fingerprint():
    return ch(['SHA256:' + rs(B64, 43), 'MD5:' + ':'.join(rs(HEX, 2) for _ in range(16))])


def wrap(value, width, first=None, indent=''):
    """Insert line breaks into a value every `width` chars (first chunk `first` chars)."""
    first = first or width
    parts = [value[:first]]
    rest = value[first:]
    while rest:
        parts.append(rest[:width])
        rest = rest[width:]
    return ('\n' + indent).join(parts)


# ---------------------------------------------------------------------------------------------
# Rendering helpers
# ---------------------------------------------------------------------------------------------

def words_of(NAME):
    return [w for w in re.split(r'[_.\-]', NAME) if w]


def nm(style, NAME):
    w = [x.lower() for x in words_of(NAME)]
    if style == 'upper':
        return '_'.join(x.upper() for x in w)
    if style == 'snake':
        return '_'.join(w)
    if style == 'camel':
        return w[0] + ''.join(x.capitalize() for x in w[1:])
    if style == 'pascal':
        return ''.join(x.capitalize() for x in w)
    if style == 'kebab':
        return '-'.join(w)
    if style == 'dotted':
        return '.'.join(w[:-1] + ['-'.join(w[-1:])]) if len(w) > 1 else w[0]
    raise ValueError(style)


def noise_pairs():
    """Non-secret settings that sit next to secrets (values are str or keep markers)."""
    return [
        ('LOG_LEVEL', ch(['info', 'debug', 'warn'])), ('PORT', K('PORT', port())), ('APP_VERSION', K('VERSION', version())),
        ('NODE_ENV', 'production'), ('REGION', ch(['eu-west-1', 'us-east-2', 'ap-southeast-2', 'eu-central-1'])),
        ('TIMEOUT_MS', str(ch([1500, 3000, 10000, 30000]))), ('FEATURE_NEW_CHECKOUT', ch(['true', 'false'])),
        ('DB_HOST', K('HOSTNAME', internal_host())), ('CACHE_HOST', K('PRIVATE_IP', private_ip())),
        ('BUILD_SHA', K('GIT_SHA', git_sha(40))), ('BRAND_PRIMARY_COLOR', K('HEX_COLOR', hex_color())),
        ('MAX_RETRIES', str(ri(1, 8))), ('DB_USER', ch(['app', 'svc_billing', 'relay_rw', 'postgres', 'admin'])),
        ('DB_NAME', ch(['relay_prod', 'orders', 'crm', 'tickets'])), ('TZ', ch(['Europe/Berlin', 'UTC', 'America/Chicago'])),
        ('WORKERS', str(ri(2, 16))), ('SENTRY_ENVIRONMENT', ch(['production', 'staging'])),
        ('OTEL_SERVICE_NAME', ch(['billing-api', 'ticket-sync', 'relay-worker'])), ('BUILD_NUMBER', K('BUILD_NUMBER', build_no())),
        ('REQUEST_TIMEOUT', K('DURATION', ch(['30s', '1500ms', '2m']))), ('TENANT_ID', K('UUID', uuid4())),
    ]


def quoted(q, val):
    return [q, val, q] if q else [val]


def kv(syntax, name, val, indent=''):
    """One key/value line (no newline) in a given syntax.  `name` is used as given."""
    if syntax == 'env':
        return [indent, name, '=', quoted(ch(['', '', '"', "'"]), val)]
    if syntax == 'export':
        return [indent, 'export ', name, '=', quoted(ch(['', '"', "'"]), val)]
    if syntax == 'yaml':
        q = ch(['', '', '"', "'"])
        if not q and isinstance(val, (S, K)) and (val.value[0] in '!*&@%`{[|>#?-:,\'"' or ': ' in val.value or ' #' in val.value):
            q = '"'
        return [indent, name, ': ', quoted(q, val)]
    if syntax == 'json':
        return [indent, '"', name, '": ', quoted('"', val)]
    if syntax in ('toml', 'hcl'):
        return [indent, name, ' = ', quoted('"', val)]
    if syntax == 'ini':
        return [indent, name, ch([' = ', '=']), val]
    if syntax == 'properties':
        return [indent, name, ch(['=', ' = ', ': ']), val]
    if syntax == 'xml':
        return [indent, '<add key="', name, '" value="', val, '" />']
    if syntax == 'xmlel':
        return [indent, '<', name, '>', val, '</', name, '>']
    if syntax == 'ps':
        return [indent, '$env:', name, ' = ', quoted(ch(['"', "'"]), val)]
    if syntax == 'docker':
        return [indent, ch(['ENV ', 'ARG ']), name, '=', quoted(ch(['', '"']), val)]
    if syntax == 'systemd':
        return [indent, 'Environment=', quoted(ch(['', '"']), [name, '=', val])]
    if syntax == 'cmd':
        return [indent, 'set ', name, '=', val]
    if syntax == 'fish':
        return [indent, 'set -gx ', name, ' ', quoted(ch(['', "'"]), val)]
    raise ValueError(syntax)


SYNTAX_NAME_STYLE = {'env': 'upper', 'export': 'upper', 'yaml': ('snake', 'camel', 'kebab'), 'json': ('camel', 'snake', 'pascal'),
                     'toml': ('snake',), 'hcl': ('snake',), 'ini': ('snake', 'upper'), 'properties': ('dotted',),
                     'xml': ('pascal', 'upper'), 'xmlel': ('pascal', 'camel'), 'ps': ('upper',), 'docker': ('upper',),
                     'systemd': ('upper',), 'cmd': ('upper',), 'fish': ('upper',)}


def name_for(syntax, NAME):
    st = SYNTAX_NAME_STYLE[syntax]
    if isinstance(st, str):
        st = (st,)
    return nm(ch(st), NAME)


def code_assign(lang, NAME, val):
    """A source line assigning a literal, in one of many languages (no newline)."""
    snake, camel, upper, pascal = nm('snake', NAME), nm('camel', NAME), nm('upper', NAME), nm('pascal', NAME)
    f = {
        'python': lambda: ch([[upper, ' = "', val, '"'], [snake, " = '", val, "'"], ['os.environ["', upper, '"] = "', val, '"'],
                              ['    "', snake, '": "', val, '",'], ['client = Client(', snake, '="', val, '")']]),
        'js': lambda: ch([['const ', camel, " = '", val, "';"], ['  ', camel, ': "', val, '",'], ['process.env.', upper, ' ??= "', val, '";'],
                          ['export const ', upper, ' = `', val, '`;']]),
        'ts': lambda: ch([['const ', camel, ': string = "', val, '";'], ['  ', camel, ": '", val, "',"]]),
        'go': lambda: ch([[camel, ' := "', val, '"'], ['\t', pascal, ':   "', val, '",'], ['const ', camel, ' = "', val, '"'],
                          ['os.Setenv("', upper, '", "', val, '")']]),
        'java': lambda: ch([['private static final String ', upper, ' = "', val, '";'], ['props.put("', nm('dotted', NAME), '", "', val, '");'],
                            ['System.setProperty("', nm('dotted', NAME), '", "', val, '");']]),
        'csharp': lambda: ch([['private const string ', pascal, ' = "', val, '";'], ['var ', camel, ' = @"', val, '";'],
                              ['Environment.SetEnvironmentVariable("', upper, '", "', val, '");'], ['    ', pascal, ' = "', val, '",']]),
        'ruby': lambda: ch([[upper, " = '", val, "'.freeze"], ['config.', snake, ' = "', val, '"'], ['ENV["', upper, '"] ||= "', val, '"']]),
        'php': lambda: ch([["    '", snake, "' => '", val, "',"], ["define('", upper, "', '", val, "');"], ['$', camel, " = '", val, "';"],
                           ["putenv('", upper, '=', val, "');"]]),
        'kotlin': lambda: ch([['val ', camel, ' = "', val, '"'], ['const val ', upper, ' = "', val, '"'], ['buildConfigField("String", "', upper, '", "\\"', val, '\\"")']]),
        'swift': lambda: ch([['let ', camel, ' = "', val, '"'], ['static let ', camel, ': String = "', val, '"']]),
        'rust': lambda: ch([['const ', upper, ': &str = "', val, '";'], ['let ', snake, ' = "', val, '".to_string();'], ['std::env::set_var("', upper, '", "', val, '");']]),
        'scala': lambda: ch([['val ', camel, ' = "', val, '"'], [nm('dotted', NAME), ' = "', val, '"']]),
        'dart': lambda: ch([["const ", camel, " = '", val, "';"], ['static const String ', camel, " = '", val, "';"]]),
        'elixir': lambda: ch([['config :relay, ', snake, ': "', val, '"'], ['  ', snake, ': "', val, '",']]),
        'lua': lambda: ch([['local ', snake, ' = "', val, '"'], ['  ', snake, ' = "', val, '",']]),
        'perl': lambda: ch([['my $', snake, " = '", val, "';"], ['$ENV{', upper, "} = '", val, "';"]]),
        'r': lambda: ch([['Sys.setenv(', upper, ' = "', val, '")'], [snake, ' <- "', val, '"']]),
        'c': lambda: ch([['#define ', upper, ' "', val, '"'], ['static const char *', snake, ' = "', val, '";']]),
        'groovy': lambda: ch([['def ', camel, " = '", val, "'"], ['  ', camel, ' = "', val, '"']]),
        'bash': lambda: ch([[upper, '="', val, '"'], ['export ', upper, "='", val, "'"], ['readonly ', upper, '=', val]]),
        'makefile': lambda: ch([[upper, ' ?= ', val], [upper, ' := ', val]]),
        'powershell': lambda: ch([['$', pascal, ' = "', val, '"'], ['$env:', upper, " = '", val, "'"]]),
        'sql': lambda: ch([["SET @", snake, " = '", val, "';"], ["ALTER ROLE app SET ", snake, " = '", val, "';"]]),
    }[lang]
    return f()


CODE_LANGS = ['python', 'js', 'ts', 'go', 'java', 'csharp', 'ruby', 'php', 'kotlin', 'swift', 'rust', 'scala', 'dart',
              'elixir', 'lua', 'perl', 'r', 'c', 'groovy', 'bash', 'makefile', 'powershell']
CODE_COMMENT = {'python': '#', 'js': '//', 'ts': '//', 'go': '//', 'java': '//', 'csharp': '//', 'ruby': '#', 'php': '//',
                'kotlin': '//', 'swift': '//', 'rust': '//', 'scala': '//', 'dart': '//', 'elixir': '#', 'lua': '--',
                'perl': '#', 'r': '#', 'c': '//', 'groovy': '//', 'bash': '#', 'makefile': '#', 'powershell': '#', 'sql': '--'}
CODE_FILE = {'python': ['settings.py', 'app/config.py', 'scripts/sync_tickets.py'], 'js': ['config.js', 'src/client.js', 'server/index.js'],
             'ts': ['src/env.ts', 'lib/relay.ts'], 'go': ['cmd/worker/main.go', 'internal/config/config.go'],
             'java': ['src/main/java/com/acme/relay/Config.java'], 'csharp': ['Program.cs', 'Services/BillingClient.cs'],
             'ruby': ['config/initializers/relay.rb', 'lib/tasks/sync.rake'], 'php': ['config/services.php', 'wp-config.php', 'bootstrap.php'],
             'kotlin': ['app/build.gradle.kts', 'src/main/kotlin/Api.kt'], 'swift': ['Sources/App/Secrets.swift'], 'rust': ['src/main.rs'],
             'scala': ['src/main/resources/application.conf'], 'dart': ['lib/env.dart'], 'elixir': ['config/runtime.exs'],
             'lua': ['conf/relay.lua'], 'perl': ['bin/export.pl'], 'r': ['analysis/pull.R'], 'c': ['src/secrets.h'],
             'groovy': ['Jenkinsfile', 'build.gradle'], 'bash': ['deploy.sh', 'scripts/backup.sh'], 'makefile': ['Makefile'],
             'powershell': ['deploy.ps1'], 'sql': ['migrations/0042_roles.sql']}


def user_name(p=None):
    if p:
        return ch([p.ascii_first + '.' + p.ascii_last, p.ascii_first[0] + p.ascii_last, p.ascii_first])
    return ch(['deploy', 'svc_relay', 'ci-bot', 'admin', 'backup', 'app_rw', 'jenkins', 'integration', 'sftp_partner',
               'reporting', 'etl_user', 'root', 'ops'])


def url_host():
    return ch(['db.prod.internal', 'pg-eu-1.acme-prod.com', 'mysql.internal', 'rabbit.internal', 'redis-master.cache.svc.cluster.local',
               'mongo0.example-shop.net', 'sftp.northwind-traders.com', 'ftp.partner-exchange.de', 'ep-cool-river-a1b2c3.eu-central-1.aws.neon.tech',
               'aws.connect.psdb.cloud', 'cluster0.x7k2p.mongodb.net', 'smtp.office365.com', 'mq.globex.io'])


def dsn(scheme_pw_kind='DB_PASSWORD', pw=None, scheme=None):
    """A connection URL with user:password — only the password is sensitive."""
    scheme = scheme or ch(['postgresql', 'postgres', 'mysql', 'mongodb+srv', 'mongodb', 'redis', 'rediss', 'amqps', 'amqp', 'mssql',
                 'clickhouse', 'sftp', 'ftp', 'smtp', 'https', 'mariadb', 'cockroachdb', 'nats'])
    pwv = pw or gen_pw(safe='url')
    user = user_name()
    fam = {'postgresql': 'pg', 'postgres': 'pg', 'cockroachdb': 'pg', 'mysql': 'my', 'mariadb': 'my', 'mongodb+srv': 'mongo',
           'mongodb': 'mongo', 'redis': 'redis', 'rediss': 'redis', 'amqp': 'mq', 'amqps': 'mq', 'nats': 'mq', 'sftp': 'ftp',
           'ftp': 'ftp', 'smtp': 'smtp', 'https': 'web', 'mssql': 'sql', 'clickhouse': 'ch'}[scheme]
    host = ch({'pg': ['db.prod.internal', 'pg-eu-1.acme-prod.com', 'ep-cool-river-a1b2c3.eu-central-1.aws.neon.tech', 'pg-replica-2.prod.internal'],
               'my': ['mysql.internal', 'aws.connect.psdb.cloud', 'db-orders.c9akciq32.eu-west-1.rds.amazonaws.com'],
               'mongo': ['cluster0.x7k2p.mongodb.net', 'mongo0.example-shop.net', 'mongo-rs0-1.db.internal'],
               'redis': ['redis-master.cache.svc.cluster.local', 'redis-12345.c1.eu-west-1-2.ec2.redns.redis-cloud.com', 'localhost'],
               'mq': ['rabbit.internal', 'mq.globex.io', 'nats.messaging.svc'], 'ftp': ['sftp.northwind-traders.com', 'ftp.partner-exchange.de'],
               'smtp': ['smtp.office365.com', 'smtp.mailgun.org', 'mail.kogl-soehne.de'], 'web': ['nexus.internal', 'git.corp.example.net', 'artifacts.globex.io'],
               'sql': ['sqlsrv01.corp.local', 'relay.database.windows.net'], 'ch': ['ch.analytics.internal']}[fam])
    prt = {'postgresql': '5432', 'postgres': '5432', 'mysql': '3306', 'mariadb': '3306', 'redis': '6379', 'rediss': '6380', 'amqp': '5672',
           'amqps': '5671', 'mssql': '1433', 'clickhouse': '9440', 'sftp': '22', 'ftp': '21', 'smtp': '587', 'cockroachdb': '26257',
           'nats': '4222'}.get(scheme)
    tail = ch(['/relay_prod', '/orders?sslmode=require', '/admin?retryWrites=true&w=majority', '/0', '/%2F', '/reports', '', '/crm?ssl=true'])
    pre = [scheme, '://', '' if scheme.startswith('redis') and chance(0.4) else user, ':']
    post = ['@', K('HOSTNAME', host) if chance(0.3) else host]
    if prt and scheme != 'mongodb+srv':
        post += [':', K('PORT', prt) if chance(0.3) else prt]
    post.append(tail)
    return pre + [S(scheme_pw_kind, pwv)] + post


def basic_auth_value(user=None, pw=None):
    user = user or user_name()
    pw = pw or gen_pw()
    return base64.b64encode((user + ':' + pw).encode()).decode()


_FRE = re.compile(r'\{(\w+)\}')


def F(t, /, **kw):
    """Template -> segments; {name} is replaced by kw[name] (str, marker or list)."""
    out = []
    pos = 0
    for m in _FRE.finditer(t):
        out.append(t[pos:m.start()])
        out.append(kw[m.group(1)])
        pos = m.end()
    out.append(t[pos:])
    return out


PRODUCT = ['Relaybox', 'Relaybox Cloud', 'the Relaybox agent', 'the connector', 'the sync job', 'the integration']
VENDOR = 'Relaybox'


# ---------------------------------------------------------------------------------------------
# Chat transcripts
# ---------------------------------------------------------------------------------------------

def chat_render(d, msgs, cust, agent, c, style=None, handle=None):
    style = ri(0, 7) if style is None else style
    day = '%02d/%02d/%04d' % (c.d, c.mo, c.y)
    if style == 5:
        d.line('Conversation ', K('TICKET_NUMBER', ticket_no()), ' \u2014 started ', K('TIMESTAMP', c.iso(1)))
        d.add('\n')
    for who, items in msgs:
        c.tick(4, 140)
        if who == 'c':
            lab = cust
        elif who == 'a':
            lab = agent
        else:
            lab = 'System'
        if style == 0:
            d.line('[', K('TIMESTAMP', c.short()), '] ', lab, ': ', items)
        elif style == 1:
            d.line(lab, ' (', K('TIMESTAMP', c.hms()), '): ', items)
        elif style == 2:
            h = c.s // 3600
            d.line(lab, '  ', K('TIMESTAMP', '%d:%02d %s' % ((h % 12) or 12, c.s // 60 % 60, 'AM' if h < 12 else 'PM')))
            d.line(items)
        elif style == 3:
            d.line(K('TIMESTAMP', '%s, %s' % (day, c.short())), ' - ', lab, ': ', items)
        elif style == 4:
            d.line('<', handle if (who == 'c' and handle) else lab, '> ', items)
        elif style == 5:
            d.line('**', lab, '** \u00b7 ', K('TIMESTAMP', c.short()))
            d.line('> ', items)
        elif style == 6:
            d.line(lab, ': ', items)
        else:
            d.line(K('TIMESTAMP', c.iso(5)), ' | ', lab, ' | ', items)


def cust_label(p, allow_name=True):
    opts = ['Customer', 'Visitor', 'Kunde' if p.loc == 'de' else 'Client' if p.loc == 'fr' else 'Cliente' if p.loc in ('es', 'pt', 'it') else 'Klant' if p.loc == 'nl' else 'Klient' if p.loc in ('pl',) else 'Kund' if p.loc == 'sv' else '\u304a\u5ba2\u69d8' if p.loc == 'ja' else 'User']
    if allow_name and chance(0.55):
        return S('PERSON_NAME', p.full)
    return ch(opts)


def agent_label(loc='en'):
    a = ch(AGENTS)
    return a, ch([a + ' (Support)', a, 'Agent ' + a, a + ' | ' + VENDOR, VENDOR + ' Support'])


def en_person():
    return Person(ch(['en', 'en', 'en', 'in', 'de', 'nl', 'sv', 'fr', 'es', 'it', 'pt', 'pl']))


def sc_chat_token():
    d = Doc('chat')
    p = en_person()
    c = Clock()
    agent, alab = agent_label()
    prov, m = prov_secret()
    NAME = ch(prov.names)
    host = prov_host(prov)
    msgs = []
    msgs.append(('c', ch([
        F('hi, our {prod} sync stopped around {t} and nothing is coming through', prod=ch(PRODUCT), t=K('TIMESTAMP', c.short())),
        F("Hey \u2014 quick one. Getting 401s from {host} since this morning", host=K('HOSTNAME', host)),
        ['hello?? is anyone there, our checkout is down'],
        ['Hi team, we rotated some creds last week and now deliveries fail'],
        F('morning. ticket {t} is still open, any update? the job fails every run', t=K('TICKET_NUMBER', ticket_no())),
        F('Since upgrading to {v} the integration returns unauthorized', v=K('VERSION', version())),
    ])))
    msgs.append(('a', ch([
        ['Sorry to hear that! Could you share the exact error and the config you are using (please blank out secrets)?'],
        ['Can you paste the last few lines of the connector log?'],
        ['Which environment is this \u2014 sandbox or live? And what does the error say exactly?'],
        F('Thanks for waiting, {n}. What credential is the job configured with?', n=p.first),
    ])))
    curl_ok = prov.kind not in NOT_HEADER
    tokline = ch([
        lambda: F('this is what we have in the env: {n}={v}', n=NAME, v=m),
        lambda: F("we're using {v} as the {desc}, it worked until friday", v=m, desc=prov.desc),
        lambda: F('here: `{n}={v}`', n=NAME, v=m),
        lambda: F('The key is {v} \u2014 copied straight from the dashboard', v=m),
        (lambda: F('i ran curl -H "Authorization: Bearer {v}" https://{h}/ and got 401', v=m, h=K('HOSTNAME', host))) if curl_ok else
        (lambda: F('{n} is set to {v} on the server', n=NAME, v=m)),
        lambda: F('{desc}: {v}', desc=prov.desc, v=m),
        lambda: F('pasting it so you can check the format {v} (is it the right one?)', v=m),
        lambda: F('copied from 1Password -> {v}', v=m),
    ])()
    if chance(0.3) and len(m.value) > 40:
        cut = ri(20, len(m.value) - 10)
        wm = S(m.kind, m.value[:cut] + '\n' + m.value[cut:])
        tokline = F('token (my client wraps it, sorry):\n{v}', v=wm)
    msgs.append(('c', tokline))
    if chance(0.5):
        msgs.append(('c', ch([
            F('error is: {e} request id {r}', e=K('ERROR_CODE', error_code()), r=K('REQUEST_ID', request_id())),
            F('response was {s} after {dur}', s=K('HTTP_STATUS', ch(['401', '403', '401 Unauthorized'])), dur=K('DURATION', duration())),
            F('our account is {co}, order {o} if that helps', co=K('COMPANY_NAME', company()), o=K('ORDER_NUMBER', order_no())),
        ])))
    msgs.append(('a', ch([
        F("Thanks \u2014 heads up, that's a live {desc}. Please revoke it now and generate a new one; I've flagged this message for redaction.", desc=prov.desc),
        ["Please don't share keys in chat. I'd recommend rotating it immediately, anything posted here is stored in the ticket history."],
        ['Got it. Since it was posted here, please treat it as compromised and roll it before we continue.'],
        ['I can see the problem: the value has a trailing space in your config. Also: please rotate that key, it is now in our logs.'],
    ])))
    if chance(0.5):
        em = S('EMAIL', email_for(p, corp=chance(0.5)) if chance(0.75) else obfuscated_email(p))
        msgs.append(('c', ch([F('ok rotating now. send the summary to {e} pls', e=em),
                              F('done. fwiw my email on the account is {e}', e=em),
                              F('ugh ok. can you email me at {e} when it is fixed', e=em)])))
    else:
        msgs.append(('c', ch([['ok rotating now, new one is in the vault'], ['done, thanks ' + agent], ['oops. ok'], ['will do, cheers']])))
    chat_render(d, msgs, cust_label(p), alab, c)
    return d


def sc_chat_identity():
    """English chat: account recovery with identity data."""
    d = Doc('chat')
    p = Person(ch(['en', 'en', 'in']))
    c = Clock()
    agent, alab = agent_label()
    cc = ch(['US', 'UK', 'CA', 'AU', 'IE']) if p.loc == 'en' else 'IN'
    msgs = [('c', ch([['I got locked out after changing my phone, can you help?'], ['hi i need to change the email on my account, i lost access to the old one'],
                      ['my 2FA device was stolen, how do i get back in'], F("Hi, I'm {n}, I can't log in since yesterday", n=S('PERSON_NAME', p.full))]))]
    msgs.append(('a', ch([['Happy to help. To verify it is you, can you confirm your date of birth and the billing address on file?'],
                          ['Sure! For security I need your full name, date of birth and the phone number on the account.'],
                          ['I can help with that. Please confirm the postcode and DOB we have for you.']])))
    bw = ch(BIRTH_LABEL['en'])
    msgs.append(('c', F(ch(['{name}, {bw} {dob}', 'name is {name}. {bw}: {dob}', '{bw} {dob} and my name is {name}', 'I was born on {dob}, name {name}']),
                        name=S('PERSON_NAME', p.full), bw=bw, dob=S('DATE_OF_BIRTH', dob_text(p, 'en')))))
    msgs.append(('c', ch([F('address is {a}', a=S('STREET_ADDRESS', address(cc))), F('billing address: {a}', a=S('STREET_ADDRESS', address(cc))),
                          F('phone on file should be {ph}', ph=S('PHONE', phone(cc if cc != 'IE' else 'IE')))])))
    if chance(0.6):
        k, v, label = national_id(p.loc if p.loc == 'in' else 'en', p)
        msgs.append(('c', F(ch(['do you need my {l}? it is {v}', 'if it helps my {l} is {v}', '{l}: {v}']), l=label, v=S(k, v))))
        msgs.append(('a', ['Thanks, but please never share your ' + label + ' in chat \u2014 we never need it. I will have that message redacted.']))
    msgs.append(('a', ch([F('Thanks, that matches. I have sent a one-time link to the new address, ticket {t}.', t=K('TICKET_NUMBER', ticket_no())),
                          ['Verified, thank you. You should get a reset e-mail in a few minutes.']])))
    em = S('EMAIL', email_for(p) if chance(0.65) else obfuscated_email(p))
    msgs.append(('c', F(ch(['the new address is {e}', 'please use {e} from now on', 'it should go to {e}', 'new one: {e} (writing it like that because of bots)']), e=em)))
    chat_render(d, msgs, cust_label(p), alab, c)
    return d


def sc_chat_otp():
    d = Doc(ch(['chat', 'sms']))
    p = en_person()
    c = Clock()
    agent, alab = agent_label()
    otp = sec('OTP_CODE')
    msgs = [('c', ch([['the verification code never arrives'], ['im trying to log in and it asks for a code'], ['hi, the MFA prompt keeps rejecting my code']]))]
    msgs.append(('a', ch([['I just triggered a new code to your phone. Can you read it back to me?'], ['Could you tell me the code you received? I will check it on my side.']])))
    msgs.append(('c', F(ch(['{o}', 'its {o}', 'got it: {o}', 'code is {o} but it says expired', 'ok {o}']), o=otp)))
    if chance(0.5):
        rc = [sec('RECOVERY_CODE') for _ in range(ri(2, 4))]
        msgs.append(('c', F('also found my backup codes, would these work? {a} {b}', a=rc[0], b=rc[1])))
        msgs.append(('a', ['Please keep those private \u2014 each backup code works once. I would regenerate them after logging in.']))
    if chance(0.6):
        tok = sec('PASSWORD_RESET_TOKEN')
        host = ch(['app.relaybox.io', 'accounts.relaybox.io', 'id.relaybox.io'])
        msgs.append(('c', F('the reset link says invalid: https://{h}/reset-password?token={t}&uid={u}', h=host, t=tok, u=str(ri(1000, 999999)))))
        msgs.append(('a', ['That link is single-use and now shared here, so I have invalidated it. I will send a fresh one.']))
    if chance(0.4):
        ml = sec('MAGIC_LINK_TOKEN')
        msgs.append(('c', F('i also got this magic link https://app.relaybox.io/auth/magic?code={t} but it opens a blank page', t=ml)))
    msgs.append(('a', ch([F('All set. For reference your case is {t}.', t=K('TICKET_NUMBER', ticket_no())), ['Done, you should be able to sign in now.']])))
    chat_render(d, msgs, cust_label(p), alab, c)
    return d


def sc_chat_card():
    d = Doc('chat')
    p = en_person()
    c = Clock()
    agent, alab = agent_label()
    card = card_number()
    last4 = re.sub(r'\D', '', card)[-4:]
    msgs = [('c', ch([F('my payment for invoice {i} failed, can you just charge this card instead?', i=K('INVOICE_NUMBER', invoice_no())),
                      ['the upgrade page keeps erroring on the payment step'], F('hi, renewal for {co} bounced', co=K('COMPANY_NAME', company()))]))]
    msgs.append(('a', ['Sorry about that! For security I cannot take card details in chat, but I can send you a secure payment link.']))
    exp = '%02d/%02d' % (ri(1, 12), ri(25, 31))
    msgs.append(('c', F(ch(['too late lol: {card} exp {exp} cvv {cvv}', 'card {card}, {exp}, security code {cvv}', '{card} {exp} CVC {cvv}', 'here: #{card} exp {exp} / {cvv}']),
                        card=S('CARD_NUMBER', card), exp=exp, cvv=S('CARD_CVV', rs(DG, 4 if card.replace(' ', '').replace('-', '').startswith(('34', '37')) else 3)))))
    msgs.append(('a', F(ch(['I have removed that message. The card ending {l} should be cancelled with your bank to be safe \u2014 here is the secure link instead.',
                            'Thanks, but please do not post card numbers here. I see {m} on file; I will send a payment link.']),
                        l=K('CARD_LAST4', last4), m=K('MASKED_CARD', masked_card()))))
    if chance(0.5):
        msgs.append(('c', F('fine. receipt to {e} please', e=S('EMAIL', email_for(p, corp=True)))))
    chat_render(d, msgs, cust_label(p), alab, c)
    return d


ML = {
    'de': {
        'hi': ['Hallo, ich komme seit gestern nicht mehr in mein Konto.', 'Guten Tag, unsere Rechnung wurde doppelt abgebucht.',
               'Hi, der Export bricht immer mit einem Fehler ab.', 'Moin, die Synchronisierung mit unserem Shop l\u00e4uft nicht mehr.'],
        'verify': ['Zur Verifizierung br\u00e4uchte ich bitte Ihr Geburtsdatum und die hinterlegte Adresse.',
                   'K\u00f6nnen Sie mir bitte Ihr Geburtsdatum und Ihre Anschrift nennen?'],
        'dob': ['{bw}: {dob}', 'Mein Geburtsdatum ist der {dob}.', 'geboren am {dob}'],
        'addr': ['Adresse: {addr}', 'Ich wohne in der {addr}.', 'Anschrift ist {addr}'],
        'phone': ['Sie erreichen mich unter {phone}.', 'Tel. {phone}', 'Meine Handynummer: {phone}'],
        'email': ['Meine E-Mail ist {email}', 'Bitte an {email} schicken.'],
        'otp_ask': ['Ich habe Ihnen gerade einen Code per SMS geschickt \u2013 k\u00f6nnen Sie ihn mir nennen?'],
        'otp': ['Der Code ist {otp}', 'Code: {otp}', '{otp}', 'ok, {otp}'],
        'pw': ['Das Passwort f\u00fcr den Testzugang ist {pw}', 'Ich habe das Passwort auf {pw} ge\u00e4ndert, klappt trotzdem nicht.',
               'Login ist admin / {pw}'],
        'warn': ['Bitte teilen Sie keine Passw\u00f6rter im Chat \u2013 \u00e4ndern Sie es bitte sofort.', 'Bitte \u00e4ndern Sie das Passwort umgehend, ich lasse die Nachricht schw\u00e4rzen.'],
        'iban': ['Bitte \u00fcberweisen Sie die Erstattung auf {iban}.', 'IBAN: {iban}', 'Konto f\u00fcr die Gutschrift: {iban}'],
        'id': ['Meine {label} lautet {id}', '{label}: {id}'],
        'thanks': ['Danke!', 'Vielen Dank f\u00fcr die schnelle Hilfe.', 'Super, danke.'],
        'ok': ['Danke, ich habe alles.', 'Perfekt, Ihr Konto ist wieder entsperrt.', 'Die Gutschrift ist veranlasst.'],
    },
    'fr': {
        'hi': ["Bonjour, je n'arrive plus \u00e0 me connecter depuis hier.", 'Bonjour, nous avons \u00e9t\u00e9 d\u00e9bit\u00e9s deux fois ce mois-ci.',
               "Salut, l'export plante \u00e0 chaque fois.", 'Bonjour, la synchronisation avec notre boutique ne marche plus.'],
        'verify': ['Pour v\u00e9rifier votre identit\u00e9, pouvez-vous me donner votre date de naissance et votre adresse ?',
                   'Pourriez-vous confirmer votre date de naissance et votre num\u00e9ro de t\u00e9l\u00e9phone ?'],
        'dob': ['{bw} : {dob}', 'je suis n\u00e9(e) le {dob}', 'Ma date de naissance est le {dob}'],
        'addr': ['Adresse : {addr}', "J'habite au {addr}"],
        'phone': ['Mon portable : {phone}', 'Vous pouvez me joindre au {phone}'],
        'email': ['Mon e-mail : {email}', "Envoyez-le \u00e0 {email} s'il vous pla\u00eet"],
        'otp_ask': ["Je viens de vous envoyer un code par SMS, pouvez-vous me le lire ?"],
        'otp': ['Le code est {otp}', 'code : {otp}', '{otp}'],
        'pw': ["Le mot de passe du compte de test c'est {pw}", "J'ai chang\u00e9 le mot de passe en {pw} mais \u00e7a ne marche toujours pas"],
        'warn': ['Merci de ne jamais partager de mot de passe ici \u2013 changez-le tout de suite.', 'Je masque ce message, veuillez changer ce mot de passe.'],
        'iban': ['Merci de rembourser sur {iban}', 'IBAN : {iban}', 'Voici mon RIB : {iban}'],
        'id': ['Mon {label} : {id}', '{label} {id}'],
        'thanks': ['Merci beaucoup !', 'Merci, bonne journ\u00e9e.'],
        'ok': ["C'est not\u00e9, merci.", 'Votre compte est d\u00e9bloqu\u00e9.', 'Le remboursement est lanc\u00e9.'],
    },
    'es': {
        'hi': ['Hola, no puedo entrar en mi cuenta desde ayer.', 'Buenas, nos han cobrado dos veces la factura.', 'Hola, la exportaci\u00f3n falla siempre.',
               'Hola, la sincronizaci\u00f3n con la tienda dej\u00f3 de funcionar.'],
        'verify': ['Para verificar su identidad, \u00bfme indica su fecha de nacimiento y la direcci\u00f3n registrada?', '\u00bfPuede confirmar su fecha de nacimiento y tel\u00e9fono?'],
        'dob': ['{bw}: {dob}', 'nac\u00ed el {dob}', 'Mi fecha de nacimiento es {dob}'],
        'addr': ['Direcci\u00f3n: {addr}', 'Vivo en {addr}'],
        'phone': ['Mi m\u00f3vil es el {phone}', 'Tel\u00e9fono: {phone}'],
        'email': ['Mi correo es {email}', 'm\u00e1ndalo a {email} porfa'],
        'otp_ask': ['Le acabo de enviar un c\u00f3digo por SMS, \u00bfme lo puede leer?'],
        'otp': ['El c\u00f3digo es {otp}', '{otp}', 'c\u00f3digo {otp}'],
        'pw': ['La contrase\u00f1a de la cuenta de pruebas es {pw}', 'Cambi\u00e9 la contrase\u00f1a a {pw} y sigue igual'],
        'warn': ['Por favor, no comparta contrase\u00f1as por chat; c\u00e1mbiela ahora mismo.', 'Voy a ocultar ese mensaje, cambie la contrase\u00f1a por favor.'],
        'iban': ['Hagan el reembolso a {iban}', 'IBAN: {iban}', 'Mi cuenta: {iban}'],
        'id': ['Mi {label} es {id}', '{label}: {id}'],
        'thanks': ['\u00a1Gracias!', 'Muchas gracias por la ayuda.'],
        'ok': ['Perfecto, ya est\u00e1.', 'Su cuenta vuelve a estar activa.', 'El reembolso est\u00e1 en curso.'],
    },
    'pt': {
        'hi': ['Ol\u00e1, n\u00e3o consigo acessar minha conta desde ontem.', 'Bom dia, fomos cobrados duas vezes.', 'Oi, a exporta\u00e7\u00e3o sempre d\u00e1 erro.',
               'Ol\u00e1, a integra\u00e7\u00e3o com a loja parou.'],
        'verify': ['Para confirmar sua identidade, pode me informar sua data de nascimento e o endere\u00e7o cadastrado?', 'Pode confirmar sua data de nascimento e telefone?'],
        'dob': ['{bw}: {dob}', 'nasci em {dob}', 'Minha data de nascimento \u00e9 {dob}'],
        'addr': ['Endere\u00e7o: {addr}', 'Moro na {addr}'],
        'phone': ['Meu celular: {phone}', 'Telefone {phone}'],
        'email': ['Meu e-mail \u00e9 {email}', 'manda pra {email}'],
        'otp_ask': ['Acabei de enviar um c\u00f3digo por SMS, pode me dizer qual \u00e9?'],
        'otp': ['O c\u00f3digo \u00e9 {otp}', '{otp}', 'c\u00f3digo: {otp}'],
        'pw': ['A senha da conta de teste \u00e9 {pw}', 'Troquei a senha para {pw} e continua dando erro'],
        'warn': ['Por favor, n\u00e3o compartilhe senhas no chat \u2014 troque agora mesmo.', 'Vou ocultar essa mensagem; por favor altere a senha.'],
        'iban': ['Pode devolver para {iban}', 'IBAN: {iban}'],
        'id': ['Meu {label} \u00e9 {id}', '{label}: {id}'],
        'thanks': ['Obrigado!', 'Valeu pela ajuda.'],
        'ok': ['Pronto, resolvido.', 'Sua conta foi desbloqueada.', 'O reembolso foi solicitado.'],
    },
    'it': {
        'hi': ['Buongiorno, non riesco pi\u00f9 ad accedere al mio account.', 'Salve, ci avete addebitato due volte la fattura.', "Ciao, l'esportazione va sempre in errore.",
               'Buongiorno, la sincronizzazione con il negozio non funziona pi\u00f9.'],
        'verify': ['Per verificare la sua identit\u00e0 mi serve la data di nascita e l\u2019indirizzo registrato.', 'Pu\u00f2 confermarmi data di nascita e numero di telefono?'],
        'dob': ['{bw}: {dob}', 'sono nato il {dob}', 'La mia data di nascita \u00e8 {dob}'],
        'addr': ['Indirizzo: {addr}', 'Abito in {addr}'],
        'phone': ['Il mio cellulare \u00e8 {phone}', 'Tel. {phone}'],
        'email': ['La mia email \u00e8 {email}', 'mandatela a {email}'],
        'otp_ask': ['Le ho appena inviato un codice via SMS, me lo pu\u00f2 leggere?'],
        'otp': ['Il codice \u00e8 {otp}', '{otp}'],
        'pw': ['La password dell\u2019account di prova \u00e8 {pw}', 'Ho cambiato la password in {pw} ma non va lo stesso'],
        'warn': ['Per favore non condivida password in chat: la cambi subito.', 'Oscuro il messaggio, la prego di cambiare la password.'],
        'iban': ['Il rimborso su {iban}, grazie', 'IBAN: {iban}'],
        'id': ['Il mio {label} \u00e8 {id}', '{label}: {id}'],
        'thanks': ['Grazie mille!', 'Grazie, buona giornata.'],
        'ok': ['Perfetto, fatto.', 'Il suo account \u00e8 stato sbloccato.', 'Il rimborso \u00e8 stato avviato.'],
    },
    'nl': {
        'hi': ['Hoi, ik kan sinds gisteren niet meer inloggen.', 'Goedemiddag, de factuur is twee keer afgeschreven.', 'Hallo, de export loopt steeds vast.',
               'Hoi, de koppeling met onze webshop werkt niet meer.'],
        'verify': ['Om u te verifi\u00ebren heb ik uw geboortedatum en het adres nodig.', 'Kunt u uw geboortedatum en telefoonnummer bevestigen?'],
        'dob': ['{bw}: {dob}', 'ik ben geboren op {dob}', 'Mijn geboortedatum is {dob}'],
        'addr': ['Adres: {addr}', 'Ik woon op {addr}'],
        'phone': ['Mijn mobiele nummer is {phone}', 'Tel: {phone}'],
        'email': ['Mijn e-mailadres is {email}', 'stuur het naar {email}'],
        'otp_ask': ['Ik heb u net een sms-code gestuurd, kunt u die voorlezen?'],
        'otp': ['De code is {otp}', '{otp}'],
        'pw': ['Het wachtwoord van het testaccount is {pw}', 'Ik heb het wachtwoord veranderd in {pw} maar het werkt nog steeds niet'],
        'warn': ['Deel alstublieft geen wachtwoorden in de chat \u2013 wijzig het direct.', 'Ik laat dit bericht afschermen; verander het wachtwoord a.u.b.'],
        'iban': ['Graag terugstorten op {iban}', 'IBAN: {iban}', 'rekeningnummer {iban}'],
        'id': ['Mijn {label} is {id}', '{label}: {id}'],
        'thanks': ['Dank je wel!', 'Top, bedankt.'],
        'ok': ['Prima, is geregeld.', 'Uw account is weer vrijgegeven.', 'De terugbetaling staat klaar.'],
    },
    'pl': {
        'hi': ['Dzie\u0144 dobry, od wczoraj nie mog\u0119 si\u0119 zalogowa\u0107.', 'Dzie\u0144 dobry, faktura zosta\u0142a pobrana dwa razy.', 'Cze\u015b\u0107, eksport ci\u0105gle si\u0119 wysypuje.'],
        'verify': ['W celu weryfikacji prosz\u0119 poda\u0107 dat\u0119 urodzenia i adres.', 'Czy mo\u017ce Pan/Pani potwierdzi\u0107 dat\u0119 urodzenia i numer telefonu?'],
        'dob': ['{bw}: {dob}', 'urodzi\u0142em si\u0119 {dob}', 'Moja data urodzenia to {dob}'],
        'addr': ['Adres: {addr}', 'Mieszkam: {addr}'],
        'phone': ['M\u00f3j numer: {phone}', 'tel. {phone}'],
        'email': ['M\u00f3j e-mail to {email}', 'prosz\u0119 wys\u0142a\u0107 na {email}'],
        'otp_ask': ['W\u0142a\u015bnie wys\u0142a\u0142em kod SMS, czy mo\u017ce go Pan poda\u0107?'],
        'otp': ['Kod to {otp}', '{otp}'],
        'pw': ['Has\u0142o do konta testowego to {pw}', 'Zmieni\u0142em has\u0142o na {pw} i dalej nie dzia\u0142a'],
        'warn': ['Prosz\u0119 nie podawa\u0107 hase\u0142 na czacie \u2013 prosz\u0119 je natychmiast zmieni\u0107.'],
        'iban': ['Zwrot prosz\u0119 na {iban}', 'IBAN: {iban}', 'nr konta {iban}'],
        'id': ['M\u00f3j {label}: {id}', '{label} {id}'],
        'thanks': ['Dzi\u0119kuj\u0119!', 'Dzi\u0119ki za pomoc.'],
        'ok': ['Gotowe.', 'Konto zosta\u0142o odblokowane.', 'Zwrot zosta\u0142 zlecony.'],
    },
    'sv': {
        'hi': ['Hej, jag kan inte logga in sedan ig\u00e5r.', 'Hej, fakturan har dragits tv\u00e5 g\u00e5nger.', 'Hej! Exporten kraschar hela tiden.'],
        'verify': ['F\u00f6r att verifiera dig beh\u00f6ver jag ditt f\u00f6delsedatum och din adress.', 'Kan du bekr\u00e4fta f\u00f6delsedatum och telefonnummer?'],
        'dob': ['{bw}: {dob}', 'jag \u00e4r f\u00f6dd {dob}', 'F\u00f6delsedatum {dob}'],
        'addr': ['Adress: {addr}', 'Jag bor p\u00e5 {addr}'],
        'phone': ['Mitt nummer \u00e4r {phone}', 'Tel: {phone}'],
        'email': ['Min mejl \u00e4r {email}', 'skicka till {email}'],
        'otp_ask': ['Jag skickade precis en kod via sms, kan du l\u00e4sa upp den?'],
        'otp': ['Koden \u00e4r {otp}', '{otp}'],
        'pw': ['L\u00f6senordet till testkontot \u00e4r {pw}', 'Jag bytte l\u00f6senord till {pw} men det funkar \u00e4nd\u00e5 inte'],
        'warn': ['Dela inte l\u00f6senord i chatten \u2013 byt det direkt.'],
        'iban': ['\u00c5terbetalning till {iban}', 'IBAN: {iban}'],
        'id': ['Mitt {label} \u00e4r {id}', '{label}: {id}'],
        'thanks': ['Tack!', 'Tack s\u00e5 mycket.'],
        'ok': ['Klart!', 'Ditt konto \u00e4r uppl\u00e5st igen.'],
    },
    'ja': {
        'hi': ['\u6628\u65e5\u304b\u3089\u30ed\u30b0\u30a4\u30f3\u3067\u304d\u307e\u305b\u3093\u3002', '\u8acb\u6c42\u304c\u4e8c\u91cd\u306b\u306a\u3063\u3066\u3044\u307e\u3059\u3002',
               '\u30a8\u30af\u30b9\u30dd\u30fc\u30c8\u304c\u6bce\u56de\u30a8\u30e9\u30fc\u306b\u306a\u308a\u307e\u3059\u3002'],
        'verify': ['\u3054\u672c\u4eba\u78ba\u8a8d\u306e\u305f\u3081\u3001\u751f\u5e74\u6708\u65e5\u3068\u3054\u767b\u9332\u306e\u4f4f\u6240\u3092\u6559\u3048\u3066\u3044\u305f\u3060\u3051\u307e\u3059\u304b\u3002'],
        'dob': ['{bw}\u306f{dob}\u3067\u3059\u3002', '{bw}: {dob}'],
        'addr': ['\u4f4f\u6240\u306f{addr}\u3067\u3059\u3002', '\u4f4f\u6240: {addr}'],
        'phone': ['\u96fb\u8a71\u756a\u53f7\u306f{phone}\u3067\u3059\u3002', 'TEL {phone}'],
        'email': ['\u30e1\u30fc\u30eb\u306f{email}\u3067\u3059\u3002'],
        'otp_ask': ['SMS\u3067\u78ba\u8a8d\u30b3\u30fc\u30c9\u3092\u9001\u308a\u307e\u3057\u305f\u3002\u30b3\u30fc\u30c9\u3092\u6559\u3048\u3066\u3044\u305f\u3060\u3051\u307e\u3059\u304b\u3002'],
        'otp': ['\u30b3\u30fc\u30c9\u306f{otp}\u3067\u3059', '{otp}'],
        'pw': ['\u30c6\u30b9\u30c8\u30a2\u30ab\u30a6\u30f3\u30c8\u306e\u30d1\u30b9\u30ef\u30fc\u30c9\u306f{pw}\u3067\u3059', '\u30d1\u30b9\u30ef\u30fc\u30c9\u3092{pw}\u306b\u5909\u3048\u307e\u3057\u305f\u304c\u30c0\u30e1\u3067\u3059'],
        'warn': ['\u30c1\u30e3\u30c3\u30c8\u3067\u30d1\u30b9\u30ef\u30fc\u30c9\u3092\u5171\u6709\u3057\u306a\u3044\u3067\u304f\u3060\u3055\u3044\u3002\u3059\u3050\u306b\u5909\u66f4\u3092\u304a\u9858\u3044\u3057\u307e\u3059\u3002'],
        'iban': ['\u8fd4\u91d1\u306f{iban}\u306b\u304a\u9858\u3044\u3057\u307e\u3059'],
        'id': ['{label}\u306f{id}\u3067\u3059', '{label}: {id}'],
        'thanks': ['\u3042\u308a\u304c\u3068\u3046\u3054\u3056\u3044\u307e\u3059\u3002', '\u52a9\u304b\u308a\u307e\u3057\u305f\u3002'],
        'ok': ['\u78ba\u8a8d\u3067\u304d\u307e\u3057\u305f\u3002', '\u30a2\u30ab\u30a6\u30f3\u30c8\u306e\u30ed\u30c3\u30af\u3092\u89e3\u9664\u3057\u307e\u3057\u305f\u3002'],
    },
}
ML_IBAN_CC = {'de': ['DE', 'AT', 'CH'], 'fr': ['FR', 'BE', 'LU'], 'es': ['ES'], 'pt': ['PT', 'BR'], 'it': ['IT'], 'nl': ['NL', 'BE'],
              'pl': ['PL'], 'sv': ['SE', 'NO', 'FI', 'DK'], 'ja': ['GB', 'DE']}


def sc_chat_multilingual():
    loc = ch(sorted(ML))
    T = ML[loc]
    d = Doc('chat')
    p = Person(loc)
    c = Clock()
    agent, alab = agent_label(loc)
    msgs = [('c', [ch(T['hi'])])]
    flow = ch(['verify', 'otp', 'pw', 'iban', 'verify', 'id'])
    if flow in ('verify', 'id'):
        msgs.append(('a', [ch(T['verify'])]))
        msgs.append(('c', F(ch(T['dob']), bw=ch(BIRTH_LABEL[loc]), dob=S('DATE_OF_BIRTH', dob_text(p)))))
        msgs.append(('c', F(ch(T['addr']), addr=S('STREET_ADDRESS', address_for(p)))))
        if chance(0.6):
            msgs.append(('c', F(ch(T['phone']), phone=S('PHONE', phone_for(p)))))
        if flow == 'id' or chance(0.3):
            k, v, label = national_id(loc, p)
            msgs.append(('c', F(ch(T['id']), label=label, id=S(k, v))))
    elif flow == 'otp':
        msgs.append(('a', [ch(T['otp_ask'])]))
        msgs.append(('c', F(ch(T['otp']), otp=sec('OTP_CODE'))))
    elif flow == 'pw':
        msgs.append(('c', F(ch(T['pw']), pw=sec('PASSWORD'))))
        msgs.append(('a', [ch(T['warn'])]))
    else:
        msgs.append(('c', F(ch(T['iban']), iban=S('IBAN', iban(ch(ML_IBAN_CC[loc]))))))
    if chance(0.5):
        msgs.append(('c', F(ch(T['email']), email=S('EMAIL', email_for(p) if chance(0.8) else obfuscated_email(p)))))
    msgs.append(('a', [ch(T['ok'])]))
    msgs.append(('c', [ch(T['thanks'])]))
    chat_render(d, msgs, cust_label(p), alab, c)
    return d


# ---------------------------------------------------------------------------------------------
# E-mails
# ---------------------------------------------------------------------------------------------

DOW = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']


def email_header(d, p, c, subject, to=None, email=None):
    email = email or S('EMAIL', email_for(p, corp=chance(0.4)))
    d.line('From: ', S('PERSON_NAME', p.full) if p.loc != 'ja' or chance(0.5) else ['"', S('PERSON_NAME', p.full), '"'], ' <', email, '>')
    d.line('To: ', to or ch(['Relaybox Support <support@relaybox.io>', 'support@relaybox.io', 'Relaybox Billing <billing@relaybox.io>']))
    d.line('Date: ', K('TIMESTAMP', '%s, %d %s %d %s %s' % (c.dow(), c.d, Clock.MON[c.mo - 1], c.y, c.hms(), ch(['+0100', '+0200', '-0500', '+0000', '+0900']))))
    d.line('Subject: ', subject)
    d.add('\n')
    return email


def signature(d, p, loc, org=None, full=True):
    d.line(ch(['--', '-- ', '___', '']))
    d.line(S('PERSON_NAME', p.full))
    if org or chance(0.6):
        d.line(ch(['Head of IT', 'Office Manager', 'Gesch\u00e4ftsf\u00fchrer', 'Responsable informatique', 'Finance', 'CTO', 'Operations Lead', 'Contabilidad']),
               ' | ', K('COMPANY_NAME', org or company()))
    if chance(0.8):
        cc = ch(LOC_CC[loc])
        d.line(ch(['Tel. ', 'Phone: ', 'T ', 'Mob: ', 'Mobil: ', 'Tel: ', '']), S('PHONE', phone(cc)),
               *([ch([' | ', ' \u00b7 ', '\n']), ch(['M ', 'Fax ', 'Cell: ']), S('PHONE', phone(cc))] if chance(0.4) else []))
    if full and chance(0.6):
        addr = address(ch(LOC_ADDR[loc]))
        if ', ' in addr and chance(0.4):
            i = addr.index(', ')
            addr = addr[:i] + '\n' + addr[i + 2:]
        d.line(S('STREET_ADDRESS', addr))


EMAIL_ML = {
    'en': ('Identity documents for account {acct}', 'Hi,\n\nas requested, here are my details for the verification of account {acct}:\n\n',
           'Please let me know if you need anything else.\n\nBest regards,\n', 'Full name'),
    'de': ('Unterlagen zur Verifizierung \u2013 Konto {acct}', 'Guten Tag,\n\nwie besprochen sende ich Ihnen meine Daten zur Verifizierung des Kontos {acct}:\n\n',
           'Bei R\u00fcckfragen melden Sie sich gern.\n\nMit freundlichen Gr\u00fc\u00dfen\n', 'Name'),
    'fr': ('Justificatifs \u2013 compte {acct}', 'Bonjour,\n\nsuite \u00e0 votre demande, voici mes informations pour la v\u00e9rification du compte {acct} :\n\n',
           "N'h\u00e9sitez pas \u00e0 revenir vers moi.\n\nCordialement,\n", 'Nom complet'),
    'es': ('Documentaci\u00f3n cuenta {acct}', 'Hola:\n\ncomo me pidieron, les env\u00edo mis datos para verificar la cuenta {acct}:\n\n',
           'Quedo a la espera.\n\nUn saludo,\n', 'Nombre'),
    'pt': ('Documentos para verifica\u00e7\u00e3o \u2013 conta {acct}', 'Ol\u00e1,\n\nconforme solicitado, seguem meus dados para a verifica\u00e7\u00e3o da conta {acct}:\n\n',
           'Fico no aguardo.\n\nAtenciosamente,\n', 'Nome completo'),
    'it': ('Documenti per la verifica \u2013 account {acct}', 'Buongiorno,\n\ncome richiesto vi invio i miei dati per la verifica dell\u2019account {acct}:\n\n',
           'Resto a disposizione.\n\nCordiali saluti,\n', 'Nome e cognome'),
    'nl': ('Gegevens verificatie account {acct}', 'Beste,\n\nzoals gevraagd stuur ik mijn gegevens voor de verificatie van account {acct}:\n\n',
           'Laat het weten als er nog iets nodig is.\n\nMet vriendelijke groet,\n', 'Naam'),
    'pl': ('Dane do weryfikacji \u2013 konto {acct}', 'Dzie\u0144 dobry,\n\nzgodnie z pro\u015bb\u0105 przesy\u0142am dane do weryfikacji konta {acct}:\n\n',
           'W razie pyta\u0144 prosz\u0119 o kontakt.\n\nPozdrawiam,\n', 'Imi\u0119 i nazwisko'),
    'sv': ('Uppgifter f\u00f6r verifiering \u2013 konto {acct}', 'Hej,\n\nh\u00e4r kommer mina uppgifter f\u00f6r verifieringen av konto {acct}:\n\n',
           'H\u00f6r av er om ni beh\u00f6ver n\u00e5got mer.\n\nMed v\u00e4nliga h\u00e4lsningar,\n', 'Namn'),
    'ja': ('\u672c\u4eba\u78ba\u8a8d\u66f8\u985e\u306e\u4ef6\uff08\u30a2\u30ab\u30a6\u30f3\u30c8 {acct}\uff09', '\u30b5\u30dd\u30fc\u30c8\u3054\u62c5\u5f53\u8005\u69d8\n\n\u3054\u4f9d\u983c\u306e\u3042\u3063\u305f\u672c\u4eba\u78ba\u8a8d\u60c5\u5831\u3092\u304a\u9001\u308a\u3057\u307e\u3059\uff08\u30a2\u30ab\u30a6\u30f3\u30c8 {acct}\uff09\u3002\n\n',
           '\u3088\u308d\u3057\u304f\u304a\u9858\u3044\u3044\u305f\u3057\u307e\u3059\u3002\n\n', '\u6c0f\u540d'),
    'in': ('KYC documents for account {acct}', 'Dear Team,\n\nPlease find below my KYC details for account {acct}:\n\n', 'Kindly do the needful.\n\nRegards,\n', 'Name'),
}
FIELD_L = {
    'en': ('Address', 'Phone', 'Passport no.', 'Bank account (IBAN)'), 'de': ('Anschrift', 'Telefon', 'Reisepassnummer', 'IBAN'),
    'fr': ('Adresse', 'T\u00e9l\u00e9phone', 'N\u00b0 de passeport', 'IBAN'), 'es': ('Domicilio', 'Tel\u00e9fono', 'N.\u00ba de pasaporte', 'IBAN'),
    'pt': ('Endere\u00e7o', 'Telefone', 'N\u00ba do passaporte', 'IBAN'), 'it': ('Indirizzo', 'Telefono', 'N. passaporto', 'IBAN'),
    'nl': ('Adres', 'Telefoon', 'Paspoortnummer', 'IBAN'), 'pl': ('Adres', 'Telefon', 'Nr paszportu', 'IBAN'),
    'sv': ('Adress', 'Telefon', 'Passnummer', 'IBAN'), 'ja': ('\u4f4f\u6240', '\u96fb\u8a71\u756a\u53f7', '\u65c5\u5238\u756a\u53f7', 'IBAN'),
    'in': ('Address', 'Mobile', 'Passport No.', 'IBAN'),
}
PASSPORT_CC = {'en': ['US', 'UK', 'CA', 'AU', 'IE'], 'de': ['DE'], 'fr': ['FR'], 'es': ['ES', 'MX'], 'pt': ['BR'], 'it': ['IT'], 'nl': ['NL'],
               'pl': ['PL'], 'sv': ['SE'], 'ja': ['JP'], 'in': ['IN']}


def sc_email_kyc():
    loc = ch(sorted(EMAIL_ML))
    p = Person(loc)
    d = Doc('email')
    c = Clock()
    acct = 'ACC-%06d' % ri(1, 999999)
    subj, intro, outro, name_l = EMAIL_ML[loc]
    email_header(d, p, c, F(subj, acct=K('TICKET_NUMBER', acct)))
    d.add(F(intro, acct=K('TICKET_NUMBER', acct)))
    addr_l, phone_l, pass_l, iban_l = FIELD_L[loc]
    fields = []
    fields.append([name_l, ': ', S('PERSON_NAME', p.full)])
    fields.append([ch(BIRTH_LABEL[loc]), ': ', S('DATE_OF_BIRTH', dob_text(p))])
    fields.append([addr_l, ': ', S('STREET_ADDRESS', address_for(p))])
    k, v, label = national_id(loc, p)
    fields.append([label, ': ', S(k, v)])
    if chance(0.6):
        fields.append([pass_l, ': ', S('PASSPORT_NUMBER', passport_number(ch(PASSPORT_CC[loc])))])
    if chance(0.6):
        fields.append([phone_l, ': ', S('PHONE', phone_for(p))])
    if chance(0.5) and loc not in ('ja', 'in'):
        fields.append([iban_l, ': ', S('IBAN', iban(ch(ML_IBAN_CC.get(loc, ['GB', 'IE']))))])
    bullet = ch(['- ', '* ', '\u2022 ', '  ', ''])
    for f in fields:
        d.line(bullet, f)
    d.add('\n', outro)
    signature(d, p, loc, full=False)
    return d


def sc_email_credentials():
    """Partner/customer sends credentials by e-mail (SFTP, API, portal)."""
    p = Person(ch(['en', 'de', 'nl', 'fr', 'en', 'sv']))
    d = Doc('email')
    c = Clock()
    org = company()
    kind = ch(['sftp', 'api', 'portal', 'smtp', 'db'])
    subj = {'sftp': 'SFTP access for the nightly export', 'api': 'Production API credentials', 'portal': 'Login for our supplier portal',
            'smtp': 'SMTP relay details', 'db': 'Read replica access for the reporting connector'}[kind]
    email_header(d, p, c, ch(['', 'RE: ', 'Fwd: ', 'AW: ']) + subj)
    d.line(ch(['Hi ' + ch(AGENTS) + ',', 'Hello,', 'Hi team,']))
    d.add('\n')
    if kind == 'sftp':
        d.line(ch(['As discussed, here is the access for the export drop:', 'You can pick up the files from our server:']))
        d.line('  Host: ', K('HOSTNAME', ch(['sftp.northwind-traders.com', 'files.globex.io', 'mft.kogl-soehne.de'])))
        d.line('  Port: ', K('PORT', ch(['22', '2222', '8022'])))
        d.line('  User: ', user_name())
        d.line('  Password: ', sec('PASSWORD'))
        if chance(0.4):
            d.add('\nIf you prefer key auth, this is the key we generated for you:\n\n')
            kk = ch(['PRIVATE_KEY_OPENSSH', 'PRIVATE_KEY_PUTTY', 'PRIVATE_KEY_RSA'])
            d.line(S(kk, private_key(kk)))
            d.line('\nFingerprint of our host key: ', K('HASH', ssh_fingerprint()))
    elif kind == 'api':
        prov, m = prov_secret()
        d.line('The production credentials for ', K('COMPANY_NAME', org), ' are below (sandbox ones still work too):')
        d.add('\n')
        d.line('client_id:     ', rs(ANL, 24))
        sk = sec('OAUTH_CLIENT_SECRET')
        if chance(0.4) and len(sk.value) > 40:
            cut = ri(10, 30)
            sk = S(sk.kind, sk.value[:cut] + '=\n' + sk.value[cut:])
            d.line('client_secret: ', sk)
        else:
            d.line('client_secret: ', sk)
        if len(m.value) > 50 and chance(0.5):
            lead = prov.desc + ': '
            first = max(10, 76 - len(lead))
            d.line(lead, S(m.kind, wrap(m.value, 76, first)))
        else:
            d.line(prov.desc, ': ', m)
    elif kind == 'portal':
        d.line('Your login for ', K('COMPANY_NAME', org), "'s supplier portal:")
        d.line('URL: https://portal.', ch(['northwind-traders.com', 'globex.io', 'vandelay.com']), '/login')
        d.line('Username: ', S('EMAIL', email_for(Person(p.loc), corp=True)) if chance(0.5) else user_name())
        d.line('Initial password: ', sec('PASSWORD'), '  (you will be asked to change it)')
    elif kind == 'smtp':
        d.line('Relay: ', K('HOSTNAME', ch(['smtp.office365.com', 'smtp.sendgrid.net', 'email-smtp.eu-west-1.amazonaws.com'])), ' port ', K('PORT', ch(['587', '465', '2525'])))
        if chance(0.5):
            d.line('User: apikey')
            d.line('Pass: ', sec('SENDGRID_API_KEY'))
        else:
            d.line('User: ', user_name())
            d.line('Pass: ', sec('SMTP_PASSWORD'))
    else:
        d.line('Connection string for the read replica:')
        d.add('\n    ', dsn(), '\n')
    d.add('\n', ch(['Please delete this mail once saved.', 'Let me know if it works.', 'Thanks!', 'Ping me if the firewall blocks you, your egress IP is allow-listed.']), '\n\n')
    signature(d, p, p.loc, org)
    return d


def sc_email_refund():
    loc = ch(['en', 'de', 'fr', 'es', 'it', 'nl', 'pt', 'pl', 'sv', 'en'])
    p = Person(loc)
    d = Doc('email')
    c = Clock()
    inv = K('INVOICE_NUMBER', invoice_no())
    email_header(d, p, c, F(ch(['Refund for {i}', 'Double charge \u2013 {i}', 'Re: {i} / credit note']), i=inv))
    body = {
        'en': 'Hello,\n\nwe were charged twice for invoice {i2} (card {mc}). Please refund the duplicate to our bank account instead:\n\n',
        'de': 'Hallo,\n\ndie Rechnung {i2} wurde doppelt abgebucht (Karte {mc}). Bitte erstatten Sie den Betrag auf folgendes Konto:\n\n',
        'fr': 'Bonjour,\n\nla facture {i2} a \u00e9t\u00e9 pr\u00e9lev\u00e9e deux fois (carte {mc}). Merci de rembourser sur le compte suivant :\n\n',
        'es': 'Hola:\n\nla factura {i2} se ha cobrado dos veces (tarjeta {mc}). Por favor, devuelvan el importe a esta cuenta:\n\n',
        'it': 'Buongiorno,\n\nla fattura {i2} \u00e8 stata addebitata due volte (carta {mc}). Vi chiedo il rimborso su questo conto:\n\n',
        'nl': 'Hallo,\n\nfactuur {i2} is twee keer afgeschreven (kaart {mc}). Graag het bedrag terugstorten op:\n\n',
        'pt': 'Ol\u00e1,\n\na fatura {i2} foi cobrada duas vezes (cart\u00e3o {mc}). Por favor, fa\u00e7am o reembolso para esta conta:\n\n',
        'pl': 'Dzie\u0144 dobry,\n\nfaktura {i2} zosta\u0142a pobrana dwukrotnie (karta {mc}). Prosz\u0119 o zwrot na rachunek:\n\n',
        'sv': 'Hej,\n\nfaktura {i2} har dragits tv\u00e5 g\u00e5nger (kort {mc}). V\u00e4nligen \u00e5terbetala till:\n\n',
    }[loc]
    d.add(F(body, i2=K('INVOICE_NUMBER', inv.value), mc=K('MASKED_CARD', masked_card())))
    cc = ch(ML_IBAN_CC.get(loc, ['GB', 'IE', 'DE']))
    d.line('    ', {'en': 'Account holder', 'de': 'Kontoinhaber', 'fr': 'Titulaire', 'es': 'Titular', 'it': 'Intestatario', 'nl': 'Rekeninghouder',
                    'pt': 'Titular', 'pl': 'W\u0142a\u015bciciel', 'sv': 'Kontoinnehavare'}[loc], ': ', K('COMPANY_NAME', company()) if chance(0.5) else S('PERSON_NAME', p.full))
    d.line('    IBAN: ', S('IBAN', iban(cc)))
    d.line('    BIC: ', rs(UP, 4) + cc + rs(ANU, 2) + ch(['', 'XXX']))
    if chance(0.5):
        d.line('    ', {'en': 'Order', 'de': 'Bestellung', 'fr': 'Commande', 'es': 'Pedido', 'it': 'Ordine', 'nl': 'Bestelling', 'pt': 'Pedido',
                        'pl': 'Zam\u00f3wienie', 'sv': 'Order'}[loc], ': ', K('ORDER_NUMBER', order_no()))
    d.add('\n')
    if chance(0.5):
        d.line(ch(['PS: if easier, refund to the card directly: ', 'Alternatively the new card: ', 'Karte: ', 'Carte : #']), S('CARD_NUMBER', card_number()))
    d.add({'en': 'Thanks,\n', 'de': 'Danke und Gru\u00df\n', 'fr': 'Merci,\n', 'es': 'Gracias,\n', 'it': 'Grazie,\n', 'nl': 'Groet,\n',
           'pt': 'Obrigado,\n', 'pl': 'Pozdrawiam\n', 'sv': 'Tack,\n'}[loc])
    signature(d, p, loc)
    return d


def sc_email_hr():
    """HR/payroll forwarding a new hire's data to the payroll integration support."""
    loc = ch(['en', 'de', 'fr', 'es', 'it', 'nl', 'pl', 'sv', 'pt', 'in', 'ja'])
    hr = Person(loc)
    d = Doc('email')
    c = Clock()
    email_header(d, hr, c, ch(['New starter not syncing to payroll', 'Payroll export rejected \u2013 employee record', 'Fwd: onboarding form']))
    d.line(ch(['Hi,', 'Hello support,', 'Dear Relaybox team,']))
    d.add('\n')
    d.line(ch(['The payroll connector rejects this employee with ', 'The sync fails for one new hire, error ', 'Record below is skipped with ']),
           K('ERROR_CODE', ch(['VALIDATION_FAILED', 'E_PAYROLL_422', 'ERR-4031', 'INVALID_TAX_ID'])), '. ', ch(['Data from the onboarding form:', 'Here is what we entered:', 'Copying the record:']))
    d.add('\n')
    for _ in range(ri(1, 3)):
        p, k, v, label = next_nid()
        d.line(ch(['Employee', 'Name', 'Employee name']), ': ', S('PERSON_NAME', p.full))
        d.line('  ', ch(BIRTH_LABEL[p.loc]), ': ', S('DATE_OF_BIRTH', dob_text(p)))
        d.line('  ', label, ': ', S(k, v))
        if chance(0.6):
            d.line('  ', FIELD_L[p.loc][0], ': ', S('STREET_ADDRESS', address_for(p)))
        if chance(0.5) and p.loc not in ('ja', 'in'):
            d.line('  IBAN: ', S('IBAN', iban(ch(ML_IBAN_CC.get(p.loc, ['GB'])))))
        if chance(0.4):
            d.line('  ', ch(['Private e-mail', 'E-Mail privat', 'Email']), ': ', S('EMAIL', email_for(p)))
        d.line('  Start date: ', K('TIMESTAMP', c.date()), ', employee no. ', str(ri(10000, 99999)))
        d.add('\n')
    d.line('Thanks,')
    signature(d, hr, hr.loc, full=False)
    return d


def sc_email_reply_chain():
    """Thread with quoted history: a token pasted in an earlier message and quoted again."""
    p = en_person()
    d = Doc('email')
    c = Clock()
    prov, m = prov_secret()
    agent = ch(AGENTS)
    email_header(d, p, c, ['Re: [', VENDOR, ' ', K('TICKET_NUMBER', '#' + str(ri(10000, 99999))), '] ', ch(['401 after key rotation', 'integration keeps failing', 'credentials rejected since upgrade'])])
    d.line(ch(['Still failing after the change you suggested.', 'That did not help unfortunately.', 'Tried it again this morning, same result.']))
    d.add('\n')
    d.line('On ', K('TIMESTAMP', '%s, %d %s %d at %s' % (c.dow(), c.d, Clock.MON[c.mo - 1], c.y, c.short())), ', ', agent, ' (', VENDOR, ' Support) wrote:')
    d.line('> Could you confirm which secret the endpoint is configured with?')
    d.line('>')
    d.line('> On ', K('TIMESTAMP', '%d %s %d %s' % (c.d, Clock.MON[c.mo - 1], c.y, c.short())), ', ', S('PERSON_NAME', p.full), ' <', S('EMAIL', email_for(p, True)), '> wrote:')
    d.line('>> we configured ', ch(prov.names), ' as follows:')
    val = m.value
    if len(val) > 60 and chance(0.5):
        wm = S(m.kind, wrap(val, 60, 40, '>> '))
        d.line('>> ', wm)
    else:
        d.line('>> ', m)
    d.line('>> and the call still fails with ', K('HTTP_STATUS', ch(['401', '403'])), '.')
    d.add('\n')
    signature(d, p, p.loc)
    return d


# ---------------------------------------------------------------------------------------------
# Logs
# ---------------------------------------------------------------------------------------------

UA = ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Safari/605.1.15',
      'okhttp/4.12.0', 'python-requests/2.31.0', 'curl/8.5.0', 'Relaybox-Agent/3.2.1 (linux; amd64)', 'Go-http-client/2.0',
      'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0', 'axios/1.6.8', 'PostmanRuntime/7.37.0']
PATHS = ['/api/v2/tickets', '/api/v2/tickets/%d' % ri(1000, 99999), '/login', '/oauth/token', '/api/v1/exports', '/webhooks/inbound',
         '/account/settings', '/api/v2/contacts/search', '/healthz', '/static/app.%s.js' % rs(HEX, 8), '/api/v2/sync/run', '/graphql']
QS_TOKEN_KEYS = [('access_token', 'BEARER_TOKEN'), ('api_key', 'GENERIC_API_KEY'), ('token', 'BEARER_TOKEN'), ('key', 'GCP_API_KEY'),
                 ('apikey', 'GENERIC_API_KEY'), ('auth', 'BEARER_TOKEN'), ('sig', 'SAS_TOKEN_SIGNATURE'), ('password', 'PASSWORD'),
                 ('secret', 'OAUTH_CLIENT_SECRET'), ('client_secret', 'OAUTH_CLIENT_SECRET'), ('jwt', 'JWT'), ('session', 'SESSION_COOKIE'),
                 ('X-Amz-Security-Token', 'AWS_SESSION_TOKEN'), ('private_token', 'GITLAB_PAT'), ('hapikey', 'HUBSPOT_PRIVATE_APP_TOKEN')]


def qs_leak():
    key, kind = ch(QS_TOKEN_KEYS)
    m = sec(kind)
    if kind in ('PASSWORD',):
        m = S(kind, gen_pw(safe='url'))
    return [ch(PATHS).split('?')[0], '?', ch(['', 'page=2&', 'format=json&', 'since=2024-01-01&']), key, '=', m,
            ch(['', '&limit=100', '&v=2'])]


def sc_log_access():
    d = Doc('access_log')
    c = Clock()
    fmt = ch(['combined', 'combined', 'alb', 'cloudfront', 'envoy', 'haproxy', 'iis', 'caddy'])
    n = ri(4, 9)
    leak_at = set(R.sample(range(n), ri(1, 2)))
    if fmt == 'iis':
        d.line('#Software: Microsoft Internet Information Services 10.0')
        d.line('#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status time-taken')
    if fmt == 'cloudfront':
        d.line('#Version: 1.0')
        d.line('#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query')
    for i in range(n):
        c.tick(0.01, 30)
        ip = S('IP_ADDRESS', customer_ip())
        if i in leak_at:
            path = qs_leak()
        else:
            path = [ch(PATHS)]
        status = K('HTTP_STATUS', ch(['200', '200', '204', '301', '401', '403', '404', '500', '502']))
        meth = ch(['GET', 'GET', 'POST', 'PUT', 'DELETE'])
        if fmt == 'combined':
            d.line(ip, ' - ', ch(['-', '-', user_name()]), ' [', K('TIMESTAMP', c.clf()), '] "', meth, ' ', path, ' HTTP/1.1" ', status, ' ', str(ri(0, 90000)),
                   ' "', ch(['-', 'https://app.relaybox.io/']), '" "', ch(UA), '"', *([' rt=', K('DURATION', '%.3f' % R.uniform(0, 4))] if chance(0.4) else []))
        elif fmt == 'alb':
            d.line('https ', K('TIMESTAMP', c.iso(0)), ' app/relay-prod/', rs(HEX, 16), ' ', ip, ':', str(ri(1024, 65535)), ' ', K('PRIVATE_IP', private_ip()), ':', K('PORT', '8080'),
                   ' 0.001 ', K('DURATION', '%.3f' % R.uniform(0, 3)), ' 0.000 ', status, ' ', status.value, ' ', str(ri(100, 900)), ' ', str(ri(100, 90000)),
                   ' "', meth, ' https://api.relaybox.io:443', path, ' HTTP/2.0" "', ch(UA), '" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 ', K('REQUEST_ID', 'Root=1-%s-%s' % (rs(HEX, 8), rs(HEX, 24))))
        elif fmt == 'cloudfront':
            full = V(path)
            if '?' in full:
                i_q = path.index('?')
                stem, query = path[:i_q], path[i_q + 1:]
            else:
                stem, query = path, ['-']
            d.line(K('TIMESTAMP', c.date() + '\t' + c.hms()), '\t', ch(['FRA56-P1', 'AMS1-C1', 'IAD89-P2', 'NRT57-C2']), '\t', str(ri(200, 90000)), '\t', ip, '\t', meth,
                   '\td1', rs(ANL, 12), '.cloudfront.net\t', stem, '\t', status, '\t-\t', ch(UA).replace(' ', '%20'), '\t', query)
        elif fmt == 'envoy':
            d.line('[', K('TIMESTAMP', c.iso(0)), '] "', meth, ' ', path, ' HTTP/1.1" ', status, ' - ', str(ri(0, 900)), ' ', str(ri(0, 90000)), ' ', str(ri(1, 900)),
                   ' - "', ip, '" "', ch(UA), '" "', K('REQUEST_ID', uuid4()), '" "api.relaybox.io" "', K('PRIVATE_IP', private_ip()), ':', K('PORT', '8080'), '"')
        elif fmt == 'haproxy':
            d.line(K('TIMESTAMP', c.syslog()), ' lb01 haproxy[', str(ri(1000, 40000)), ']: ', ip, ':', str(ri(1024, 65535)), ' [', K('TIMESTAMP', c.clf().split(' ')[0] + '.%03d' % c.ms),
                   '] fe_https~ be_api/web', str(ri(1, 4)), ' 0/0/1/', str(ri(1, 900)), '/', str(ri(1, 999)), ' ', status, ' ', str(ri(100, 90000)), ' - - ---- 12/12/3/1/0 0/0 "', meth, ' ', path, ' HTTP/1.1"')
        elif fmt == 'iis':
            full = V(path)
            if '?' in full:
                i_q = path.index('?')
                stem, query = path[:i_q], path[i_q + 1:]
            else:
                stem, query = path, ['-']
            d.line(K('TIMESTAMP', c.date() + ' ' + c.hms()), ' ', K('PRIVATE_IP', private_ip()), ' ', meth, ' ', stem, ' ', query, ' ', K('PORT', '443'), ' - ', ip, ' ',
                   ch(UA).replace(' ', '+'), ' ', status, ' ', str(ri(1, 4000)))
        else:
            d.line('{"level":"info","ts":', K('TIMESTAMP', c.epoch_ms()[:-3] + '.' + c.epoch_ms()[-3:] + '%03d' % ri(0, 999)), ',"logger":"http.log.access","msg":"handled request","request":{"remote_ip":"', ip,
                   '","proto":"HTTP/2.0","method":"', meth, '","host":"app.relaybox.io","uri":"', path, '"},"duration":', K('DURATION', '%.6f' % R.uniform(0, 2)), ',"status":', status, '}')
    return d


def json_str_val(m):
    return ['"', m, '"']


def sc_log_json():
    d = Doc('log')
    c = Clock()
    svc = ch(['billing-api', 'ticket-sync', 'relay-worker', 'auth-service', 'notifier', 'export-runner'])
    n = ri(3, 7)
    leak = ri(0, n - 1)
    for i in range(n):
        c.tick(0.01, 5)
        lvl = ch(['info', 'info', 'debug', 'warn', 'error'])
        parts = ['{"ts":"', K('TIMESTAMP', c.iso(0)), '","level":"', lvl, '","service":"', svc, '"']
        if chance(0.6):
            parts += [',"trace_id":"', K('TRACE_ID', rs(HEX, 32)), '","span_id":"', K('SPAN_ID', rs(HEX, 16)), '"']
        if i == leak:
            what = ri(0, 6)
            if what == 0:
                prov = header_prov()
                m = S(prov.kind, prov.gen())
                parts += [',"msg":"outbound request","http":{"method":"POST","url":"https://', K('HOSTNAME', prov_host(prov)), '/v1/', ch(['charges', 'messages', 'events', 'items']),
                          '","headers":{"authorization":"Bearer ', m, '","content-type":"application/json"}}']
            elif what == 1:
                p = en_person()
                parts += [',"msg":"login attempt","user":{"email":"', S('EMAIL', email_for(p)), '"},"body":{"password":"', S('PASSWORD', gen_pw()), '","remember":true},"client_ip":"', S('IP_ADDRESS', customer_ip()), '"']
            elif what == 2:
                parts += [',"msg":"config loaded","config":{"db":{"host":"', K('HOSTNAME', internal_host()), '","port":', K('PORT', '5432'), ',"user":"app","password":"', sec('DB_PASSWORD'),
                          '"},"cache_ttl":', K('DURATION', '300'), '}']
            elif what == 3:
                prov, m = prov_secret()
                parts += [',"msg":"env","', ch(prov.names), '":"', m, '","pid":', str(ri(100, 40000))]
            elif what == 4:
                parts += [',"msg":"webhook verify failed","expected_secret":"', sec('WEBHOOK_SIGNING_SECRET'), '","got_signature":"t=', str(ri(1700000000, 1760000000)), ',v1=', rs(HEX, 64), '"']
            elif what == 5:
                parts += [',"msg":"set-cookie","cookie":"', ch(['session', 'sid', '_relay_session', 'connect.sid', 'laravel_session', 'JSESSIONID']), '=', sec('SESSION_COOKIE'), '; Path=/; HttpOnly; Secure"']
            else:
                p = en_person()
                parts += [',"msg":"signup","email":"', S('EMAIL', email_for(p)), '","phone":"', S('PHONE', phone_for(p, True)), '","ip":"', S('IP_ADDRESS', customer_ip()), '","name":"', S('PERSON_NAME', p.full), '"']
        else:
            parts += [',"msg":"', ch(['request completed', 'job finished', 'cache miss', 'retrying', 'batch flushed', 'connected']), '","duration_ms":', str(ri(1, 4000))]
            if chance(0.5):
                parts += [',"request_id":"', K('REQUEST_ID', request_id()), '"']
            if chance(0.3):
                parts += [',"version":"', K('VERSION', version()), '"']
        parts.append('}')
        d.line(parts)
    return d


def sc_log_logfmt():
    d = Doc('log')
    c = Clock()
    n = ri(3, 7)
    leak = ri(0, n - 1)
    for i in range(n):
        c.tick(0.01, 8)
        parts = ['time=', K('TIMESTAMP', c.iso(ch([0, 1, 3]))), ' level=', ch(['info', 'debug', 'warn', 'error']), ' ']
        if i == leak:
            what = ri(0, 4)
            if what == 0:
                parts += ['msg="connecting" dsn="', dsn(), '"']
            elif what == 1:
                prov, m = prov_secret()
                parts += ['msg="calling upstream" provider=', prov.kind.split('_')[0].lower(), ' api_key=', m]
            elif what == 2:
                parts += ['msg="auth ok" user=', S('EMAIL', email_for(en_person())), ' remote_addr=', S('IP_ADDRESS', customer_ip()), ' session=', sec('SESSION_COOKIE')]
            elif what == 3:
                parts += ['msg="basic auth" header="Basic ', S('HTTP_BASIC_AUTH', basic_auth_value()), '"']
            else:
                parts += ['msg="token refreshed" refresh_token=', sec('OAUTH_REFRESH_TOKEN'), ' expires_in=', K('DURATION', '3600s')]
        else:
            parts += ['msg="', ch(['request', 'tick', 'flush', 'job done', 'lease renewed']), '" dur=', K('DURATION', duration()), ' req_id=', K('REQUEST_ID', request_id())]
        d.line(parts)
    return d


def sc_log_syslog():
    d = Doc('syslog')
    c = Clock()
    host = ch(['web-01', 'bastion', 'relay-prod-3', 'ip-10-0-3-17', 'db01'])
    for _ in range(ri(4, 8)):
        c.tick(0.5, 40)
        t = K('TIMESTAMP', c.syslog())
        kind = ri(0, 9)
        if kind == 0:
            d.line(t, ' ', host, ' sudo[', str(ri(1000, 60000)), ']:   ', user_name(), ' : TTY=pts/', str(ri(0, 4)), ' ; PWD=/home/deploy ; USER=root ; COMMAND=/usr/bin/mysql -u root -p',
                   S('DB_PASSWORD', gen_pw(ch([0, 3, 4]))), ' -e SHOW\\x20DATABASES')
        elif kind == 1:
            d.line(t, ' ', host, ' sshd[', str(ri(1000, 60000)), ']: Accepted publickey for deploy from ', K('PRIVATE_IP', private_ip()), ' port ', str(ri(30000, 65000)), ' ssh2: ED25519 ', K('HASH', 'SHA256:' + rs(B64, 43)))
        elif kind == 2:
            d.line(t, ' ', host, ' postfix/smtpd[', str(ri(1000, 60000)), ']: warning: unknown[', K('PRIVATE_IP', private_ip()), ']: SASL LOGIN authentication failed: ', K('ERROR_CODE', 'UGFzc3dvcmQ6'))
        elif kind == 3:
            d.line(t, ' ', host, ' CRON[', str(ri(1000, 60000)), ']: (root) CMD (PGPASSWORD=', S('DB_PASSWORD', gen_pw(4)), ' pg_dump -h ', K('HOSTNAME', internal_host()), ' -U backup relay_prod | gzip > /backup/relay.sql.gz)')
        elif kind == 4:
            d.line(t, ' ', host, ' systemd[1]: Started ', ch(['relay-worker.service - Relay worker', 'nginx.service - A high performance web server and a reverse proxy server', 'node_exporter.service - Node Exporter']), '.')
        elif kind == 5:
            d.line(t, ' ', host, ' kernel: [', str(ri(1000, 99999)), '.', str(ri(100000, 999999)), '] [UFW BLOCK] IN=eth0 OUT= SRC=', K('PRIVATE_IP', private_ip()), ' DST=', K('PRIVATE_IP', private_ip()), ' PROTO=TCP DPT=', K('PORT', port()))
        elif kind == 6:
            d.line(t, ' ', host, ' snmpd[', str(ri(100, 9000)), ']: Connection from UDP: [', K('PRIVATE_IP', private_ip()), ']:', str(ri(30000, 65000)), ' community ', S('SNMP_COMMUNITY', GENERIC['SNMP_COMMUNITY']()), ' OID ', K('OID', oid()))
        elif kind == 7:
            d.line(t, ' ', host, ' dockerd[', str(ri(100, 9000)), ']: time="', K('TIMESTAMP', c.iso(3)), '" level=info msg="Pulling image registry.relaybox.io/worker:', K('VERSION', version()), '" digest=', K('HASH', 'sha256:' + sha256()))
        elif kind == 8:
            d.line(t, ' ', host, ' relay-agent[', str(ri(100, 9000)), ']: starting with args --server https://eu.api.relaybox.io --token ', sec(ch(['GENERIC_API_KEY', 'BEARER_TOKEN'])), ' --log-level info')
        else:
            d.line(t, ' ', host, ' openvpn[', str(ri(100, 9000)), ']: ', ch(['client-vpn', 'office']), '/', K('PRIVATE_IP', private_ip()), ' MULTI: Learn: ', K('PRIVATE_IP', private_ip()), ' -> ', user_name())
    return d


def sc_log_app_startup():
    """Framework startup dumps that print resolved configuration."""
    d = Doc('log')
    c = Clock()
    style = ri(0, 4)
    if style == 0:
        d.line(K('TIMESTAMP', c.iso(2)), '  INFO 1 --- [           main] c.a.relay.RelayApplication               : Starting RelayApplication v', K('VERSION', version()), ' using Java ', K('VERSION', ch(['17.0.10', '21.0.2'])))
        d.line(K('TIMESTAMP', c.tick().iso(2)), ' DEBUG 1 --- [           main] o.s.b.c.c.ConfigDataEnvironment          : Property spring.datasource.url = ', 'jdbc:postgresql://', K('HOSTNAME', internal_host()), ':', K('PORT', '5432'), '/relay')
        d.line(K('TIMESTAMP', c.tick().iso(2)), ' DEBUG 1 --- [           main] o.s.b.c.c.ConfigDataEnvironment          : Property spring.datasource.password = ', sec('DB_PASSWORD'))
        d.line(K('TIMESTAMP', c.tick().iso(2)), ' DEBUG 1 --- [           main] o.s.b.c.c.ConfigDataEnvironment          : Property spring.mail.password = ', sec('SMTP_PASSWORD'))
        d.line(K('TIMESTAMP', c.tick().iso(2)), '  INFO 1 --- [           main] o.s.b.w.embedded.tomcat.TomcatWebServer  : Tomcat started on port ', K('PORT', '8080'), ' (http)')
    elif style == 1:
        d.line('[', K('TIMESTAMP', c.iso(4)), '] celery@worker-', str(ri(1, 9)), ' ready.')
        d.line('[config]')
        d.line('.> app:         relay:0x7f', rs(HEX, 10))
        d.line('.> transport:   ', ch(['redis', 'amqp']), '://:', S('DB_PASSWORD', gen_pw(safe='url')), '@', K('HOSTNAME', internal_host()), ':', K('PORT', ch(['6379', '5672'])), '/0')
        d.line('.> results:     disabled://')
        d.line('.> concurrency: ', str(ri(2, 16)), ' (prefork)')
    elif style == 2:
        d.line(K('TIMESTAMP', c.iso(1)), ' [info] Loaded environment from .env (', str(ri(10, 40)), ' vars)')
        for _ in range(ri(2, 4)):
            prov, m = prov_secret()
            d.line(K('TIMESTAMP', c.tick().iso(1)), ' [debug]   ', ch(prov.names), '=', m)
        d.line(K('TIMESTAMP', c.tick().iso(1)), ' [debug]   PORT=', K('PORT', port()))
    elif style == 3:
        d.line('Starting Laravel development server: http://', K('PRIVATE_IP', '127.0.0.1'), ':', K('PORT', '8000'))
        d.line('[', K('TIMESTAMP', c.iso(5)), '] local.ERROR: Mail transport failed {"exception":"[object] (Symfony\\\\Component\\\\Mailer\\\\Exception\\\\TransportException(code: 535): Failed to authenticate on SMTP server with username \\"',
               user_name(), '\\" using the following authenticators: \\"LOGIN\\", \\"PLAIN\\". Authenticator \\"LOGIN\\" returned \\"535 5.7.8 Error: authentication failed\\". at /var/www/vendor/symfony/mailer/Transport/Smtp/EsmtpTransport.php:', str(ri(100, 300)))
        d.line('[', K('TIMESTAMP', c.tick().iso(5)), '] local.DEBUG: mail config {"host":"smtp.mailgun.org","port":587,"username":"postmaster@mg.relaybox.io","password":"', sec('SMTP_PASSWORD'), '"}')
    else:
        d.line('time="', K('TIMESTAMP', c.iso(3)), '" level=info msg="Starting agent" version=', K('VERSION', version()), ' commit=', K('GIT_SHA', git_sha(40)))
        d.line('time="', K('TIMESTAMP', c.tick().iso(3)), '" level=debug msg="effective config" config="{Server:https://eu.api.relaybox.io Token:', sec('GENERIC_API_KEY'), ' Proxy: Insecure:false Interval:', K('DURATION', '30s'), '}"')
    return d


def sc_log_db():
    d = Doc('log')
    c = Clock()
    style = ri(0, 4)
    if style == 0:
        for _ in range(ri(1, 3)):
            c.tick(1, 60)
            d.line(K('TIMESTAMP', c.iso(4)[:-3] + ' UTC'), ' [', str(ri(1000, 90000)), '] ', ch(['postgres', 'admin']), '@relay LOG:  statement: ',
                   ch(['ALTER USER ', 'ALTER ROLE ', 'CREATE ROLE ']), ch(['app', 'reporting', 'svc_etl']), ch([' WITH LOGIN PASSWORD ', ' PASSWORD ']), "'", sec('DB_PASSWORD'), "';")
        d.line(K('TIMESTAMP', c.tick().iso(4)[:-3] + ' UTC'), ' [', str(ri(1000, 90000)), '] app@relay FATAL:  password authentication failed for user "app"')
        d.line(K('TIMESTAMP', c.tick().iso(4)[:-3] + ' UTC'), ' [', str(ri(1000, 90000)), '] app@relay DETAIL:  Connection matched pg_hba.conf line ', str(ri(80, 120)), ': "host all all 0.0.0.0/0 scram-sha-256"')
    elif style == 1:
        d.line(K('TIMESTAMP', c.iso(1)), '\t', str(ri(10, 900)), ' Query\tCREATE USER \'', user_name(), '\'@\'%\' IDENTIFIED BY \'', sec('DB_PASSWORD'), "'")
        d.line(K('TIMESTAMP', c.tick().iso(1)), '\t', str(ri(10, 900)), ' Query\tGRANT SELECT ON orders.* TO \'reporting\'@\'%\'')
        d.line(K('TIMESTAMP', c.tick().iso(1)), '\t', str(ri(10, 900)), " Query\tSET PASSWORD FOR 'app'@'%' = '", sec('DB_PASSWORD'), "'")
    elif style == 2:
        for _ in range(ri(3, 6)):
            c.tick(0.001, 0.5)
            if chance(0.35):
                d.line(c.epoch_ms()[:-3], '.', '%06d' % ri(0, 999999), ' [0 ', K('PRIVATE_IP', private_ip()), ':', str(ri(30000, 65000)), '] "AUTH" "', S('DB_PASSWORD', gen_pw(4)), '"')
            else:
                d.line(c.epoch_ms()[:-3], '.', '%06d' % ri(0, 999999), ' [0 ', K('PRIVATE_IP', private_ip()), ':', str(ri(30000, 65000)), '] "', ch(['GET', 'SET', 'EXPIRE', 'HGETALL']), '" "', ch(['sess:', 'rate:', 'job:']), rs(HEX, 12), '"')
    elif style == 3:
        d.line('{"t":{"$date":"', K('TIMESTAMP', c.iso(0)), '"},"s":"I",  "c":"NETWORK",  "id":', str(ri(20000, 60000)), ',   "ctx":"conn', str(ri(100, 9999)), '","msg":"client metadata","attr":{"remote":"',
               K('PRIVATE_IP', private_ip()), ':', str(ri(30000, 65000)), '","client":"conn', str(ri(100, 9999)), '","doc":{"driver":{"name":"nodejs","version":"', K('VERSION', version()), '"}}}}')
        d.line('{"t":{"$date":"', K('TIMESTAMP', c.tick().iso(0)), '"},"s":"W",  "c":"CONTROL",  "id":22120,   "ctx":"initandlisten","msg":"Startup options","attr":{"options":{"net":{"bindIp":"0.0.0.0"},"setParameter":{"authenticationMechanisms":"SCRAM-SHA-256"},"mongoUri":"',
               dsn(scheme=ch(['mongodb', 'mongodb+srv'])), '"}}}')
    else:
        d.line('ERROR 1045 (28000): Access denied for user \'root\'@\'', K('PRIVATE_IP', private_ip()), '\' (using password: YES)')
        d.line('$ mysql -h ', K('HOSTNAME', internal_host()), ' -u root --password=', sec('DB_PASSWORD'), ' orders')
        d.line('mysql: [Warning] Using a password on the command line interface can be insecure.')
    return d


def sc_log_windows():
    d = Doc('log')
    c = Clock()
    style = ri(0, 2)
    if style == 0:
        d.line('Log Name:      Microsoft-Windows-PowerShell/Operational')
        d.line('Source:        Microsoft-Windows-PowerShell')
        d.line('Date:          ', K('TIMESTAMP', c.us()))
        d.line('Event ID:      4104')
        d.line('Task Category: Execute a Remote Command')
        d.line('Computer:      ', ch(['WS-FIN-', 'SRV-APP', 'DC']), str(ri(1, 40)), '.corp.local')
        d.line('Description:')
        d.line('Creating Scriptblock text (1 of 1):')
        pw = sec('PASSWORD')
        d.line('$secpw = ConvertTo-SecureString "', pw, '" -AsPlainText -Force')
        d.line('$cred = New-Object System.Management.Automation.PSCredential ("CORP\\', user_name(), '", $secpw)')
        d.line('Invoke-Command -ComputerName ', ch(['SRV-APP02', 'SQL01', 'FS01']), ' -Credential $cred -ScriptBlock { Restart-Service RelayAgent }')
        d.line('ScriptBlock ID: ', K('UUID', uuid4()))
    elif style == 1:
        d.line('A new process has been created.')
        d.line('')
        d.line('Creator Subject:')
        d.line('\tAccount Name:\t\t', user_name())
        d.line('\tLogon ID:\t\t0x', rs(HEXU, 6))
        d.line('Process Information:')
        d.line('\tNew Process ID:\t\t0x', rs(HEX, 4))
        d.line('\tNew Process Name:\tC:\\Windows\\System32\\net.exe')
        d.line('\tProcess Command Line:\tnet use Z: \\\\', ch(['fs01', 'nas02', 'backup']), '\\', ch(['finance', 'exports', 'scans']), ' /user:CORP\\', user_name(), ' ', sec('PASSWORD'), ' /persistent:yes')
        d.line('Event ID: 4688   Time: ', K('TIMESTAMP', c.iso(1)))
    else:
        d.line('**********************')
        d.line('Windows PowerShell transcript start')
        d.line('Start time: ', K('TIMESTAMP', c.iso(5).replace('-', '').replace(' ', '').replace(':', '')))
        d.line('Username: CORP\\', user_name())
        d.line('PSVersion: ', K('VERSION', '5.1.19041.4170'))
        d.line('**********************')
        d.line('PS C:\\> cmdkey /generic:', ch(['TERMSRV/rds01', 'git:https://dev.azure.com', 'relay-sql']), ' /user:', user_name(), ' /pass:', sec('PASSWORD'))
        d.line('CMDKEY: Credential added successfully.')
        d.line('PS C:\\> $headers = @{ Authorization = "Bearer ', sec(ch(['BEARER_TOKEN', 'JWT'])), '" }')
        d.line('PS C:\\> Invoke-RestMethod -Uri https://eu.api.relaybox.io/v2/exports -Headers $headers')
        d.line('Invoke-RestMethod : {"error":"forbidden","code":"', K('ERROR_CODE', 'E0401'), '"}')
    return d


def sc_log_lookalike():
    """Logs with look-alikes only — nothing to redact."""
    d = Doc('log')
    c = Clock()
    for _ in range(ri(5, 10)):
        c.tick(0.01, 30)
        kind = ri(0, 9)
        t = K('TIMESTAMP', c.iso())
        if kind == 0:
            d.line(t, ' INFO deploy: rolled out relay-worker ', K('VERSION', version()), ' (commit ', K('GIT_SHA', git_sha()), ', build ', K('BUILD_NUMBER', build_no()), ')')
        elif kind == 1:
            d.line(t, ' INFO http: ', ch(['GET', 'POST']), ' ', ch(PATHS), ' ', K('HTTP_STATUS', ch(['200', '201', '304'])), ' in ', K('DURATION', duration()), ' request_id=', K('REQUEST_ID', request_id()))
        elif kind == 2:
            d.line(t, ' DEBUG artifact relay-agent_', K('VERSION', version()), '_linux_amd64.tar.gz sha256=', K('HASH', sha256()))
        elif kind == 3:
            d.line(t, ' WARN snmp: poll ', K('OID', oid()), ' on ', K('PRIVATE_IP', private_ip()), ' timed out after ', K('DURATION', duration()))
        elif kind == 4:
            d.line(t, ' INFO order ', K('ORDER_NUMBER', order_no()), ' synced for tenant ', K('UUID', uuid4()), ' (', K('COMPANY_NAME', company()), ')')
        elif kind == 5:
            d.line(t, ' INFO trace=', K('TRACE_ID', rs(HEX, 32)), ' span=', K('SPAN_ID', rs(HEX, 16)), ' exporter flushed ', str(ri(1, 900)), ' spans')
        elif kind == 6:
            d.line(t, ' ERROR upstream ', K('HOSTNAME', internal_host()), ':', K('PORT', port()), ' refused: ', K('ERROR_CODE', error_code()))
        elif kind == 7:
            d.line(t, ' INFO theme updated primary=', K('HEX_COLOR', hex_color()), ' accent=', K('HEX_COLOR', hex_color()))
        elif kind == 8:
            d.line(t, ' INFO invoice ', K('INVOICE_NUMBER', invoice_no()), ' paid with card ', K('MASKED_CARD', masked_card()), ', sku ', K('PRODUCT_SKU', sku()))
        else:
            d.line(t, ' INFO image pulled ', 'registry.relaybox.io/relay@', K('HASH', 'sha256:' + sha256()), ' ticket ', K('TICKET_NUMBER', ticket_no()))
    return d


def sc_log_mobile():
    d = Doc('log')
    c = Clock()
    if chance(0.6):
        pid = str(ri(1000, 30000))
        for _ in range(ri(2, 4)):
            c.tick(0.001, 1)
            d.line(K('TIMESTAMP', '%02d-%02d %s.%03d' % (c.mo, c.d, c.hms(), c.ms)), '  ', pid, '  ', str(int(pid) + ri(1, 40)), ' D OkHttp  : --> ', ch(['GET', 'POST']), ' https://api.relaybox.io/v2/', ch(['me', 'sync', 'inbox']))
        d.line(K('TIMESTAMP', '%02d-%02d %s.%03d' % (c.mo, c.d, c.hms(), c.ms)), '  ', pid, '  ', str(int(pid) + 3), ' D OkHttp  : Authorization: Bearer ', sec(ch(['JWT', 'BEARER_TOKEN'])))
        d.line(K('TIMESTAMP', '%02d-%02d %s.%03d' % (c.mo, c.d, c.hms(), c.ms)), '  ', pid, '  ', str(int(pid) + 3), ' D OkHttp  : <-- ', K('HTTP_STATUS', ch(['401', '200'])), ' https://api.relaybox.io/v2/me (', K('DURATION', '%dms' % ri(20, 900)), ')')
        if chance(0.5):
            d.line(K('TIMESTAMP', '%02d-%02d %s.%03d' % (c.mo, c.d, c.hms(), c.ms)), '  ', pid, '  ', pid, ' I RelayApp: build ', K('VERSION', version()), ' (', K('BUILD_NUMBER', str(ri(100, 9000))), ') maps key ', sec('GCP_API_KEY'))
    else:
        d.line('Incident Identifier: ', K('UUID', uuid4().upper()))
        d.line('Hardware Model:      iPhone', str(ri(12, 16)), ',', str(ri(1, 5)))
        d.line('Version:             ', K('VERSION', version()), ' (', K('BUILD_NUMBER', str(ri(100, 9000))), ')')
        d.line('Date/Time:           ', K('TIMESTAMP', c.iso(5) + '.%03d +0100' % c.ms))
        d.line('OS Version:          iPhone OS ', K('VERSION', '17.%d.%d' % (ri(0, 5), ri(0, 2))), ' (', K('BUILD_NUMBER', '21E%d' % ri(200, 260)), ')')
        d.line('Exception Type:  EXC_CRASH (SIGABRT)')
        d.line('Last Exception Backtrace:')
        for i in range(ri(3, 6)):
            d.line(str(i), '   ', ch(['CoreFoundation', 'libobjc.A.dylib', 'RelayApp', 'libswiftCore.dylib']), '   \t0x', rs(HEX, 9), ' 0x', rs(HEX, 9), ' + ', str(ri(100, 90000)))
        d.line('Binary Images: 0x', rs(HEX, 9), ' RelayApp arm64 <', K('UUID', rs(HEX, 32)), '>')
    return d


def sc_log_audit():
    d = Doc('json')
    c = Clock()
    p = en_person()
    uname = user_name(p)
    akid = S('AWS_ACCESS_KEY_ID', 'ASIA' + rs(B32, 16))
    d.line('{')
    d.line('  "eventVersion": "1.09",')
    d.line('  "userIdentity": {')
    d.line('    "type": "IAMUser",')
    d.line('    "arn": "arn:aws:iam::', str(ri(10 ** 11, 10 ** 12 - 1)), ':user/', uname, '",')
    d.line('    "accessKeyId": "', akid, '",')
    d.line('    "userName": "', uname, '"')
    d.line('  },')
    d.line('  "eventTime": "', K('TIMESTAMP', c.iso(1)), '",')
    d.line('  "eventSource": "', ch(['s3.amazonaws.com', 'iam.amazonaws.com', 'secretsmanager.amazonaws.com']), '",')
    d.line('  "eventName": "', ch(['GetObject', 'CreateAccessKey', 'GetSecretValue', 'ConsoleLogin']), '",')
    d.line('  "sourceIPAddress": "', S('IP_ADDRESS', customer_ip()), '",')
    d.line('  "userAgent": "', ch(['aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0', 'Boto3/1.34.69 md/Botocore#1.34.69', 'console.amazonaws.com']), '",')
    if chance(0.5):
        d.line('  "responseElements": {"accessKey": {"userName": "', uname, '", "accessKeyId": "', sec('AWS_ACCESS_KEY_ID'), '", "status": "Active", "secretAccessKey": "', sec('AWS_SECRET_ACCESS_KEY'), '"}},')
    else:
        d.line('  "errorCode": "', K('ERROR_CODE', ch(['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch'])), '",')
    d.line('  "requestID": "', K('REQUEST_ID', rs(HEXU, 16)), '",')
    d.line('  "eventID": "', K('UUID', uuid4()), '"')
    d.line('}')
    return d


# ---------------------------------------------------------------------------------------------
# Stack traces
# ---------------------------------------------------------------------------------------------

def sc_trace_python():
    d = Doc('stacktrace')
    style = ri(0, 3)
    d.line('Traceback (most recent call last):')
    if style in (0, 1):
        d.line('  File "/srv/relay/.venv/lib/python3.11/site-packages/requests/models.py", line ', str(ri(900, 1100)), ', in raise_for_status')
        d.line('    raise HTTPError(http_error_msg, response=self)')
    else:
        d.line('  File "/srv/relay/app/', ch(['jobs/export.py', 'storage.py', 'db.py']), '", line ', str(ri(10, 300)), ', in ', ch(['run', 'upload', 'connect']))
    if style == 0:
        key, kind, host = ch([('api_key', 'GENERIC_API_KEY', 'api.partner-gateway.com'), ('access_token', 'BEARER_TOKEN', 'graph.microsoft.com'),
                              ('key', 'GCP_API_KEY', 'maps.googleapis.com'), ('token', 'HUGGINGFACE_TOKEN', 'huggingface.co'),
                              ('hapikey', 'HUBSPOT_PRIVATE_APP_TOKEN', 'api.hubapi.com'), ('private_token', 'GITLAB_PAT', 'gitlab.com')])
        st = ch([('401', 'Unauthorized'), ('403', 'Forbidden')])
        d.line('requests.exceptions.HTTPError: ', K('HTTP_STATUS', st[0]), ' Client Error: ', st[1], ' for url: https://',
               K('HOSTNAME', host), '/', ch(['v1/items', 'api/v4/projects', 'search', 'v1.0/me', 'crm/v3/objects/contacts']), '?', key, '=', sec(kind), '&page=1')
    elif style == 1:
        d.line('requests.exceptions.ConnectionError: HTTPSConnectionPool(host=\'', K('HOSTNAME', internal_host()), '\', port=', K('PORT', '443'), '): Max retries exceeded')
        d.line('')
        d.line('Local variables in frame "sync_contacts" (app/services/crm.py:', str(ri(20, 300)), '):')
        d.line("    self = <CrmClient base_url='https://api.hubapi.com'>")
        d.line("    token = '", sec('HUBSPOT_PRIVATE_APP_TOKEN'), "'")
        d.line("    contact = {'email': '", S('EMAIL', email_for(en_person())), "', 'phone': '", S('PHONE', phone()), "', 'id': ", str(ri(1000, 99999)), '}')
        d.line('    retries = ', str(ri(1, 5)))
    elif style == 2:
        d.line('')
        d.line('During handling of the above exception, another exception occurred:')
        d.line('')
        d.line('Traceback (most recent call last):')
        d.line('  File "/srv/relay/app/db.py", line ', str(ri(10, 90)), ', in connect')
        d.line('    return psycopg2.connect(dsn)')
        d.line('psycopg2.OperationalError: connection to server at "', K('HOSTNAME', internal_host()), '" (', K('PRIVATE_IP', private_ip()), '), port ', K('PORT', '5432'), ' failed: FATAL:  password authentication failed for user "app"')
        d.line('  dsn = ', "'", dsn(scheme=ch(['postgresql', 'postgres'])), "'")
    else:
        d.line('botocore.exceptions.ClientError: An error occurred (', K('ERROR_CODE', ch(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken'])), ') when calling the PutObject operation')
        d.line('  session = boto3.Session(aws_access_key_id="', sec('AWS_ACCESS_KEY_ID'), '", aws_secret_access_key="', sec('AWS_SECRET_ACCESS_KEY'), '")')
    return d


def sc_trace_java():
    d = Doc('stacktrace')
    c = Clock()
    style = ri(0, 2)
    if style == 0:
        d.line('***************************')
        d.line('APPLICATION FAILED TO START')
        d.line('***************************')
        d.line('')
        d.line('Description:')
        d.line('')
        d.line('Failed to bind properties under \'', ch(['spring.datasource', 'app.payment', 'spring.mail']), '\' to ', ch(['javax.sql.DataSource', 'com.acme.relay.PaymentProperties']), ':')
        d.line('')
        prop = ch([('spring.datasource.password', 'DB_PASSWORD'), ('app.payment.stripe-key', 'STRIPE_SECRET_KEY'), ('spring.mail.password', 'SMTP_PASSWORD'),
                   ('app.crm.api-token', 'ZENDESK_API_TOKEN'), ('spring.rabbitmq.password', 'DB_PASSWORD')])
        d.line('    Property: ', prop[0])
        d.line('    Value: "', sec(prop[1]), '"')
        d.line('    Origin: System Environment Property "', prop[0].upper().replace('.', '_').replace('-', ''), '"')
        d.line('    Reason: ', ch(['failed to convert java.lang.String to java.time.Duration', 'must not be blank', 'Unable to acquire JDBC Connection']))
    elif style == 1:
        d.line(K('TIMESTAMP', c.iso(2)), ' ERROR [main] com.zaxxer.hikari.pool.HikariPool - HikariPool-1 - Exception during pool initialization.')
        d.line('org.postgresql.util.PSQLException: FATAL: password authentication failed for user "relay"')
        d.line('\tat org.postgresql.core.v3.ConnectionFactoryImpl.doAuthentication(ConnectionFactoryImpl.java:', str(ri(600, 800)), ')')
        d.line('\tat org.postgresql.Driver.connect(Driver.java:', str(ri(200, 300)), ')')
        d.line('\tat com.acme.relay.db.Pool.<init>(Pool.java:', str(ri(20, 90)), ')')
        d.line('Caused by: jdbcUrl=jdbc:postgresql://', K('HOSTNAME', internal_host()), ':', K('PORT', '5432'), '/relay?user=relay&password=', sec('DB_PASSWORD'), '&ssl=true')
    else:
        d.line('Exception in thread "main" javax.mail.AuthenticationFailedException: 535 5.7.3 Authentication unsuccessful [', rs(ANU, 16), '.eurprd0', str(ri(1, 9)), '.prod.outlook.com]')
        d.line('\tat com.sun.mail.smtp.SMTPTransport$Authenticator.authenticate(SMTPTransport.java:', str(ri(900, 990)), ')')
        d.line('\tat com.acme.relay.Notifier.send(Notifier.java:', str(ri(30, 200)), ')')
        d.line('DEBUG SMTP: AUTH LOGIN command trace suppressed')
        d.line('DEBUG SMTP: mail.smtp.user=', S('EMAIL', email_for(en_person(), corp=True)), ', mail.smtp.password=', sec('SMTP_PASSWORD'))
    return d


def prov_host(prov):
    return prov.host or 'api.' + re.sub(r'[^a-z0-9]', '', prov.desc.split()[0].lower()) + '.com'


NOT_HEADER = {'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AZURE_STORAGE_ACCOUNT_KEY', 'ALIBABA_ACCESS_KEY_SECRET',
              'ALIBABA_ACCESS_KEY_ID', 'AKAMAI_CLIENT_SECRET', 'AKAMAI_ACCESS_TOKEN', 'PLANETSCALE_PASSWORD', 'NEON_PASSWORD', 'AIVEN_PASSWORD',
              'SLACK_WEBHOOK_URL', 'DISCORD_WEBHOOK_URL', 'TEAMS_WEBHOOK_URL', 'STRIPE_WEBHOOK_SECRET', 'AGE_SECRET_KEY', 'GITLAB_RUNNER_TOKEN',
              'GITLAB_FEED_TOKEN', 'BITBUCKET_APP_PASSWORD', 'GCP_OAUTH_CLIENT_SECRET', 'AZURE_CLIENT_SECRET', 'SHOPIFY_SHARED_SECRET',
              'SQUARE_OAUTH_SECRET', 'PAYPAL_CLIENT_SECRET', 'AUTH0_CLIENT_SECRET', 'TWITCH_CLIENT_SECRET', 'MAILJET_SECRET_KEY',
              'TWILIO_AUTH_TOKEN', 'TWILIO_API_SECRET', 'VONAGE_API_SECRET', 'PLIVO_AUTH_TOKEN', 'RAZORPAY_KEY_SECRET', 'COINBASE_API_SECRET',
              'GITHUB_REFRESH_TOKEN', 'TAILSCALE_AUTH_KEY', 'NGROK_AUTHTOKEN', 'BUILDKITE_AGENT_TOKEN', 'LAUNCHDARKLY_SDK_KEY',
              'CONFIGCAT_SDK_KEY', 'FLAGSMITH_SERVER_KEY', 'STATSIG_SERVER_SECRET', 'MONGODB_ATLAS_PRIVATE_KEY', 'FIREBASE_FCM_SERVER_KEY',
              'CLOJARS_TOKEN', 'JENKINS_API_TOKEN', 'FAUNA_SECRET', 'ONEPASSWORD_SERVICE_ACCOUNT_TOKEN', 'UNLEASH_API_TOKEN'}


def header_prov():
    return next_prov(lambda p: p.kind not in NOT_HEADER)


def sc_trace_node():
    d = Doc('stacktrace')
    prov = header_prov()
    m = S(prov.kind, prov.gen())
    d.line('AxiosError: Request failed with status code ', K('HTTP_STATUS', ch(['401', '403', '429'])))
    d.line('    at settle (/app/node_modules/axios/dist/node/axios.cjs:', str(ri(1900, 2000)), ':12)')
    d.line('    at IncomingMessage.handleStreamEnd (/app/node_modules/axios/dist/node/axios.cjs:', str(ri(3000, 3200)), ':11)')
    d.line('  config: {')
    d.line("    url: 'https://", prov_host(prov), "/v1/", ch(['messages', 'charges', 'events']), "',")
    d.line("    method: 'post',")
    d.line('    headers: Object [AxiosHeaders] {')
    d.line("      Accept: 'application/json, text/plain, */*',")
    d.line("      'Content-Type': 'application/json',")
    hk = ch(["Authorization: 'Bearer ", "'X-Api-Key': '", "Authorization: 'Token ", "'api-key': '"])
    d.line('      ', hk, m, "',")
    d.line("      'User-Agent': 'axios/", K('VERSION', '1.%d.%d' % (ri(4, 7), ri(0, 9))), "'")
    d.line('    },')
    if chance(0.5):
        p = en_person()
        d.line("    data: '{\"to\":\"", S('EMAIL', email_for(p)), "\",\"name\":\"", S('PERSON_NAME', p.full), "\"}'")
    d.line('  },')
    d.line("  code: '", K('ERROR_CODE', 'ERR_BAD_REQUEST'), "'")
    d.line('}')
    d.line('')
    d.line('Node.js ', K('VERSION', 'v%d.%d.%d' % (ch([18, 20, 22]), ri(0, 15), ri(0, 9))))
    return d


def sc_trace_misc():
    d = Doc('stacktrace')
    style = ri(0, 4)
    if style == 0:
        pw = S('DB_PASSWORD', gen_pw(ch([0, 3]))[:15])
        d.line('PHP Fatal error:  Uncaught PDOException: SQLSTATE[HY000] [1045] Access denied for user \'root\'@\'', K('PRIVATE_IP', private_ip()), '\' (using password: YES) in /var/www/html/lib/Db.php:', str(ri(10, 60)))
        d.line('Stack trace:')
        d.line("#0 /var/www/html/lib/Db.php(", str(ri(10, 60)), "): PDO->__construct('mysql:host=db;d...', 'root', '", pw, "')")
        d.line('#1 /var/www/html/index.php(', str(ri(3, 30)), '): Db::connect()')
        d.line('#2 {main}')
        d.line('  thrown in /var/www/html/lib/Db.php on line ', str(ri(10, 60)))
    elif style == 1:
        d.line('Unhandled exception. System.ArgumentException: Keyword not supported: \'trustservercertificate \'.')
        d.line('   at Microsoft.Data.SqlClient.SqlConnectionStringBuilder.GetIndex(String keyword)')
        d.line('   at Relay.Data.DbFactory.Create() in /src/Relay.Data/DbFactory.cs:line ', str(ri(20, 90)))
        d.line('ConnectionString: Server=tcp:', K('HOSTNAME', ch(['relay.database.windows.net', 'sqlsrv01.corp.local'])), ',', K('PORT', '1433'), ';Initial Catalog=relay;User ID=relay_app;Password=', sec('DB_PASSWORD'),
               ';Encrypt=True;TrustServerCertificate =False;Connection Timeout=30;')
    elif style == 2:
        d.line('panic: failed to connect: dial tcp ', K('PRIVATE_IP', private_ip()), ':', K('PORT', port()), ': connect: connection refused')
        d.line('')
        d.line('goroutine 1 [running]:')
        d.line('main.mustConnect(0xc000', rs(HEX, 6), ')')
        d.line('\t/build/cmd/worker/main.go:', str(ri(30, 200)), ' +0x', rs(HEX, 3))
        d.line('cfg=&config.DB{Host:"', K('HOSTNAME', internal_host()), '", User:"relay", Password:"', sec('DB_PASSWORD'), '", SSLMode:"require", MaxConns:', str(ri(4, 40)), '}')
        d.line('exit status 2')
    elif style == 3:
        d.line('Error: error returned from database: password authentication failed for user "relay"')
        d.line('')
        d.line('Caused by:')
        d.line('    password authentication failed for user "relay"')
        d.line('')
        d.line('Location:')
        d.line('    src/db.rs:', str(ri(10, 90)), ':', str(ri(5, 30)))
        d.line('DATABASE_URL was ', dsn(scheme='postgres'))
    else:
        p = en_person()
        d.line('Started POST "/users/sign_in" for ', S('IP_ADDRESS', customer_ip()), ' at ', K('TIMESTAMP', Clock().iso(5) + ' +0000'))
        d.line('Processing by Users::SessionsController#create as HTML')
        d.line('  Parameters: {"authenticity_token"=>"[FILTERED]", "user"=>{"email"=>"', S('EMAIL', email_for(p)), '", "password"=>"', K('PLACEHOLDER', '[FILTERED]'),
               '"}, "otp_attempt"=>"', sec('OTP_CODE'), '", "api_token"=>"', sec('GENERIC_API_KEY'), '"}')
        d.line('Completed ', K('HTTP_STATUS', '401'), ' Unauthorized in ', K('DURATION', '%dms' % ri(5, 400)), ' (ActiveRecord: ', K('DURATION', '%.1fms' % R.uniform(0.1, 20)), ')')
    return d


# ---------------------------------------------------------------------------------------------
# Configuration files
# ---------------------------------------------------------------------------------------------

PLACEHOLDERS = ['changeme', '<your-token>', '<your-api-key-here>', 'YOUR_API_KEY', 'xxxxxxxxxxxxxxxx', 'REPLACE_ME', 'TODO', '${DB_PASSWORD}',
                '{{ .Values.apiKey }}', '${{ secrets.API_TOKEN }}', '<redacted>', '********', '%API_KEY%', '$(cat /run/secrets/api_key)',
                'op://Production/Relay/api-key', 'vault:secret/data/relay#token', 'sk_live_xxxxxxxxxxxxxxxxxxxxxxxx', 'ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX',
                'your-password-here', '<PASSWORD>', 'dummy', '{{api_key}}', 'ENTER_KEY_HERE', 'REDACTED', '[FILTERED]', 'secretref:relay-api-key',
                'arn:aws:secretsmanager:eu-west-1:123456789012:secret:relay/api-AbCdEf', '!secret relay_api_key', '<set in vault>', 'xxxx-xxxx-xxxx']


def placeholder():
    return K('PLACEHOLDER', ch(PLACEHOLDERS))


def config_entries(n_secret, syntax):
    """A shuffled list of (NAME, value) with n_secret provider/generic secrets and some noise."""
    out = []
    for _ in range(n_secret):
        r = R.random()
        if r < 0.75:
            prov = next_prov()
            out.append((ch(prov.names), S(prov.kind, prov.gen())))
        elif r < 0.8:
            kind = ch(['PASSWORD', 'DB_PASSWORD', 'GENERIC_API_KEY', 'JWT_SIGNING_SECRET', 'APP_SECRET_KEY', 'ENCRYPTION_KEY', 'WEBHOOK_SIGNING_SECRET',
                       'SMTP_PASSWORD', 'OAUTH_CLIENT_SECRET', 'LDAP_BIND_PASSWORD', 'KEYSTORE_PASSWORD', 'LICENSE_KEY'])
            name = {'PASSWORD': ['ADMIN_PASSWORD', 'APP_PASSWORD', 'BASIC_AUTH_PASSWORD'], 'DB_PASSWORD': ['DB_PASSWORD', 'POSTGRES_PASSWORD', 'MYSQL_ROOT_PASSWORD', 'MONGO_INITDB_ROOT_PASSWORD'],
                    'GENERIC_API_KEY': ['API_KEY', 'PARTNER_API_KEY', 'RELAY_API_KEY', 'INTERNAL_API_TOKEN'], 'JWT_SIGNING_SECRET': ['JWT_SECRET', 'NEXTAUTH_SECRET', 'AUTH_SECRET'],
                    'APP_SECRET_KEY': ['SECRET_KEY', 'APP_KEY', 'SECRET_KEY_BASE', 'DJANGO_SECRET_KEY'], 'ENCRYPTION_KEY': ['ENCRYPTION_KEY', 'FIELD_ENCRYPTION_KEY', 'MASTER_KEY'],
                    'WEBHOOK_SIGNING_SECRET': ['WEBHOOK_SECRET', 'SIGNING_SECRET'], 'SMTP_PASSWORD': ['SMTP_PASSWORD', 'MAIL_PASSWORD', 'EMAIL_HOST_PASSWORD'],
                    'OAUTH_CLIENT_SECRET': ['OAUTH_CLIENT_SECRET', 'OIDC_CLIENT_SECRET', 'KEYCLOAK_CLIENT_SECRET'], 'LDAP_BIND_PASSWORD': ['LDAP_BIND_PASSWORD', 'AD_BIND_PW'],
                    'KEYSTORE_PASSWORD': ['KEYSTORE_PASSWORD', 'TRUSTSTORE_PASSWORD'], 'LICENSE_KEY': ['LICENSE_KEY', 'RELAY_LICENSE_KEY']}[kind]
            out.append((ch(name), sec(kind)))
        else:
            nm_, schemes = ch([('DATABASE_URL', ['postgresql', 'postgres', 'mysql', 'mariadb', 'cockroachdb', 'mssql']), ('REDIS_URL', ['redis', 'rediss']),
                               ('AMQP_URL', ['amqp', 'amqps']), ('MONGO_URI', ['mongodb', 'mongodb+srv']), ('CELERY_BROKER_URL', ['redis', 'amqp']),
                               ('SMTP_URL', ['smtp']), ('SFTP_URL', ['sftp']), ('CLICKHOUSE_URL', ['clickhouse']), ('NATS_URL', ['nats'])])
            out.append((nm_, dsn(scheme=ch(schemes))))
    noise = noise_pairs()
    for nm_, v in R.sample(noise, ri(2, 5)):
        out.append((nm_, v))
    if chance(0.35):
        out.append((ch(['SENTRY_DSN_TEST', 'LEGACY_API_KEY', 'OLD_TOKEN', 'STAGING_API_KEY', 'ANALYTICS_KEY']), placeholder()))
    R.shuffle(out)
    return out


def sc_env_file():
    d = Doc('env')
    syntax = ch(['env', 'env', 'env', 'export', 'ps', 'docker', 'systemd', 'cmd', 'fish'])
    fname = {'env': ch(['.env', '.env.production', '.env.local', 'relay.env', 'config/.env']), 'export': ch(['~/.bashrc', '~/.zshrc', 'deploy/env.sh', '/etc/profile.d/relay.sh']),
             'ps': ch(['setenv.ps1', '$PROFILE', 'deploy\\env.ps1']), 'docker': 'Dockerfile', 'systemd': '/etc/systemd/system/relay-worker.service.d/override.conf',
             'cmd': 'run-relay.bat', 'fish': '~/.config/fish/config.fish'}[syntax]
    intro = ch([['here is our ', fname, ' (prod):\n\n'], ['Contents of ', fname, ':\n'], ['$ cat ', fname, '\n'], ['```\n# ', fname, '\n'], ['', '']])
    d.add(intro)
    if syntax == 'docker':
        d.line('FROM ', ch(['node:20-alpine', 'python:3.12-slim', 'eclipse-temurin:21-jre', 'golang:1.22 AS build']))
        d.line('WORKDIR /app')
    if syntax == 'systemd':
        d.line('[Service]')
    if syntax == 'cmd':
        d.line('@echo off')
    entries = config_entries(ri(2, 4), syntax)
    for NAME, val in entries:
        if chance(0.15):
            d.line(ch(['# ', '# ', 'REM ' if syntax == 'cmd' else '# ']), ch(['prod', 'do not commit', 'rotated ' + Clock().date(), 'TODO move to vault', 'used by the worker', 'from the dashboard']))
        d.line(kv(syntax, NAME if syntax != 'docker' or True else NAME, val))
    if syntax == 'docker':
        d.line('COPY . .')
        d.line('CMD ["', ch(['node', 'python', 'java']), '", "', ch(['server.js', 'main.py', '-jar', 'app.jar']), '"]')
    if syntax == 'cmd':
        d.line('relay-agent.exe --config C:\\ProgramData\\Relaybox\\config.json')
    if V(intro).startswith('```'):
        d.line('```')
    return d


def sc_env_example():
    """A template with placeholders only, sometimes with one real value left in."""
    d = Doc('env')
    d.line('# ', ch(['.env.example', '.env.sample', 'env.template']), ' \u2014 copy to .env and fill in')
    names = R.sample([p for p in PROVIDERS], ri(3, 6))
    leak = ri(-3, len(names) - 1)
    for i, prov in enumerate(names):
        NAME = ch(prov.names)
        if i == leak:
            d.line('# TODO remove before merge')
            d.line(NAME, '=', S(prov.kind, prov.gen()))
        else:
            d.line(NAME, '=', placeholder() if chance(0.85) else '')
    d.line('DATABASE_URL=postgres://postgres:', K('PLACEHOLDER', ch(['postgres', 'password', 'changeme'])), '@', K('HOSTNAME', 'localhost'), ':', K('PORT', '5432'), '/relay_dev')
    d.line('PORT=', K('PORT', ch(['3000', '8080', '8000'])))
    return d


def yaml_doc(d, kind):
    """Several realistic YAML files."""
    if kind == 'compose':
        d.line('services:')
        d.line('  api:')
        d.line('    image: registry.relaybox.io/relay-api:', K('VERSION', version()))
        d.line('    ports:')
        pp = K('PORT', ch(['8080', '3000']))
        d.line('      - "', pp, ':', K('PORT', pp.value), '"')
        d.line('    environment:')
        as_list = chance(0.5)
        for NAME, val in config_entries(ri(2, 3), 'yaml'):
            if not as_list:
                d.line('      ', NAME, ': ', yv(val) if isinstance(val, (S, K)) else ['"', val, '"'])
            else:
                d.line('      - ', NAME, '=', val)
        d.line('  db:')
        d.line('    image: postgres:', K('VERSION', ch(['16.2', '15.6', '14.11'])))
        d.line('    environment:')
        d.line('      POSTGRES_USER: relay')
        d.line('      POSTGRES_PASSWORD: ', sec('DB_PASSWORD'))
    elif kind == 'deployment':
        d.line('apiVersion: apps/v1')
        d.line('kind: Deployment')
        d.line('metadata:')
        d.line('  name: relay-worker')
        d.line('spec:')
        d.line('  template:')
        d.line('    spec:')
        d.line('      containers:')
        d.line('        - name: worker')
        d.line('          image: registry.relaybox.io/worker@', K('HASH', 'sha256:' + sha256()))
        d.line('          env:')
        for NAME, val in config_entries(ri(2, 3), 'yaml'):
            d.line('            - name: ', NAME)
            d.line('              value: ', quoted(ch(['"', "'", '']), val))
        d.line('            - name: DB_PASSWORD')
        d.line('              valueFrom:')
        d.line('                secretKeyRef: {name: relay-db, key: password}')
    elif kind == 'helm':
        d.line('# values-prod.yaml')
        d.line('replicaCount: ', str(ri(2, 6)))
        d.line('image:')
        d.line('  tag: "', K('VERSION', version()), '"')
        d.line('postgresql:')
        d.line('  auth:')
        d.line('    username: relay')
        d.line('    password: ', sec('DB_PASSWORD'))
        d.line('    postgresPassword: ', sec('DB_PASSWORD'))
        prov = next_prov()
        d.line('relay:')
        d.line('  ', nm('camel', ch(prov.names)), ': ', S(prov.kind, prov.gen()))
        d.line('  smtp:')
        d.line('    host: ', K('HOSTNAME', 'smtp.mailgun.org'))
        d.line('    password: ', quoted('"', sec('SMTP_PASSWORD')))
        d.line('ingress:')
        d.line('  annotations:')
        d.line('    nginx.ingress.kubernetes.io/auth-secret: basic-auth')
    elif kind == 'spring':
        d.line('spring:')
        d.line('  datasource:')
        d.line('    url: jdbc:mysql://', K('HOSTNAME', internal_host()), ':', K('PORT', '3306'), '/orders?useSSL=true')
        d.line('    username: orders_rw')
        d.line('    password: ', sec('DB_PASSWORD'))
        d.line('  security:')
        d.line('    oauth2:')
        d.line('      client:')
        d.line('        registration:')
        d.line('          azure:')
        d.line('            client-id: ', uuid4())
        d.line('            client-secret: ', sec('AZURE_CLIENT_SECRET'))
        d.line('server:')
        d.line('  port: ', K('PORT', '8443'))
        d.line('  ssl:')
        d.line('    key-store: classpath:keystore.p12')
        d.line('    key-store-password: ', sec('KEYSTORE_PASSWORD'))
    elif kind == 'ansible':
        d.line('# group_vars/', ch(['prod', 'dbservers', 'all']), '/vars.yml')
        d.line('ansible_user: ', user_name())
        d.line('ansible_password: ', quoted(ch(['', '"']), sec('PASSWORD')))
        d.line('ansible_become_pass: ', quoted(ch(['', "'"]), sec('PASSWORD')))
        d.line('mysql_root_password: ', sec('DB_PASSWORD'))
        d.line('relay_api_token: ', sec('GENERIC_API_KEY'))
        d.line('ntp_servers: [', K('PRIVATE_IP', private_ip()), ', ', K('PRIVATE_IP', private_ip()), ']')
    elif kind == 'alertmanager':
        d.line('global:')
        d.line('  resolve_timeout: ', K('DURATION', '5m'))
        d.line('  smtp_smarthost: ', K('HOSTNAME', 'smtp.office365.com'), ':', K('PORT', '587'))
        d.line('  smtp_auth_username: alerts')
        d.line('  smtp_auth_password: ', sec('SMTP_PASSWORD'))
        d.line('  slack_api_url: ', sec('SLACK_WEBHOOK_URL'))
        d.line('receivers:')
        d.line('  - name: oncall')
        d.line('    pagerduty_configs:')
        d.line('      - routing_key: ', S('PAGERDUTY_API_KEY', rs(HEX, 32)) if False else sec('PAGERDUTY_API_KEY'))
        d.line('    webhook_configs:')
        d.line('      - url: ', sec('DISCORD_WEBHOOK_URL'))
    elif kind == 'homeassistant':
        d.line('# secrets.yaml')
        d.line('wifi_ssid: ', ch(['Vodafone-', 'FRITZ!Box 7590 ', 'Livebox-', 'TP-Link_']), rs(ANU, 4))
        d.line('wifi_password: ', quoted(ch(['', '"']), sec('WIFI_PSK')))
        d.line('mqtt_password: ', sec('PASSWORD'))
        d.line('api_encryption_key: "', sec('ENCRYPTION_KEY'), '"')
        d.line('ota_password: ', sec('PASSWORD'))
        d.line('latitude: ', '%.4f' % R.uniform(40, 60))
    elif kind == 'serverless':
        d.line('service: relay-ingest')
        d.line('provider:')
        d.line('  name: aws')
        d.line('  runtime: nodejs20.x')
        d.line('  environment:')
        for NAME, val in config_entries(ri(2, 3), 'yaml'):
            d.line('    ', NAME, ': ', quoted(ch(['', "'"]), val))
        d.line('    STAGE: ${sls:stage}')
    else:  # github actions workflow
        d.line('name: deploy')
        d.line('on: [push]')
        d.line('jobs:')
        d.line('  deploy:')
        d.line('    runs-on: ubuntu-', K('VERSION', ch(['22.04', '24.04'])))
        d.line('    env:')
        d.line('      NPM_TOKEN: ', K('PLACEHOLDER', '${{ secrets.NPM_TOKEN }}'))
        prov = next_prov()
        d.line('      ', ch(prov.names), ': ', S(prov.kind, prov.gen()), '   # TODO move to secrets')
        d.line('    steps:')
        d.line('      - uses: actions/checkout@', K('GIT_SHA', git_sha(40)), ' # v4')
        d.line('      - run: echo "', sec('DOCKERHUB_PAT'), '" | docker login -u relaybot --password-stdin')


def sc_yaml():
    d = Doc('yaml')
    kind = ch(['compose', 'deployment', 'helm', 'spring', 'ansible', 'alertmanager', 'homeassistant', 'serverless', 'gha'])
    if chance(0.4):
        d.line(ch(['Our config (values redacted where I remembered):', 'This is the file that is deployed:', 'Relevant part of the yaml:']))
        d.line('```yaml')
        yaml_doc(d, kind)
        d.line('```')
    else:
        yaml_doc(d, kind)
    return d


def sc_json_config():
    d = Doc('json')
    kind = ri(0, 6)
    if kind == 0:
        d.line('{')
        d.line('  "Logging": { "LogLevel": { "Default": "Information" } },')
        d.line('  "ConnectionStrings": {')
        d.line('    "Default": "Server=', K('HOSTNAME', ch(['sqlsrv01.corp.local', 'relay.database.windows.net'])), ';Database=Relay;User Id=relay;Password=', sec('DB_PASSWORD'), ';TrustServerCertificate=True",')
        d.line('    "Storage": "DefaultEndpointsProtocol=https;AccountName=relay', rs(ANL, 6), ';AccountKey=', sec('AZURE_STORAGE_ACCOUNT_KEY'), ';EndpointSuffix=core.windows.net"')
        d.line('  },')
        prov = next_prov()
        d.line('  "', nm('pascal', ch(prov.names)), '": "', S(prov.kind, prov.gen()), '",')
        d.line('  "AllowedHosts": "*"')
        d.line('}')
    elif kind == 1:
        d.line('{')
        d.line('  "IsEncrypted": false,')
        d.line('  "Values": {')
        d.line('    "AzureWebJobsStorage": "UseDevelopmentStorage=true",')
        d.line('    "FUNCTIONS_WORKER_RUNTIME": "dotnet-isolated",')
        ents = config_entries(ri(2, 3), 'json')
        for i, (NAME, val) in enumerate(ents):
            d.line('    "', NAME, '": "', val, '"', ',' if i < len(ents) - 1 else '')
        d.line('  }')
        d.line('}')
    elif kind == 2:
        d.line('{')
        d.line('  "http-basic": {')
        d.line('    "repo.packagist.com": { "username": "token", "password": "', sec('GENERIC_API_KEY'), '" }')
        d.line('  },')
        d.line('  "github-oauth": { "github.com": "', sec(ch(['GITHUB_PAT', 'GITHUB_OAUTH_TOKEN'])), '" },')
        d.line('  "gitlab-token": { "gitlab.com": "', sec('GITLAB_PAT'), '" }')
        d.line('}')
    elif kind == 3:
        d.line('// .vscode/settings.json')
        d.line('{')
        d.line('  "editor.formatOnSave": true,')
        d.line('  "workbench.colorCustomizations": { "titleBar.activeBackground": "', K('HEX_COLOR', hex_color()), '" },')
        d.line('  "sqltools.connections": [')
        d.line('    { "name": "prod-ro", "driver": "PostgreSQL", "server": "', K('HOSTNAME', internal_host()), '", "port": ', K('PORT', '5432'), ', "username": "readonly", "password": "', sec('DB_PASSWORD'), '" }')
        d.line('  ],')
        d.line('  "rest-client.environmentVariables": { "prod": { "token": "', sec(ch(['BEARER_TOKEN', 'JWT', 'GENERIC_API_KEY'])), '" } }')
        d.line('}')
    elif kind == 4:
        d.line('{')
        d.line('  "name": "relay-web",')
        d.line('  "version": "', K('VERSION', version()), '",')
        d.line('  "scripts": {')
        d.line('    "dev": "next dev -p ', K('PORT', '3000'), '",')
        prov = header_prov()
        d.line('    "seed": "', ch(prov.names), '=', S(prov.kind, prov.gen()), ' node scripts/seed.js",')
        d.line('    "deploy": "vercel --prod --token ', sec('VERCEL_TOKEN'), '"')
        d.line('  }')
        d.line('}')
    elif kind == 5:
        d.line('{')
        d.line('  "type": "service_account",')
        d.line('  "project_id": "relay-prod-', rs(DG, 6), '",')
        d.line('  "private_key_id": "', rs(HEX, 40), '",')
        body = key_body('PRIVATE_KEY_PKCS8')[2]
        b = b64body(body[0] if body[1] > 1000 else 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ', 1624)
        keytxt = '-----BEGIN PRIVATE KEY-----\\n' + '\\n'.join(lines_of(b, 64)) + '\\n-----END PRIVATE KEY-----'
        d.line('  "private_key": "', S('PRIVATE_KEY_PKCS8', keytxt), '\\n",')
        d.line('  "client_email": "relay-sync@relay-prod-', rs(DG, 6), '.iam.gserviceaccount.com",')
        d.line('  "client_id": "', str(ri(10 ** 20, 10 ** 21)), '",')
        d.line('  "token_uri": "https://oauth2.googleapis.com/token"')
        d.line('}')
    else:
        d.line('{')
        d.line('  "terraform_version": "', K('VERSION', '1.%d.%d' % (ri(5, 9), ri(0, 5))), '",')
        d.line('  "serial": ', str(ri(1, 400)), ',')
        d.line('  "lineage": "', K('UUID', uuid4()), '",')
        d.line('  "resources": [{')
        d.line('    "type": "aws_db_instance", "name": "relay",')
        d.line('    "instances": [{ "attributes": {')
        d.line('      "address": "', K('HOSTNAME', 'relay-prod.c9akciq32.eu-west-1.rds.amazonaws.com'), '",')
        d.line('      "password": "', sec('DB_PASSWORD'), '",')
        d.line('      "port": ', K('PORT', '5432'), ',')
        d.line('      "username": "relay"')
        d.line('    }, "sensitive_attributes": [[{"type": "get_attr", "value": "password"}]] }]')
        d.line('  }]')
        d.line('}')
    return d


def sc_toml():
    d = Doc('toml')
    kind = ri(0, 4)
    if kind == 0:
        d.line('# ~/.cargo/credentials.toml')
        d.line('[registry]')
        d.line('token = "', sec('CRATES_IO_TOKEN'), '"')
        d.line('')
        d.line('[registries.relay-internal]')
        d.line('token = "Bearer ', sec('ARTIFACTORY_ACCESS_TOKEN'), '"')
    elif kind == 1:
        d.line('# .streamlit/secrets.toml')
        d.line('[connections.snowflake]')
        d.line('account = "', rs(LO, 7), '-', rs(LO, 7), '"')
        d.line('user = "ANALYTICS_SVC"')
        d.line('password = "', sec('DB_PASSWORD'), '"')
        d.line('warehouse = "COMPUTE_WH"')
        d.line('')
        prov = next_prov()
        d.line('[api]')
        d.line(nm('snake', ch(prov.names)), ' = "', S(prov.kind, prov.gen()), '"')
    elif kind == 2:
        d.line('# netlify.toml')
        d.line('[build]')
        d.line('  command = "npm run build"')
        d.line('  publish = "dist"')
        d.line('[build.environment]')
        d.line('  NODE_VERSION = "', K('VERSION', ch(['20.11.1', '18.19.0'])), '"')
        for NAME, val in config_entries(ri(1, 3), 'toml'):
            d.line('  ', NAME, ' = "', val, '"')
    elif kind == 3:
        d.line('# ~/.config/pypoetry/auth.toml')
        d.line('[http-basic.relay-private]')
        d.line('username = "__token__"')
        d.line('password = "', sec('PYPI_TOKEN'), '"')
        d.line('[http-basic.gemfury]')
        d.line('username = "', sec('GENERIC_API_KEY'), '"')
        d.line('password = ""')
    else:
        d.line('# relay-agent.toml')
        d.line('[server]')
        d.line('url = "https://eu.api.relaybox.io"')
        d.line('token = "', sec('GENERIC_API_KEY'), '"')
        d.line('timeout = "', K('DURATION', '30s'), '"')
        d.line('')
        d.line('[database]')
        d.line('url = "', dsn(), '"')
        d.line('')
        d.line('[tls]')
        d.line('cert = "', K('FILE_PATH', '/etc/relay/tls/agent.crt'), '"')
        d.line('key_password = "', sec('CLIENT_CERT_PASSWORD'), '"')
    return d


def sc_ini():
    d = Doc('ini')
    kind = ri(0, 8)
    if kind == 0:
        d.line('# ~/.pypirc')
        d.line('[distutils]')
        d.line('index-servers =')
        d.line('    pypi')
        d.line('    nexus')
        d.line('')
        d.line('[pypi]')
        d.line('username = __token__')
        d.line('password = ', sec('PYPI_TOKEN'))
        d.line('')
        d.line('[nexus]')
        d.line('repository = https://', K('HOSTNAME', 'nexus.internal'), '/repository/pypi-internal/')
        d.line('username = deploy')
        d.line('password = ', sec('PASSWORD'))
    elif kind == 1:
        d.line('# rclone.conf')
        d.line('[s3-backup]')
        d.line('type = s3')
        d.line('provider = AWS')
        d.line('access_key_id = ', sec('AWS_ACCESS_KEY_ID'))
        d.line('secret_access_key = ', sec('AWS_SECRET_ACCESS_KEY'))
        d.line('region = eu-central-1')
        d.line('')
        d.line('[b2]')
        d.line('type = b2')
        d.line('account = ', rs(HEX, 12))
        d.line('key = K00', rs(B64, 28))
    elif kind == 2:
        d.line('# /etc/odbc.ini')
        d.line('[RelayDW]')
        d.line('Driver = /opt/microsoft/msodbcsql18/lib64/libmsodbcsql-18.3.so.2.1')
        d.line('Server = ', K('HOSTNAME', 'sqlsrv01.corp.local'), ',', K('PORT', '1433'))
        d.line('Database = dw')
        d.line('UID = etl_user')
        d.line('PWD = ', sec('DB_PASSWORD'))
    elif kind == 3:
        d.line('# ~/.my.cnf')
        d.line('[client]')
        d.line('user=root')
        d.line('password="', sec('DB_PASSWORD'), '"')
        d.line('host=', K('PRIVATE_IP', private_ip()))
        d.line('[mysqldump]')
        d.line('password=', sec('DB_PASSWORD'))
    elif kind == 4:
        d.line('# ~/.s3cfg')
        d.line('[default]')
        d.line('access_key = ', sec('AWS_ACCESS_KEY_ID'))
        d.line('secret_key = ', sec('AWS_SECRET_ACCESS_KEY'))
        d.line('host_base = s3.eu-west-1.amazonaws.com')
        d.line('gpg_passphrase = ', sec('PASSWORD'))
        d.line('use_https = True')
    elif kind == 5:
        d.line('# grafana.ini')
        d.line('[server]')
        d.line('http_port = ', K('PORT', '3000'))
        d.line('[security]')
        d.line('admin_user = admin')
        d.line('admin_password = ', sec('PASSWORD'))
        d.line('secret_key = ', sec('APP_SECRET_KEY'))
        d.line('[smtp]')
        d.line('enabled = true')
        d.line('host = ', K('HOSTNAME', 'smtp.sendgrid.net'), ':', K('PORT', '587'))
        d.line('user = apikey')
        d.line('password = ', sec('SENDGRID_API_KEY'))
    elif kind == 6:
        d.line('# .git/config')
        d.line('[core]')
        d.line('\trepositoryformatversion = 0')
        d.line('[remote "origin"]')
        tk = ch(['GITHUB_PAT', 'GITLAB_PAT', 'GITHUB_FINE_GRAINED_PAT', 'BITBUCKET_APP_PASSWORD', 'AZURE_DEVOPS_PAT'])
        host = {'GITHUB_PAT': 'github.com', 'GITHUB_FINE_GRAINED_PAT': 'github.com', 'GITLAB_PAT': 'gitlab.com', 'BITBUCKET_APP_PASSWORD': 'bitbucket.org', 'AZURE_DEVOPS_PAT': 'dev.azure.com'}[tk]
        d.line('\turl = https://', ch(['x-access-token', 'oauth2', user_name(), 'relay-bot']), ':', sec(tk), '@', host, '/acme/relay-connectors.git')
        d.line('\tfetch = +refs/heads/*:refs/remotes/origin/*')
        d.line('[branch "main"]')
        d.line('\tremote = origin')
    elif kind == 7:
        d.line('# /etc/wpa_supplicant/wpa_supplicant.conf')
        d.line('ctrl_interface=DIR=/var/run/wpa_supplicant GROUP=netdev')
        d.line('country=', ch(['DE', 'GB', 'FR', 'NL']))
        d.line('network={')
        d.line('    ssid="', ch(['Warehouse-IoT', 'Kasse-WLAN', 'Atelier', 'Office-5G']), '"')
        d.line('    psk="', sec('WIFI_PSK'), '"')
        d.line('    key_mgmt=WPA-PSK')
        d.line('}')
    else:
        d.line('# /etc/samba/creds/finance (used by fstab cifs mount)')
        d.line('username=', user_name())
        d.line('password=', sec('PASSWORD'))
        d.line('domain=CORP')
    return d


def sc_xml():
    d = Doc('xml')
    kind = ri(0, 8)
    if kind == 0:
        d.line('<settings xmlns="http://maven.apache.org/SETTINGS/1.2.0">')
        d.line('  <servers>')
        d.line('    <server>')
        d.line('      <id>relay-releases</id>')
        d.line('      <username>deployer</username>')
        d.line('      <password>', sec('PASSWORD'), '</password>')
        d.line('    </server>')
        d.line('    <server>')
        d.line('      <id>ossrh</id>')
        d.line('      <username>', rs(ANL, 8), '</username>')
        d.line('      <password>', sec('GENERIC_API_KEY'), '</password>')
        d.line('    </server>')
        d.line('  </servers>')
        d.line('</settings>')
    elif kind == 1:
        d.line('<configuration>')
        d.line('  <connectionStrings>')
        d.line('    <add name="RelayDb" connectionString="Data Source=', K('HOSTNAME', 'sqlsrv01.corp.local'), ';Initial Catalog=Relay;User ID=relay;Password=', sec('DB_PASSWORD'), '" providerName="System.Data.SqlClient" />')
        d.line('  </connectionStrings>')
        d.line('  <appSettings>')
        for NAME, val in config_entries(ri(1, 3), 'xml'):
            d.line(kv('xml', nm('pascal', NAME), val, '    '))
        d.line('  </appSettings>')
        d.line('</configuration>')
    elif kind == 2:
        d.line('<?xml version="1.0" encoding="utf-8"?>')
        d.line('<configuration>')
        d.line('  <packageSources>')
        d.line('    <add key="relay" value="https://pkgs.dev.azure.com/acme/_packaging/relay/nuget/v3/index.json" />')
        d.line('  </packageSources>')
        d.line('  <packageSourceCredentials>')
        d.line('    <relay>')
        d.line('      <add key="Username" value="build" />')
        d.line('      <add key="ClearTextPassword" value="', sec('AZURE_DEVOPS_PAT'), '" />')
        d.line('    </relay>')
        d.line('  </packageSourceCredentials>')
        d.line('  <apikeys><add key="https://www.nuget.org/api/v2/package" value="', sec('NUGET_API_KEY'), '" /></apikeys>')
        d.line('</configuration>')
    elif kind == 3:
        d.line('<tomcat-users xmlns="http://tomcat.apache.org/xml" version="1.0">')
        d.line('  <role rolename="manager-gui"/>')
        d.line('  <user username="admin" password="', sec('PASSWORD'), '" roles="manager-gui,admin-gui"/>')
        d.line('  <user username="deployer" password="', sec('PASSWORD'), '" roles="manager-script"/>')
        d.line('</tomcat-users>')
    elif kind == 4:
        d.line('<Context>')
        d.line('  <Resource name="jdbc/relay" auth="Container" type="javax.sql.DataSource"')
        d.line('            url="jdbc:oracle:thin:@', K('HOSTNAME', 'ora-prod.corp.local'), ':1521/RELAY"')
        d.line('            username="RELAY_APP" password="', sec('DB_PASSWORD'), '" maxTotal="20"/>')
        d.line('</Context>')
    elif kind == 5:
        pw = gen_pw()
        d.line('<?xml version="1.0" encoding="UTF-8"?>')
        d.line('<FileZilla3 version="', K('VERSION', '3.%d.%d' % (ri(60, 67), ri(0, 3))), '" platform="windows">')
        d.line('  <Servers>')
        d.line('    <Server>')
        d.line('      <Host>', K('HOSTNAME', ch(['sftp.northwind-traders.com', 'ftp.partner-exchange.de'])), '</Host>')
        d.line('      <Port>', K('PORT', '22'), '</Port>')
        d.line('      <Protocol>1</Protocol>')
        d.line('      <User>', user_name(), '</User>')
        d.line('      <Pass encoding="base64">', S('BASE64_PASSWORD', base64.b64encode(pw.encode()).decode()), '</Pass>')
        d.line('      <Name>partner export</Name>')
        d.line('    </Server>')
        d.line('  </Servers>')
        d.line('</FileZilla3>')
    elif kind == 6:
        d.line('<!-- app/src/main/res/values/secrets.xml -->')
        d.line('<resources>')
        d.line('    <string name="google_maps_key" translatable="false">', sec('GCP_API_KEY'), '</string>')
        d.line('    <string name="relay_api_key">', sec('GENERIC_API_KEY'), '</string>')
        d.line('    <color name="brand">', K('HEX_COLOR', hex_color()), '</color>')
        d.line('    <string name="app_version">', K('VERSION', version()), '</string>')
        d.line('</resources>')
    elif kind == 7:
        d.line('<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">')
        d.line('  <soapenv:Header>')
        d.line('    <wsse:Security>')
        d.line('      <wsse:UsernameToken>')
        d.line('        <wsse:Username>', user_name(), '</wsse:Username>')
        d.line('        <wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">', sec('PASSWORD'), '</wsse:Password>')
        d.line('      </wsse:UsernameToken>')
        d.line('    </wsse:Security>')
        d.line('  </soapenv:Header>')
        d.line('  <soapenv:Body><ord:GetOrder xmlns:ord="urn:relay:orders"><ord:Id>', K('ORDER_NUMBER', order_no()), '</ord:Id></ord:GetOrder></soapenv:Body>')
        d.line('</soapenv:Envelope>')
    else:
        d.line('<hibernate-configuration>')
        d.line('  <session-factory>')
        d.line('    <property name="hibernate.connection.url">jdbc:postgresql://', K('HOSTNAME', internal_host()), ':', K('PORT', '5432'), '/relay</property>')
        d.line('    <property name="hibernate.connection.username">relay</property>')
        d.line('    <property name="hibernate.connection.password">', sec('DB_PASSWORD'), '</property>')
        d.line('  </session-factory>')
        d.line('</hibernate-configuration>')
    return d


def sc_hcl():
    d = Doc('hcl')
    kind = ri(0, 3)
    if kind == 0:
        d.line('provider "aws" {')
        d.line('  region     = "eu-west-1"')
        d.line('  access_key = "', sec('AWS_ACCESS_KEY_ID'), '"')
        d.line('  secret_key = "', sec('AWS_SECRET_ACCESS_KEY'), '"')
        d.line('}')
        d.line('')
        d.line('provider "cloudflare" {')
        d.line('  api_token = "', sec('CLOUDFLARE_API_TOKEN'), '"')
        d.line('}')
        d.line('')
        d.line('provider "datadog" {')
        d.line('  api_key = "', sec('DATADOG_API_KEY'), '"')
        d.line('  app_key = "', sec('DATADOG_APP_KEY'), '"')
        d.line('}')
    elif kind == 1:
        d.line('# terraform.tfvars')
        for NAME, val in config_entries(ri(2, 4), 'hcl'):
            d.line(nm('snake', NAME), ' = "', val, '"')
    elif kind == 2:
        d.line('resource "azurerm_mssql_server" "relay" {')
        d.line('  name                         = "relay-sql-prod"')
        d.line('  version                      = "12.0"')
        d.line('  administrator_login          = "relayadmin"')
        d.line('  administrator_login_password = "', sec('DB_PASSWORD'), '"')
        d.line('}')
        d.line('')
        d.line('resource "github_actions_secret" "deploy" {')
        d.line('  repository      = "relay-connectors"')
        d.line('  secret_name     = "DEPLOY_KEY"')
        d.line('  plaintext_value = "', sec(ch(['GITHUB_PAT', 'NPM_TOKEN', 'DOCKERHUB_PAT'])), '"')
        d.line('}')
    else:
        d.line('job "relay-worker" {')
        d.line('  group "worker" {')
        d.line('    task "worker" {')
        d.line('      driver = "docker"')
        d.line('      template {')
        d.line('        data = <<EOH')
        for NAME, val in config_entries(ri(2, 3), 'env'):
            d.line(NAME, '=', val)
        d.line('EOH')
        d.line('        destination = "secrets/app.env"')
        d.line('        env         = true')
        d.line('      }')
        d.line('    }')
        d.line('  }')
        d.line('}')
    return d


def sc_properties():
    d = Doc('properties')
    kind = ri(0, 3)
    if kind == 0:
        d.line('# client.properties')
        d.line('bootstrap.servers=', K('HOSTNAME', ch(['pkc-4r297.europe-west1.gcp.confluent.cloud', 'kafka-1.kafka-headless.svc.cluster.local'])), ':', K('PORT', '9092'))
        d.line('security.protocol=SASL_SSL')
        d.line('sasl.mechanism=PLAIN')
        d.line('sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="', rs(ANU, 16), '" password="', sec(ch(['GENERIC_API_KEY', 'AIVEN_PASSWORD'])), '";')
        d.line('ssl.truststore.password=', sec('KEYSTORE_PASSWORD'))
    elif kind == 1:
        d.line('# gradle.properties')
        d.line('org.gradle.jvmargs=-Xmx4g')
        d.line('signing.keyId=', rs(HEXU, 8))
        d.line('signing.password=', sec('PASSWORD'))
        d.line('signing.secretKeyRingFile=', K('FILE_PATH', '/home/ci/.gnupg/secring.gpg'))
        d.line('ossrhUsername=relay-release')
        d.line('ossrhPassword=', sec('PASSWORD'))
        d.line('MAPBOX_DOWNLOADS_TOKEN=', sec('MAPBOX_SECRET_TOKEN'))
    elif kind == 2:
        d.line('# application.properties')
        d.line('server.port=', K('PORT', '8080'))
        for NAME, val in config_entries(ri(2, 4), 'properties'):
            d.line(nm('dotted', NAME), ch(['=', ' = ']), val)
    else:
        d.line('# sonar-project.properties')
        d.line('sonar.projectKey=acme_relay')
        d.line('sonar.host.url=https://sonar.corp.example.net')
        d.line('sonar.token=', sec('SONARQUBE_TOKEN'))
        d.line('sonar.projectVersion=', K('VERSION', version()))
    return d


def sc_netdev():
    d = Doc('config')
    kind = ri(0, 4)
    if kind == 0:
        d.line('! ', ch(['show running-config', 'running config of core-sw1']))
        d.line('hostname ', ch(['core-sw1', 'edge-rtr-01', 'branch-fw']))
        d.line('enable secret 5 ', S('PASSWORD_HASH', '$1$' + rs(AN + './', 4) + '$' + rs(AN + './', 22)))
        d.line('username admin privilege 15 password 0 ', sec('PASSWORD'))
        d.line('snmp-server community ', sec('SNMP_COMMUNITY'), ' RO 10')
        d.line('tacacs-server host ', K('PRIVATE_IP', private_ip()), ' key ', sec('PASSWORD'))
        d.line('crypto isakmp key ', sec('VPN_PRE_SHARED_KEY'), ' address ', S('IP_ADDRESS', public_ipv4()) if False else K('PRIVATE_IP', private_ip()))
        d.line('interface GigabitEthernet0/1')
        d.line(' ip address ', K('PRIVATE_IP', private_ip()), ' 255.255.255.0')
    elif kind == 1:
        d.line('[Interface]')
        d.line('Address = ', K('PRIVATE_IP', '10.%d.%d.%d' % (ri(0, 255), ri(0, 255), ri(1, 254))), '/32')
        d.line('PrivateKey = ', sec('WIREGUARD_PRIVATE_KEY'))
        d.line('DNS = ', K('PRIVATE_IP', private_ip()))
        d.line('')
        d.line('[Peer]')
        d.line('PublicKey = ', K('PUBLIC_KEY', base64.b64encode(rbytes(32)).decode()))
        d.line('PresharedKey = ', S('VPN_PRE_SHARED_KEY', base64.b64encode(rbytes(32)).decode()))
        d.line('Endpoint = vpn.relaybox.io:', K('PORT', '51820'))
        d.line('AllowedIPs = 0.0.0.0/0')
    elif kind == 2:
        d.line('# /etc/ipsec.secrets')
        d.line(K('PRIVATE_IP', private_ip()), ' %any : PSK "', sec('VPN_PRE_SHARED_KEY'), '"')
        d.line(user_name(), ' : EAP "', sec('PASSWORD'), '"')
    elif kind == 3:
        d.line('config system admin')
        d.line('    edit "admin"')
        d.line('        set accprofile "super_admin"')
        d.line('        set password ', sec('PASSWORD'))
        d.line('    next')
        d.line('end')
        d.line('config vpn ipsec phase1-interface')
        d.line('    edit "to-hq"')
        d.line('        set psksecret ', sec('VPN_PRE_SHARED_KEY'))
        d.line('    next')
        d.line('end')
    else:
        d.line('client')
        d.line('dev tun')
        d.line('remote vpn.relaybox.io ', K('PORT', '1194'))
        d.line('auth-user-pass creds.txt')
        d.line('<ca>')
        d.line(K('CERTIFICATE', pem_cert()))
        d.line('</ca>')
        d.line('<key>')
        d.line(S('PRIVATE_KEY_PKCS8', pem_private('PRIVATE_KEY_PKCS8')))
        d.line('</key>')
        d.line('# creds.txt')
        d.line(user_name())
        d.line(sec('PASSWORD'))
    return d


def sc_code():
    d = Doc('code')
    lang = ch(CODE_LANGS)
    cm = CODE_COMMENT[lang]
    d.line(cm, ' ', ch(CODE_FILE[lang]))
    if chance(0.5):
        d.line(cm, ' ', ch(['quick fix for the sync, clean up later', 'hardcoded for the demo', 'TODO: read from env', 'copied from the dashboard']))
    for _ in range(ri(1, 3)):
        if chance(0.75):
            prov = next_prov()
            d.line(code_assign(lang, ch(prov.names), S(prov.kind, prov.gen())))
        else:
            kind = ch(['PASSWORD', 'DB_PASSWORD', 'JWT_SIGNING_SECRET', 'ENCRYPTION_KEY', 'OAUTH_CLIENT_SECRET'])
            d.line(code_assign(lang, {'PASSWORD': 'ADMIN_PASSWORD', 'DB_PASSWORD': 'DB_PASSWORD', 'JWT_SIGNING_SECRET': 'JWT_SECRET', 'ENCRYPTION_KEY': 'AES_KEY',
                                      'OAUTH_CLIENT_SECRET': 'CLIENT_SECRET'}[kind], sec(kind)))
    for _ in range(ri(1, 2)):
        nm_, v = ch(noise_pairs())
        d.line(code_assign(lang, nm_, v))
    return d


def yv(m):
    """Quote a YAML scalar when it would otherwise not parse as a plain string."""
    v = m.value if isinstance(m, (S, K)) else V(m)
    if v and (v[0] in '!*&@%`{[|>#?-:,\'"' or ': ' in v or ' #' in v):
        return ['"', m, '"']
    return [m]


# ---------------------------------------------------------------------------------------------
# Kubernetes / Docker / dotfiles
# ---------------------------------------------------------------------------------------------

def b64(s):
    return base64.b64encode(s.encode()).decode()


def sc_k8s_secret():
    d = Doc('k8s')
    style = ri(0, 3)
    if style == 3:
        # image pull secret
        user = user_name()
        pw = gen_pw() if chance(0.5) else PROV_BY_KIND['DOCKERHUB_PAT'].gen()
        reg = ch(['registry.relaybox.io', 'https://index.docker.io/v1/', 'ghcr.io', 'acme.azurecr.io'])
        auth = b64(user + ':' + pw)
        cfg = '{"auths":{"%s":{"username":"%s","password":"%s","auth":"%s"}}}' % (reg, user, pw, auth)
        d.line('apiVersion: v1')
        d.line('kind: Secret')
        d.line('metadata:')
        d.line('  name: regcred')
        d.line('  namespace: ', ch(['relay', 'default', 'prod']))
        d.line('type: kubernetes.io/dockerconfigjson')
        d.line('data:')
        d.line('  .dockerconfigjson: ', S('K8S_SECRET_DATA', b64(cfg)))
        return d
    d.line(ch(['$ kubectl get secret relay-env -o yaml', '# secret.yaml', '---']))
    d.line('apiVersion: v1')
    d.line('kind: Secret')
    d.line('metadata:')
    d.line('  name: ', ch(['relay-env', 'db-credentials', 'api-keys', 'smtp']))
    d.line('  namespace: ', ch(['relay', 'prod', 'default']))
    if style == 0 or style == 2:
        d.line('  uid: ', K('UUID', uuid4()))
        d.line('  resourceVersion: "', str(ri(10000, 9999999)), '"')
    d.line('type: Opaque')
    d.line('data:')
    d.line('  DB_HOST: ', b64(internal_host()))
    d.line('  DB_USER: ', b64(user_name()))
    for _ in range(ri(2, 4)):
        if chance(0.5):
            prov = ch([p for p in PROVIDERS if p.kind not in ('TEAMS_WEBHOOK_URL', 'FLY_API_TOKEN')])
            d.line('  ', ch(prov.names), ': ', S('K8S_SECRET_DATA', b64(prov.gen())))
        else:
            nm_ = ch(['DB_PASSWORD', 'REDIS_PASSWORD', 'password', 'SECRET_KEY_BASE', 'API_TOKEN', 'tls.key'])
            if nm_ == 'tls.key':
                d.line('  tls.key: ', S('K8S_SECRET_DATA', b64(pem_private('PRIVATE_KEY_EC'))))
            else:
                d.line('  ', nm_, ': ', S('K8S_SECRET_DATA', b64(gen_pw() if 'PASS' in nm_.upper() else rmix(AN, 40))))
    if style == 2:
        d.line('stringData:')
        d.line('  SMTP_PASSWORD: ', yv(sec('SMTP_PASSWORD')))
        prov = next_prov()
        d.line('  ', ch(prov.names), ': ', yv(S(prov.kind, prov.gen())))
    return d


def sc_docker_config():
    d = Doc('dotfile')
    d.line(ch(['$ cat ~/.docker/config.json', '~/.docker/config.json:', 'our runner has this config.json:']))
    d.line('{')
    d.line('  "auths": {')
    regs = R.sample(['https://index.docker.io/v1/', 'ghcr.io', 'registry.gitlab.com', 'acme.azurecr.io', '123456789012.dkr.ecr.eu-west-1.amazonaws.com', 'registry.relaybox.io', 'quay.io'], ri(1, 3))
    for i, r in enumerate(regs):
        if 'ghcr' in r:
            pw = PROV_BY_KIND['GITHUB_PAT'].gen()
        elif 'gitlab' in r:
            pw = PROV_BY_KIND['GITLAB_DEPLOY_TOKEN'].gen()
        elif 'docker.io' in r:
            pw = PROV_BY_KIND['DOCKERHUB_PAT'].gen()
        else:
            pw = gen_pw()
        if 'ecr' in r:
            d.line('    "', r, '": {}', ',' if i < len(regs) - 1 else '')
            continue
        auth = b64(user_name() + ':' + pw)
        d.line('    "', r, '": {')
        d.line('      "auth": "', S('DOCKER_CONFIG_AUTH', auth), '"')
        d.line('    }', ',' if i < len(regs) - 1 else '')
    d.line('  },')
    if chance(0.4):
        d.line('  "credHelpers": { "123456789012.dkr.ecr.eu-west-1.amazonaws.com": "ecr-login" },')
    d.line('  "currentContext": "default"')
    d.line('}')
    return d


def sc_dotfiles():
    d = Doc('dotfile')
    kind = ri(0, 11)
    if kind == 0:
        d.line('# ~/.netrc')
        for _ in range(ri(1, 3)):
            h = ch(['api.heroku.com', 'git.heroku.com', 'github.com', 'ftp.partner-exchange.de', 'nexus.internal', 'urs.earthdata.nasa.gov'])
            tk = {'api.heroku.com': 'HEROKU_API_KEY', 'git.heroku.com': 'HEROKU_API_KEY', 'github.com': 'GITHUB_PAT'}.get(h, 'PASSWORD')
            d.line('machine ', h, ch(['\n  login ', ' login ']), S('EMAIL', email_for(en_person())) if 'heroku' in h else user_name(), ch(['\n  password ', ' password ']), sec(tk))
    elif kind == 1:
        d.line('# ~/.git-credentials')
        for _ in range(ri(1, 3)):
            tk = ch(['GITHUB_PAT', 'GITLAB_PAT', 'BITBUCKET_APP_PASSWORD', 'AZURE_DEVOPS_PAT', 'GITHUB_FINE_GRAINED_PAT'])
            host = {'GITHUB_PAT': 'github.com', 'GITHUB_FINE_GRAINED_PAT': 'github.com', 'GITLAB_PAT': 'gitlab.com', 'BITBUCKET_APP_PASSWORD': 'bitbucket.org', 'AZURE_DEVOPS_PAT': 'dev.azure.com'}[tk]
            d.line('https://', user_name(), ':', sec(tk), '@', host)
    elif kind == 2:
        d.line('# ~/.pgpass')
        for _ in range(ri(1, 3)):
            d.line(K('HOSTNAME', internal_host()), ':', K('PORT', '5432'), ':', ch(['relay', '*', 'orders']), ':', user_name(), ':', S('DB_PASSWORD', gen_pw(ch([0, 2, 3, 4]))))
    elif kind == 3:
        d.line('# ~/.npmrc')
        d.line('registry=https://registry.npmjs.org/')
        d.line('//registry.npmjs.org/:_authToken=', sec('NPM_TOKEN'))
        d.line('@acme:registry=https://npm.pkg.github.com')
        d.line('//npm.pkg.github.com/:_authToken=', sec('GITHUB_PAT'))
        if chance(0.5):
            d.line('//', K('HOSTNAME', 'nexus.internal'), '/repository/npm/:_auth=', S('HTTP_BASIC_AUTH', basic_auth_value()))
    elif kind == 4:
        d.line('# ~/.aws/credentials')
        d.line('[default]')
        d.line('aws_access_key_id = ', sec('AWS_ACCESS_KEY_ID'))
        d.line('aws_secret_access_key = ', sec('AWS_SECRET_ACCESS_KEY'))
        if chance(0.5):
            d.line('')
            d.line('[relay-prod]')
            d.line('aws_access_key_id = ', S('AWS_ACCESS_KEY_ID', 'ASIA' + rs(B32, 16)))
            d.line('aws_secret_access_key = ', sec('AWS_SECRET_ACCESS_KEY'))
            d.line('aws_session_token = ', sec('AWS_SESSION_TOKEN'))
    elif kind == 5:
        d.line('# ~/.config/gh/hosts.yml')
        d.line('github.com:')
        d.line('    user: ', user_name())
        d.line('    oauth_token: ', sec('GITHUB_OAUTH_TOKEN'))
        d.line('    git_protocol: https')
    elif kind == 6:
        d.line('# ~/.kube/config')
        d.line('apiVersion: v1')
        d.line('clusters:')
        d.line('- cluster:')
        d.line('    server: https://', K('PRIVATE_IP', private_ip()), ':', K('PORT', '6443'))
        d.line('  name: relay-prod')
        d.line('users:')
        d.line('- name: ci')
        d.line('  user:')
        if chance(0.5):
            d.line('    token: ', sec('JWT'))
        else:
            d.line('    client-key-data: ', S('K8S_SECRET_DATA', b64(pem_private('PRIVATE_KEY_EC'))))
    elif kind == 7:
        d.line('# ~/.databrickscfg')
        d.line('[DEFAULT]')
        d.line('host  = https://adb-', str(ri(10 ** 15, 10 ** 16)), '.', str(ri(1, 19)), '.azuredatabricks.net')
        d.line('token = ', sec('DATABRICKS_TOKEN'))
    elif kind == 8:
        d.line('# ~/.gem/credentials')
        d.line('---')
        d.line(':rubygems_api_key: ', sec('RUBYGEMS_API_KEY'))
        d.line(':github: Bearer ', sec('GITHUB_PAT'))
    elif kind == 9:
        d.line('# /etc/nginx/.htpasswd')
        for _ in range(ri(1, 3)):
            d.line(user_name(), ':', S('PASSWORD_HASH', ch(['$apr1$' + rs(AN + './', 8) + '$' + rs(AN + './', 22), '$2y$05$' + rs(AN + './', 53), '{SHA}' + rs(B64, 27) + '='])))
    elif kind == 10:
        d.line('$ sudo grep deploy /etc/shadow')
        d.line('deploy:', S('PASSWORD_HASH', '$6$' + rs(AN + './', 16) + '$' + rs(AN + './', 86)), ':', str(ri(19000, 20100)), ':0:99999:7:::')
    else:
        d.line('# ~/.terraformrc')
        d.line('credentials "app.terraform.io" {')
        d.line('  token = "', sec('TERRAFORM_CLOUD_TOKEN'), '"')
        d.line('}')
    return d


# ---------------------------------------------------------------------------------------------
# CI, shell, HTTP
# ---------------------------------------------------------------------------------------------

def sc_ci_log():
    d = Doc('ci')
    c = Clock()
    style = ri(0, 4)
    if style == 0:
        d.line('Run docker/login-action@v3')
        d.line('Logging into registry.relaybox.io...')
        d.line('Login Succeeded!')
        d.line('Run npm publish')
        d.line('npm notice Publishing to https://registry.npmjs.org/ with tag latest and public access')
        d.line('  env:')
        d.line('    NODE_AUTH_TOKEN: ', K('PLACEHOLDER', '***'))
        d.line('+ @acme/relay-sdk@', K('VERSION', version()))
        d.line('Run ./scripts/smoke.sh')
        d.line('+ curl -sf -H "Authorization: Bearer ', sec(ch(['GENERIC_API_KEY', 'BEARER_TOKEN'])), '" https://staging.relaybox.io/health')
        d.line('  (the token above came from a step output, so it was not masked)')
        d.line('Error: Process completed with exit code ', str(ch([1, 22, 127])), '.')
    elif style == 1:
        d.line('Running with gitlab-runner ', K('VERSION', '16.%d.%d' % (ri(0, 11), ri(0, 3))), ' (', K('GIT_SHA', git_sha(8)), ')')
        d.line('  on relay-shared-runner-', str(ri(1, 9)), ' ', rs(ANL, 8), ', system ID: s_', rs(HEX, 12))
        d.line('Preparing the "docker" executor ', K('DURATION', '00:0%d' % ri(1, 9)))
        d.line('$ echo "Deploying with DEPLOY_TOKEN=$DEPLOY_TOKEN"')
        d.line('Deploying with DEPLOY_TOKEN=', sec('GITLAB_DEPLOY_TOKEN'))
        d.line('$ helm upgrade --install relay ./chart --set db.password=', sec('DB_PASSWORD'), ' --set image.tag=', K('GIT_SHA', git_sha(8)))
        d.line('Release "relay" has been upgraded. Happy Helming!')
        d.line('Job succeeded')
    elif style == 2:
        d.line('Started by user ', ch(AGENTS))
        d.line('[Pipeline] Start of Pipeline')
        d.line('[Pipeline] withCredentials')
        d.line('Masking supported pattern matches of $NEXUS_PASSWORD')
        d.line('[Pipeline] sh')
        d.line('+ mvn -B deploy -Dnexus.password=', K('PLACEHOLDER', '****'))
        d.line('[Pipeline] sh')
        d.line('+ curl -u admin:', sec('PASSWORD'), ' -X POST https://', K('HOSTNAME', 'jenkins.corp.example.net'), '/job/relay/build')
        d.line('+ curl -H "X-JFrog-Art-Api: ', sec('ARTIFACTORY_API_KEY'), '" -T target/relay-', K('VERSION', version()), '.jar https://acme.jfrog.io/artifactory/libs-release/')
        d.line('Finished: ', ch(['SUCCESS', 'FAILURE']))
    elif style == 3:
        d.line('##[section]Starting: Deploy')
        d.line('Task         : Azure CLI')
        d.line('Version      : ', K('VERSION', '2.%d.%d' % (ri(200, 250), ri(0, 9))))
        d.line('/usr/bin/az login --service-principal -u ', uuid4(), ' -p ', sec('AZURE_CLIENT_SECRET'), ' --tenant ', uuid4())
        d.line('##[warning]Use of plain text passwords on the command line is deprecated.')
        d.line('/usr/bin/az storage blob upload --account-key ', sec('AZURE_STORAGE_ACCOUNT_KEY'), ' -f build.zip -c releases')
        d.line('##[section]Finishing: Deploy')
    else:
        d.line('#!/bin/bash -eo pipefail')
        d.line('echo "$GCLOUD_SERVICE_KEY" | base64 -d > key.json && gcloud auth activate-service-account --key-file key.json')
        d.line('Activated service account credentials for: [ci@relay-prod.iam.gserviceaccount.com]')
        d.line('+ export TWINE_PASSWORD=', sec('PYPI_TOKEN'))
        d.line('+ twine upload dist/*')
        d.line('Uploading relay_sdk-', K('VERSION', version()), '-py3-none-any.whl')
        d.line('100% \u2501\u2501\u2501\u2501\u2501\u2501\u2501\u2501\u2501\u2501 ', str(ri(20, 90)), '.', str(ri(1, 9)), '/', str(ri(20, 90)), '.', str(ri(1, 9)), ' kB \u2022 ', K('DURATION', '00:00'))
        d.line('CircleCI received exit code 0')
    return d


def sc_ci_config():
    d = Doc('ci')
    style = ri(0, 2)
    if style == 0:
        d.line('# .gitlab-ci.yml')
        d.line('variables:')
        d.line('  DOCKER_DRIVER: overlay2')
        prov = next_prov()
        d.line('  ', ch(prov.names), ': ', yv(S(prov.kind, prov.gen())))
        d.line('  POSTGRES_PASSWORD: ', yv(sec('DB_PASSWORD')))
        d.line('deploy:')
        d.line('  stage: deploy')
        d.line('  script:')
        d.line('    - curl -X POST -F token=', sec('GITLAB_PIPELINE_TRIGGER_TOKEN'), ' -F ref=main https://gitlab.com/api/v4/projects/', str(ri(1000, 99999999)), '/trigger/pipeline')
    elif style == 1:
        d.line('// Jenkinsfile')
        d.line('pipeline {')
        d.line('  agent any')
        d.line('  environment {')
        prov = next_prov()
        d.line('    ', ch(prov.names), " = '", S(prov.kind, prov.gen()), "'")
        d.line("    SONAR_TOKEN = credentials('sonar-token')")
        d.line('  }')
        d.line('  stages {')
        d.line("    stage('Deploy') {")
        d.line('      steps {')
        d.line("        sh 'sshpass -p \"", sec('PASSWORD'), "\" scp target/*.jar deploy@", K('PRIVATE_IP', private_ip()), ":/opt/relay/'")
        d.line('      }')
        d.line('    }')
        d.line('  }')
        d.line('}')
    else:
        d.line('# bitbucket-pipelines.yml')
        d.line('pipelines:')
        d.line('  default:')
        d.line('    - step:')
        d.line('        script:')
        d.line('          - pipe: atlassian/aws-s3-deploy:', K('VERSION', '1.%d.%d' % (ri(1, 6), ri(0, 3))))
        d.line('            variables:')
        d.line('              AWS_ACCESS_KEY_ID: ', sec('AWS_ACCESS_KEY_ID'))
        d.line('              AWS_SECRET_ACCESS_KEY: ', yv(sec('AWS_SECRET_ACCESS_KEY')))
        d.line('              S3_BUCKET: relay-static-prod')
    return d


def shell_cmd():
    """One shell command that leaks something (list of segments)."""
    k = ri(0, 33)
    if k == 0:
        return ['mysql -h ', K('HOSTNAME', internal_host()), ' -u root -p', sec('DB_PASSWORD'), ' orders']
    if k == 1:
        return ['PGPASSWORD=', sec('DB_PASSWORD'), ' psql -h ', K('HOSTNAME', internal_host()), ' -U relay -d relay -c "select count(*) from tickets"']
    if k == 2:
        return ['redis-cli -h ', K('PRIVATE_IP', private_ip()), ' -a ', S('DB_PASSWORD', gen_pw(4)), ' --no-auth-warning info keyspace']
    if k == 3:
        return ['curl -u ', user_name(), ':', S('PASSWORD', gen_pw(ch([0, 3, 4]))), ' https://', K('HOSTNAME', 'nexus.internal'), '/service/rest/v1/status']
    if k == 4:
        return ['docker login -u relaybot -p ', sec('DOCKERHUB_PAT')]
    if k == 5:
        return ['aws configure set aws_secret_access_key ', sec('AWS_SECRET_ACCESS_KEY')]
    if k == 6:
        return ['kubectl create secret generic relay-api --from-literal=api-key=', sec('GENERIC_API_KEY'), ' -n relay']
    if k == 7:
        tk = ch(['GITHUB_PAT', 'GITLAB_PAT', 'GITHUB_FINE_GRAINED_PAT'])
        return ['git clone https://', ch(['oauth2', 'x-access-token', user_name()]), ':', sec(tk), '@', 'github.com' if 'GITHUB' in tk else 'gitlab.com', '/acme/relay-infra.git']
    if k == 8:
        return ['npm config set //registry.npmjs.org/:_authToken ', sec('NPM_TOKEN')]
    if k == 9:
        return ['vault login ', sec('VAULT_TOKEN')]
    if k == 10:
        prov = next_prov()
        return ['export ', ch(prov.names), '=', S(prov.kind, prov.gen())]
    if k == 11:
        return ['sshpass -p \'', sec('PASSWORD'), '\' ssh -o StrictHostKeyChecking=no admin@', K('PRIVATE_IP', private_ip())]
    if k == 12:
        return ['openssl pkcs12 -export -in cert.pem -inkey key.pem -out relay.p12 -passout pass:', sec('KEYSTORE_PASSWORD')]
    if k == 13:
        return ['htpasswd -bc /etc/nginx/.htpasswd admin ', sec('PASSWORD')]
    if k == 14:
        return ['az login -u ', S('EMAIL', email_for(en_person(), True)), ' -p ', sec('PASSWORD')]
    if k == 15:
        return ['mongosh "', dsn(scheme='mongodb+srv'), '"']
    if k == 16:
        return ['helm repo add acme https://charts.acme.io --username ci --password ', sec('PASSWORD')]
    if k == 17:
        return ['twine upload -u __token__ -p ', sec('PYPI_TOKEN'), ' dist/*']
    if k == 18:
        return ['gh auth login --with-token <<< ', sec('GITHUB_PAT')]
    if k == 19:
        return ['heroku config:set ', ch(['STRIPE_SECRET_KEY', 'STRIPE_API_KEY']), '=', sec('STRIPE_SECRET_KEY'), ' -a relay-prod']
    if k == 20:
        prov = next_prov()
        return ['fly secrets set ', ch(prov.names), '=', S(prov.kind, prov.gen())]
    if k == 21:
        return ['gh secret set SLACK_WEBHOOK --body "', sec('SLACK_WEBHOOK_URL'), '"']
    if k == 22:
        return ['sqlcmd -S ', K('HOSTNAME', 'sqlsrv01.corp.local'), ' -U sa -P \'', sec('DB_PASSWORD'), '\' -Q "SELECT @@VERSION"']
    if k == 23:
        return ['lftp -u ', user_name(), ',', sec('PASSWORD'), ' sftp://', K('HOSTNAME', 'sftp.northwind-traders.com')]
    if k == 24:
        return ['ngrok config add-authtoken ', sec('NGROK_AUTHTOKEN')]
    if k == 25:
        return ['tailscale up --authkey=', sec('TAILSCALE_AUTH_KEY')]
    if k == 26:
        return ['echo ', sec('CLOUDFLARE_API_TOKEN'), ' | wrangler secret put CF_TOKEN']
    if k == 27:
        return ['rabbitmqctl add_user relay ', sec('PASSWORD')]
    if k == 28:
        return ['pulumi login --cloud-url https://api.pulumi.com # PULUMI_ACCESS_TOKEN=', sec('PULUMI_ACCESS_TOKEN')]
    if k == 29:
        return ['nc -zv ', K('PRIVATE_IP', private_ip()), ' ', K('PORT', port()), ' && wget --header="PRIVATE-TOKEN: ', sec('GITLAB_PAT'), '" https://gitlab.com/api/v4/projects']
    if k == 30:
        return ['snyk auth ', sec('SNYK_TOKEN')]
    if k == 31:
        return ['doppler configure set token ', sec('DOPPLER_TOKEN'), ' --scope /srv/relay']
    if k == 32:
        return ['op signin && export OP_SERVICE_ACCOUNT_TOKEN=', sec('ONEPASSWORD_SERVICE_ACCOUNT_TOKEN')]
    return ['ldapsearch -x -H ldaps://', K('HOSTNAME', 'ldap.corp.example.net'), ' -D "cn=relay,ou=svc,dc=corp,dc=local" -w ', sec('LDAP_BIND_PASSWORD'), ' -b "dc=corp,dc=local" "(mail=*)"']


BENIGN_CMDS = [['ls -la'], ['cd /srv/relay'], ['git pull --rebase'], ['docker ps'], ['kubectl get pods -n relay'], ['tail -f /var/log/relay/worker.log'],
               ['systemctl restart relay-worker'], ['df -h'], ['vim .env'], ['htop'], ['git log --oneline -5'], ['journalctl -u relay-agent --since "1 hour ago"'],
               ['sudo apt-get update'], ['python3 -m venv .venv'], ['make deploy'], ['terraform plan'], ['ssh-keygen -lf ~/.ssh/id_ed25519.pub']]


def sc_shell_history():
    d = Doc('shell')
    style = ri(0, 2)
    if style == 0:
        d.line('$ history | tail -', str(ri(8, 20)))
    elif style == 1:
        d.line(ch(['~/.bash_history:', '~/.zsh_history (excerpt)', 'Shell session from the jump host:']))
    c = Clock()
    n = ri(4, 9)
    leaks = set(R.sample(range(n), ri(1, 3)))
    num = ri(100, 2000)
    for i in range(n):
        cmd = shell_cmd() if i in leaks else ch(BENIGN_CMDS)
        c.tick(5, 120)
        if style == 0:
            d.line(' ', str(num + i), '  ', cmd)
        elif style == 1:
            if chance(0.5):
                d.line(': ', c.epoch_ms()[:-3], ':0;', cmd)
            else:
                d.line(cmd)
        else:
            d.line(user_name(), '@', ch(['bastion', 'relay-prod-1', 'ops-box']), ':~$ ', cmd)
    return d


def sc_multiline_cli():
    d = Doc('shell')
    style = ri(0, 3)
    if style == 0:
        prov = header_prov()
        d.line('curl -X POST https://', prov_host(prov), '/v1/', ch(['messages', 'charges', 'events', 'exports']), ' \\')
        d.line('  -H "Content-Type: application/json" \\')
        d.line('  -H "', ch(['Authorization: Bearer ', 'X-Api-Key: ', 'Authorization: Token ', 'api-key: ']), S(prov.kind, prov.gen()), '" \\')
        p = en_person()
        d.line("  -d '{\"email\": \"", S('EMAIL', email_for(p)), "\", \"phone\": \"", S('PHONE', phone_for(p, True)), "\"}'")
    elif style == 1:
        tok = sec(ch(['JWT', 'BEARER_TOKEN']))
        d.line('http --verify=no POST https://eu.api.relaybox.io/v2/sync \\')
        d.line('    Authorization:"Bearer ', tok, '" \\')
        d.line('    tenant=', K('UUID', uuid4()), ' full=true')
    elif style == 2:
        d.line('docker run -d --name relay-agent \\')
        for NAME, val in config_entries(ri(2, 3), 'env')[:4]:
            d.line('  -e ', NAME, '=', val, ' \\')
        d.line('  -p ', K('PORT', '8080'), ':', K('PORT', '8080'), ' \\')
        d.line('  registry.relaybox.io/relay-agent:', K('VERSION', version()))
    else:
        val = sec(ch(['STRIPE_SECRET_KEY', 'OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'SLACK_APP_TOKEN', 'PYPI_TOKEN']))
        cut = ri(20, len(val.value) - 10)
        wv = S(val.kind, val.value[:cut] + '\\\n' + val.value[cut:])
        d.line('$ ./relay-cli configure --profile prod --api-key ', wv, ' \\')
        d.line('    --region eu')
        d.line('Profile "prod" saved to ', K('FILE_PATH', '~/.config/relaybox/credentials'))
    return d


def sc_powershell():
    d = Doc('shell')
    d.line(ch(['PS C:\\Users\\admin> Get-History', 'Windows PowerShell history (ConsoleHost_history.txt):', 'PS> type $env:APPDATA\\Microsoft\\Windows\\PowerShell\\PSReadLine\\ConsoleHost_history.txt']))
    cmds = [
        lambda: ['$pw = ConvertTo-SecureString \'', sec('PASSWORD'), '\' -AsPlainText -Force'],
        lambda: ['Connect-AzAccount -ServicePrincipal -Tenant ', uuid4(), ' -Credential (New-Object PSCredential("', uuid4(), '", (ConvertTo-SecureString "', sec('AZURE_CLIENT_SECRET'), '" -AsPlainText -Force)))'],
        lambda: ['Invoke-RestMethod -Uri "https://api.github.com/user" -Headers @{Authorization = "token ', sec('GITHUB_PAT'), '"}'],
        lambda: ['net user svc_backup ', sec('PASSWORD'), ' /add /domain'],
        lambda: (lambda nk: ['$env:', nk[0], ' = "', sec(nk[1]), '"'])(ch([('OPENAI_API_KEY', 'OPENAI_API_KEY'), ('ANTHROPIC_API_KEY', 'ANTHROPIC_API_KEY'),
                                                                           ('GROQ_API_KEY', 'GROQ_API_KEY'), ('HF_TOKEN', 'HUGGINGFACE_TOKEN')])),
        lambda: ['Set-AzStorageAccount ... ; $ctx = New-AzStorageContext -StorageAccountName relaylogs -StorageAccountKey "', sec('AZURE_STORAGE_ACCOUNT_KEY'), '"'],
        lambda: ['Invoke-Sqlcmd -ServerInstance ', K('HOSTNAME', 'sqlsrv01.corp.local'), ' -Username sa -Password "', sec('DB_PASSWORD'), '" -Query "DBCC CHECKDB"'],
        lambda: ['runas /user:CORP\\', user_name(), ' "cmd /c echo ', sec('PASSWORD'), ' | sqlcmd"'],
        lambda: ['Get-ChildItem Env: | Select-Object Name'],
        lambda: ['Restart-Service RelayAgent'],
        lambda: ['Get-EventLog -LogName Application -Newest 20'],
        lambda: ['winget upgrade --all'],
    ]
    for f in R.sample(cmds, ri(3, 6)):
        d.line(f())
    return d


def sc_http_raw():
    d = Doc('http')
    c = Clock()
    style = ri(0, 4)
    if style == 0:
        prov = header_prov()
        d.line(ch(['POST', 'GET', 'PUT']), ' /v1/', ch(['charges', 'messages', 'contacts', 'events']), ' HTTP/1.1')
        d.line('Host: ', K('HOSTNAME', prov_host(prov)))
        d.line(ch(['Authorization: Bearer ', 'X-API-Key: ', 'Authorization: Token token=', 'apikey: ']), S(prov.kind, prov.gen()))
        d.line('User-Agent: ', ch(UA))
        d.line('X-Request-Id: ', K('REQUEST_ID', uuid4()))
        d.line('')
        d.line('HTTP/1.1 ', K('HTTP_STATUS', ch(['401', '403'])), ' ', ch(['Unauthorized', 'Forbidden']))
        d.line('Date: ', K('TIMESTAMP', '%s, %02d %s %d %s GMT' % (c.dow(), c.d, Clock.MON[c.mo - 1], c.y, c.hms())))
        d.line('Content-Type: application/json')
        d.line('')
        d.line('{"error":{"type":"invalid_request_error","code":"', K('ERROR_CODE', ch(['invalid_api_key', 'token_expired', 'forbidden'])), '"}}')
    elif style == 1:
        d.line('GET /account/billing HTTP/2')
        d.line('Host: app.relaybox.io')
        d.line('Cookie: _ga=GA1.1.', str(ri(10 ** 8, 10 ** 9)), '.', str(ri(1700000000, 1760000000)), '; ', ch(['_relay_session', 'sessionid', 'connect.sid', 'JSESSIONID', 'PHPSESSID', '__Host-session']), '=', sec('SESSION_COOKIE'),
               '; csrftoken=', rs(AN, 32))
        d.line('Accept-Language: ', ch(['de-DE,de;q=0.9', 'fr-FR,fr;q=0.9,en;q=0.8', 'en-GB,en;q=0.9']))
        d.line('X-Forwarded-For: ', S('IP_ADDRESS', customer_ip()), ', ', K('PRIVATE_IP', private_ip()))
        d.line('')
        d.line('HTTP/2 ', K('HTTP_STATUS', '302'))
        d.line('location: /login?next=%2Faccount%2Fbilling')
        d.line('set-cookie: remember_token=', sec('SESSION_COOKIE'), '; Expires=', K('TIMESTAMP', '%s, %02d %s %d %s GMT' % (c.dow(), c.d, Clock.MON[c.mo - 1], c.y + 1, c.hms())), '; Secure; HttpOnly; SameSite=Lax')
    elif style == 2:
        d.line('POST /oauth/token HTTP/1.1')
        d.line('Host: ', K('HOSTNAME', ch(['login.microsoftonline.com', 'oauth2.googleapis.com', 'auth.relaybox.io', 'acme.okta.com'])))
        user = user_name()
        pw = gen_pw()
        d.line('Authorization: Basic ', S('HTTP_BASIC_AUTH', b64(user + ':' + pw)))
        d.line('Content-Type: application/x-www-form-urlencoded')
        d.line('')
        d.line('grant_type=refresh_token&refresh_token=', sec('OAUTH_REFRESH_TOKEN'), '&client_id=relay-web&client_secret=', sec('OAUTH_CLIENT_SECRET'))
        d.line('')
        d.line('HTTP/1.1 ', K('HTTP_STATUS', '200'), ' OK')
        d.line('{"access_token":"', sec('JWT'), '","token_type":"Bearer","expires_in":3599,"refresh_token":"', sec('OAUTH_REFRESH_TOKEN'), '"}')
    elif style == 3:
        d.line('POST /graphql HTTP/1.1')
        d.line('Host: api.relaybox.io')
        d.line('Authorization: ', sec('JWT'))
        d.line('')
        p = en_person()
        d.line('{"query":"mutation UpdateContact($input: ContactInput!) { updateContact(input: $input) { id } }","variables":{"input":{"id":"', K('UUID', uuid4()),
               '","name":"', S('PERSON_NAME', p.full), '","email":"', S('EMAIL', email_for(p)), '","phone":"', S('PHONE', phone_for(p, True)), '"}}}')
    else:
        d.line('> GET /api/v2/exports/', K('UUID', uuid4()), ' HTTP/1.1')
        d.line('> Host: eu.api.relaybox.io')
        d.line('> User-Agent: curl/', K('VERSION', '8.%d.%d' % (ri(0, 9), ri(0, 1))))
        d.line('> Authorization: Basic ', S('HTTP_BASIC_AUTH', basic_auth_value()))
        d.line('>')
        d.line('< HTTP/1.1 ', K('HTTP_STATUS', '200'), ' OK')
        d.line('< x-ratelimit-remaining: ', str(ri(0, 999)))
        d.line('< x-request-id: ', K('REQUEST_ID', request_id()))
        d.line('< etag: "', K('HASH', rs(HEX, 32)), '"')
    return d


def sc_har():
    d = Doc('har')
    c = Clock()
    d.line('{')
    d.line('  "log": {')
    d.line('    "version": "1.2",')
    d.line('    "creator": { "name": "', ch(['WebInspector', 'Firefox']), '", "version": "', K('VERSION', ch(['537.36', '125.0'])), '" },')
    d.line('    "entries": [')
    n = ri(1, 2)
    for i in range(n):
        c.tick(0.1, 5)
        d.line('      {')
        d.line('        "startedDateTime": "', K('TIMESTAMP', c.iso(0)), '",')
        d.line('        "time": ', K('DURATION', '%.3f' % R.uniform(10, 900)), ',')
        d.line('        "request": {')
        d.line('          "method": "', ch(['GET', 'POST']), '",')
        d.line('          "url": "https://app.relaybox.io', ch(PATHS), '",')
        d.line('          "headers": [')
        d.line('            { "name": "authorization", "value": "Bearer ', sec(ch(['JWT', 'BEARER_TOKEN'])), '" },')
        d.line('            { "name": "cookie", "value": "', ch(['_relay_session', 'sid', '__Secure-next-auth.session-token']), '=', sec('SESSION_COOKIE'), '" }')
        d.line('          ]')
        d.line('        },')
        d.line('        "response": { "status": ', K('HTTP_STATUS', ch(['200', '401', '500'])), ', "headers": [ { "name": "x-request-id", "value": "', K('REQUEST_ID', uuid4()), '" } ] },')
        d.line('        "serverIPAddress": "', K('PRIVATE_IP', private_ip()), '"')
        d.line('      }', ',' if i < n - 1 else '')
    d.line('    ]')
    d.line('  }')
    d.line('}')
    return d


def sc_postman():
    d = Doc('postman')
    d.line('{')
    d.line('  "id": "', K('UUID', uuid4()), '",')
    d.line('  "name": "', ch(['Relay PROD', 'Partner API (live)', 'Billing - prod']), '",')
    d.line('  "values": [')
    vals = []
    vals.append(['    { "key": "baseUrl", "value": "https://', K('HOSTNAME', hostname_public()), '", "enabled": true }'])
    prov = header_prov()
    vals.append(['    { "key": "', nm('camel', ch(prov.names)), '", "value": "', S(prov.kind, prov.gen()), '", "type": "secret", "enabled": true }'])
    vals.append(['    { "key": "password", "value": "', sec('PASSWORD'), '", "type": "secret", "enabled": true }'])
    vals.append(['    { "key": "apiKeyExample", "value": "', placeholder(), '", "enabled": false }'])
    if chance(0.5):
        vals.append(['    { "key": "accessToken", "value": "', sec('JWT'), '", "type": "any", "enabled": true }'])
    R.shuffle(vals)
    for i, v in enumerate(vals):
        d.line(v, ',' if i < len(vals) - 1 else '')
    d.line('  ],')
    d.line('  "_postman_variable_scope": "environment",')
    d.line('  "_postman_exported_at": "', K('TIMESTAMP', Clock().iso(0)), '",')
    d.line('  "_postman_exported_using": "Postman/', K('VERSION', '11.%d.%d' % (ri(0, 9), ri(0, 9))), '"')
    d.line('}')
    return d


# ---------------------------------------------------------------------------------------------
# Data exports, payloads, tickets, diffs, notebooks, docs
# ---------------------------------------------------------------------------------------------

def sc_sql_dump():
    d = Doc('sql')
    c = Clock()
    d.line('-- ', ch(['pg_dump excerpt', 'mysqldump', 'rows the customer attached', 'export from prod (anonymise before sharing!)']), ' ', K('TIMESTAMP', c.iso(5)))
    tbl = ch(['users', 'customers', 'contacts', 'accounts'])
    cols = ['id', 'email', 'full_name', 'phone', 'date_of_birth', 'password_hash', 'last_login_ip', 'created_at']
    d.line('INSERT INTO ', tbl, ' (', ', '.join(cols), ') VALUES')
    n = ri(2, 4)
    for i in range(n):
        p = Person(ch(['en', 'de', 'fr', 'es', 'it', 'nl', 'pt', 'pl', 'sv', 'in']))
        y, m, dd = p.birth
        d.line("  (", str(ri(1000, 99999)), ", '", S('EMAIL', email_for(p)), "', '", S('PERSON_NAME', p.full).value.replace("'", "''") and S('PERSON_NAME', p.full.replace("'", "''")),
               "', '", S('PHONE', phone_for(p, True)), "', '", S('DATE_OF_BIRTH', '%04d-%02d-%02d' % (y, m, dd)), "', '", S('PASSWORD_HASH', GENERIC['PASSWORD_HASH']()),
               "', '", S('IP_ADDRESS', customer_ip()), "', '", K('TIMESTAMP', c.tick(100, 9000).iso(5)), "')", ',' if i < n - 1 else ';')
    if chance(0.5):
        d.line('UPDATE ', tbl, " SET api_token = '", sec('GENERIC_API_KEY'), "' WHERE id = ", str(ri(1000, 99999)), ';')
    return d


def csv_field(v):
    return v


def sc_csv():
    d = Doc('csv')
    sep = ch([',', ';', '\t', '|'])
    kind = ri(0, 2)
    if kind == 0:
        hdr = ['customer_id', 'name', 'email', 'phone', 'country', 'card', 'iban', 'order']
        d.line(sep.join(hdr))
        for _ in range(ri(3, 6)):
            loc = ch(['en', 'de', 'fr', 'es', 'it', 'nl', 'pt', 'pl', 'sv', 'ja', 'in'])
            p = Person(loc)
            row = [str(ri(10000, 99999)), S('PERSON_NAME', p.full), S('EMAIL', email_for(p)), S('PHONE', phone_for(p, True)), ch(LOC_CC[loc]),
                   K('MASKED_CARD', masked_card()) if chance(0.6) else S('CARD_NUMBER', card_number(sep='' if sep in (',', ' ') else ch(['', ' ', '-']))),
                   S('IBAN', iban(ch(ML_IBAN_CC.get(loc, ['GB'])), style=2)) if chance(0.5) and loc not in ('ja', 'in') else '',
                   K('ORDER_NUMBER', order_no())]
            out = []
            for j, x in enumerate(row):
                if j:
                    out.append(sep)
                out.append(x)
            d.line(out)
    elif kind == 1:
        hdr = ['employee_no', 'first_name', 'last_name', 'dob', 'national_id', 'id_type', 'address']
        d.line(sep.join(hdr))
        for _ in range(ri(3, 5)):
            p, k, v, label = next_nid()
            addr = address_for(p)
            q = '"' if sep in addr or ',' in addr else ''
            row = [str(ri(1000, 9999)), S('PERSON_NAME', p.first), S('PERSON_NAME', p.last), S('DATE_OF_BIRTH', dob_text(p, 'en' if p.loc in ('in',) else p.loc)), S(k, v), label, [q, S('STREET_ADDRESS', addr), q]]
            out = []
            for j, x in enumerate(row):
                if j:
                    out.append(sep)
                out.append(x)
            d.line(out)
    else:
        hdr = ['timestamp', 'user', 'ip', 'event', 'user_agent', 'request_id']
        d.line(sep.join(hdr))
        c = Clock()
        for _ in range(ri(3, 7)):
            c.tick(1, 600)
            p = en_person()
            row = [K('TIMESTAMP', c.iso(1)), S('EMAIL', email_for(p)), S('IP_ADDRESS', customer_ip()), ch(['login', 'login_failed', 'password_reset', 'mfa_challenge', 'export']),
                   ch(['Chrome 124', 'Safari 17', 'Firefox 125', 'okhttp']), K('REQUEST_ID', uuid4())]
            out = []
            for j, x in enumerate(row):
                if j:
                    out.append(sep)
                out.append(x)
            d.line(out)
    return d


def sc_json_payload():
    d = Doc('json')
    kind = ri(0, 3)
    p = Person(ch(['en', 'de', 'fr', 'es', 'it', 'nl', 'pt', 'en']))
    cc = ch(LOC_ADDR[p.loc])
    if kind == 0:
        d.line('{')
        d.line('  "id": "evt_', rs(AN, 24), '",')
        d.line('  "type": "checkout.session.completed",')
        d.line('  "created": ', str(ri(1704067200, 1767225600)), ',')
        d.line('  "data": { "object": {')
        d.line('    "customer_details": {')
        d.line('      "name": "', S('PERSON_NAME', p.full), '",')
        d.line('      "email": "', S('EMAIL', email_for(p)), '",')
        d.line('      "phone": "', S('PHONE', phone_for(p, True)), '",')
        d.line('      "address": "', S('STREET_ADDRESS', address(cc)), '"')
        d.line('    },')
        d.line('    "payment_method_details": { "card": { "brand": "visa", "last4": "', K('CARD_LAST4', rs(DG, 4)), '", "exp_month": ', str(ri(1, 12)), ' } },')
        d.line('    "amount_total": ', str(ri(500, 99900)), ', "currency": "eur",')
        d.line('    "invoice": "', K('INVOICE_NUMBER', invoice_no()), '"')
        d.line('  } }')
        d.line('}')
    elif kind == 1:
        d.line('{')
        d.line('  "access_token": "', sec('JWT'), '",')
        d.line('  "id_token": "', sec('JWT'), '",')
        d.line('  "refresh_token": "', sec('OAUTH_REFRESH_TOKEN'), '",')
        d.line('  "token_type": "Bearer",')
        d.line('  "expires_in": ', K('DURATION', '3600'), ',')
        d.line('  "scope": "openid profile email offline_access"')
        d.line('}')
    elif kind == 2:
        d.line('{"ticket":{"id":', str(ri(10000, 999999)), ',"subject":"', ch(['Cannot log in', 'Wrong invoice address', 'Please delete my data']), '","requester":{"name":"', S('PERSON_NAME', p.full),
               '","email":"', S('EMAIL', email_for(p)), '","phone":"', S('PHONE', phone_for(p)), '"},"custom_fields":[{"id":', str(ri(10 ** 7, 10 ** 8)), ',"value":"',
               S('DATE_OF_BIRTH', '%04d-%02d-%02d' % p.birth), '"},{"id":', str(ri(10 ** 7, 10 ** 8)), ',"value":"', K('ORDER_NUMBER', order_no()), '"}],"via":{"source":{"from":{"ip":"', S('IP_ADDRESS', customer_ip()), '"}}}}}')
    else:
        d.line('{')
        d.line('  "event": "kyc.submitted",')
        d.line('  "applicant": {')
        d.line('    "first_name": "', S('PERSON_NAME', p.first), '", "last_name": "', S('PERSON_NAME', p.last), '",')
        d.line('    "dob": "', S('DATE_OF_BIRTH', '%04d-%02d-%02d' % p.birth), '",')
        k, v, label = national_id(p.loc, p)
        d.line('    "id_document": { "type": "', label, '", "number": "', S(k, v), '" },')
        d.line('    "passport": { "number": "', S('PASSPORT_NUMBER', passport_number(ch(PASSPORT_CC[p.loc]))), '", "expires": "', K('TIMESTAMP', '%d-%02d-%02d' % (ri(2026, 2034), ri(1, 12), ri(1, 28))), '" },')
        d.line('    "address": { "formatted": "', S('STREET_ADDRESS', address_for(p)), '" },')
        d.line('    "ip": "', S('IP_ADDRESS', customer_ip()), '"')
        d.line('  },')
        d.line('  "check_id": "', K('UUID', uuid4()), '"')
        d.line('}')
    return d


def sc_ticket_md():
    d = Doc('ticket')
    c = Clock()
    p = en_person()
    style = ri(0, 2)
    if style == 0:
        d.line('## ', ch(['Sync fails with 401 after key rotation', 'Export job stuck since upgrade', 'Webhook deliveries rejected', 'Agent cannot reach API']))
        d.line('')
        d.line('**Reporter:** ', S('PERSON_NAME', p.full), ' (', S('EMAIL', email_for(p, True)), ')  ')
        d.line('**Account:** ', K('COMPANY_NAME', company()), '  ')
        d.line('**Version:** ', K('VERSION', version()), '  ')
        d.line('**Ticket:** ', K('TICKET_NUMBER', ticket_no()))
        d.line('')
        d.line('### Steps to reproduce')
        d.line('1. Configure the connector with the values below')
        d.line('2. Run `relay sync --full`')
        d.line('3. Observe ', K('HTTP_STATUS', '401'), ' after ', K('DURATION', duration()))
        d.line('')
        d.line('### Config')
        d.line('```', ch(['ini', 'env', 'yaml', '']))
        for NAME, val in config_entries(ri(1, 3), 'env'):
            d.line(NAME, '=', val)
        d.line('```')
        d.line('')
        d.line('### Logs')
        d.line('```')
        d.line(K('TIMESTAMP', c.iso(0)), ' ERROR sync: upstream rejected credentials request_id=', K('REQUEST_ID', request_id()))
        d.line('```')
    elif style == 1:
        d.line('h2. Problem')
        d.line('Customer ', S('PERSON_NAME', p.full), ' reports that the nightly export to their SFTP fails (see ', K('TICKET_NUMBER', ticket_no()), ').')
        d.line('h3. Details from the customer')
        d.line('{code}')
        d.line('host: ', K('HOSTNAME', 'sftp.northwind-traders.com'))
        d.line('user: export')
        d.line('password: ', sec('PASSWORD'))
        d.line('{code}')
        d.line('Callback number: ', S('PHONE', phone_for(p)))
        d.line('{color:', K('HEX_COLOR', hex_color()), '}Priority: high{color}')
    else:
        d.line('### Describe the bug')
        d.line(ch(['The SDK throws `InvalidSignature` on every webhook.', 'After updating to ', 'Calls return 403 since this morning.']), ' Using relay-sdk ', K('VERSION', version()), '.')
        d.line('')
        d.line('### To Reproduce')
        d.line('```python')
        prov = next_prov()
        d.line('client = relay.Client(api_key="', S(prov.kind, prov.gen()), '")' if chance(0.5) else ['client = relay.Client(', nm('snake', ch(prov.names)), '="', S(prov.kind, prov.gen()), '")'])
        d.line('client.webhooks.verify(payload, sig, secret="', sec('WEBHOOK_SIGNING_SECRET'), '")')
        d.line('```')
        d.line('')
        d.line('### Environment')
        d.line('- OS: ', ch(['Ubuntu 22.04', 'macOS 14.4', 'Windows Server 2022']), '  (build ', K('BUILD_NUMBER', build_no()), ')')
        d.line('- Python ', K('VERSION', '3.%d.%d' % (ri(9, 12), ri(0, 9))))
    return d


def sc_diff():
    d = Doc('diff')
    fname = ch(['config/production.env', 'src/config.ts', 'deploy/values-prod.yaml', 'settings.py', 'appsettings.Production.json', 'docker-compose.prod.yml'])
    sha1, sha2 = rs(HEX, 7), rs(HEX, 7)
    if chance(0.4):
        d.line('commit ', K('GIT_SHA', rs(HEX, 40)))
        d.line('Author: ', ch(['relay-bot <bot@relaybox.io>', 'ci <ci@example.invalid>']))
        d.line('Date:   ', K('TIMESTAMP', Clock().iso(5) + ' +0100'))
        d.line('')
        d.line('    ', ch(['wip: fix prod config', 'hotfix credentials', 'update keys', 'chore: bump deps']))
        d.line('')
    d.line('diff --git a/', fname, ' b/', fname)
    d.line('index ', K('GIT_SHA', sha1), '..', K('GIT_SHA', sha2), ' 100644')
    d.line('--- a/', fname)
    d.line('+++ b/', fname)
    d.line('@@ -', str(ri(1, 40)), ',', str(ri(3, 9)), ' +', str(ri(1, 40)), ',', str(ri(3, 9)), ' @@')
    lines = []
    for NAME, val in config_entries(ri(1, 3), 'env'):
        if isinstance(val, S):
            lines.append(['-', NAME, '=', placeholder()])
            lines.append(['+', NAME, '=', val])
        else:
            lines.append([' ', NAME, '=', val])
    for l in lines:
        d.line(l)
    if chance(0.6):
        d.line('')
        d.line(ch(['> **reviewer:** please do not commit real keys, use the secret store.', 'Review comment: this leaks the prod key \u2014 rotate it and use ${{ secrets.* }} instead.',
                   '\U0001F534 Secret detected by pre-commit hook, commit blocked.']))
    return d


def sc_notebook():
    d = Doc('notebook')
    if chance(0.5):
        d.line('{')
        d.line(' "cells": [')
        d.line('  {')
        d.line('   "cell_type": "code",')
        d.line('   "execution_count": ', str(ri(1, 40)), ',')
        d.line('   "source": [')
        prov = next_prov()
        d.line('    "import os\\n",')
        d.line('    "os.environ[\\"', ch(prov.names), '\\"] = \\"', S(prov.kind, prov.gen()), '\\"\\n",')
        d.line('    "df = pd.read_sql(\\"select * from tickets\\", \\"', dsn(scheme=ch(['postgresql', 'mysql'])), '\\")"')
        d.line('   ],')
        d.line('   "outputs": [{"output_type": "stream", "name": "stdout", "text": ["', str(ri(100, 99999)), ' rows\\n"]}]')
        d.line('  }')
        d.line(' ],')
        d.line(' "metadata": {"kernelspec": {"name": "python3"}, "language_info": {"version": "', K('VERSION', '3.%d.%d' % (ri(9, 12), ri(0, 9))), '"}}')
        d.line('}')
    else:
        d.line('Python ', K('VERSION', '3.%d.%d' % (ri(9, 12), ri(0, 9))), ' (main, ', ch(['Feb  6 2024', 'Apr  2 2024']), ') [GCC 11.4.0] on linux')
        d.line('>>> import relay')
        prov = header_prov()
        d.line('>>> c = relay.Client(token="', S(prov.kind, prov.gen()), '")')
        d.line('>>> c.me()')
        p = en_person()
        d.line("{'id': '", K('UUID', uuid4()), "', 'name': '", S('PERSON_NAME', p.full), "', 'email': '", S('EMAIL', email_for(p, True)), "', 'plan': '", K('PRODUCT_SKU', sku()), "'}")
    return d


def sc_docs():
    """Documentation excerpt: example keys and placeholders only (keep), occasionally one real leak."""
    d = Doc('docs')
    d.line('## ', ch(['Quick start', 'Configuration', 'Authentication', 'Connecting your AWS account']))
    d.line('')
    d.line(ch(['Set the following variables before starting the agent:', 'Create a credentials file like this:', 'Example configuration:']))
    d.line('')
    d.line('```')
    ex = [
        ('AWS_ACCESS_KEY_ID', ch(['AKIAIOSFODNN7EXAMPLE', 'AKIAI44QH8DHBEXAMPLE'])), ('AWS_SECRET_ACCESS_KEY', ch(['wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY'])),
        ('RELAY_API_KEY', 'rbx_test_EXAMPLE0000000000000000'), ('SLACK_BOT_TOKEN', 'xoxb-EXAMPLE-TOKEN'), ('GITHUB_TOKEN', 'ghp_EXAMPLEexampleEXAMPLEexample000000'),
        ('DATABASE_PASSWORD', 'example-password'), ('STRIPE_SECRET_KEY', 'sk_test_EXAMPLE_not_a_real_key'),
    ]
    for NAME, v in R.sample(ex, ri(2, 4)):
        d.line(NAME, '=', K('EXAMPLE_KEY', v))
    for NAME in R.sample(['SMTP_PASSWORD', 'WEBHOOK_SECRET', 'API_TOKEN', 'CLIENT_SECRET', 'LICENSE_KEY'], ri(1, 3)):
        d.line(NAME, '=', placeholder())
    d.line('```')
    d.line('')
    d.line('Default ports: ', K('PORT', '8443'), ' (API) and ', K('PORT', '9090'), ' (metrics). Supported since ', K('VERSION', version()), '.')
    if chance(0.25):
        d.line('')
        d.line('> Internal note (remove before publishing): the demo tenant uses ', sec('GENERIC_API_KEY'))
    return d


def sc_private_key_paste():
    d = Doc(ch(['key', 'ticket', 'chat', 'email']))
    kind = next_key_kind()
    style = ri(0, 6)
    if style == 0:
        d.line(ch(['This is the key the agent uses for SFTP, maybe the format is wrong?', 'our deploy key (please check why it is rejected):', 'Key from the old server:', 'Anbei der Schl\u00fcssel f\u00fcr den SFTP-Zugang:',
                   'Voici la cl\u00e9 priv\u00e9e utilis\u00e9e par le connecteur :', 'Esta es la clave que usa el conector:']))
        d.line('')
        d.line(S(kind, private_key(kind)))
        if kind in ('PRIVATE_KEY_ENCRYPTED_PKCS8', 'PRIVATE_KEY_ENCRYPTED_PEM') or (kind in ('PRIVATE_KEY_PGP', 'PRIVATE_KEY_PUTTY') and chance(0.5)):
            d.line('')
            d.line(ch(['passphrase is ', 'Passphrase: ', 'pw for the key: ', 'Kennwort: ']), sec('PASSWORD'))
    elif style == 1 and kind not in ('PRIVATE_KEY_PUTTY', 'PRIVATE_KEY_PGP'):
        txt = private_key(kind)
        lines = txt.split('\n')
        body_lines = [l for l in lines[1:] if not l.startswith('Proc-Type') and not l.startswith('DEK-Info') and l != '']
        bare = '\n'.join(body_lines)
        d.line(ch(['the key got cut off when I copied it, this is what I have:', 'pasted from the vault (header missing?):']))
        d.line(S(kind, bare))
    elif style == 2 and kind not in ('PRIVATE_KEY_PUTTY', 'PRIVATE_KEY_PGP'):
        txt = private_key(kind)
        d.line('# .env')
        d.line('SFTP_HOST=', K('HOSTNAME', 'sftp.northwind-traders.com'))
        d.line('SFTP_PRIVATE_KEY="', S(kind, txt.replace('\n', '\\n')), '"')
    elif style == 3 and kind not in ('PRIVATE_KEY_PUTTY', 'PRIVATE_KEY_PGP'):
        txt = private_key(kind)
        d.line('sftp:')
        d.line('  host: ', K('HOSTNAME', 'files.globex.io'))
        d.line('  privateKey: |')
        d.line('    ', S(kind, txt.replace('\n', '\n    ')))
        d.line('  knownHosts: ', K('PUBLIC_KEY', ssh_public('ssh-ed25519')))
    elif style == 4 and kind not in ('PRIVATE_KEY_PUTTY', 'PRIVATE_KEY_PGP'):
        txt = private_key(kind)
        d.line('resource "tls_self_signed_cert" "relay" {')
        d.line('  private_key_pem = <<-EOT')
        d.line('    ', S(kind, txt.replace('\n', '\n    ')))
        d.line('  EOT')
        d.line('  validity_period_hours = ', str(ch([720, 8760])))
        d.line('}')
    elif style == 5:
        d.line('$ cat ', {'PRIVATE_KEY_RSA': '~/.ssh/id_rsa', 'PRIVATE_KEY_EC': '~/.ssh/id_ecdsa.pem', 'PRIVATE_KEY_PKCS8': 'certs/relay.key',
                          'PRIVATE_KEY_ENCRYPTED_PKCS8': 'certs/relay-enc.key', 'PRIVATE_KEY_ENCRYPTED_PEM': '/etc/ssl/private/legacy.key',
                          'PRIVATE_KEY_OPENSSH': '~/.ssh/id_ed25519', 'PRIVATE_KEY_DSA': '~/.ssh/id_dsa', 'PRIVATE_KEY_PUTTY': 'C:/Users/ops/relay.ppk',
                          'PRIVATE_KEY_PGP': 'export-signing.asc'}[kind])
        d.line(S(kind, private_key(kind)))
        d.line('$ ssh-keygen -lf ~/.ssh/id_ed25519.pub')
        d.line('256 ', K('HASH', ssh_fingerprint()), ' deploy@relay (ED25519)')
    else:
        d.line('Certificate and key for ', K('HOSTNAME', ch(['api.kogl-soehne.de', 'shop.globex.io', 'portal.vandelay.com'])), ' (renewal failed, can you check?):')
        d.line(K('CERTIFICATE', pem_cert()))
        d.line(S(kind, private_key(kind)))
    return d


def sc_public_keys():
    """Public material only (keep), sometimes next to a private key."""
    d = Doc('key')
    style = ri(0, 2)
    if style == 0:
        d.line('# ~/.ssh/authorized_keys on the export host')
        for _ in range(ri(2, 4)):
            d.line(K('PUBLIC_KEY', ssh_public()), ' ', ch(['ci-deploy', 'relay-agent', 'backup@nas', 'eddsa-key-2024', 'ops laptop']))
        d.line('')
        d.line('Host key fingerprint: ', K('HASH', ssh_fingerprint()))
    elif style == 1:
        d.line('Our public key for verifying webhook signatures:')
        d.line(K('PUBLIC_KEY', pem_public()))
        d.line('Key id: ', K('UUID', uuid4()), ', algorithm OID ', K('OID', ch(['1.2.840.113549.1.1.11', '1.2.840.10045.4.3.2', '1.3.101.112'])))
    else:
        d.line('PGP key for the encrypted export (public part):')
        lines = ['-----BEGIN PGP PUBLIC KEY BLOCK-----', ''] + [rs(B64, 64) for _ in range(ri(4, 8))] + [rs(B64, 20) + '=', '=' + rs(B64, 4), '-----END PGP PUBLIC KEY BLOCK-----']
        d.line(K('PUBLIC_KEY', '\n'.join(lines)))
        d.line('Fingerprint: ', K('HASH', ' '.join(rs(HEXU, 4) for _ in range(10))))
        if chance(0.5):
            d.line('')
            d.line('...and by mistake also the private one:')
            d.line(S('PRIVATE_KEY_PGP', pgp_private()))
    return d


def sc_ocr():
    """Text pulled from a screenshot by OCR: odd spacing, stray characters."""
    d = Doc('ocr')
    kind = ri(0, 2)
    d.line(ch(['[OCR of attached screenshot]', '--- text extracted from image.png ---', '(screenshot transcribed)']))
    if kind == 0:
        prov = next_prov(lambda p: p.kind not in ('TEAMS_WEBHOOK_URL',))
        d.line(ch(['Settings  >  API Keys', 'Developers \u203a API keys', 'Integrations | Credentials']))
        d.line('Name            Created          Last used')
        d.line('prod-sync       ', K('TIMESTAMP', Clock().date()), '       ', ch(['2 hours ago', 'never', 'yesterday']))
        d.line(ch(['Secret key', 'Token', 'Key']), ' :  ', S(prov.kind, prov.gen()), '   [ Copy ]  [ Reveal ]')
        d.line('Publishable  :  pk_live_', rs(AN, 24), '\u2026')
        d.line('\u00a9 ', K('COMPANY_NAME', company()), ' \u2022 build ', K('BUILD_NUMBER', build_no()))
    elif kind == 1:
        p, k, v, label = next_nid()
        d.line(ch(['IDENTITY VERIFICATION FORM', 'Formulaire KYC', 'Verifizierungsformular', 'Modulo di verifica']))
        d.line('Name / Nom : ', S('PERSON_NAME', p.full))
        d.line(ch(BIRTH_LABEL[p.loc]), ' :  ', S('DATE_OF_BIRTH', dob_text(p)))
        d.line(label, '  ', S(k, v))
        d.line('Signature: ____________   Ref ', K('TICKET_NUMBER', ticket_no()))
    else:
        d.line('Payment methods')
        d.line('VISA  ', K('MASKED_CARD', masked_card()), '   Expires ', '%02d/%02d' % (ri(1, 12), ri(25, 31)))
        d.line('Mastercard  ', S('CARD_NUMBER', card_number(brand='mc', sep=ch([' ', '  ']))), '   Exp ', '%02d/%02d' % (ri(1, 12), ri(25, 31)), '  CVC ', S('CARD_CVV', rs(DG, 3)))
        d.line('(customer says the second card is the new one)')
    return d


def sc_sms():
    d = Doc('sms')
    c = Clock()
    p = en_person()
    d.line(ch(['SMS log for ', 'Twilio message log, to ', 'Messages sent to ']), S('PHONE', phone_for(p, True)), ':')
    for _ in range(ri(2, 4)):
        c.tick(30, 900)
        k = ri(0, 3)
        if k == 0:
            pre, post = ch([('Your Relaybox code is ', '. Valid for 10 minutes.'), ('Relaybox: ', ' is your login code. Do not share it.'), ('Use ', ' to sign in to Relaybox.'),
                            ('Dein Relaybox-Code lautet ', '. G\u00fcltig f\u00fcr 10 Minuten.'), ('Votre code Relaybox : ', '. Ne le partagez avec personne.'),
                            ('Tu c\u00f3digo de Relaybox es ', ''), ('Il tuo codice Relaybox \u00e8 ', ''), ('Seu c\u00f3digo Relaybox: ', ''),
                            ('Je Relaybox-code is ', '.'), ('Tw\u00f3j kod Relaybox: ', ''), ('Din Relaybox-kod \u00e4r ', ''), ('Relaybox\u306e\u78ba\u8a8d\u30b3\u30fc\u30c9: ', '')])
            body = [pre, sec('OTP_CODE'), post]
        elif k == 1:
            body = ['Sign in to Relaybox: https://app.relaybox.io/m/', sec('MAGIC_LINK_TOKEN')]
        elif k == 2:
            body = ['Reset your password: https://accounts.relaybox.io/reset?token=', sec('PASSWORD_RESET_TOKEN'), ' (expires in ', K('DURATION', '30 min'), ')']
        else:
            body = ['Your order ', K('ORDER_NUMBER', order_no()), ' has shipped.']
        d.line(K('TIMESTAMP', c.iso(1)), '  ', ch(['delivered', 'sent', 'undelivered']), '  ', body)
    return d


def sc_kyc_form():
    """Multi-country KYC/onboarding form dump (text)."""
    d = Doc(ch(['ticket', 'text']))
    p, k, v, label = next_nid()
    d.line('=== ', ch(['Onboarding form', 'KYC review', 'Account verification']), ' ', K('TICKET_NUMBER', ticket_no()), ' ===')
    d.line('Applicant      : ', S('PERSON_NAME', p.full))
    bl = ch(BIRTH_LABEL[p.loc])
    d.line(bl, (' ' * max(1, 15 - len(bl))), ': ', S('DATE_OF_BIRTH', dob_text(p)))
    d.line(label, ' : ', S(k, v))
    cc = ch(PASSPORT_CC[p.loc])
    if chance(0.6):
        d.line(ch(['Passport no.', 'Passport number', 'Passeport', 'Reisepass-Nr.', 'Pasaporte']), ' : ', S('PASSPORT_NUMBER', passport_number(cc)))
    if chance(0.4):
        dl_cc = ch(['UK', 'US', 'DE', 'FR', 'AU'])
        d.line(ch(["Driver's licence", 'Driving licence no.', 'F\u00fchrerschein-Nr.', 'Permis de conduire']), ' : ', S('DRIVING_LICENCE_NUMBER', driving_licence(dl_cc, p)))
    d.line('Address        : ', S('STREET_ADDRESS', address_for(p)))
    d.line('Phone          : ', S('PHONE', phone_for(p)))
    d.line('E-mail         : ', S('EMAIL', email_for(p) if chance(0.7) else obfuscated_email(p)))
    d.line('Signup IP      : ', S('IP_ADDRESS', customer_ip()))
    d.line('Submitted      : ', K('TIMESTAMP', Clock().iso(1)), '  (form v', K('VERSION', version()), ')')
    return d


def sc_mixed_ticket():
    """A free-text support ticket body mixing several kinds of data."""
    d = Doc('ticket')
    p = en_person()
    c = Clock()
    d.line('Subject: ', ch(['URGENT - integration broken', 'Account access + billing question', 'Data export problem', 'Need help with API keys']))
    d.line('Priority: ', ch(['P1', 'P2', 'High', 'Normal']), '   Created: ', K('TIMESTAMP', c.iso(1)), '   Ref: ', K('TICKET_NUMBER', ticket_no()))
    d.line('')
    parts = []
    co = company()
    parts.append(['Hi, this is ', S('PERSON_NAME', p.full), ' from ', K('COMPANY_NAME', co), '' if co.endswith('.') else '.'])
    opts = [
        lambda: ['Our ', ch(['Zapier', 'Make', 'n8n', 'Workato']), ' flow stopped working, it uses the key ', sec('GENERIC_API_KEY'), '.'],
        lambda: ['You can call me on ', S('PHONE', phone_for(p)), ' or ', S('PHONE', phone_for(p, True)), '.'],
        lambda: ['Please reply to ', S('EMAIL', obfuscated_email(p)), ' (the spam filter eats your mails otherwise).'],
        lambda: ['We are on version ', K('VERSION', version()), ', build ', K('BUILD_NUMBER', build_no()), ', error ', K('ERROR_CODE', error_code()), '.'],
        lambda: ['The last good run was ', K('TIMESTAMP', c.iso(1)), ' and took ', K('DURATION', duration()), '.'],
        lambda: (lambda pr: ['Our ', pr.desc, ' is ', S(pr.kind, pr.gen()), ' in case you need to test.'])(next_prov()),
        lambda: ['For the refund use IBAN ', S('IBAN', iban()), ', reference ', K('INVOICE_NUMBER', invoice_no()), '.'],
        lambda: ['The order ', K('ORDER_NUMBER', order_no()), ' for ', K('PRODUCT_SKU', sku()), ' is still pending.'],
        lambda: ['Our office IP ', S('IP_ADDRESS', customer_ip()), ' is blocked by your firewall since this morning.'],
        lambda: ['Login for the test account: ', S('EMAIL', email_for(p, True)), ' / ', sec('PASSWORD')],
        lambda: ['The commit that broke it is ', K('GIT_SHA', git_sha()), ', deployed as ', K('VERSION', version()), '.'],
        lambda: ['Card on file ends in ', K('CARD_LAST4', rs(DG, 4)), '; please do not charge it again.'],
        lambda: ['Please charge the renewal to ', S('CARD_NUMBER', card_number()), ch(['', ' exp %02d/%02d' % (ri(1, 12), ri(25, 31))]), ' instead.'],
        lambda: ['For verification, my ', ch(['SSN', 'social security number']), ' is ', S('US_SSN', ssn(ch(['-', ' ', '']))), '.'],
        lambda: ['My NI number is ', S('UK_NINO', nino()), ' if payroll needs it.'],
    ]
    for f in R.sample(opts, ri(3, 5)):
        parts.append(f())
    for pp in parts:
        d.line(pp)
    d.line('')
    d.line(ch(['Thanks', 'Cheers', 'Best', 'Regards']), ',')
    d.line(p.first)
    return d


def sc_provider_snippet():
    """A provider credential in one of many short, everyday contexts."""
    prov = next_prov()
    m = S(prov.kind, prov.gen())
    NAME = ch(prov.names)
    c = Clock()
    k = ri(0, 13)
    ctx = ['chat', 'log', 'shell', 'text', 'ticket', 'config', 'code', 'ci', 'log', 'chat', 'ticket', 'shell', 'text', 'email'][k]
    d = Doc(ctx)
    if k == 0:
        d.line('[', K('TIMESTAMP', c.short()), '] ', ch(['dev-ops', 'ana', 'pkumar', 'marc.b']), ': ', ch(['anyone know why this fails?', 'prod is down, this key worked yesterday:', 'for the migration script:']))
        d.line('[', K('TIMESTAMP', c.tick(5, 60).short()), '] ', ch(['dev-ops', 'ana', 'pkumar', 'marc.b']), ': ', '`', NAME, '=', m, '`')
        d.line('[', K('TIMESTAMP', c.tick(5, 60).short()), '] ', ch(AGENTS), ': ', ch(['pls delete that and rotate', 'that is a secret, rotate it now', ':rotating_light: revoke it']))
    elif k == 1:
        d.line(K('TIMESTAMP', c.iso(2)), ' WARN  [', ch(['http-nio-8080-exec-3', 'worker-2', 'main']), '] c.a.r.client.Upstream - ', prov.desc, ' rejected (', K('HTTP_STATUS', ch(['401', '403'])), '), key=', m, ' retry in ', K('DURATION', '%ds' % ri(1, 60)))
    elif k == 2:
        d.line('$ ', ch(['crontab -l', 'cat /etc/cron.d/relay-sync']))
        d.line(ch(['*/15 * * * *', '0 3 * * *', '@hourly']), ' ', NAME, '=', m, ' /opt/relay/bin/sync --quiet >> /var/log/relay/sync.log 2>&1')
    elif k == 3:
        d.line(ch(['Browser console:', 'DevTools > Console', 'Copied from the network tab:']))
        d.line('> localStorage.getItem("', ch(['relay.token', 'apiKey', 'auth']), '")')
        d.line("'", m, "'")
    elif k == 4:
        d.line(ch(['Support form', 'Web form submission', 'Contact form']), ' — ', K('TICKET_NUMBER', ticket_no()))
        d.line('Product: ', ch(PRODUCT))
        d.line('Describe your issue: ', ch(['it says invalid credentials for', 'stopped syncing, using', 'cant connect with']), ' ', m)
        d.line('Attachments: none')
    elif k == 5:
        d.line('# Makefile')
        d.line(NAME, ' ?= ', m)
        d.line('deploy:')
        d.line('	@', NAME, '=$(', NAME, ') ./scripts/deploy.sh ', K('VERSION', version()))
    elif k == 6:
        lang = ch(CODE_LANGS)
        d.line(CODE_COMMENT[lang], ' ', ch(CODE_FILE[lang]), ' (line ', str(ri(5, 300)), ')')
        d.line(code_assign(lang, NAME, m))
    elif k == 7:
        d.line('Step ', str(ri(3, 12)), '/', str(ri(12, 20)), ' : RUN ', NAME, '=', m, ' ./configure --with-relay')
        d.line(' ---> Running in ', K('GIT_SHA', rs(HEX, 12)))
        d.line('Successfully built ', K('GIT_SHA', rs(HEX, 12)))
    elif k == 8:
        d.line('I', K('TIMESTAMP', c.klog()), '       1 ', ch(['reflector.go', 'controller.go', 'client.go']), ':', str(ri(100, 900)), '] "Starting" env="', NAME, '=', m, '"')
    elif k == 9:
        d.line(ch(['Visitor', 'Customer']), ': hi, where do I put the ', prov.desc, '?')
        d.line(ch(AGENTS), ': In Settings › Integrations. Please do not share it with us.')
        d.line(ch(['Visitor', 'Customer']), ': ok it is ', m, ' does that look right?')
    elif k == 10:
        d.line('- [x] ', ch(['rotated old key', 'updated the connector']))
        d.line('- [ ] new ', prov.desc, ': ', m)
        d.line('- [ ] confirm with ', K('COMPANY_NAME', company()), ' on ', K('TIMESTAMP', c.date()))
    elif k == 11:
        d.line('PS> [Environment]::SetEnvironmentVariable("', NAME, '", "', m, '", "Machine")')
    elif k == 12:
        d.line(ch(['Note to self', 'scratchpad', 'Notes from call']), ':')
        if len(m.value) > 64 and chance(0.6):
            d.line('  ', prov.desc, ' ->')
            d.line('    ', S(m.kind, wrap(m.value, 56, None, '    ')))
        else:
            d.line('  ', prov.desc, ' -> ', m)
        d.line('  ticket ', K('TICKET_NUMBER', ticket_no()), ', build ', K('BUILD_NUMBER', build_no()))
    else:
        p = en_person()
        email_header(d, p, c, 'Quick question about ' + prov.desc)
        d.line('Hi, is this the right format? ', m)
        d.line('')
        d.line(p.first)
    if k in (0, 4, 9, 10, 12, 13) and chance(0.45):
        p2 = next_prov()
        d.line(ch(['also: ', 'and the other one ', '(old one was ', 'PS ']), S(p2.kind, p2.gen()), ch(['', ')', ' — same problem']))
    return d


# ---------------------------------------------------------------------------------------------
# Validation and output
# ---------------------------------------------------------------------------------------------

KNOWN_SECRET = set(PROV_BY_KIND) | {k for k in GENERIC} | set(PRIVATE_KEY_KINDS) | {'BASE64_PASSWORD'}
KNOWN_KEEP = {'VERSION', 'BUILD_NUMBER', 'OID', 'GIT_SHA', 'UUID', 'REQUEST_ID', 'TRACE_ID', 'SPAN_ID', 'ORDER_NUMBER',
              'TICKET_NUMBER', 'INVOICE_NUMBER', 'TIMESTAMP', 'DURATION', 'HEX_COLOR', 'HASH', 'PLACEHOLDER', 'EXAMPLE_KEY',
              'PUBLIC_KEY', 'CERTIFICATE', 'COMPANY_NAME', 'PRODUCT_SKU', 'ERROR_CODE', 'PORT', 'MASKED_CARD', 'CARD_LAST4',
              'PRIVATE_IP', 'HOSTNAME', 'FILE_PATH', 'HTTP_STATUS'}
NEUTRAL_MAIL_DOMAINS = ('relaybox.io', 'example.invalid', 'gserviceaccount.com', 'mg.relaybox.io')
EMAIL_RE = re.compile(r'[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}')
ALNUM = set(string.ascii_letters + string.digits)


def bounded_occurrences(text, v):
    i = text.find(v)
    while i >= 0:
        j = i + len(v)
        if (i == 0 or text[i - 1] not in ALNUM) and (j == len(text) or text[j] not in ALNUM):
            yield i, j
        i = text.find(v, i + 1)


def validate(d):
    text = d.text().rstrip('\n')
    errs = []
    for lst, name in ((d.sens, 'sensitive'), (d.keep, 'keep')):
        for (a, b, kind, v) in lst:
            if not (0 <= a < b <= len(text)) or text[a:b] != v:
                errs.append('%s span %s does not match' % (name, kind))
            elif v != v.strip():
                errs.append('%s span %s has surrounding whitespace' % (name, kind))
    for (a, b, kind, v) in d.sens:
        if kind not in PII_KINDS and kind not in KNOWN_SECRET:
            raise AssertionError('unknown secret kind ' + kind)
    for (a, b, kind, v) in d.keep:
        if kind not in KNOWN_KEEP:
            raise AssertionError('unknown keep kind ' + kind)
    spans = sorted([(a, b, 's') for a, b, _, _ in d.sens] + [(a, b, 'k') for a, b, _, _ in d.keep])
    for x, y in zip(spans, spans[1:]):
        if y[0] < x[1]:
            errs.append('overlap %r %r' % (x, y))
    for (a, b, kind, v) in d.sens:
        for i, j in bounded_occurrences(text, v):
            if not any(s <= i and j <= e for s, e, _, _ in d.sens):
                errs.append('unlabelled occurrence of %s value' % kind)
        for (ka, kb, kk, kv) in d.keep:
            if any(True for _ in bounded_occurrences(kv, v)):
                errs.append('keep %s contains sensitive %s' % (kk, kind))
        if 'EXAMPLE' in v.upper():
            errs.append('sensitive value contains EXAMPLE')
        if kind in VALIDATORS and not VALIDATORS[kind](v):
            raise AssertionError('checksum failed for %s %r' % (kind, v))
    # lint: every e-mail address that is not a neutral vendor/system address must be labelled
    for m in EMAIL_RE.finditer(text):
        dom = m.group(0).split('@', 1)[1].lower()
        if dom.endswith(NEUTRAL_MAIL_DOMAINS):
            continue
        if not any(s <= m.start() and m.end() <= e for s, e, _, _ in d.sens + d.keep):
            # user@host-like strings inside other spans (e.g. DSNs) are fine when covered by a span
            inside = [(s, e) for s, e, _, _ in d.sens if s < m.end() and m.start() < e]
            if not inside:
                raise AssertionError('unlabelled e-mail %r in %s' % (m.group(0), d.context))
    return errs


SCENARIOS = [
    (sc_chat_token, 30), (sc_chat_identity, 14), (sc_chat_otp, 12), (sc_chat_card, 14), (sc_chat_multilingual, 36),
    (sc_email_kyc, 22), (sc_email_credentials, 14), (sc_email_refund, 12), (sc_email_hr, 14), (sc_email_reply_chain, 8),
    (sc_log_access, 12), (sc_log_json, 14), (sc_log_logfmt, 9), (sc_log_syslog, 9), (sc_log_app_startup, 10), (sc_log_db, 9),
    (sc_log_windows, 6), (sc_log_lookalike, 10), (sc_log_mobile, 6), (sc_log_audit, 5),
    (sc_trace_python, 9), (sc_trace_java, 8), (sc_trace_node, 7), (sc_trace_misc, 11),
    (sc_env_file, 20), (sc_env_example, 6), (sc_yaml, 18), (sc_json_config, 13), (sc_toml, 8), (sc_ini, 12), (sc_xml, 12),
    (sc_hcl, 8), (sc_properties, 6), (sc_netdev, 9), (sc_code, 18),
    (sc_k8s_secret, 9), (sc_docker_config, 5), (sc_dotfiles, 16),
    (sc_ci_log, 9), (sc_ci_config, 6), (sc_shell_history, 13), (sc_multiline_cli, 8), (sc_powershell, 6), (sc_http_raw, 11),
    (sc_har, 4), (sc_postman, 5),
    (sc_sql_dump, 6), (sc_csv, 12), (sc_json_payload, 9), (sc_ticket_md, 10), (sc_diff, 8), (sc_notebook, 5), (sc_docs, 8),
    (sc_private_key_paste, 26), (sc_public_keys, 6), (sc_ocr, 8), (sc_sms, 6), (sc_kyc_form, 28), (sc_mixed_ticket, 12),
    (sc_provider_snippet, 110),
]


def build():
    schedule = []
    for fn, w in SCENARIOS:
        schedule += [fn] * w
    R.shuffle(schedule)
    records = []
    for n, fn in enumerate(schedule, 1):
        for attempt in range(60):
            d = fn()
            if not validate(d):
                break
        else:
            raise AssertionError('could not build a valid %s: %s' % (fn.__name__, validate(d)))
        text = d.text().rstrip('\n')
        # explicit invariants (validate() already regenerated snippets that broke them)
        for a, b, k, v in d.sens + d.keep:
            assert a < b and text[a:b] == v and v, (fn.__name__, k)
        ss = sorted(d.sens)
        for x, y in zip(ss, ss[1:]):
            assert x[1] <= y[0], ('sensitive spans overlap', fn.__name__, x[2], y[2])
        records.append({
            'id': 'ule-%04d' % n,
            'context': d.context,
            'text': text,
            'sensitive': [{'start': a, 'end': b, 'category': 'pii' if k in PII_KINDS else 'secret', 'kind': k} for a, b, k, _ in sorted(d.sens)],
            'keep': [{'start': a, 'end': b, 'kind': k} for a, b, k, _ in sorted(d.keep)],
        })
    return records


MINIMUMS = {'snippets': 560, 'secret_spans': 800, 'secret_kinds': 60, 'pii_spans': 450, 'keep_spans': 400}


def stats(records):
    from collections import Counter
    sec_c, pii_c, keep_c, ctx_c = Counter(), Counter(), Counter(), Counter()
    for r in records:
        ctx_c[r['context']] += 1
        for s in r['sensitive']:
            (sec_c if s['category'] == 'secret' else pii_c)[s['kind']] += 1
        for k in r['keep']:
            keep_c[k['kind']] += 1
    summary = {'snippets': len(records), 'secret_kinds': len(sec_c), 'secret_spans': sum(sec_c.values()),
               'pii_kinds': len(pii_c), 'pii_spans': sum(pii_c.values()), 'keep_kinds': len(keep_c), 'keep_spans': sum(keep_c.values()),
               'contexts': len(ctx_c)}
    return summary, sec_c, pii_c, keep_c, ctx_c


def fmt_counter(c):
    return ', '.join('`%s` %d' % (k, v) for k, v in sorted(c.items(), key=lambda kv: (-kv[1], kv[0])))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--stats', action='store_true', help='print per-kind counts')
    ap.add_argument('--out', default=os.path.join(os.path.dirname(os.path.abspath(__file__)), 'unseen_leaks_e.jsonl'))
    args = ap.parse_args()
    records = build()
    summary, sec_c, pii_c, keep_c, ctx_c = stats(records)
    for key, mn in MINIMUMS.items():
        assert summary[key] >= mn, '%s: %d < %d' % (key, summary[key], mn)
    for kind in list(PROV_BY_KIND) + PRIVATE_KEY_KINDS:
        assert sec_c[kind] >= 1, 'kind never generated: ' + kind
    with open(args.out, 'w', encoding='utf-8', newline='\n') as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False, sort_keys=False) + '\n')
    if args.stats:
        print('| metric | value |')
        print('|---|---|')
        for k, v in summary.items():
            print('| %s | %d |' % (k, v))
        print('\n#### secret (%d kinds, %d spans)\n\n%s' % (len(sec_c), sum(sec_c.values()), fmt_counter(sec_c)))
        print('\n#### pii (%d kinds, %d spans)\n\n%s' % (len(pii_c), sum(pii_c.values()), fmt_counter(pii_c)))
        print('\n#### keep (%d kinds, %d spans)\n\n%s' % (len(keep_c), sum(keep_c.values()), fmt_counter(keep_c)))
        print('\n#### context (%d contexts, %d snippets)\n\n%s' % (len(ctx_c), len(records), fmt_counter(ctx_c)))
    else:
        print('wrote %d snippets to %s' % (len(records), args.out))


if __name__ == '__main__':
    main()
