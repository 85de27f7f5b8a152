"""The text features, one definition used both to train (as scikit-learn's analyzer) and to predict.

Training passes `analyze` to `TfidfVectorizer(analyzer=...)`, so the shipped artifact and the
runtime turn a ticket into the same terms by construction, not by two implementations kept in step.
"""

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence

# A pasted 1 MB log must not make triage slow: the first MAX_CHARS characters decide (the ticket's
# own words come first; a long tail of log lines adds little to a bag of words).
MAX_CHARS = 20_000
# scikit-learn's default token pattern: words of two or more word characters.
_TOKEN = re.compile(r"(?u)\b\w\w+\b")
NGRAM_MAX = 2


def analyze(text: str) -> list[str]:
    """Lower-cased word unigrams and bigrams of the ticket's first MAX_CHARS characters."""
    tokens = _TOKEN.findall(text[:MAX_CHARS].lower())
    terms = list(tokens)
    for n in range(2, NGRAM_MAX + 1):
        terms.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return terms


def tfidf(text: str, vocabulary: Mapping[str, int], idf: Sequence[float]) -> dict[int, float]:
    """The sparse, L2-normalised tf-idf row scikit-learn's TfidfVectorizer(sublinear_tf=True) gives."""
    weights: dict[int, float] = {}
    for term, count in Counter(analyze(text)).items():
        index = vocabulary.get(term)
        if index is not None:
            weights[index] = (1.0 + math.log(count)) * idf[index]
    norm = math.sqrt(sum(w * w for w in weights.values()))
    if norm == 0.0:
        return {}
    return {index: w / norm for index, w in weights.items()}
