"""Topic-model estimators: LDA (tomotopy or gensim), NMF (scikit-learn) and
framework-seeded LDA.

All three follow scikit-learn's conventions: settings are stored by ``__init__``
unchanged, ``fit`` returns ``self``, learned attributes end in ``_`` and randomness
comes only from ``random_state``.  They share one fitted interface:

``components_``      topics x terms probabilities (rows sum to 1)
``vocabulary_``      the terms, in column order
``doc_topics_``      units x topics shares (rows sum to 1)
``topic_terms_``     tidy table of each topic's top terms with FREX and lift
``labels_``          a short label per topic (seeded: the category label)
``preprocessing_``   what was filtered out before fitting, and why

The LDA models (plain and seeded) also keep ``doc_topic_posterior_``, each unit's
posterior Dirichlet parameters over topics, from which
:func:`~quanyu_nlp.topics.topic_effects` ``(method="composition")`` draws shares.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state

from ..errors import FrameworkError, ParameterError
from ._data import TopicData, auto_max_docfreq, prepare
from .metrics import coherence as _coherence
from .metrics import exclusivity as _exclusivity
from .metrics import frex_scores, lift_scores

__all__ = ["LdaTopics", "NmfTopics", "SeededTopics"]

_BY = ("prob", "frex", "lift")


def _int_seed(random_state: Any) -> int:
    """An int seed for engines that take one (tomotopy, gensim, scikit-learn)."""
    if isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ParameterError(f"random_state={random_state} must be >= 0")
        return int(random_state) % (2**31 - 1)
    return int(check_random_state(random_state).randint(0, 2**31 - 1))


def n_units(X) -> int | None:
    """Number of units (documents, paragraphs or sentences) in what is passed to ``fit``.

    Tokens, Dfm, Corpus and lists all know their length; an iterator does not, and
    its K check then waits until the data are prepared.
    """
    if isinstance(X, TopicData):
        return len(X.token_lists)
    try:
        return len(X)
    except TypeError:
        return None


def too_many_topics(k_text: str, n: int, fix: str) -> str:
    """The message for more topics than units, shared by the estimators and select_k."""
    return (f"{k_text} for {n} documents (units): {fix}, or fit on paragraphs or sentences "
            "(corpus_reshape(corpus, to='paragraphs')) to have more units")


def explain_trimming(exc: ParameterError, k: int, k_text: str, call: str, min_docs,
                     max_docfreq) -> ParameterError:
    """Reword prepare()'s "no terms left after trimming" for the caller.

    prepare() only knows the numbers it used; the user should learn which of them
    were chosen automatically (``max_docfreq`` from K, ``min_docs`` from the corpus
    size) and the argument names that set them.  Other errors are returned unchanged.
    """
    if not exc.message.startswith("no terms left after trimming"):
        return exc
    what = exc.message.split(";")[0]
    auto = []
    if max_docfreq is None:
        auto.append(f"max_docfreq is automatic for {k_text}: min(0.5, max(0.2, 3/K))")
    if min_docs is None:
        auto.append("min_docs is automatic: max(2, n_documents // 500)")
    why = f" ({'; '.join(auto)})" if auto else ""
    used = auto_max_docfreq(k) if max_docfreq is None else float(max_docfreq)
    # offer a looser value than the one that failed; 1.0 (keep every term) only as
    # the last step, since terms in most documents make poor topic markers
    looser = 0.5 if used < 0.5 else 1.0
    return ParameterError(f"{what}{why}; keep more terms with {call}, min_docs=1, "
                          f"max_docfreq={looser}) or fit on more documents")


class _TopicModel(BaseEstimator):
    """Shared fitting scaffold and fitted interface of the topic models."""

    def __init__(self, *, random_state, min_len, stopwords, remove_numbers, min_docs,
                 max_docfreq, n_terms, frex_weight):
        # The settings every estimator shares, stored unchanged under their own names
        # (scikit-learn's chained __init__, as in its SGD and forest estimators):
        # get_params() reads each subclass's own signature, which lists them all with
        # their defaults.
        self.random_state = random_state
        self.min_len = min_len
        self.stopwords = stopwords
        self.remove_numbers = remove_numbers
        self.min_docs = min_docs
        self.max_docfreq = max_docfreq
        self.n_terms = n_terms
        self.frex_weight = frex_weight

    # -- parameters ---------------------------------------------------------------
    def _n_topics(self) -> int:
        k = self.k
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
            raise ParameterError(f"k={k!r} must be a whole number of topics (>= 2)")
        return int(k)

    def _k_text(self, k: int) -> str:
        """How K is named in messages (the seeded model says where its K comes from)."""
        return f"K={k} topics"

    def _k_fix(self, k: int, n: int) -> str:
        """The first fix offered when K is larger than the number of units ``n``."""
        return f"use K <= {n}"

    def _check_units(self, X) -> int:
        """Check K before any filtering: K >= 2 and no more topics than units.

        This comes first because the automatic ``max_docfreq`` is derived from K: with
        K above the number of documents the trimming empties the vocabulary, and the
        user would be told to loosen a trimming they never set instead of the cause.
        """
        k = self._n_topics()
        if k < 2:
            raise ParameterError(f"K={k} is too small: a topic model needs K >= 2 topics")
        n = n_units(X)
        if n and k > n:  # an empty input gets prepare()'s "the corpus is empty"
            raise ParameterError(too_many_topics(self._k_text(k), n, self._k_fix(k, n)))
        return k

    def _check_k(self, data: TopicData) -> int:
        k = self._n_topics()
        n_docs = int(data.nonempty.sum())
        if k > n_docs:
            n_all = len(data.token_lists)
            raise ParameterError(
                f"{self._k_text(k)} for {n_docs} documents (units) that keep a term after "
                f"filtering (of {n_all}); {self._k_fix(k, n_docs)}, filter less "
                "(stopwords=, min_len=, min_docs=, max_docfreq=) or fit on paragraphs or "
                "sentences (corpus_reshape)")
        if k > len(data.vocabulary):
            raise ParameterError(
                f"{self._k_text(k)} for a vocabulary of {len(data.vocabulary)} terms left "
                "after filtering; choose a smaller K or loosen min_docs/max_docfreq")
        return int(k)

    def _prepare(self, X) -> TopicData:
        k = self._n_topics()
        try:
            return prepare(X, min_len=self.min_len, stopwords=self.stopwords,
                           remove_numbers=self.remove_numbers, min_docs=self.min_docs,
                           max_docfreq=self.max_docfreq, k=k)
        except ParameterError as exc:
            raise explain_trimming(exc, k, self._k_text(k), f"{type(self).__name__}(...",
                                   self.min_docs, self.max_docfreq) from None

    # -- fitting -------------------------------------------------------------------
    def fit(self, X, y=None):
        """Fit the model.

        Parameters
        ----------
        X : Tokens, Dfm or list of list of str
            Segmented units (one token list per document, paragraph or sentence).
        y : ignored

        Returns
        -------
        self

        Raises
        ------
        ParameterError
            K < 2, or more topics than units (checked first, before any filtering,
            because the automatic ``max_docfreq`` depends on K); or nothing left after
            filtering, with the automatic values named and the argument to change.
        """
        self._check_units(X)
        data = self._prepare(X)
        k = self._check_k(data)
        self.random_seed_ = _int_seed(self.random_state)
        phi, theta = self._fit_engine(data, k)
        self._store(data, phi, theta)
        return self

    def fit_transform(self, X, y=None) -> np.ndarray:
        """Fit and return ``doc_topics_``."""
        return self.fit(X).doc_topics_

    def _store(self, data: TopicData, phi: np.ndarray, theta: np.ndarray) -> None:
        self.vocabulary_ = list(data.vocabulary)
        self.components_ = phi
        self.doc_topics_ = theta
        self.n_topics_ = phi.shape[0]
        self.unit_ids_ = list(data.unit_ids)
        self.doc_ids_ = list(data.doc_ids)
        self.docvars_ = data.docvars
        self.preprocessing_ = dict(data.report)
        self.term_frequency_ = np.asarray(data.counts.sum(axis=0)).ravel()
        self.frex_ = frex_scores(phi, self.frex_weight)
        self.lift_ = lift_scores(phi, self.term_frequency_)
        self._data = data
        self.labels_ = self._make_labels()
        self.topic_terms_ = self._topic_terms_table(self.n_terms)

    def _check_fitted(self) -> None:
        if not hasattr(self, "components_"):
            raise ParameterError(f"this {type(self).__name__} is not fitted yet; call "
                                 ".fit(tokens) first")

    # -- labels and term tables -------------------------------------------------------
    def _auto_label(self, k: int, n: int = 3) -> str:
        order = np.lexsort((np.arange(len(self.vocabulary_)), -self.frex_[k]))
        return "·".join(self.vocabulary_[j] for j in order[:n])

    def _make_labels(self) -> list[str]:
        return [self._auto_label(k) for k in range(self.n_topics_)]

    def _scores(self, by: str) -> np.ndarray:
        if by not in _BY:
            raise ParameterError(f"by={by!r} is not a ranking; use one of {', '.join(_BY)}")
        return {"prob": self.components_, "frex": self.frex_, "lift": self.lift_}[by]

    def top_terms(self, n: int = 10, by: str = "prob") -> pd.DataFrame:
        """Each topic's ``n`` best terms by probability, FREX or lift.

        Returns
        -------
        pandas.DataFrame
            Columns ``topic, label, rank, term, weight`` (``weight`` is the score of
            the chosen ranking), ``n`` rows per topic.
        """
        self._check_fitted()
        scores = self._scores(by)
        tie = np.arange(len(self.vocabulary_))
        rows = []
        for k in range(self.n_topics_):
            # lexsort: ties are broken by vocabulary order so tables are reproducible
            order = np.lexsort((tie, -scores[k]))[:n]
            for r, j in enumerate(order, start=1):
                rows.append((k, self.labels_[k], r, self.vocabulary_[j], float(scores[k, j])))
        return pd.DataFrame(rows, columns=["topic", "label", "rank", "term", "weight"])

    def _topic_terms_table(self, n: int) -> pd.DataFrame:
        table = self.top_terms(n, by="prob")
        idx = {t: j for j, t in enumerate(self.vocabulary_)}
        cols = np.array([idx[t] for t in table["term"]])
        tops = table["topic"].to_numpy()
        table["frex"] = self.frex_[tops, cols]
        table["lift"] = self.lift_[tops, cols]
        # rank of the term within its topic over the whole vocabulary
        for name, scores in (("frex_rank", self.frex_), ("lift_rank", self.lift_)):
            ranks = np.empty(len(table), dtype=int)
            for k in range(self.n_topics_):
                sel = tops == k
                s = scores[k]
                ranks[sel] = [(s > s[c]).sum() + 1 for c in cols[sel]]
            table[name] = ranks
        return table

    def doc_topics_frame(self, long: bool = False) -> pd.DataFrame:
        """Document-topic shares as a DataFrame.

        Parameters
        ----------
        long : bool, default False
            ``False``: one row per unit (``unit_id``, ``doc_id`` then one column per
            topic, named by the topic number). ``True``: tidy rows ``unit_id, doc_id,
            topic, label, weight``.
        """
        self._check_fitted()
        wide = pd.DataFrame(self.doc_topics_, columns=list(range(self.n_topics_)))
        wide.insert(0, "doc_id", self.doc_ids_)
        wide.insert(0, "unit_id", self.unit_ids_)
        if not long:
            return wide
        n, k = self.doc_topics_.shape
        return pd.DataFrame({
            "unit_id": np.repeat(np.asarray(self.unit_ids_, dtype=object), k),
            "doc_id": np.repeat(np.asarray(self.doc_ids_, dtype=object), k),
            "topic": np.tile(np.arange(k), n),
            "label": np.tile(np.asarray(self.labels_, dtype=object), n),
            "weight": self.doc_topics_.ravel(),
        })

    # -- new documents ---------------------------------------------------------------
    def _prepare_new(self, X) -> TopicData:
        return prepare(X, vocabulary=self.vocabulary_)

    def transform(self, X) -> np.ndarray:
        """Topic shares of new (or the same) documents.

        Tokens outside the fitted vocabulary are ignored; a document with no known
        token gets the model's prior shares.

        Returns
        -------
        ndarray of shape (n_units, n_topics)
        """
        self._check_fitted()
        return self._transform_engine(self._prepare_new(X))

    # -- quality -----------------------------------------------------------------------
    def coherence(self, measure: str = "c_npmi", top_n: int = 10, texts=None,
                  engine: str = "gensim") -> np.ndarray:
        """Per-topic coherence of the top ``top_n`` terms.

        ``texts`` defaults to the token lists the model was fit on; ``engine`` is
        ``"gensim"`` (``CoherenceModel``) or the much faster ``"tomotopy"`` (see
        :func:`quanyu_nlp.topics.metrics.coherence`).
        """
        self._check_fitted()
        terms = self.top_terms(top_n)
        topics = [list(g["term"]) for _, g in terms.groupby("topic", sort=True)]
        ref = self._data.token_lists if texts is None else texts
        ref = [d for d in ref if d]
        return _coherence(topics, ref, measure=measure, top_n=top_n, engine=engine)

    def exclusivity(self, top_n: int = 10) -> np.ndarray:
        """Per-topic mean exclusivity of the top ``top_n`` terms."""
        self._check_fitted()
        return _exclusivity(self.components_, top_n)

    def perplexity(self, X) -> float:
        """Per-word perplexity of documents (use held-out ones); lower is better.

        Only comparable between models of the same backend on the same documents.
        """
        self._check_fitted()
        return float(self._perplexity_engine(self._prepare_new(X)))

    def info(self) -> dict:
        """Settings and sizes of the fitted model, JSON-ready (for manifests)."""
        self._check_fitted()
        params = {k: (v if isinstance(v, (int, float, str, bool, type(None))) else repr(v))
                  for k, v in self.get_params().items()}
        return {"model": type(self).__name__, "params": params,
                "random_seed": self.random_seed_, "n_topics": self.n_topics_,
                "n_units": len(self.unit_ids_), "n_terms": len(self.vocabulary_),
                "labels": list(self.labels_), "preprocessing": self.preprocessing_}


class LdaTopics(_TopicModel):
    """Latent Dirichlet allocation with a tomotopy (default) or gensim engine.

    Parameters
    ----------
    k : int, default 20
        Number of topics (>= 2 and <= the number of non-empty documents).
    backend : {"tomotopy", "gensim"}, default "tomotopy"
        ``"tomotopy"``: collapsed Gibbs sampling in C++ (fast; hyperparameter
        ``alpha`` optimised every 10 iterations). ``"gensim"``: online variational
        Bayes (``gensim.models.LdaModel``).
    iterations : int, optional
        tomotopy: Gibbs sweeps (default 200). gensim: ``LdaModel(iterations=)``, the
        per-document inference iterations (default 50).
    passes : int, default 10
        gensim only: passes over the corpus.
    alpha, eta : float, optional
        Dirichlet priors of document-topic and topic-term distributions
        (default 0.1 and 0.01 for tomotopy; ``"symmetric"`` and ``None`` for gensim).
    random_state : int, RandomState or None
        Same value -> identical topics (tomotopy needs ``workers=1`` for that).
    workers : int, default 1
        tomotopy threads. ``1`` is reproducible; more threads are faster on large
        corpora but sampling order then depends on thread timing.
    min_len : int, default 2
        Shortest token kept as a term (recorded in ``preprocessing_``).
    stopwords : None, str or list, default "zh"
        Stopwords to remove: ``"zh"``, ``"party"``, ``"zh+party"``, a file or words
        (see :func:`quanyu_nlp.segment.load_stopwords`); ``None`` keeps all.
    remove_numbers : bool, default True
        Remove tokens that are numbers in digits (2022, 3.5, 80%; counted in
        ``preprocessing_``).
    min_docs : int, float or None, default None
        Drop terms in fewer documents. ``None``: ``max(2, n_documents // 500)``.
    max_docfreq : float or None, default None
        Drop terms in more than this share of documents. ``None``:
        ``min(0.5, max(0.2, 3 / k))`` -- a term in more than three topics' worth of
        documents cannot mark one topic. Both values used are in ``preprocessing_``.
    n_terms : int, default 30
        Top terms per topic kept in ``topic_terms_``.
    frex_weight : float, default 0.5
        Exclusivity weight of FREX.

    Examples
    --------
    >>> docs = [["防汛", "抢险", "水位"]] * 5 + [["党员", "培训", "党课"]] * 5
    >>> lda = LdaTopics(k=2, random_state=1, min_docs=1, max_docfreq=1.0).fit(docs)
    >>> lda.doc_topics_.shape
    (10, 2)
    """

    def __init__(self, k: int = 20, *, backend: str = "tomotopy", iterations: int | None = None,
                 passes: int = 10, alpha: float | None = None, eta: float | None = None,
                 random_state=None, workers: int = 1, min_len: int = 2, stopwords="zh",
                 remove_numbers: bool = True, min_docs: int | float | None = None,
                 max_docfreq: float | None = None, n_terms: int = 30, frex_weight: float = 0.5):
        super().__init__(random_state=random_state, min_len=min_len, stopwords=stopwords,
                         remove_numbers=remove_numbers, min_docs=min_docs,
                         max_docfreq=max_docfreq, n_terms=n_terms, frex_weight=frex_weight)
        self.k = k
        self.backend = backend
        self.iterations = iterations
        self.passes = passes
        self.alpha = alpha
        self.eta = eta
        self.workers = workers

    # word priors of seeded topics: {term: [prior per topic]}; none for plain LDA
    def _word_priors(self, data: TopicData, k: int) -> dict[str, list[float]]:
        return {}

    def _fit_engine(self, data: TopicData, k: int):
        if self.backend == "tomotopy":
            return self._fit_tomotopy(data, k)
        if self.backend == "gensim":
            return self._fit_gensim(data, k)
        raise ParameterError(f"backend={self.backend!r} is unknown; use 'tomotopy' or 'gensim'")

    # tomotopy ------------------------------------------------------------------------
    def _tp_parallel(self):
        import tomotopy as tp
        return tp.ParallelScheme.NONE if self.workers == 1 else tp.ParallelScheme.DEFAULT

    def _fit_tomotopy(self, data: TopicData, k: int):
        import tomotopy as tp

        eta = 0.01 if self.eta is None else float(self.eta)
        alpha = 0.1 if self.alpha is None else float(self.alpha)
        mdl = tp.LDAModel(k=k, alpha=alpha, eta=eta, seed=self.random_seed_)
        for doc in data.token_lists:
            if doc:
                mdl.add_doc(doc)
        for term, prior in self._word_priors(data, k).items():
            mdl.set_word_prior(term, prior)
        iters = 200 if self.iterations is None else int(self.iterations)
        mdl.train(iters, workers=int(self.workers), parallel=self._tp_parallel())
        self.model_ = mdl
        tp_vocab = {w: i for i, w in enumerate(mdl.used_vocabs)}
        cols = np.array([tp_vocab[w] for w in data.vocabulary])
        phi = np.array([mdl.get_topic_word_dist(t) for t in range(k)], dtype=float)[:, cols]
        phi /= phi.sum(axis=1, keepdims=True)
        theta = np.tile(self._prior_shares(k), (len(data.token_lists), 1))
        nonempty = np.flatnonzero(data.nonempty)
        # Each unit's posterior Dirichlet given the sampler's topic assignments:
        # alpha + topic counts (what get_topic_dist normalises).  topic_effects(method=
        # "composition") draws shares from it to carry the model's uncertainty along.
        a = np.broadcast_to(np.asarray(mdl.alpha, dtype=float), (k,))
        post = np.tile(a, (len(data.token_lists), 1))
        if len(nonempty):
            theta[nonempty] = np.array([d.get_topic_dist() for d in mdl.docs], dtype=float)
            post[nonempty] += np.array([np.bincount(np.asarray(d.topics), minlength=k)
                                        for d in mdl.docs], dtype=float)
        self.doc_topic_posterior_ = post
        return phi, theta

    def _prior_shares(self, k: int) -> np.ndarray:
        # tomotopy and gensim both expose the (possibly optimised) alpha vector
        mdl = getattr(self, "model_", None)
        a = np.asarray(mdl.alpha, dtype=float) if mdl is not None else np.ones(k)
        a = np.broadcast_to(a, (k,)).astype(float)
        return a / a.sum()

    # gensim --------------------------------------------------------------------------
    def _bow(self, data: TopicData):
        c = data.counts
        return [list(zip(c.indices[c.indptr[i]:c.indptr[i + 1]].tolist(),
                         c.data[c.indptr[i]:c.indptr[i + 1]].tolist()))
                for i in range(c.shape[0])]

    def _fit_gensim(self, data: TopicData, k: int):
        from gensim.models import LdaModel

        bow = self._bow(data)
        nonempty = np.flatnonzero(data.nonempty)
        kwargs = {}
        if self.iterations is not None:
            kwargs["iterations"] = int(self.iterations)
        lda = LdaModel(corpus=[bow[i] for i in nonempty],
                       id2word=dict(enumerate(data.vocabulary)), num_topics=k,
                       passes=int(self.passes),
                       alpha="symmetric" if self.alpha is None else float(self.alpha),
                       eta=self.eta, random_state=self.random_seed_,
                       **kwargs)
        self.model_ = lda
        phi = lda.get_topics().astype(float)
        phi /= phi.sum(axis=1, keepdims=True)
        gamma = self._gensim_gamma(bow)
        # gensim's variational gamma is each unit's posterior Dirichlet (see the
        # tomotopy branch for why it is kept).
        self.doc_topic_posterior_ = gamma
        return phi, gamma / gamma.sum(axis=1, keepdims=True)

    def _gensim_gamma(self, bow) -> np.ndarray:
        # gensim draws the starting point of each document's inference from the
        # model's RandomState; resetting it makes transform() repeatable.
        self.model_.random_state = np.random.RandomState(self.random_seed_)
        gamma, _ = self.model_.inference(bow)
        return gamma

    def _gensim_infer(self, bow) -> np.ndarray:
        gamma = self._gensim_gamma(bow)
        return gamma / gamma.sum(axis=1, keepdims=True)

    # new documents ----------------------------------------------------------------
    def _transform_engine(self, data: TopicData) -> np.ndarray:
        k = self.n_topics_
        if self.backend == "gensim":
            return self._gensim_infer(self._bow(data))
        theta = np.tile(self._prior_shares(k), (len(data.token_lists), 1))
        nonempty = np.flatnonzero(data.nonempty)
        if len(nonempty):
            docs = [self.model_.make_doc(data.token_lists[i]) for i in nonempty]
            iters = 200 if self.iterations is None else int(self.iterations)
            dists, _ = self.model_.infer(docs, iterations=iters, workers=1,
                                         parallel=self._tp_parallel())
            theta[nonempty] = np.array(dists, dtype=float)
        return theta

    def _perplexity_engine(self, data: TopicData) -> float:
        nonempty = np.flatnonzero(data.nonempty)
        n_words = int(data.counts.sum())
        if n_words == 0:
            raise ParameterError("none of the held-out documents has a term of the model's "
                                 "vocabulary; cannot compute perplexity")
        if self.backend == "gensim":
            bow = self._bow(data)
            bound = self.model_.bound([bow[i] for i in nonempty])
            return float(np.exp(-bound / n_words))
        docs = [self.model_.make_doc(data.token_lists[i]) for i in nonempty]
        iters = 200 if self.iterations is None else int(self.iterations)
        _, ll = self.model_.infer(docs, iterations=iters, workers=1,
                                  parallel=self._tp_parallel())
        return float(np.exp(-np.sum(ll) / n_words))

    def info(self) -> dict:
        out = super().info()
        out["engine"] = self._engine_version()
        return out

    def _engine_version(self) -> dict:
        if self.backend == "gensim":
            import gensim
            return {"gensim": gensim.__version__}
        import tomotopy
        return {"tomotopy": tomotopy.__version__}


class NmfTopics(_TopicModel):
    """Non-negative matrix factorisation of the tf-idf matrix (scikit-learn).

    Topic-term weights and document shares are the NMF factors normalised to sum to
    1, so they read like LDA's (they are not probabilities of a generative model).

    Parameters
    ----------
    k : int, default 20
        Number of topics.
    iterations : int, default 400
        ``NMF(max_iter=)``.
    init : str, default "nndsvda"
        ``NMF(init=)``; the SVD-based start makes results stable across seeds.
    beta_loss : str, default "frobenius"
        ``NMF(beta_loss=)``; ``"kullback-leibler"`` uses the multiplicative solver.
    random_state, min_len, stopwords, remove_numbers, min_docs, max_docfreq, n_terms,
    frex_weight
        As in :class:`LdaTopics`.
    """

    def __init__(self, k: int = 20, *, iterations: int = 400, init: str = "nndsvda",
                 beta_loss: str = "frobenius", random_state=None, min_len: int = 2,
                 stopwords="zh", remove_numbers: bool = True, min_docs: int | float | None = None,
                 max_docfreq: float | None = None,
                 n_terms: int = 30, frex_weight: float = 0.5):
        super().__init__(random_state=random_state, min_len=min_len, stopwords=stopwords,
                         remove_numbers=remove_numbers, min_docs=min_docs,
                         max_docfreq=max_docfreq, n_terms=n_terms, frex_weight=frex_weight)
        self.k = k
        self.iterations = iterations
        self.init = init
        self.beta_loss = beta_loss

    @staticmethod
    def _rows_to_shares(w: np.ndarray) -> np.ndarray:
        s = w.sum(axis=1, keepdims=True)
        out = np.full_like(w, 1.0 / w.shape[1], dtype=float)
        np.divide(w, s, out=out, where=s > 0)
        return out

    def _fit_engine(self, data: TopicData, k: int):
        from sklearn.decomposition import NMF
        from sklearn.feature_extraction.text import TfidfTransformer

        self.tfidf_ = TfidfTransformer()
        xt = self.tfidf_.fit_transform(data.counts)
        solver = "mu" if self.beta_loss != "frobenius" else "cd"
        self.model_ = NMF(n_components=k, init=self.init, beta_loss=self.beta_loss,
                          solver=solver, max_iter=int(self.iterations),
                          random_state=self.random_seed_)
        with warnings.catch_warnings():
            # scikit-learn warns when max_iter is reached; we record it instead
            warnings.simplefilter("ignore", category=Warning)
            w = self.model_.fit_transform(xt)
        self.converged_ = bool(self.model_.n_iter_ < int(self.iterations))
        h = self.model_.components_
        phi = self._rows_to_shares(h)
        return phi, self._rows_to_shares(w)

    def _transform_engine(self, data: TopicData) -> np.ndarray:
        w = self.model_.transform(self.tfidf_.transform(data.counts))
        return self._rows_to_shares(w)

    def _perplexity_engine(self, data: TopicData) -> float:
        # NMF is not a probability model: there is no likelihood to report.
        return float("nan")

    def info(self) -> dict:
        import sklearn
        out = super().info()
        out["engine"] = {"scikit-learn": sklearn.__version__}
        out["converged"] = self.converged_
        return out


class SeededTopics(LdaTopics):
    """LDA with one topic per framework category, seeded by its seed terms.

    Each category of ``dimension`` gets a topic whose word prior puts
    ``seed_weight`` on the category's seed terms (and almost nothing on them in
    other topics), so the category's vocabulary pulls related words into that
    topic. ``n_free`` unseeded topics absorb the rest of the corpus (news of the
    economy, weather, diplomacy ...), which keeps the seeded topics clean.

    Parameters
    ----------
    framework : str or Framework, default "quanyu"
        A name or path for :func:`quanyu_nlp.frameworks.load_framework`, or a loaded
        framework.
    dimension : str, default "leadership"
        The dimension whose categories become topics.
    seeds : dict of {str: list of str}, optional
        Use these ``{label: seed terms}`` instead of a framework.
    n_free : int, default 3
        Number of unseeded topics.
    seed_weight : float, default 1.0
        Prior of a seed term in its own topic (``eta`` is 0.01 elsewhere, and a seed
        term gets ``eta / 100`` in the other topics).
    iterations, alpha, eta, random_state, workers, min_len, stopwords, remove_numbers,
    min_docs, max_docfreq, n_terms, frex_weight
        As in :class:`LdaTopics` (the engine is tomotopy).

    Attributes
    ----------
    seed_report_ : pandas.DataFrame
        topic, label, term, in_vocabulary, count: which seed terms the corpus had.
    seeded_ : ndarray of bool
        Whether each topic is seeded.
    category_ids_ : list
        The category id of each topic (``None`` for free topics).
    """

    # Seeds are tomotopy word priors. gensim's eta matrix was tried as well: its
    # variational inference left seeded topics empty on small corpora (the free topics
    # took the seeds' documents), so it is not offered.
    backend = "tomotopy"

    def __init__(self, framework="quanyu", dimension: str = "leadership", *, seeds=None,
                 n_free: int = 3, seed_weight: float = 1.0,
                 iterations: int | None = None, alpha: float | None = None,
                 eta: float | None = None, random_state=None, workers: int = 1,
                 min_len: int = 2, stopwords="zh", remove_numbers: bool = True,
                 min_docs: int | float | None = None,
                 max_docfreq: float | None = None, n_terms: int = 30, frex_weight: float = 0.5):
        # _TopicModel.__init__, not LdaTopics.__init__: that one would set k, passes
        # and an instance ``backend`` that are not parameters of a seeded model.
        _TopicModel.__init__(self, random_state=random_state, min_len=min_len,
                             stopwords=stopwords, remove_numbers=remove_numbers,
                             min_docs=min_docs, max_docfreq=max_docfreq, n_terms=n_terms,
                             frex_weight=frex_weight)
        self.framework = framework
        self.dimension = dimension
        self.seeds = seeds
        self.n_free = n_free
        self.seed_weight = seed_weight
        self.iterations = iterations
        self.alpha = alpha
        self.eta = eta
        self.workers = workers

    def _categories(self) -> list[tuple[Any, str, list[str]]]:
        """(category id, label, seed terms) of each seeded topic."""
        if self.seeds is not None:
            if not isinstance(self.seeds, dict) or not self.seeds:
                raise ParameterError("seeds must be a non-empty dict {label: [seed terms]}")
            return [(label, str(label), [str(t) for t in terms])
                    for label, terms in self.seeds.items()]
        fw = self.framework
        if isinstance(fw, str) or hasattr(fw, "__fspath__"):
            from ..frameworks import load_framework
            fw = load_framework(fw)
        dims = {d.id: d for d in fw.dimensions}
        if self.dimension not in dims:
            raise FrameworkError(f"framework {getattr(fw, 'name', fw)!r} has no dimension "
                                 f"{self.dimension!r}; dimensions are: {', '.join(dims)}")
        out = []
        for cat in dims[self.dimension].categories:
            terms = list(getattr(cat, "seed_terms", None) or [])
            out.append((cat.id, cat.label, [str(t) for t in terms]))
        if not out:
            raise FrameworkError(f"dimension {self.dimension!r} has no categories to seed")
        return out

    def _n_topics(self) -> int:
        n_free = int(self.n_free)
        if n_free < 0:
            raise ParameterError(f"n_free={n_free} must be >= 0")
        return len(self._cats) + n_free

    def fit(self, X, y=None):
        self._cats = self._categories()
        return super().fit(X, y)

    def _k_text(self, k: int) -> str:
        n = len(self._cats)
        return (f"{n} seeded {'category' if n == 1 else 'categories'} + "
                f"n_free={int(self.n_free)} free topics = K={k} topics")

    def _k_fix(self, k: int, n: int) -> str:
        room = n - len(self._cats)
        # K = categories + n_free must stay >= 2
        if room >= max(0, 2 - len(self._cats)):
            return f"use n_free <= {room}"
        return f"seed at most {n} categories (seeds=)"

    def _word_priors(self, data: TopicData, k: int) -> dict[str, list[float]]:
        eta = 0.01 if self.eta is None else float(self.eta)
        counts = dict(zip(data.vocabulary, np.asarray(data.counts.sum(axis=0)).ravel()))
        priors: dict[str, list[float]] = {}
        rows = []
        for t, (_cid, label, terms) in enumerate(self._cats):
            for term in terms:
                present = term in counts
                rows.append((t, label, term, present, int(counts.get(term, 0))))
                if present:
                    prior = priors.setdefault(term, [eta / 100.0] * k)
                    prior[t] = float(self.seed_weight)
        self.seed_report_ = pd.DataFrame(
            rows, columns=["topic", "label", "term", "in_vocabulary", "count"])
        found = self.seed_report_.groupby("label", sort=False)["in_vocabulary"].any()
        missing = [lab for _, lab, _ in self._cats if not found.get(lab, False)]
        if missing:
            warnings.warn(f"no seed term of {', '.join(missing)} occurs in the corpus after "
                          "filtering; those topics are unguided (see seed_report_)",
                          stacklevel=3)
        return priors

    def _make_labels(self) -> list[str]:
        n_seeded = len(self._cats)
        self.seeded_ = np.arange(self.n_topics_) < n_seeded
        self.category_ids_ = [c[0] for c in self._cats] + [None] * (self.n_topics_ - n_seeded)
        return [c[1] for c in self._cats] + [self._auto_label(k)
                                             for k in range(n_seeded, self.n_topics_)]

    def info(self) -> dict:
        out = super().info()
        fw = self.framework
        out["framework"] = None if self.seeds is not None else getattr(fw, "name", str(fw))
        out["dimension"] = None if self.seeds is not None else self.dimension
        out["seed_terms_found"] = int(self.seed_report_["in_vocabulary"].sum())
        out["seed_terms_total"] = len(self.seed_report_)
        return out
