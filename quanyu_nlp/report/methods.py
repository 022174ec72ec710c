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
        ``version``, ``citation``, ``hash``); ``coding`` (``method`` and parameters);
        ``topics`` (``model``, ``backend``, ``k``, ``random_state`` and parameters);
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

    fw = m.get("framework") or {}
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
        p = _params(top)
        if p:
            s_zh += f"，其他参数：{p}"
            s_en += f" (other parameters: {p})"
        zh.append(s_zh + "。")
        en.append(s_en + ".")

    rel = m.get("reliability") or {}
    if rel:
        parts = []
        for metric, val in rel.items():
            if isinstance(val, Mapping):
                parts += [f"{metric}({dim}) = {_fmt(round(v, 3) if isinstance(v, float) else v)}"
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
