"""Benchmark: ``quanyu topics`` against the LDA pipeline researchers write by hand.

Corpus: 《新闻联播》 transcripts (../shared/corpora/xinwen_lianbo_2022_2026/news/*.md),
one document per news item (a ``### title`` section with its ``<p>`` paragraphs).
The corpus is read from the path given on the command line; no text of it is
stored in the project.

Measured in the same run, both as fresh subprocesses (start-up and imports count; wall
and CPU time; quanyu gets an empty segmentation cache):

1. hand-written: rjieba, a stopword list, tokens of two or more characters, gensim
   ``Dictionary`` and ``LdaModel(num_topics=K, passes=10)``;
2. ``quanyu topics DOCS.txt --k K --seed 1 -o OUT`` with its defaults.

Quality: NPMI of each model's top-10 terms per topic (gensim ``CoherenceModel``,
``c_npmi``), scored on the same reference token lists (the hand-written pipeline's),
and also on quanyu's own token lists. Memory: peak RSS (``resource.getrusage`` of a
child process) of ``quanyu topics`` on the whole corpus.

Usage::

    python benchmarks/topics_bench.py --news ../shared/corpora/xinwen_lianbo_2022_2026/news \
        --days 200 --k 20 [--memory] [--json results.json]

Targets (issue 5): NPMI >= 0.13 in <= 0.5x the hand-written time; peak memory on the
whole corpus < 2 GB.
"""

from __future__ import annotations

import argparse
import csv
import glob
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

_TAG = re.compile(r"<[^>]+>")


def news_items(path: str) -> list[str]:
    """The news items of one day: ``title。paragraphs`` on one line each."""
    text = open(path, encoding="utf-8").read()
    if "## 详细新闻" in text:
        text = text.split("## 详细新闻", 1)[1]
    items = []
    for section in re.split(r"^### ", text, flags=re.M)[1:]:
        title, _, body = section.partition("\n")
        body = html.unescape(_TAG.sub(" ", body))
        doc = " ".join((title.strip() + "。 " + body).split())
        if len(doc) > 10:
            items.append(doc)
    return items


def write_docs(news_dir: str, days: int | None, out: str) -> tuple[int, int]:
    files = sorted(glob.glob(os.path.join(news_dir, "*.md")))
    if days:
        files = files[:days]
    n = chars = 0
    with open(out, "w", encoding="utf-8") as fh:
        for f in files:
            for doc in news_items(f):
                fh.write(doc + "\n")
                n += 1
                chars += len(doc)
    return n, chars


HAND_WRITTEN = r'''
import json, sys
import rjieba
from gensim.corpora import Dictionary
from gensim.models import LdaModel
docs_path, stop_path, k, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
stop = set(w.strip() for w in open(stop_path, encoding="utf-8") if w.strip())
texts = [[w for w in rjieba.cut(line.strip()) if w.strip() and w not in stop and len(w) > 1]
         for line in open(docs_path, encoding="utf-8") if line.strip()]
dictionary = Dictionary(texts)
corpus = [dictionary.doc2bow(t) for t in texts]
lda = LdaModel(corpus, id2word=dictionary, num_topics=k, passes=10, random_state=1)
topics = [[w for w, _ in lda.show_topic(t, topn=10)] for t in range(k)]
json.dump({"topics": topics}, open(out, "w", encoding="utf-8"), ensure_ascii=False)
'''

REFERENCE = r'''
import json, sys
import rjieba
docs_path, stop_path, out = sys.argv[1], sys.argv[2], sys.argv[3]
stop = set(w.strip() for w in open(stop_path, encoding="utf-8") if w.strip())
texts = [[w for w in rjieba.cut(line.strip()) if w.strip() and w not in stop and len(w) > 1]
         for line in open(docs_path, encoding="utf-8") if line.strip()]
json.dump(texts, open(out, "w", encoding="utf-8"), ensure_ascii=False)
'''

MEASURE = r'''
import resource, subprocess, sys
p = subprocess.run(sys.argv[1:], capture_output=True, text=True)
sys.stderr.write(p.stderr)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(r.ru_utime + r.ru_stime, r.ru_maxrss)
sys.exit(p.returncode)
'''


def quanyu_cmd() -> list[str]:
    exe = shutil.which("quanyu", path=os.path.dirname(sys.executable)) or shutil.which("quanyu")
    return [exe] if exe else [sys.executable, "-m", "quanyu_nlp.cli"]


def timed(cmd: list[str], env: dict | None = None) -> tuple[float, float, float]:
    """Run ``cmd`` in a wrapper process; return (wall seconds, CPU seconds, peak MB).

    CPU time (user + system of the command and its children) is reported beside wall
    time because wall time on a shared machine depends on what else runs.
    """
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, "-c", MEASURE, *cmd], capture_output=True,
                       text=True, env=env)
    dt = time.perf_counter() - t0
    if p.returncode:
        sys.exit(f"failed: {' '.join(cmd)}\n{p.stderr[-2000:]}")
    cpu, rss_kb = p.stdout.strip().splitlines()[-1].split()
    return dt, float(cpu), int(rss_kb) / 1024


def npmi(topics, texts) -> tuple[float, int]:
    """Mean c_npmi of the topics' top-10 terms on ``texts``; terms missing from the
    reference are dropped (their number is returned)."""
    from gensim.corpora import Dictionary
    from gensim.models import CoherenceModel

    d = Dictionary(texts)
    missing = sum(1 for t in topics for w in t if w not in d.token2id)
    topics = [[w for w in t if w in d.token2id][:10] for t in topics]
    topics = [t for t in topics if len(t) >= 2]
    cm = CoherenceModel(topics=topics, texts=texts, dictionary=d, coherence="c_npmi",
                        topn=10, processes=1)
    return float(cm.get_coherence()), missing


def our_topics(outdir: str) -> list[list[str]]:
    rows = list(csv.DictReader(open(os.path.join(outdir, "topics.csv"), encoding="utf-8")))
    topics: dict[str, list[str]] = {}
    for r in rows:
        if int(r["rank"]) <= 10:
            topics.setdefault(r["topic"], []).append(r["term"])
    return [topics[k] for k in sorted(topics, key=int)]


def stopword_file() -> str:
    from quanyu_nlp.segment.dictionary import _data_path
    return str(_data_path("stopwords_zh.txt"))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--news", default=os.path.join(os.path.dirname(__file__), "..", "..",
                                                   "shared", "corpora",
                                                   "xinwen_lianbo_2022_2026", "news"))
    ap.add_argument("--days", type=int, default=200)
    ap.add_argument("--k", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=1, help="time each pipeline this often")
    ap.add_argument("--memory", action="store_true",
                    help="also measure peak memory on the whole corpus")
    ap.add_argument("--extra", nargs="*", default=[],
                    help="extra options for quanyu topics, e.g. --iterations 300")
    ap.add_argument("--json", default=None, help="write the results here")
    a = ap.parse_args(argv)

    tmp = tempfile.mkdtemp(prefix="topics-bench-")
    docs = os.path.join(tmp, "docs.txt")
    n, chars = write_docs(a.news, a.days, docs)
    print(f"{a.days} days: {n} news items, {chars:,} characters")
    stop = stopword_file()
    res = {"days": a.days, "documents": n, "characters": chars, "k": a.k}

    # A fresh segmentation cache for every run: the hand-written pipeline has none, so
    # quanyu must not profit from an earlier run's cache.
    def env(i):
        return {**os.environ, "QUANYU_CACHE_DIR": os.path.join(tmp, f"cache{i}")}

    hand, ours = [], []
    for i in range(a.repeat):
        hand.append(timed([sys.executable, "-c", HAND_WRITTEN, docs, stop, str(a.k),
                           os.path.join(tmp, f"hand{i}.json")]))
        ours.append(timed(quanyu_cmd() + ["topics", docs, "--k", str(a.k), "--seed", "1",
                                          "-o", os.path.join(tmp, f"ours{i}"), *a.extra],
                          env=env(i)))
    hand_best = min(hand)
    ours_best = min(ours)
    res["hand_seconds"], res["hand_cpu_seconds"] = hand_best[0], hand_best[1]
    res["quanyu_seconds"], res["quanyu_cpu_seconds"] = ours_best[0], ours_best[1]
    res["time_ratio"] = res["quanyu_seconds"] / res["hand_seconds"]
    res["cpu_ratio"] = res["quanyu_cpu_seconds"] / res["hand_cpu_seconds"]
    res["quanyu_settings"] = json.load(open(os.path.join(tmp, "ours0", "model_info.json"),
                                            encoding="utf-8"))["model"]["params"]

    ref_path = os.path.join(tmp, "reference.json")
    subprocess.run([sys.executable, "-c", REFERENCE, docs, stop, ref_path], check=True)
    ref = json.load(open(ref_path, encoding="utf-8"))
    hand_topics = json.load(open(os.path.join(tmp, "hand0.json"), encoding="utf-8"))["topics"]
    ours = our_topics(os.path.join(tmp, "ours0"))
    res["hand_npmi"], _ = npmi(hand_topics, ref)
    res["quanyu_npmi"], res["quanyu_terms_missing_from_reference"] = npmi(ours, ref)
    # quanyu's own tokens (its segmenter keeps party terms such as 党建引领 whole)
    from quanyu_nlp.segment import segment
    own = segment([line.strip() for line in open(docs, encoding="utf-8") if line.strip()])
    own_lists = [[w for w in t if len(w) > 1 and w.strip()] for t in own.to_lists()]
    res["quanyu_npmi_own_tokens"], _ = npmi(ours, own_lists)
    res["hand_npmi_own_tokens"], res["hand_terms_missing_from_own"] = npmi(hand_topics,
                                                                             own_lists)
    res["targets_met"] = bool(res["quanyu_npmi"] >= 0.13 and res["time_ratio"] <= 0.5)
    print(f"hand-written: {res['hand_seconds']:.2f} s (CPU {res['hand_cpu_seconds']:.2f} s), "
          f"NPMI {res['hand_npmi']:.3f}")
    print(f"quanyu topics: {res['quanyu_seconds']:.2f} s ({res['time_ratio']:.2f}x; CPU "
          f"{res['quanyu_cpu_seconds']:.2f} s, {res['cpu_ratio']:.2f}x), "
          f"NPMI {res['quanyu_npmi']:.3f} "
          f"({res['quanyu_terms_missing_from_reference']} of {10 * a.k} terms not in the "
          f"reference tokens); on its own tokens {res['quanyu_npmi_own_tokens']:.3f} vs "
          f"hand-written {res['hand_npmi_own_tokens']:.3f}")

    if a.memory:
        all_docs = os.path.join(tmp, "all.txt")
        n_all, chars_all = write_docs(a.news, None, all_docs)
        wall, cpu, peak = timed(quanyu_cmd() + ["topics", all_docs, "--k", str(a.k), "--seed",
                                                "1", "-o", os.path.join(tmp, "all_out"),
                                                *a.extra], env=env("all"))
        res.update({"all_documents": n_all, "all_characters": chars_all,
                    "all_seconds": wall, "all_cpu_seconds": cpu, "peak_rss_mb": peak})
        print(f"whole corpus: {n_all} items, {chars_all:,} characters, {wall:.1f} s, peak "
              f"memory {peak:.0f} MB (target < 2048 MB)")
    print(f"targets met (NPMI >= 0.13, time <= 0.5x): {res['targets_met']}")
    if a.json:
        json.dump(res, open(a.json, "w", encoding="utf-8"), indent=2)
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
