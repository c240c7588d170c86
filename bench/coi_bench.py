# ruff: noqa: T201, S311, S603, S607, S608 -- a benchmark: reports on standard output, reproducible
# synthetic data (not security), runs psql; SQL names are its own
"""COI search at scale: indexing throughput and top-10-with-highlights latency of the
embedded tantivy backend, side by side with PostgreSQL full-text search on the same corpus
and the same queries.

Run: ``.venv/bin/python bench/coi_bench.py [--docs 100000] [--queries 200] [--write]
[--keep]``.

1. Generates the synthetic COI library (``ura.synth.coi``, seed 2026) in memory, document by
   document, and keeps each one's extracted passages (text form) in a JSON Lines file, so
   that both engines read the same passages and generation is timed apart.
2. **tantivy**: indexes them with ``ura.coi.TantivyBackend`` in a directory on disk (one
   writer, one commit, as ``ura coi reindex`` does): documents per second, including the
   Python analysis of every word (stemming per language).
3. **PostgreSQL**: creates the database ``ura_bench_coi`` on 127.0.0.1:5432 (user postgres),
   COPYs the same documents into a table whose ``tsvector`` column is generated with the text
   search configuration of each document's language (``english``, ``turkish``, ``french``,
   ``russian``, ``arabic``; ``simple`` for Persian, which PostgreSQL cannot stem), title
   weighted above body, then builds the GIN indexes: documents per second, index build
   included.
4. The same query set on both (at least 200 queries, six kinds: single words, inflected
   forms, AND of two words, OR, NOT, phrases; each kind also with a country filter): the total
   number of matches and the top 10 by relevance with highlighted passages. tantivy:
   ``backend.search(query, filters, limit=10)``, which also counts the six facets; PostgreSQL:
   ``websearch_to_tsquery`` analysed in every language configuration and OR-ed (as the
   tantivy backend analyses a query word in every language), ``ts_rank`` over all matches with
   ``count(*) OVER ()``, then ``ts_headline`` (three fragments) on the top 10. One untimed
   warm-up pass, then the timed pass: median and 95th percentile per kind and overall.
5. Compares the result counts per query (equal, within 10 %) and the overlap of the two
   top-10 lists, and prints a table; ``--write`` puts it in bench/RESULTS.md under
   "COI search". The database is dropped at the end unless ``--keep``.

The machine is shared: the load average is recorded before and after, and the side-by-side
ratios are the figures to rely on.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from ura.coi.extract import Passage  # noqa: E402
from ura.coi.index import FacetFilter, Filters, SearchDocument, TantivyBackend  # noqa: E402
from ura.synth.coi import documents  # noqa: E402

PG = "postgres://postgres@127.0.0.1:5432"
DATABASE = "ura_bench_coi"
SEED = 2026
SECTION = "## COI search"
#: PostgreSQL text search configuration per document language.
CONFIGS = {
    "en": "english",
    "tr": "turkish",
    "fr": "french",
    "ru": "russian",
    "ar": "arabic",
    "fa": "simple",
}
HEADLINE = "MaxFragments=3, MaxWords=35, MinWords=12, StartSel=<mark>, StopSel=</mark>"


def _psql(sql: str, database: str = "postgres") -> str:
    done = subprocess.run(
        ["psql", f"{PG}/{database}", "-v", "ON_ERROR_STOP=1", "-tAc", sql],
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


def _corpus_commit() -> str:
    """The commit of the corpus generator (with "+ local changes" if it differs from it)."""
    paths = ["src/ura/synth/coi.py", "src/ura/synth/data/coi_corpus.yaml"]
    commit = subprocess.run(
        ["git", "log", "-1", "--format=%h", "--", *paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    changed = subprocess.run(
        ["git", "diff", "--quiet", "HEAD", "--", *paths], cwd=ROOT, check=False
    ).returncode
    return f"commit {commit or 'unknown'}" + (" + local changes" if changed else "")


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


# --- The corpus ---------------------------------------------------------------------------


def generate(count: int, path: Path) -> float:
    """Write ``count`` documents (metadata and passages) as JSON Lines; returns seconds."""
    started = time.perf_counter()
    with path.open("w", encoding="utf-8") as out:
        for doc in documents(count, SEED):
            passages = doc.passages()
            out.write(
                json.dumps(
                    {
                        "id": doc.number,
                        "title": doc.title,
                        "language": doc.language,
                        "passages": [[p.anchor, p.text] for p in passages],
                        "countries": list(doc.countries),
                        "topics": list(doc.topics),
                        "sources": list(doc.sources),
                        "type": doc.document_type,
                        "published": doc.published.isoformat(),
                        "url": doc.url,
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
    return time.perf_counter() - started


def read(path: Path) -> Iterator[dict[str, object]]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)


def search_documents(path: Path) -> Iterator[SearchDocument]:
    for row in read(path):
        yield SearchDocument(
            doc_id=str(row["id"]),
            title=str(row["title"]),
            language=str(row["language"]),
            passages=[Passage(a, t) for a, t in row["passages"]],  # type: ignore[attr-defined]
            countries=tuple(row["countries"]),  # type: ignore[arg-type]
            topics=tuple(row["topics"]),  # type: ignore[arg-type]
            sources=tuple(row["sources"]),  # type: ignore[arg-type]
            document_type=str(row["type"]),
            published=dt.date.fromisoformat(str(row["published"])),
            url=str(row["url"]),
        )


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# --- Loading ------------------------------------------------------------------------------


def load_tantivy(corpus: Path, index_dir: Path) -> tuple[TantivyBackend, float]:
    backend = TantivyBackend(index_dir)
    started = time.perf_counter()
    backend.rebuild(search_documents(corpus))
    return backend, time.perf_counter() - started


def load_postgres(corpus: Path) -> tuple[object, float, float]:
    """Create the table, COPY the documents (tsvector computed on the way in), build the
    GIN indexes; returns (connection, seconds for COPY, seconds for the indexes)."""
    import psycopg

    _psql(f"DROP DATABASE IF EXISTS {DATABASE}")
    _psql(f"CREATE DATABASE {DATABASE}")
    conn = psycopg.connect(f"{PG}/{DATABASE}", autocommit=True)
    conn.execute(
        """
        CREATE TABLE coi_document (
            id integer PRIMARY KEY,
            title text NOT NULL,
            language text NOT NULL,
            config regconfig NOT NULL,
            countries text[] NOT NULL,
            published date,
            body text NOT NULL,
            tsv tsvector GENERATED ALWAYS AS (
                setweight(to_tsvector(config, title), 'A')
                || setweight(to_tsvector(config, body), 'B')
            ) STORED
        )
        """
    )
    started = time.perf_counter()
    with (
        conn.cursor() as cur,
        cur.copy(
            "COPY coi_document (id, title, language, config, countries, published, body) FROM STDIN"
        ) as copy,
    ):
        for row in read(corpus):
            language = str(row["language"])
            copy.write_row(
                (
                    row["id"],
                    row["title"],
                    language,
                    CONFIGS[language],
                    row["countries"],
                    row["published"],
                    "\n".join(text for _, text in row["passages"]),  # type: ignore[attr-defined]
                )
            )
    copied = time.perf_counter() - started
    started = time.perf_counter()
    conn.execute("CREATE INDEX coi_document_tsv ON coi_document USING gin (tsv)")
    conn.execute("CREATE INDEX coi_document_countries ON coi_document USING gin (countries)")
    conn.execute("ANALYZE coi_document")
    return conn, copied, time.perf_counter() - started


# --- Queries ------------------------------------------------------------------------------

#: Words of the corpus by kind of query. "inflected": a form the documents mostly use in
#: another inflection (the engines must stem to find the rest).
SINGLE = (
    "checkpoints", "returnees", "journalists", "detention", "airstrikes", "shelters", "passports",
    "conscription", "displaced", "extortion", "Kabul", "Aleppo", "Mosul", "Mogadishu", "Kharkiv",
    "Prizren", "Tehran", "Peshawar", "Hazaras", "Yazidis", "Ahmadis", "Roma", "converts",
    "deserters", "militias", "gazeteciler", "journalistes", "журналисты", "الصحفيين",
    "روزنامه‌نگاران",
)  # fmt: skip
INFLECTED = (
    "incident", "returnee", "journalist", "detained", "killing", "deported", "shelter",
    "document", "olay", "belge", "sığınmacı", "réfugié", "attaque", "беженцы", "задержание",
    "документ", "لاجئ", "العائدين", "پناهجو", "حمله",
)  # fmt: skip
PAIRS = (
    ("detained", "journalists"), ("returnees", "airport"), ("checkpoints", "women"),
    ("identity", "cards"), ("police", "corruption"), ("shelters", "women"),
    ("military", "service"), ("blood", "feud"), ("food", "prices"), ("forced", "returns"),
    ("olay", "saldırı"), ("réfugiés", "logement"), ("беженцев", "жилья"),
    ("الصحفيين", "اعتقال"), ("زنان", "خشونت"),
)  # fmt: skip
ORS = (
    ("Kabul", "Herat"), ("Aleppo", "Idlib"), ("Baghdad", "Basra"), ("Tirana", "Shkodër"),
    ("Pristina", "Prizren"), ("airstrikes", "shelling"), ("Baha'is", "converts"),
    ("deserters", "conscription"), ("Kismayo", "Baidoa"), ("Odesa", "Kherson"),
    ("Halep", "Şam"), ("Kaboul", "Hérat"), ("Харьков", "Херсон"), ("حلب", "دمشق"),
    ("کابل", "هرات"),
)  # fmt: skip
NOTS = (
    ("returnees", "detention"), ("journalists", "arrested"), ("checkpoints", "women"),
    ("Taliban", "women"), ("security", "Kabul"), ("documents", "fraudulent"),
    ("police", "shelters"), ("protection", "courts"), ("refugees", "returned"),
    ("incidents", "casualties"), ("réfugiés", "logement"), ("беженцы", "жилья"),
)  # fmt: skip
PHRASES = (
    "security incidents", "civilian casualties", "identity cards", "blood feuds",
    "internal protection alternative", "forced returns", "state protection",
    "international airport", "targeted killings", "armed clashes", "military service",
    "false job offers", "güvenlik olayı", "documents d'identité", "гуманитарной помощи",
    "الوضع الأمني", "مدارک هویتی",
)  # fmt: skip
FILTER_COUNTRIES = ("SY", "AF", "IQ", "IR", "PK", "SO", "UA", "XK", "AL", "RS")


@dataclass(frozen=True)
class Query:
    kind: str
    ecoi: str  # the ecoi.net syntax the tantivy backend parses
    web: str  # the same for PostgreSQL's websearch_to_tsquery
    country: str | None = None


def queries(minimum: int) -> list[Query]:
    """At least ``minimum`` queries of the six kinds, each also with a country filter."""
    rng = random.Random(SEED)
    base: list[Query] = []
    base += [Query("single word", w, w) for w in SINGLE]
    base += [Query("inflected form", w, w) for w in INFLECTED]
    base += [Query("AND of two", f"{a} {b}", f"{a} {b}") for a, b in PAIRS]
    base += [Query("OR", f"{a} OR {b}", f"{a} or {b}") for a, b in ORS]
    base += [Query("NOT", f"{a} NOT {b}", f"{a} -{b}") for a, b in NOTS]
    base += [Query("phrase", f'"{p}"', f'"{p}"') for p in PHRASES]
    out = base + [Query(q.kind, q.ecoi, q.web, rng.choice(FILTER_COUNTRIES)) for q in base]
    while len(out) < minimum:
        q = base[len(out) % len(base)]
        out.append(Query(q.kind, q.ecoi, q.web, rng.choice(FILTER_COUNTRIES)))
    return out


@dataclass
class Timing:
    seconds: list[float] = field(default_factory=list)

    def add(self, value: float) -> None:
        self.seconds.append(value)

    def median(self) -> float:
        return statistics.median(self.seconds) * 1000

    def p95(self) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] * 1000


def tantivy_search(backend: TantivyBackend, q: Query) -> tuple[int, list[str], int]:
    filters = Filters(country=FacetFilter(any=(q.country,))) if q.country else None
    results = backend.search(q.ecoi, filters, limit=10)
    marks = sum(len(h.marks) for hit in results.hits for h in hit.highlights)
    return results.total, [hit.doc_id for hit in results.hits], marks


_TSQUERY = " || ".join(f"websearch_to_tsquery('{c}', %(q)s)" for c in sorted(set(CONFIGS.values())))
_SQL = f"""
WITH query AS (SELECT ({_TSQUERY}) AS q),
ranked AS (
    SELECT d.id, d.title, d.config, d.body, ts_rank(d.tsv, query.q) AS rank,
           count(*) OVER () AS total
    FROM coi_document d, query
    WHERE d.tsv @@ query.q {{country}}
    ORDER BY rank DESC, d.id
    LIMIT 10
)
SELECT r.id, r.total, ts_headline(r.config, r.body, query.q, '{HEADLINE}')
FROM ranked r, query
ORDER BY r.rank DESC, r.id
"""


def postgres_search(conn: object, q: Query) -> tuple[int, list[str], int]:
    sql = _SQL.replace("{country}", "AND d.countries && %(country)s::text[]" if q.country else "")
    rows = conn.execute(sql, {"q": q.web, "country": [q.country]}).fetchall()  # type: ignore[attr-defined]
    total = int(rows[0][1]) if rows else 0
    marks = sum(str(r[2]).count("<mark>") for r in rows)
    return total, [str(r[0]) for r in rows], marks


@dataclass
class Compared:
    kind: str
    tantivy: Timing = field(default_factory=Timing)
    postgres: Timing = field(default_factory=Timing)
    counts: list[tuple[int, int]] = field(default_factory=list)
    overlap: list[float] = field(default_factory=list)
    marks: list[tuple[int, int]] = field(default_factory=list)


def run_queries(backend: TantivyBackend, conn: object, qs: list[Query]) -> dict[str, Compared]:
    for q in qs:  # warm-up: caches of both engines, untimed
        tantivy_search(backend, q)
        postgres_search(conn, q)
    results: dict[str, Compared] = {}
    for q in qs:
        kind = q.kind + (" + country" if q.country else "")
        entry = results.setdefault(kind, Compared(kind))
        started = time.perf_counter()
        t_total, t_ids, t_marks = tantivy_search(backend, q)
        entry.tantivy.add(time.perf_counter() - started)
        started = time.perf_counter()
        p_total, p_ids, p_marks = postgres_search(conn, q)
        entry.postgres.add(time.perf_counter() - started)
        entry.counts.append((t_total, p_total))
        if t_ids or p_ids:
            entry.overlap.append(len(set(t_ids) & set(p_ids)) / max(len(t_ids), len(p_ids)))
        entry.marks.append((t_marks, p_marks))
    return results


# --- Report -------------------------------------------------------------------------------


def _fmt_rate(n: int, seconds: float) -> str:
    return f"{n / seconds:,.0f}"


def report(
    args: argparse.Namespace,
    started_at: dt.datetime,
    loads: tuple[str, str],
    figures: dict[str, float],
    results: dict[str, Compared],
    n_queries: int,
    pg_version: str,
) -> str:
    docs = args.docs
    t_index, p_copy, p_index = figures["tantivy"], figures["pg_copy"], figures["pg_index"]
    p_total = p_copy + p_index
    lines = [
        f"Command: `.venv/bin/python bench/coi_bench.py --docs {docs}"
        f" --queries {args.queries}{' --write' if args.write else ''}` — run"
        f" {started_at:%Y-%m-%d} (started {started_at:%H:%M} UTC).",
        "",
        f"Machine: 2 cores shared with other sessions; load average (1 / 5 / 15 min) {loads[0]}"
        f" at the start, {loads[1]} at the end. PostgreSQL {pg_version}, default"
        " settings.",
        "",
        f"Corpus: {docs:,} synthetic COI documents (`ura.synth.coi` of {_corpus_commit()},"
        f" seed {SEED}; about seven in"
        f" ten English, the rest Turkish, French, Russian, Arabic, Persian),"
        f" {figures['passages']:,.0f} passages, {figures['megabytes']:.0f} MB of text;"
        f" generated in {figures['generate']:.0f} s ({_fmt_rate(docs, figures['generate'])}"
        " documents/s, not counted below).",
        "",
        "| indexing | seconds | documents/s | size on disk |",
        "|---|---|---|---|",
        f"| tantivy (`TantivyBackend.rebuild`, Python analysis + one commit) | {t_index:.0f} |"
        f" {_fmt_rate(docs, t_index)} | {figures['tantivy_mb']:.0f} MB |",
        f"| PostgreSQL COPY with generated tsvector | {p_copy:.0f} | {_fmt_rate(docs, p_copy)} |"
        f" {figures['pg_table_mb']:.0f} MB (table) |",
        f"| PostgreSQL GIN indexes (tsvector, countries) | {p_index:.0f} | — |"
        f" {figures['pg_index_mb']:.0f} MB |",
        f"| PostgreSQL total | {p_total:.0f} | {_fmt_rate(docs, p_total)} | |",
        "",
        f"Top 10 with highlights, {n_queries} queries (one warm-up pass, then timed), in ms:",
        "",
        "| query kind | queries | tantivy p50 | tantivy p95 | PostgreSQL p50 | PostgreSQL p95 |"
        " p50 ratio (PG / tantivy) | same count | count within 10 % | top-10 overlap |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    everything = Compared("all")
    for entry in results.values():
        everything.tantivy.seconds += entry.tantivy.seconds
        everything.postgres.seconds += entry.postgres.seconds
        everything.counts += entry.counts
        everything.overlap += entry.overlap
    for entry in [*results.values(), everything]:
        n = len(entry.counts)
        same = sum(1 for a, b in entry.counts if a == b)
        near = sum(1 for a, b in entry.counts if abs(a - b) <= 0.1 * max(a, b, 1))
        overlap = statistics.mean(entry.overlap) if entry.overlap else float("nan")
        name = f"**{entry.kind}**" if entry is everything else entry.kind
        lines.append(
            f"| {name} | {n} | {entry.tantivy.median():.1f} | {entry.tantivy.p95():.1f} |"
            f" {entry.postgres.median():.1f} | {entry.postgres.p95():.1f} |"
            f" {entry.postgres.median() / entry.tantivy.median():.1f} | {same / n:.0%} |"
            f" {near / n:.0%} | {overlap:.0%} |"
        )
    lines += [
        "",
        "Ratios (the figures to compare on a shared machine): indexing documents/s, tantivy"
        f" / PostgreSQL = {p_total / t_index:.2f}; search latency, PostgreSQL / tantivy ="
        f" {everything.postgres.median() / everything.tantivy.median():.1f} at the median and"
        f" {everything.postgres.p95() / everything.tantivy.p95():.1f} at the 95th percentile.",
    ]
    return "\n".join(lines)


def write_results(text: str, notes: str) -> None:
    """Replace (or add at the end) the "COI search" section of bench/RESULTS.md."""
    path = ROOT / "bench" / "RESULTS.md"
    current = path.read_text(encoding="utf-8").rstrip("\n") + "\n"
    block = f"{SECTION}\n\n{text.strip()}\n\n{notes.strip()}\n"
    start = current.find(SECTION + "\n")
    if start == -1:
        path.write_text(f"{current}\n{block}", encoding="utf-8")
        return
    found = current.find("\n## ", start + len(SECTION))
    rest = "" if found == -1 else current[found + 1 :]
    path.write_text(current[:start] + block + ("\n" + rest if rest else ""), encoding="utf-8")


NOTES = """
How to read it. Both engines answer the same question: the number of matching documents and
the ten most relevant with highlighted passages. tantivy also counts the six facets
(country, topic, source, type, language, year) of all matches in the same call; PostgreSQL
does not (it would need one more query per facet). The counts differ by design, not by error:
tantivy analyses each document in its own language with Snowball stemmers (Persian and
Serbian too), Turkish casing, Arabic-script and Latin-diacritic folding, and treats a query
word as matching in any language, word by word; PostgreSQL's configurations stem differently
(no Persian stemmer, no diacritic folding: `réfugié` and `refugie` differ), `websearch_to_tsquery`
drops stop words, and the query is analysed per configuration and OR-ed as a whole. NOT and
phrases therefore agree least. Top-10 overlap is low where many documents tie on relevance
(short synthetic documents built from shared sentences): BM25 (tantivy) and `ts_rank`
(PostgreSQL) break ties differently.

Indexing: tantivy indexes about a third as many documents per second as PostgreSQL here
because every word is analysed in Python (`ura.coi.analysis`: Turkish casing, Arabic-script
and Latin-diacritic folding, a stemmer call per distinct word, cached) and handed to tantivy
pre-tokenised, and each document's passages are stored compressed for the highlights;
PostgreSQL's `to_tsvector` runs in C. A rebuild of 100,000 documents (`ura coi reindex`) thus
takes minutes, once; an import indexes its documents in milliseconds. Search is where the
embedded index pays: PostgreSQL's latency grows with the number of matching documents,
because `ts_rank` is computed for every match before the top ten are chosen and
`ts_headline` parses each of the ten bodies again, while tantivy ranks top-k with BM25 and
highlights from the passages it stored. A country filter narrows PostgreSQL's matches and
brings it closer.
"""


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200, help="at least this many")
    parser.add_argument("--keep", action="store_true", help="keep the database and index")
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    args = parser.parse_args(argv)
    if args.docs < 100 or args.queries < 1:
        parser.error("--docs must be at least 100")
    started_at = dt.datetime.now(dt.UTC)
    load_start = _load()
    print(f"load average at start: {load_start}")
    work = Path(tempfile.mkdtemp(prefix="ura-coi-bench-"))
    corpus = work / "corpus.jsonl"
    conn = None
    try:
        say = _progress()
        say(f"generating {args.docs:,} documents")
        figures: dict[str, float] = {"generate": generate(args.docs, corpus)}
        figures["megabytes"] = corpus.stat().st_size / 1e6
        figures["passages"] = float(sum(len(r["passages"]) for r in read(corpus)))  # type: ignore[misc,arg-type]
        say("indexing with tantivy")
        backend, figures["tantivy"] = load_tantivy(corpus, work / "index")
        figures["tantivy_mb"] = _size(work / "index") / 1e6
        if backend.count() != args.docs:
            raise RuntimeError(f"indexed {backend.count()} of {args.docs} documents")
        say(f"tantivy: {figures['tantivy']:.0f} s; loading PostgreSQL")
        conn, figures["pg_copy"], figures["pg_index"] = load_postgres(corpus)
        say(f"PostgreSQL: copy {figures['pg_copy']:.0f} s, indexes {figures['pg_index']:.0f} s")
        pg_version = _psql("SHOW server_version", DATABASE).split()[0]
        figures["pg_table_mb"] = int(_psql("SELECT pg_table_size('coi_document')", DATABASE)) / 1e6
        figures["pg_index_mb"] = (
            int(_psql("SELECT pg_indexes_size('coi_document')", DATABASE)) / 1e6
        )
        qs = queries(args.queries)
        say(f"running {len(qs)} queries on both (warm-up, then timed)")
        results = run_queries(backend, conn, qs)
        load_end = _load()
        text = report(
            args, started_at, (load_start, load_end), figures, results, len(qs), pg_version
        )
        print()
        print(text)
        if args.write:
            write_results(text, NOTES)
            print("\nbench/RESULTS.md updated")
    finally:
        if conn is not None:
            conn.close()  # type: ignore[attr-defined]
        if not args.keep:
            _psql(f"DROP DATABASE IF EXISTS {DATABASE}")
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept: database {DATABASE}, files in {work}")
    return 0


def _progress() -> Callable[[str], None]:
    started = time.perf_counter()

    def say(message: str) -> None:
        print(f"[{time.perf_counter() - started:7.1f} s] {message}", flush=True)

    return say


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
