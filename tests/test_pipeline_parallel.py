"""A Pipeline is built once per process, shared by threads, and shipped to other processes."""

from __future__ import annotations

import multiprocessing
import pickle
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

import filters
from filters.detect_pii import _build_engine

ARTICLES = [
    "Exports of memory chips rose 12% in March, Reuters reported, as buyers stocked up "
    "ahead of new tariffs.",
    "You should buy this token now: it will 10x before the end of the month, guaranteed.",
    "Le gouvernement a présenté mardi son budget, a rapporté l'agence; les marchés ont peu réagi.",
    "The exchange said withdrawals resumed on Friday. Customers can reach support at "
    "help.desk@example.net or +44 20 7946 0321.",
    "<html><body><article><p>Oil prices slipped on Monday, Bloomberg reported.</p>"
    "<p>Brent fell 1% as inventories grew.</p></article><footer>Share · Comment</footer>"
    "</body></html>",
]


def _stable(result: filters.Result) -> dict[str, Any]:
    """Everything except timings and the timestamp, which differ between two runs."""
    data = result.model_dump(mode="json")
    audit = data.pop("audit")
    for key in ("created_at", "stages", "settings"):
        audit.pop(key)
    return data | {"audit": audit}


def _check_all(pipeline: filters.Pipeline) -> list[dict[str, Any]]:
    return [_stable(pipeline.check(a, source="Reuters")) for a in ARTICLES]


def test_threads_share_one_pipeline(pipeline: filters.Pipeline) -> None:
    expected = _check_all(pipeline)
    jobs = [i % len(ARTICLES) for i in range(60)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(
            pool.map(lambda i: _stable(pipeline.check(ARTICLES[i], source="Reuters")), jobs)
        )
    assert results == [expected[i] for i in jobs]


def test_a_fresh_pipeline_used_first_from_many_threads() -> None:
    """A new pipeline's first articles arrive on many threads at once; answers agree."""
    fresh = filters.Pipeline()
    with ThreadPoolExecutor(max_workers=4) as pool:
        first = list(pool.map(lambda a: _stable(fresh.check(a, source="Reuters")), ARTICLES * 2))
    assert first == _check_all(fresh) * 2


def test_pickle_keeps_the_loaded_rules(tmp_path: Any) -> None:
    """A pipeline ships its rule packs, not a path the receiving machine may not have."""
    from filters.rulepack import default_rules_dir

    for pack in default_rules_dir().glob("*.toml"):
        (tmp_path / pack.name).write_bytes(pack.read_bytes())
    custom = filters.Pipeline(tmp_path)
    data = pickle.dumps(custom)
    for pack in tmp_path.glob("*.toml"):
        pack.unlink()  # the receiving side has no rule files at all
    clone = pickle.loads(data)
    assert clone.rules.refs == custom.rules.refs
    assert _check_all(clone) == _check_all(custom)
    # rules, lexicons and the two learned advice tables (about 0.6 MB), never an engine
    assert len(data) < 3_000_000


def test_subclass_pickles_as_itself() -> None:
    clone = pickle.loads(pickle.dumps(_Tagged()))
    assert type(clone) is _Tagged


class _Tagged(filters.Pipeline):
    """A user's pipeline subclass."""


def test_custom_pii_engine_refuses_to_pickle() -> None:
    with pytest.raises(pickle.PicklingError, match="inside the worker"):
        pickle.dumps(filters.Pipeline(pii_engine=_build_engine(None)))


def test_spawned_processes_give_the_same_results(pipeline: filters.Pipeline) -> None:
    """The map-function pattern of multiprocessing or a distributed engine, with spawn."""
    expected = _check_all(pipeline)
    context = multiprocessing.get_context("spawn")
    with context.Pool(2) as pool:  # the pipeline is pickled into each task
        results = pool.starmap(
            filters.Pipeline.check, [(pipeline, article, "Reuters") for article in ARTICLES]
        )
    assert [_stable(r) for r in results] == expected


def test_warm_up_returns_the_pipeline(pipeline: filters.Pipeline) -> None:
    assert pipeline.warm_up() is pipeline
