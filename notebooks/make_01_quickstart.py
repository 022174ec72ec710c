"""Generate notebooks/01_quickstart.ipynb: ``python make_01_quickstart.py [--execute]``.

The notebook is written from this script so that its cells stay reviewable as plain
Python; the test tests/test_notebook_01.py executes the generated notebook.
"""

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

cells = []


def md(text: str) -> None:
    cells.append(new_markdown_cell(text.strip()))


def code(text: str) -> None:
    cells.append(new_code_cell(text.strip()))


md("""
# 快速入门：从语料到关键词 · Quickstart: from a corpus to key terms

本教程用项目自带的**示范语料**（`corpus/demo`，为本项目撰写的示意性党建案例文本，
不是真实报道）演示一个最常见的探索流程：读入语料 → 分词 → 去停用词 → 词频 →
关键词语境（KWIC）→ 两类领域之间的关键性（keyness）比较 → 搭配（collocations）。

This tutorial walks through a typical first exploration of Chinese party-building texts
with `quanyu_nlp`, using the project's **demo corpus** (`corpus/demo`: illustrative case
reports written for this project, not real news). Steps: read the corpus → segment →
remove stopwords → word frequencies → keywords in context (KWIC) → keyness between two
fields → collocations. Every step returns an ordinary pandas table you can save or
inspect further.
""")

code("""
import pandas as pd

from quanyu_nlp.corpus import read_corpus
from quanyu_nlp.segment import segment, tokens_remove
from quanyu_nlp.dfm import dfm, dfm_remove, dfm_trim
from quanyu_nlp.features import (fcm, kwic, textstat_collocations, textstat_frequency,
                                 textstat_keyness)

pd.set_option("display.max_colwidth", 60)
pd.set_option("display.width", 160)
""")

md("""
## 1. 读入语料 · Read the corpus

`read_corpus` 读取一个文件夹中的文本文件；同一文件夹中的 `manifest.csv` 提供每篇文档的
文档变量（标题、体裁、领域 `field`、层级 `level`、地区、年份、来源、作者）。这些变量
是后面分组比较的依据。

`read_corpus` reads every text file of a folder; the folder's `manifest.csv` supplies
the document variables (title, genre, field, level, region, year, source, author) that
we later use to compare groups of documents.
""")

code("""
corpus = read_corpus("../corpus/demo")
corpus
""")

code("""
corpus.docvars[["title", "field", "level", "region", "year"]].head()
""")

code("""
# 各领域的文档数 · documents per field
corpus.docvars["field"].value_counts()
""")

md("""
## 2. 分词 · Segmentation

`segment` 默认使用 rjieba 引擎并加载党建领域词表，所以“党建联合体”“联合党委”“两个覆盖”
等概念保持为一个词，而不是被切成碎片。每个词都记录了它在原文中的字符位置，因此后面的
KWIC 可以逐字引用原文。

`segment` uses the fast rjieba engine with the party-building lexicon switched on, so
domain concepts such as 党建联合体 ("party-building alliance") or 联合党委 ("joint
party committee") stay whole. Each token keeps its character offsets into the original
text, which lets KWIC quote the source verbatim.
""")

code("""
toks = segment(corpus)
toks
""")

code("""
# 第一篇文档的前 30 个词 · the first 30 tokens of the first document
print(" / ".join(toks.tokens(0)[:30]))
""")

md("""
## 3. 去除停用词 · Remove stopwords

“的”“了”“和”以及标点对内容分析没有帮助。`tokens_remove(..., stopwords="zh")` 去掉通用
中文停用词和标点；如需同时去掉党建文本中的套话，可用 `stopwords="zh+party"`。
注意：单字词（村、镇、县、党）**不会**被自动删除——它们在基层党建文本里往往很重要。

Function words (的, 了, 和) and punctuation tell us little about content.
`tokens_remove(..., stopwords="zh")` drops a curated Chinese stopword list and
punctuation (`"zh+party"` also drops party-discourse boilerplate). One-character words
such as 村 (village), 镇 (township) or 县 (county) are **kept**: unlike scikit-learn's
default settings, nothing here silently discards them.
""")

code("""
clean = tokens_remove(toks, stopwords="zh")
print("tokens before:", toks.n_tokens, " after:", clean.n_tokens)
""")

md("""
## 4. 文档-特征矩阵与词频 · Document-feature matrix and frequencies

`dfm` 统计每篇文档中每个词出现的次数（稀疏矩阵）。这里再用正则表达式去掉纯数字，
并用 `dfm_trim` 去掉只出现在一篇文档中的词；`trim_report` 逐一列出被删掉的词及原因，
方便在论文中报告预处理步骤。

`dfm` counts each word in each document (a sparse matrix). We drop pure numbers with a
regular expression and use `dfm_trim` to remove words that occur in only one document;
`trim_report` lists every removed word and the rule that removed it, so the
preprocessing can be reported in a methods section.
""")

code("""
d = dfm(clean)
d = dfm_remove(d, r"^[0-9０-９.%％]+$", valuetype="regex")
d_trim = dfm_trim(d, min_docs=2)
print(d)
print(d_trim)
d_trim.meta["history"][-1]
""")

code("""
d_trim.trim_report.head(10)
""")

code("""
# 最常见的 20 个词 · the 20 most frequent words
freq = textstat_frequency(d, n=20)
freq
""")

code("""
# 单字词同样被统计 · one-character words are counted too
textstat_frequency(d).query("feature.str.len() == 1").head(10)
""")

code("""
# 按领域分组的前 5 个词 · top 5 words within each field
textstat_frequency(d, n=5, groups="field")
""")

md("""
## 5. 关键词语境 · Keywords in context (KWIC)

KWIC 列出一个词每次出现时的上下文，是从“数词”回到“读文本”的桥梁。`char_start` 和
`char_end` 是关键词在原文中的字符位置，可以直接用于引用。模式中用空格分隔多个词
（如 `"联合 党委"`）可以检索词组；不带空格的 `"党建联合体"` 无论被切成一个词还是
“党建/联合体”两个词都能找到。

KWIC shows every occurrence of a term with its context: the bridge from counting words
back to reading texts. `char_start`/`char_end` locate the keyword in the original text,
so a quotation can be cited exactly. Separate tokens by spaces to search a phrase;
a pattern without spaces such as `"党建联合体"` is found whether the segmenter kept it
whole or split it.
""")

code("""
kw = kwic(toks, "党建联合体", window=10)
print(len(kw), "matches in", kw["doc_id"].nunique(), "documents")
kw.head(10)
""")

md("""
## 6. 关键性分析：农村 vs 城市基层 · Keyness: rural vs urban grassroots

哪些词在“农村”领域的文档中比在“城市基层”文档中更常见？`textstat_keyness` 对每个词
建立 2×2 列联表，计算对数似然比 G² 与卡方值（负号表示该词在目标组中偏少），并给出
效应量：log ratio（相对频率之比的以 2 为底的对数）和 %DIFF。G² > 10.83 对应 p < 0.001。

Which words are characteristic of rural (农村) documents compared with urban
grassroots (城市基层) documents? For each word, `textstat_keyness` builds a 2×2 table
and reports the log-likelihood G² and chi-squared (negative when the word is
*under*-represented in the target), with effect sizes: the log ratio (binary log of the
ratio of relative frequencies) and %DIFF. G² > 10.83 corresponds to p < 0.001.
""")

code("""
key = textstat_keyness(d, target=("field", "农村"), reference=("field", "城市基层"))
print(key.attrs)
key.head(15)
""")

code("""
# 城市基层一侧最突出的词（G² 为负）· words most typical of the urban side
key.tail(10).iloc[::-1]
""")

md("""
## 7. 搭配 · Collocations

搭配是经常紧挨着出现的词串，如“市委 组织部”。`lambda` 与 `z` 的定义与 R 语言 quanteda 包
相同，可按 `z` 排序筛选；表中还给出 PMI、G² 和 t 值。去停用词后，被删掉的词的位置仍被
视为断点，所以不会凭空产生“相邻”的词对。高频搭配可以加入用户词典，让分词器把它们当作一个词。

Collocations are word sequences that occur together more often than chance, such as
市委 组织部 (municipal party organisation department). `lambda` and `z` follow R's
quanteda; PMI, G² and the t-score are also given. Positions where stopwords were removed
still break sequences, so removing stopwords does not create false neighbours. Strong
collocations are candidates for a user dictionary.
""")

code("""
coll = textstat_collocations(clean, size=2, min_count=3)
# 去掉含数字的搭配（如“2020 年”）· drop collocations containing digits ("2020 年")
coll[~coll["collocation"].str.contains(r"[0-9]")].head(20)
""")

md("""
## 8. 共现网络（选读）· Co-occurrence (optional)

`fcm` 统计词与词在同一文档（或同一窗口）内的共现次数，可以转换为 networkx 图，用于绘制
语义网络。这里只取最常见的 30 个词。

`fcm` counts how often words co-occur in a document (or within a window) and converts
to a networkx graph for a semantic network. We keep the 30 most frequent words.
""")

code("""
co = fcm(dfm_trim(d, max_features=30), context="window", window=5)
graph = co.to_networkx(min_count=40)
print(graph.number_of_nodes(), "nodes,", graph.number_of_edges(), "edges")
co.top(10)
""")

md("""
## 小结 · Summary

| 步骤 step | 函数 function | 结果 result |
|---|---|---|
| 读入 read | `read_corpus` | `Corpus` |
| 分词 segment | `segment`, `tokens_remove` | `Tokens` |
| 计数 count | `dfm`, `dfm_trim`, `dfm_remove` | `Dfm` |
| 探索 explore | `textstat_frequency`, `kwic`, `textstat_keyness`, `textstat_collocations`, `fcm` | 表格 tables |

下一步：后续笔记本（如 `03_topics.ipynb`）介绍框架编码与主题模型。
Next: the framework-coding and topic-model notebooks build on the same `Tokens` and `Dfm`.
""")

nb = new_notebook(cells=cells, metadata={
    "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
    "language_info": {"name": "python"},
})
out = Path(__file__).with_name("01_quickstart.ipynb")
nbformat.validate(nb)
if "--execute" in sys.argv:
    # Store the outputs so the tutorial reads well on GitHub; the test re-executes it.
    from nbclient import NotebookClient

    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(out.parent)}}).execute()
nbformat.write(nb, str(out))
print("wrote", out)
