"""Topic models for Chinese party-building texts.

Estimators (scikit-learn style) on segmented units -- ``Tokens``, a ``Dfm`` or token
lists:

- :class:`LdaTopics` -- LDA with tomotopy (default) or gensim;
- :class:`NmfTopics` -- NMF of the tf-idf matrix (scikit-learn);
- :class:`SeededTopics` -- one topic per framework category seeded with its seed
  terms, plus free topics.

Choosing and trusting a model: :func:`select_k`; interpreting it:
:func:`representative_documents`, :func:`representative_sentences`,
:func:`topic_correlations`; effects of document
variables: :func:`topic_effects`, :func:`prevalence_over`.
"""

from .effects import prevalence_over, topic_effects
from .interpret import (representative_documents, representative_sentences,
                        topic_correlations)
from .models import LdaTopics, NmfTopics, SeededTopics
from .select import KSelection, select_k

__all__ = ["LdaTopics", "NmfTopics", "SeededTopics", "select_k", "KSelection",
           "representative_documents", "representative_sentences", "topic_correlations",
           "topic_effects",
           "prevalence_over"]
