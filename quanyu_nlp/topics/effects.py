"""Effects of document variables on topic prevalence (what R's ``stm`` gives
political scientists), by regression on the document-topic shares."""

from __future__ import annotations

import ast
import builtins
import re
import warnings
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ColumnError, ParameterError

__all__ = ["topic_effects", "prevalence_over"]

# Names that may appear in a formula without being document variables.
_FORMULA_NAMES = {"C", "I", "Q", "np", "center", "standardize", "scale", "bs", "cr", "cc",
                  "te", "Treatment", "Sum", "Helmert", "Poly", "Diff", "log", "exp"}


def _source(model, corpus_or_docvars):
    """The document variables to use: those given, else those the model was fit with."""
    if corpus_or_docvars is not None:
        return corpus_or_docvars
    dv = getattr(model, "docvars_", None)
    if isinstance(dv, pd.DataFrame) and len(dv.columns):
        return dv
    return None


def _shares_and_labels(model) -> tuple[np.ndarray, list[str], list[str] | None]:
    if isinstance(model, np.ndarray) or isinstance(model, pd.DataFrame):
        theta = np.asarray(model, dtype=float)
        labels = ([str(c) for c in model.columns] if isinstance(model, pd.DataFrame)
                  else [str(k) for k in range(theta.shape[1])])
        return theta, labels, None
    if not hasattr(model, "doc_topics_"):
        raise ParameterError("topic_effects needs a fitted topic model (call .fit first) or "
                             "an array of document-topic shares")
    return np.asarray(model.doc_topics_, dtype=float), list(model.labels_), list(model.unit_ids_)


def _docvars_for(model_units: list[str] | None, n: int, source: Any) -> pd.DataFrame:
    """Document variables aligned with the model's rows."""
    if source is None:
        raise ParameterError("the model has no document variables: pass the corpus (or a "
                             "DataFrame of document variables) it was fit on")
    if isinstance(source, pd.DataFrame):
        dv = source
        ids = list(dv["unit_id"].astype(str)) if "unit_id" in dv.columns else None
    else:
        dv = getattr(source, "docvars", None)
        if dv is None:
            raise ParameterError(f"a {type(source).__name__} has no document variables; "
                                 "pass a Corpus, Tokens, Dfm or DataFrame")
        dv = pd.DataFrame(dv)
        ids = getattr(source, "unit_ids", None)
        ids = [str(u) for u in ids] if ids is not None else None
    dv = dv.reset_index(drop=True)
    if model_units is not None and ids is not None and len(ids) == len(dv) \
            and ids != model_units and set(model_units) <= set(ids):
        pos = {u: i for i, u in enumerate(ids)}
        dv = dv.iloc[[pos[u] for u in model_units]].reset_index(drop=True)
    if len(dv) != n:
        raise ParameterError(f"the document variables have {len(dv)} rows but the model has "
                             f"{n} documents; pass the corpus the model was fit on")
    return dv


def _formula_variables(formula: str) -> list[str]:
    """Names of the data columns a patsy right-hand side refers to."""
    import patsy

    try:
        desc = patsy.ModelDesc.from_formula(formula)
    except patsy.PatsyError as exc:
        raise ParameterError(f"formula {formula!r} cannot be parsed ({exc.message}); "
                             "write it like '~ region + year'") from None
    names: list[str] = []
    for term in desc.rhs_termlist + desc.lhs_termlist:
        for factor in term.factors:
            code = factor.name()
            try:
                tree = ast.parse(code, mode="eval")
            except SyntaxError:
                continue
            called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
            attr_bases = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
            for node in ast.walk(tree):
                if isinstance(node, ast.Name) and id(node) not in called \
                        and id(node) not in attr_bases and node.id not in _FORMULA_NAMES \
                        and not hasattr(builtins, node.id) and node.id not in names:
                    names.append(node.id)
    return names


def _design(formula: str, dv: pd.DataFrame):
    import patsy

    rhs = formula.split("~", 1)[1] if "~" in formula else formula
    if not rhs.strip():
        raise ParameterError(f"formula {formula!r} has no variables; write e.g. '~ region + year'")
    for name in _formula_variables("~" + rhs):
        if name not in dv.columns:
            avail = ", ".join(str(c) for c in dv.columns) or "(none)"
            raise ColumnError(f"no document variable {name!r} for the formula {formula!r}; "
                              f"available variables are: {avail}")
    try:
        X = patsy.dmatrix(rhs, _numpy_columns(dv), return_type="dataframe", NA_action="drop")
    except patsy.PatsyError as exc:
        raise ParameterError(f"formula {formula!r} does not fit the document variables "
                             f"({exc.message})") from None
    return X


def _numpy_columns(dv: pd.DataFrame) -> pd.DataFrame:
    """Document variables with pandas' nullable dtypes turned into numpy ones.

    A corpus keeps ``year`` as nullable ``Int64``; patsy cannot read that dtype and
    ``C(year)`` failed with a bare ``TypeError``.  Missing values become NaN / None,
    which patsy's ``NA_action="drop"`` drops as before.
    """
    out = dv.copy()
    for col in out.columns:
        ser = out[col]
        if not isinstance(ser.dtype, pd.api.extensions.ExtensionDtype) \
                or isinstance(ser.dtype, pd.CategoricalDtype):
            continue
        if pd.api.types.is_bool_dtype(ser.dtype) or pd.api.types.is_numeric_dtype(ser.dtype):
            has_na = bool(ser.isna().any())
            if pd.api.types.is_bool_dtype(ser.dtype) and not has_na:
                out[col] = ser.to_numpy(dtype=bool)
            elif has_na or pd.api.types.is_float_dtype(ser.dtype):
                out[col] = ser.to_numpy(dtype=float, na_value=np.nan)
            else:
                out[col] = ser.to_numpy(dtype=ser.dtype.numpy_dtype)
        else:
            out[col] = ser.astype(object).where(ser.notna(), None)
    return out


def _fit_one(y: np.ndarray, X: np.ndarray, link: str):
    import statsmodels.api as sm

    if link == "identity":
        return sm.OLS(y, X).fit(cov_type="HC1")
    with warnings.catch_warnings():
        # the binomial family warns about non-integer "counts": that is the point of
        # fractional logit (Papke & Wooldridge 1996)
        warnings.simplefilter("ignore")
        return sm.GLM(y, X, family=sm.families.Binomial()).fit(cov_type="HC1")


def _hc1_ols(Y: np.ndarray, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """OLS of every column of ``Y`` on ``X``: coefficients (topics x terms) and HC1
    covariances (topics x terms x terms), the same as statsmodels' ``cov_type="HC1"``."""
    n, p = X.shape
    # through the pseudo-inverse of X, not of X'X: a raw year column makes X'X badly
    # conditioned
    xp = np.linalg.pinv(X)
    xtx_inv = xp @ xp.T
    beta = (xp @ Y).T
    resid = Y - X @ beta.T
    covs = np.empty((Y.shape[1], p, p))
    for k in range(Y.shape[1]):
        meat = (X * resid[:, [k]] ** 2).T @ X
        covs[k] = xtx_inv @ meat @ xtx_inv * (n / (n - p))
    return beta, covs


def _composition_draws(post: np.ndarray, X: np.ndarray, link: str, n_draws: int,
                       rng: np.random.RandomState) -> np.ndarray:
    """Coefficient draws (draws x topics x terms) by the method of composition."""
    k = post.shape[1]
    out = np.empty((n_draws, k, X.shape[1]))
    for b in range(n_draws):
        g = rng.standard_gamma(np.maximum(post, 1e-12))
        theta = g / g.sum(axis=1, keepdims=True)          # one Dirichlet draw per unit
        if link == "identity":
            beta, covs = _hc1_ols(theta, X)
        else:
            fits = [_fit_one(np.clip(theta[:, t], 1e-9, 1 - 1e-9), X, link) for t in range(k)]
            beta = np.array([f.params for f in fits])
            covs = np.array([f.cov_params() for f in fits])
        for t in range(k):
            out[b, t] = rng.multivariate_normal(beta[t], covs[t], check_valid="ignore")
    return out


def topic_effects(model, corpus_or_docvars=None, formula: str = "~ region + year", *,
                  method: str = "bootstrap", link: str = "identity", n_boot: int = 200,
                  level: float = 0.95, random_state=None) -> pd.DataFrame:
    """Regress each topic's document shares on document variables.

    Parameters
    ----------
    model : fitted topic model or array of shape (n_units, n_topics)
        Its ``doc_topics_`` are the outcomes.
    corpus_or_docvars : Corpus, Tokens, Dfm or DataFrame, optional
        Document variables of the same units (aligned by unit id when possible);
        default: the document variables of the Tokens or Dfm the model was fit on.
    formula : str
        A patsy right-hand side, e.g. ``"~ region + year"`` or ``"~ C(year) + field"``.
    method : {"bootstrap", "delta", "composition"}
        ``"bootstrap"``: refit on ``n_boot`` resamples of documents; ``std_err`` is
        the bootstrap standard deviation and the interval the percentile interval.
        ``"delta"``: analytical heteroskedasticity-robust (HC1) standard errors with
        normal intervals.  ``"composition"``: the method of composition of the
        structural topic model (Roberts et al. 2014, ``estimateEffect``): ``n_boot``
        times, draw every unit's shares from its posterior Dirichlet
        (``doc_topic_posterior_`` of an LDA or seeded model), refit, and draw the
        coefficients from their HC1 sampling distribution; ``estimate`` is the mean
        of the draws, ``std_err`` their standard deviation, the interval their
        percentiles.  It carries the topic model's uncertainty about each unit's
        shares into the effects, which the other two methods treat as data.
    link : {"identity", "logit"}
        ``"identity"``: OLS, estimates are changes in topic share. ``"logit"``:
        fractional logit (GLM binomial), estimates are changes in log-odds.
    n_boot : int, default 200
    level : float, default 0.95
    random_state : int, optional
        Seed of the bootstrap resampling.

    Returns
    -------
    pandas.DataFrame
        ``topic, label, term, estimate, std_err, ci_low, ci_high, n``. With
        ``"bootstrap"`` and ``"delta"`` the shares are treated as data; with
        ``"composition"`` their posterior uncertainty is propagated.

    Raises
    ------
    ColumnError
        A variable in ``formula`` is not a document variable (the message lists them).
    """
    if method not in ("bootstrap", "delta", "composition"):
        raise ParameterError(f"method={method!r} is unknown; use 'bootstrap', 'delta' or "
                             "'composition'")
    post = getattr(model, "doc_topic_posterior_", None)
    if method == "composition" and post is None:
        raise ParameterError("method='composition' draws shares from an LDA or seeded "
                             "model's posterior (doc_topic_posterior_); this model has none "
                             "(NMF or a plain array): use 'bootstrap' or 'delta'")
    if link not in ("identity", "logit"):
        raise ParameterError(f"link={link!r} is unknown; use 'identity' or 'logit'")
    if not 0 < level < 1:
        raise ParameterError(f"level={level} must be between 0 and 1, e.g. 0.95")
    theta, labels, units = _shares_and_labels(model)
    dv = _docvars_for(units, theta.shape[0], _source(model, corpus_or_docvars))
    X = _design(formula, dv)
    rows_used = X.index.to_numpy()
    Y = theta[rows_used]
    Xa = X.to_numpy(dtype=float)
    n, p = Xa.shape
    if n <= p:
        raise ParameterError(f"{n} documents with complete variables are too few for the "
                             f"{p} coefficients of {formula!r}; simplify the formula")
    alpha = 1 - level
    from scipy.stats import norm

    z = norm.ppf(1 - alpha / 2)
    if method != "delta" and int(n_boot) < 2:
        raise ParameterError(f"n_boot={n_boot} is too small; use at least 50")
    if method == "composition":
        # the point estimate too comes from the draws, so no fit on the shares themselves
        draws = _composition_draws(np.asarray(post, dtype=float)[rows_used], Xa, link,
                                   int(n_boot), np.random.RandomState(random_state))
        est = draws.mean(axis=0)
        se = draws.std(axis=0, ddof=1)
        lo = np.percentile(draws, 100 * alpha / 2, axis=0)
        hi = np.percentile(draws, 100 * (1 - alpha / 2), axis=0)
    else:
        fits = [_fit_one(Y[:, k], Xa, link) for k in range(Y.shape[1])]
        est = np.array([f.params for f in fits])           # topics x terms
    if method == "delta":
        se = np.array([f.bse for f in fits])
        lo, hi = est - z * se, est + z * se
    elif method == "bootstrap":
        rng = np.random.RandomState(random_state)
        boots = np.empty((int(n_boot),) + est.shape)
        redraws = 0
        for b in range(int(n_boot)):
            idx, tries = _estimable_resample(rng, Xa, formula)
            redraws += tries
            if link == "identity":
                # one least-squares solve for all topics at once (same fit as OLS)
                boots[b] = np.linalg.lstsq(Xa[idx], Y[idx], rcond=None)[0].T
            else:
                boots[b] = [_fit_one(Y[idx, k], Xa[idx], link).params
                            for k in range(Y.shape[1])]
        se = boots.std(axis=0, ddof=1)
        lo = np.percentile(boots, 100 * alpha / 2, axis=0)
        hi = np.percentile(boots, 100 * (1 - alpha / 2), axis=0)
    terms = list(X.columns)
    out = pd.DataFrame({
        "topic": np.repeat(np.arange(len(labels)), p),
        "label": np.repeat(np.asarray(labels, dtype=object), p),
        "term": terms * len(labels),
        "estimate": est.ravel(), "std_err": se.ravel(),
        "ci_low": lo.ravel(), "ci_high": hi.ravel(),
        "n": n,
    })
    out.attrs.update({"formula": formula, "method": method, "link": link, "level": level,
                      "n_boot": int(n_boot) if method != "delta" else None,
                      "rows_dropped_missing": int(theta.shape[0] - n),
                      "reference_levels": _reference_levels(X),
                      "bootstrap_redraws": redraws if method == "bootstrap" else None})
    return out


def _estimable_resample(rng: np.random.RandomState, X: np.ndarray, formula: str,
                        max_tries: int = 1000) -> tuple[np.ndarray, int]:
    """A bootstrap resample of rows whose design matrix has full column rank.

    A resample that misses every document of a rare factor level (or, for the
    reference level, makes the dummies sum to the intercept) cannot identify the
    coefficients: least squares then returns the minimum-norm solution, which moves
    that level's coefficient to 0 or shares the intercept among the dummies, and a
    single such draw inflated a standard error tenfold.  Such resamples are drawn
    again (the bootstrap conditional on an estimable design), and the number of
    redraws is reported.
    """
    n, p = X.shape
    for tries in range(max_tries):
        idx = rng.randint(0, n, n)
        if np.linalg.matrix_rank(X[idx]) == p:
            return idx, tries
    raise ParameterError(f"{max_tries} bootstrap resamples in a row could not estimate "
                         f"every coefficient of {formula!r} (a factor level has too few "
                         "documents); merge rare levels or use method='delta'")


def _reference_levels(X) -> dict[str, str]:
    """Variable -> reference (omitted) level of each treatment-coded factor."""
    info = getattr(X, "design_info", None)
    out: dict[str, str] = {}
    if info is None:
        return out
    for factor, finfo in info.factor_infos.items():
        if finfo.type != "categorical" or not finfo.categories:
            continue
        name = factor.name()
        cols = [c for term, sl in info.term_slices.items() if factor in term.factors
                for c in info.column_names[sl]]
        dropped = [c for c in finfo.categories if not any(f"[T.{c}]" in col or
                                                          f"[{c}]" in col for col in cols)]
        if len(dropped) == 1:
            m = re.match(r"^C\(\s*([^,)\s]+)", name)
            out[m.group(1) if m else name] = str(dropped[0])
    return out


def prevalence_over(model, corpus_or_docvars=None, var: str = "year", *,
                    method: str = "bootstrap", n_boot: int = 200, level: float = 0.95,
                    random_state=None) -> pd.DataFrame:
    """Mean topic share at each level of a document variable, with intervals.

    Parameters
    ----------
    model : fitted topic model or array of shape (n_units, n_topics)
    corpus_or_docvars : Corpus, Tokens, Dfm or DataFrame, optional
        Default: the document variables the model was fit with.
    var : str
        The document variable (e.g. ``"year"``, ``"region"``).
    method : {"bootstrap", "normal"}
        Percentile bootstrap of documents within each level, or mean +- z * SE.
    n_boot, level, random_state
        As in :func:`topic_effects`.

    Returns
    -------
    pandas.DataFrame
        ``<var>, topic, label, n, mean, ci_low, ci_high``, levels in sorted order.
    """
    if method not in ("bootstrap", "normal"):
        raise ParameterError(f"method={method!r} is unknown; use 'bootstrap' or 'normal'")
    theta, labels, units = _shares_and_labels(model)
    dv = _docvars_for(units, theta.shape[0], _source(model, corpus_or_docvars))
    if var not in dv.columns:
        avail = ", ".join(str(c) for c in dv.columns) or "(none)"
        raise ColumnError(f"no document variable {var!r}; available variables are: {avail}")
    from scipy.stats import norm

    alpha = 1 - level
    z = norm.ppf(1 - alpha / 2)
    rng = np.random.RandomState(random_state)
    values = dv[var]
    rows = []
    for value in sorted(values.dropna().unique(), key=lambda v: (str(type(v)), v)):
        g = theta[(values == value).to_numpy()]
        mean = g.mean(axis=0)
        if method == "normal" or len(g) < 2:
            se = (g.std(axis=0, ddof=1) / np.sqrt(len(g)) if len(g) > 1
                  else np.full_like(mean, np.nan))
            lo, hi = mean - z * se, mean + z * se
        else:
            boots = np.empty((int(n_boot), g.shape[1]))
            for b in range(int(n_boot)):
                boots[b] = g[rng.randint(0, len(g), len(g))].mean(axis=0)
            lo = np.percentile(boots, 100 * alpha / 2, axis=0)
            hi = np.percentile(boots, 100 * (1 - alpha / 2), axis=0)
        for k in range(theta.shape[1]):
            rows.append((value, k, labels[k], len(g), mean[k], lo[k], hi[k]))
    return pd.DataFrame(rows, columns=[var, "topic", "label", "n", "mean", "ci_low", "ci_high"])
