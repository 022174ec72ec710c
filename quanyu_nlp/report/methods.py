"""A methods paragraph (Chinese and English) written from a run manifest.

Researchers copy this into the methods section of a paper and adapt it, so it names
every tool with its version and every parameter that changes the result, and says
nothing the manifest does not record.
"""

from __future__ import annotations

from typing import Any, Mapping

__all__ = ["methods_paragraph"]

_SEGMENT_KEYS = ("segment", "segmenter", "segmentation")
_TOPIC_KEYS = ("topics", "topic_model", "topic")
_SKIP = {"name", "method", "methods", "backend", "model", "version", "hash", "k", "n_topics",
         "random_state", "seed", "citation", "description"}


def _first(m: Mapping, keys) -> Any:
    for k in keys:
        if k in m and m[k] not in (None, {}, ""):
            return m[k]
    return None


def _fmt(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, (list, tuple)):
        return ", ".join(map(_fmt, v))
    return str(v)


def _params(d: Mapping) -> str:
    items = [(k, v) for k, v in d.items()
             if k not in _SKIP and not isinstance(v, Mapping) and v is not None]
    return "; ".join(f"{k}={_fmt(v)}" for k, v in items)


# Topic keys the topics sentences state in words; the rest are listed as parameters.
_TOPIC_WORDED = {"unit", "n_units", "k_candidates", "select_seeds", "select_criteria",
                 "select_holdout", "select_model", "effects", "effects_method", "n_boot",
                 "effects_level", "effects_link", "seeded_dimension", "n_free"}
_UNIT_ZH = {"documents": "篇文档", "paragraphs": "个段落", "sentences": "个句子"}
_CRITERIA_NAMES = {"npmi": "NPMI", "c_v": "C_v", "exclusivity": "exclusivity",
                   "stability": "stability"}


def _list_zh(values) -> str:
    return "、".join(map(_fmt, values))


def _topic_sentences(top: Mapping, dims: Mapping) -> tuple[str, str, str, str]:
    """Where the topics were fit, how K was chosen and how the effects were estimated.

    Each clause only when the manifest records it, so the text never claims more than
    was run.
    """
    zh, en = "", ""
    unit, n = top.get("unit"), top.get("n_units")
    if unit:
        count_zh = f" {n:,} " if isinstance(n, int) else ""
        count_en = f"{n:,} " if isinstance(n, int) else ""
        zh += f"；主题模型的建模单元为{count_zh}{_UNIT_ZH.get(unit, unit).strip()}"
        en += f"; the topic models were fit on {count_en}{unit}"
        if unit == "documents":
            zh += "（与编码单元不同，主题比例按文档计算）"
            en += " (not on the coding units: topic shares are per document)"
    cands = top.get("k_candidates")
    if cands:
        seeds = top.get("select_seeds")
        crit = [_CRITERIA_NAMES.get(c, c) for c in top.get("select_criteria") or []]
        hold = top.get("select_holdout")
        zh += f"；K 从候选值 {_list_zh(cands)} 中选定"
        en += f"; K was chosen from {', '.join(map(_fmt, cands))}"
        sel_model = top.get("select_model")
        if sel_model:
            zh += f"（以 {str(sel_model).upper()} 模型比较）"
            en += f" with {str(sel_model).upper()} fits"
        if seeds:
            zh += f"（每个候选值以随机种子 {_list_zh(seeds)} 各拟合一次"
            en += f" (one fit per candidate and seed {', '.join(map(_fmt, seeds))}"
            if hold:
                zh += f"，每次拟合留出 {hold:.0%} 的文档计算困惑度"
                en += f", each holding out {hold:.0%} of the documents for perplexity"
            if crit:
                zh += f"，取各种子均值的 {'、'.join(crit)} 标准化得分之和最高者"
                en += (f"; the K with the highest sum of z-scored {', '.join(crit)}, "
                       "averaged over seeds")
            zh += "）"
            en += ")"
    if top.get("seeded_dimension"):
        d = top["seeded_dimension"]
        name = dims.get(d, d)
        free = top.get("n_free")
        zh += f"；另以编码框架“{name}”维度的类目为种子拟合种子主题模型" + (
            f"（另含 {free} 个自由主题）" if free is not None else "")
        en += f"; a seeded topic model was also fit with the categories of the “{name}” " \
              "dimension as seeds" + (f" (plus {free} free topics)" if free is not None else "")
    zh_e, en_e = "", ""
    if top.get("effects"):
        method = top.get("effects_method")
        n_boot = top.get("n_boot")
        level = top.get("effects_level")
        link = top.get("effects_link") or "identity"
        lvl = f"{level:.0%} " if isinstance(level, float) else ""
        n_zh = f" {n_boot} 次" if n_boot else ""
        n_en = f" {n_boot}" if n_boot else ""
        reg_zh = "线性回归（OLS，估计值为主题比例的变化）" if link == "identity" else \
            "分数 logit 回归（估计值为对数几率的变化）"
        reg_en = "linear regression (OLS; estimates are changes in topic share)" \
            if link == "identity" else "fractional logit regression (changes in log-odds)"
        how_zh = {"bootstrap": f"{lvl}区间为{n_zh}文档重抽样的 bootstrap 百分位区间",
                  "delta": f"{lvl}区间为 HC1 稳健标准误的正态区间",
                  "composition": f"{lvl}区间由合成法（method of composition）得到："
                                 f"{n_zh.strip()}从各文档主题比例的后验分布抽样并重新估计"}
        how_en = {"bootstrap": f"{lvl}intervals are bootstrap percentile intervals over"
                               f"{n_en} resamples of documents",
                  "delta": f"{lvl}intervals are normal intervals from HC1 robust "
                           "standard errors",
                  "composition": f"{lvl}intervals come from the method of composition "
                                 f"({n_en.strip() + ' ' if n_en else ''}draws of every "
                                 "document's topic shares from their posterior, each "
                                 "refit)"}
        zh_e = f"文档变量对主题比例的效应按公式 {top['effects']} 以{reg_zh}估计"
        en_e = f"Effects of document variables on topic shares were estimated with " \
               f"{reg_en} on {top['effects']}"
        if method in how_zh:
            zh_e += f"，{how_zh[method]}"
            en_e += f"; {how_en[method]}"
        zh_e += "。"
        en_e += "."
    return zh, en, zh_e, en_e


def _ver(versions: Mapping, name: str | None) -> str:
    if not name:
        return ""
    v = versions.get(name) or versions.get(str(name).lower())
    return f" {v}" if v else ""


def methods_paragraph(manifest: Mapping) -> tuple[str, str]:
    """Write the methods text of a run, in Chinese and English.

    Parameters
    ----------
    manifest : dict
        A run manifest. Keys read (all optional): ``run_id``, ``config_hash``,
        ``created``; ``versions`` (package -> version); ``corpus`` (``name``,
        ``n_documents``, ``n_units``, ``level``, ``hash``); ``segment`` (``backend``,
        ``lexicon``, ``user_dict``, ``stopwords`` …); ``framework`` (``name``,
        ``version``, ``citation``, ``hash``, ``dimension_labels``); ``coding``
        (``method`` and parameters); ``explore`` (``keyness_by``, ``keyness_target``,
        ``keyness_measure``, ``keyness_correction``); ``topics`` (``model``,
        ``backend``, ``k``, ``random_state``, ``unit``, ``n_units``, ``k_candidates``,
        ``select_seeds``, ``select_criteria``, ``select_holdout``, ``effects``,
        ``effects_method``, ``n_boot``, ``effects_level``, ``effects_link``,
        ``seeded_dimension``, ``n_free`` and other parameters);
        ``reliability`` (``metric`` -> value or ``{dimension: value}``).

    Returns
    -------
    (str, str)
        The Chinese and the English paragraph.

    Examples
    --------
    >>> zh, en = methods_paragraph({"versions": {"quanyu_nlp": "0.1.0"},
    ...     "segment": {"backend": "rjieba"}, "topics": {"model": "LDA",
    ...     "backend": "tomotopy", "k": 8, "random_state": 1}})
    >>> "K = 8" in zh and "K = 8" in en
    True
    """
    m = dict(manifest)
    versions = dict(m.get("versions") or m.get("packages") or {})
    zh: list[str] = []
    en: list[str] = []
    tool = f"quanyu_nlp{_ver(versions, 'quanyu_nlp')}"
    py = versions.get("python")
    zh.append(f"本研究使用 {tool}" + (f"（Python {py}）" if py else " ") + "进行文本分析")
    en.append(f"Texts were analysed with {tool}" + (f" (Python {py})" if py else ""))

    corpus = m.get("corpus") or {}
    if corpus:
        nd, nu, level = corpus.get("n_documents"), corpus.get("n_units"), corpus.get("level")
        h = corpus.get("hash") or m.get("corpus_hash")
        level_zh = {"paragraphs": "段落", "sentences": "句子", "documents": "篇文档"}.get(
            level, level)
        part_zh = f"，语料包含 {nd:,} 篇文献" if nd is not None else ""
        part_en = f"; the corpus holds {nd:,} documents" if nd is not None else ""
        if nu is not None and level and level != "documents":
            part_zh += f"，切分为 {nu:,} 个{level_zh}作为分析单元"
            part_en += f", cut into {nu:,} {level} as units of analysis"
        if corpus.get("name"):
            part_zh += f"（{corpus['name']}"
            part_en += f" ({corpus['name']}"
            part_zh += f"，哈希 {str(h)[:12]}）" if h else "）"
            part_en += f", hash {str(h)[:12]})" if h else ")"
        elif h:
            part_zh += f"（语料哈希 {str(h)[:12]}）"
            part_en += f" (corpus hash {str(h)[:12]})"
        zh[-1] += part_zh
        en[-1] += part_en
    zh[-1] += "。"
    en[-1] += "."

    seg = _first(m, _SEGMENT_KEYS)
    if seg:
        backend = seg.get("backend", "jieba")
        p = _params(seg)
        zh.append(f"中文分词采用 {backend}{_ver(versions, backend)}"
                  + (f"，参数：{p}" if p else "") + "。")
        en.append(f"Chinese word segmentation used {backend}{_ver(versions, backend)}"
                  + (f" ({p})" if p else "") + ".")

    ex = m.get("explore") or {}
    if ex.get("keyness_by"):
        stat = ex.get("keyness_measure") or "G2"
        stat_zh = "对数似然比 G2" if stat == "G2" else "卡方统计量"
        stat_en = "the log-likelihood statistic G2" if stat == "G2" else "chi-squared"
        corr = ex.get("keyness_correction")
        corr_zh = "（未校正）" if corr == "none" else f"（{corr} 校正）" if corr else ""
        corr_en = " (no correction)" if corr == "none" else f" ({corr} correction)" \
            if corr else ""
        target = f"{ex['keyness_by']} = {ex.get('keyness_target')}"
        zh.append(f"关键词性分析以{stat_zh}{corr_zh}比较 {target} 的文档与其余全部文档，"
                  f"按 {stat} 降序列出目标文档的关键词。")
        en.append(f"Keyness compared the documents with {target} against all other "
                  f"documents by {stat_en}{corr_en}, listing the target's key terms by "
                  f"descending {stat}.")

    fw = m.get("framework") or {}
    dim_labels = dict(fw.get("dimension_labels") or {})
    if fw:
        name = fw.get("name", "")
        ver = f"（版本 {fw['version']}）" if fw.get("version") else ""
        ver_en = f" (version {fw['version']})" if fw.get("version") else ""
        cite = f"，出自 {fw['citation']}" if fw.get("citation") else ""
        cite_en = f", from {fw['citation']}" if fw.get("citation") else ""
        # The version is what the authors say; the hash is what was actually used (an
        # edited codebook that kept its version number still differs here).
        h = str(fw.get("hash") or "")[:12]
        h_zh = f"（编码本哈希 {h}）" if h else ""
        h_en = f" (codebook hash {h})" if h else ""
        zh.append(f"编码框架为“{name}”{ver}{cite}{h_zh}。")
        en.append(f"Units were coded with the framework “{name}”{ver_en}{cite_en}{h_en}.")

    cod = m.get("coding") or {}
    if cod:
        method = cod.get("method") or cod.get("methods") or "dictionary"
        p = _params(cod)
        zh.append(f"编码方法为 {_fmt(method)}" + (f"，参数：{p}" if p else "") + "。")
        en.append(f"The coding method was {_fmt(method)}" + (f" ({p})" if p else "") + ".")

    top = _first(m, _TOPIC_KEYS)
    if top:
        model = top.get("model", "LDA")
        backend = top.get("backend")
        k = top.get("k", top.get("n_topics"))
        seed = top.get("random_state", top.get("seed"))
        by = f"（{backend}{_ver(versions, backend)} 实现）" if backend else ""
        by_en = f" as implemented in {backend}{_ver(versions, backend)}" if backend else ""
        s_zh = f"主题模型采用 {model}{by}"
        s_en = f"Topics were estimated with {model}{by_en}"
        if k is not None:
            s_zh += f"，主题数 K = {k}"
            s_en += f", with K = {k} topics"
        if seed is not None:
            s_zh += f"，随机种子 {seed}"
            s_en += f" and random seed {seed}"
        more_zh, more_en, eff_zh, eff_en = _topic_sentences(top, dim_labels)
        s_zh += more_zh
        s_en += more_en
        p = _params({k: v for k, v in top.items() if k not in _TOPIC_WORDED})
        if p:
            s_zh += f"；其他参数：{p}"
            s_en += f"; other parameters: {p}"
        zh.append(s_zh + "。")
        en.append(s_en + ".")
        if eff_zh:
            zh.append(eff_zh)
            en.append(eff_en)

    rel = m.get("reliability") or {}
    if rel:
        parts = []
        for metric, val in rel.items():
            if isinstance(val, Mapping):
                parts += [f"{metric}({dim_labels.get(dim, dim)}) = "
                          f"{_fmt(round(v, 3) if isinstance(v, float) else v)}"
                          for dim, v in val.items()]
            else:
                parts.append(f"{metric} = {_fmt(round(val, 3) if isinstance(val, float) else val)}")
        zh.append("编码信度：" + "；".join(parts) + "。")
        en.append("Inter-coder reliability: " + "; ".join(parts) + ".")

    others = {k: v for k, v in versions.items() if k not in ("python", "quanyu_nlp")}
    if others:
        lst = ", ".join(f"{k} {v}" for k, v in sorted(others.items()))
        zh.append(f"所用软件包版本：{lst}。")
        en.append(f"Package versions: {lst}.")
    ident = [(k, m[k]) for k in ("run_id", "config_hash") if m.get(k)]
    if ident:
        zh.append("全部参数记录于运行清单（" + "，".join(f"{k} {v}" for k, v in ident) + "），"
                  "可据此复现结果。")
        en.append("All parameters are recorded in the run manifest ("
                  + ", ".join(f"{k} {v}" for k, v in ident) + "), from which the results "
                  "can be reproduced.")
    return "".join(zh), " ".join(en)
