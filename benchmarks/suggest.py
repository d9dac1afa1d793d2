"""Suggested articles: how often the right article is in the top 3 on the labelled set that
ships with the tests (tests/data/kb_labelled.json: questions as callers and chat customers
phrase them → the article that answers them), against the keyword baseline in the same
run; and the time to suggest with a knowledge base of 5,000 articles (the labelled ones
among generated ones of the same vocabulary), p50/p95/p99, through the service the desk
asks (its index cached, the store asked for its fingerprint on SQLite each time).

    .venv/bin/python -m benchmarks.suggest --articles 5000 --asks 500
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.stats import ms, percentile
from callcenter.domain.articles import Article
from callcenter.domain.suggest import CallContext, SuggestIndex, keyword_rank
from callcenter.services.articles import Articles
from callcenter.services.suggestions import Suggestions
from callcenter.store.articles import SqlArticles
from callcenter.store.db import make_engine, make_sessions
from callcenter.store.migrate import upgrade

LABELLED = Path(__file__).parents[1] / "tests" / "data" / "kb_labelled.json"
BAR_P95 = 0.050


class _Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def hit_rates() -> None:
    data = json.loads(LABELLED.read_text(encoding="utf-8"))
    articles = [(a["id"], a["title"], a["body"]) for a in data["articles"]]
    index = SuggestIndex(articles)
    ours = base = 0
    for q in data["questions"]:
        ctx = CallContext(q["text"], tuple(q.get("tags", ())), tuple(q.get("ivr", ())))
        ours += q["article"] in [i for i, _ in index.rank(ctx, 3)]
        base += q["article"] in keyword_rank(articles, ctx, 3)
    n = len(data["questions"])
    print(f"labelled set: {len(articles)} articles, {n} questions (en, ru)")
    print(f"  top-3 hit rate, ours:     {ours}/{n} = {ours / n:.1%}")
    print(f"  top-3 hit rate, keywords: {base}/{n} = {base / n:.1%}")


def generated(count: int, words: list[str], rng: random.Random) -> list[Article]:
    return [
        Article(
            0, f"gen-{i}", " ".join(rng.choices(words, k=5)), " ".join(rng.choices(words, k=80))
        )
        for i in range(count)
    ]


async def latency(total: int, asks: int) -> None:
    data = json.loads(LABELLED.read_text(encoding="utf-8"))
    words = " ".join(f"{a['title']} {a['body']}" for a in data["articles"]).split()
    rng = random.Random(32)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/kb.sqlite3"
        upgrade(url)
        engine = make_engine(url)
        service = Articles(SqlArticles(make_sessions(engine)), _Clock())
        labelled = [Article(0, f"kb-{a['id']}", a["title"], a["body"]) for a in data["articles"]]
        fill = generated(max(0, total - len(labelled)), words, rng)
        for n, article in enumerate([*labelled, *fill], 1):
            await service.define(article, "bench")
            if n % 1000 == 0:
                print(f"  {n}/{total} articles written", flush=True)
        suggestions = Suggestions(service)
        started = time.perf_counter()
        await suggestions.suggest(CallContext("warm up"))
        print(f"  index built in {ms(time.perf_counter() - started)} ms")
        times = []
        for i in range(asks):
            q = data["questions"][i % len(data["questions"])]
            ctx = CallContext(q["text"], tuple(q.get("tags", ())), tuple(q.get("ivr", ())))
            t0 = time.perf_counter()
            await suggestions.suggest(ctx)
            times.append(time.perf_counter() - t0)
        engine.dispose()
    p95 = percentile(times, 95)
    print(f"time to suggest, {total} articles, {asks} asks:")
    p50, p99 = ms(percentile(times, 50)), ms(percentile(times, 99))
    print(f"  p50 {p50} ms, p95 {ms(p95)} ms, p99 {p99} ms")
    print(f"  bar p95 ≤ {BAR_P95 * 1000:.0f} ms: {'met' if p95 <= BAR_P95 else 'MISSED'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--asks", type=int, default=500)
    args = parser.parse_args()
    hit_rates()
    asyncio.run(latency(args.articles, args.asks))


if __name__ == "__main__":
    main()
