"""Articles suggested for the call at hand, from what is known of it: the IVR path (a node
named ``order_status``, the digits pressed), the ticket's tags, and the words of the live
transcript. Pure.

The ranking is BM25 (k1 1.2, b 0.75) over the articles' titles (counted twice) and bodies,
on word stems: lower-cased letters and digits of any script, cut to their first
:data:`STEM` characters — crude, but it makes "delivered", "delivery" and "deliver", or
"доставка" and "доставку", one word without a dictionary per language. What the caller
said weighs 1 a word, a tag 2, the IVR path 1.5; a word said many times counts once more
for each doubling. :func:`keyword_rank` is the baseline the benchmark measures it against:
articles by how many of the query's words (whole, lower-cased) they contain."""

from __future__ import annotations

import dataclasses
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence

STEM = 5
K1, B = 1.2, 0.75
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Words that carry nothing of the question (caller's filler), in the languages we speak.
_STOP_EN = (
    "the a an and or to of in on at for is are was be it i my me we you your this that with "
    "have has do does did not no yes hello hi please can could would will what when how why"
)
_STOP_RU = "ну и в на не что как это я мне мой моя у вас по с а но да нет здравствуйте алло пожалуйста можно"  # noqa: RUF001, E501
STOP = frozenset(_STOP_EN.split()) | frozenset(_STOP_RU.split())


@dataclasses.dataclass(frozen=True)
class CallContext:
    transcript: str = ""  # what was said so far
    tags: tuple[str, ...] = ()
    ivr: tuple[str, ...] = ()  # node ids and details of the IVR path

    def weighted_words(self) -> Counter[str]:
        weights: Counter[str] = Counter()
        for text, weight in (
            (self.transcript, 1.0),
            (" ".join(self.tags), 2.0),
            (" ".join(self.ivr), 1.5),
        ):
            counts = Counter(stems(text))
            for stem, n in counts.items():
                weights[stem] += weight * (1 + math.log2(n))  # type: ignore[assignment]
        return weights


def stems(text: str) -> list[str]:
    return [w[:STEM] for w in (m.group().lower() for m in _WORD.finditer(text)) if w not in STOP]


@dataclasses.dataclass(frozen=True)
class _Doc:
    article_id: int
    terms: Counter[str]
    length: int


class SuggestIndex:
    """The articles (id, title, body) ready to rank; built once, asked many times."""

    def __init__(self, articles: Iterable[tuple[int, str, str]]) -> None:
        self._docs: list[_Doc] = []
        df: Counter[str] = Counter()
        for article_id, title, body in articles:
            terms = Counter(stems(title) * 2 + stems(body))
            self._docs.append(_Doc(article_id, terms, sum(terms.values())))
            df.update(terms.keys())
        n = max(len(self._docs), 1)
        self._avg = sum(d.length for d in self._docs) / n if self._docs else 1.0
        self._idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self._postings: dict[str, list[int]] = {}
        for i, doc in enumerate(self._docs):
            for term in doc.terms:
                self._postings.setdefault(term, []).append(i)

    def __len__(self) -> int:
        return len(self._docs)

    def rank(self, context: CallContext, limit: int = 3) -> list[tuple[int, float]]:
        """The best ``limit`` articles for the call: (article id, score), best first."""
        scores: dict[int, float] = {}
        for term, weight in context.weighted_words().items():
            idf = self._idf.get(term)
            if idf is None:
                continue
            for i in self._postings[term]:
                doc = self._docs[i]
                tf = doc.terms[term]
                norm = tf * (K1 + 1) / (tf + K1 * (1 - B + B * doc.length / self._avg))
                scores[i] = scores.get(i, 0.0) + weight * idf * norm
        best = sorted(scores.items(), key=lambda kv: (-kv[1], self._docs[kv[0]].article_id))
        return [(self._docs[i].article_id, round(score, 3)) for i, score in best[:limit]]


def keyword_rank(
    articles: Sequence[tuple[int, str, str]], context: CallContext, limit: int = 3
) -> list[int]:
    """The baseline: articles by how many of the context's whole words they contain."""
    words = {
        w.lower()
        for text in (context.transcript, *context.tags, *context.ivr)
        for w in _WORD.findall(text)
    } - STOP
    counted = []
    for article_id, title, body in articles:
        present = set(_WORD.findall(f"{title} {body}".lower()))
        hits = len(words & present)
        if hits:
            counted.append((-hits, article_id))
    return [article_id for _, article_id in sorted(counted)[:limit]]
