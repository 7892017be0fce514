"""Engine speed and memory: generated flows of 10 and 10,000 nodes, 1,000 participants, one process.

    .venv/bin/python bench/engine.py [--events 40000] [--sizes 10,10000] [--participants 1000]
                                     [--reps 5] [--compile-runs 5] [--seed 1] [--profile]

For every size a fresh subprocess (so memory numbers of one size do not leak into the other):
  1. generates a flow of exactly that many nodes (a menu tree of `choices` nodes, four choices
     each, whose leaves are 6-node surveys: a number ask with min/max, a branch, two `next`
     chains, a text ask, a thank-you that returns to the start; plus a few info nodes) and checks
     it with `engine.validation` (no error, no warning, or the bench stops);
  2. times the compile, `flow_from_document` + `Runtime(...)` (one transitions Machine per flow),
     `--compile-runs` times, and reports the median; tracemalloc peak and RSS growth of it;
  3. records a schedule: `--events` events over `--participants` Conversations, each picked
     by a seeded random generator that looks at where the participant is (choices by button,
     by number and by label text in English or Hindi, number answers in and out of range, text
     answers, too-long answers, Back, Restart, /language, stale buttons, timeouts, a photo
     where text is expected); this pass warms the caches and yields the event mix;
  4. replays that schedule `--reps` times on fresh Conversations through `Runtime.handle` and
     times only the replay loop (median and spread of events/s); every replay must end in the
     same states as the recording;
  5. replays once more under tracemalloc for the conversations' memory.
The parent prints a table and PASS/FAIL against the targets: >= 20,000 events/s at every size,
< 10% difference in events/s between the smallest and the largest size, and a 10,000-node
compile in < 1 s. It exits 1 when a target fails. `--profile` also prints a cProfile of one
replay per size (to stderr).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import pstats
import random
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.conversation import Conversation
from engine.events import Inbound
from engine.flow import flow_from_document
from engine.keyboards import node_tag
from engine.runtime import Runtime
from engine.validation import validate_text

TARGET_RATE = 20_000.0
TARGET_DIFFERENCE = 0.10
TARGET_COMPILE = 1.0
COMPILE_TARGET_NODES = 10_000
FLOW_ID = "bench"
UNIT = ("years", "route", "novice", "expert", "feedback", "thanks")
NOW = 1_750_000_000.0
"""Every event carries this clock: no participant is ever away long enough to expire."""
MAX_FEEDBACK = 200

FEEDBACK = (
    "The geometry module worked well in class 7",
    "Students liked the proportional reasoning games",
    "The audio did not play on my phone",
    "बच्चों को गतिविधियाँ पसंद आईं",
    "ok",
    "Need more worksheets for English",
)
YEARS = ("0", "1", "1", "3", "5", "7", "12", "20", "35", "60", "2.5", "५", "१२", " 8 ")
NOT_A_NUMBER = ("about ten", "ten", "many", "?")
OUT_OF_RANGE = ("99", "-1", "75", "1000")


# ---------------------------------------------------------------------------- the flow
BLOCK = 10
"""Nodes per block: a menu, a 6-node survey and 3 say-then-next nodes."""


def shape(size: int) -> tuple[int, int]:
    """Blocks, and the extra nodes (a short `next` chain) that make up exactly `size` nodes."""
    if size < BLOCK:
        raise ValueError(f"a generated flow needs at least {BLOCK} nodes")
    return divmod(size, BLOCK)


def both(en: str, hi: str) -> dict[str, str]:
    return {"en": en, "hi": hi}


def survey(k: int) -> dict[str, dict[str, Any]]:
    """Number ask (min/max) -> branch -> one of two says -> text ask -> thanks -> the menu."""
    ids = {part: f"u{k}_{part}" for part in UNIT}
    ask: dict[str, Any] = {"save_as": "years", "type": "number", "min": 0, "max": 60}
    if k % 2 == 0:
        ask["retry"] = both(
            "Please send a number from 0 to 60, for example 5.",
            "कृपया 0 से 60 के बीच की संख्या भेजें, जैसे 5।",
        )
    years: dict[str, Any] = {
        "say": both(
            f"Survey {k}. How many years have you been teaching?",
            f"सर्वे {k}। आप कितने वर्षों से पढ़ा रहे हैं?",
        ),
        "ask": ask,
        "next": ids["route"],
    }
    if k % 3 == 0:
        years["timeout"] = {
            "after": "24h",
            "next": f"m{k}",
            "say": both("No answer? Back to the menu.", "जवाब नहीं? मेनू पर वापस।"),
        }
    return {
        ids["years"]: years,
        ids["route"]: {
            "branch": [{"if": {"var": "years", "op": "<", "value": 2}, "next": ids["novice"]}],
            "else": ids["expert"],
        },
        ids["novice"]: {
            "say": both(
                "Welcome to teaching! {years} years is a fine start.",
                "पढ़ाने में स्वागत है! {years} वर्ष एक अच्छी शुरुआत है।",
            ),
            "next": ids["feedback"],
        },
        ids["expert"]: {
            "say": [
                both("{years} years: thank you for your experience.", "{years} वर्ष: धन्यवाद।"),
                both("One more question.", "एक और सवाल।"),
            ],
            "next": ids["feedback"],
        },
        ids["feedback"]: {
            "say": both(
                "What would help you most in class?", "कक्षा में आपकी सबसे ज़्यादा मदद क्या करेगा?"
            ),
            "ask": {"save_as": "feedback", "type": "text", "max_length": MAX_FEEDBACK},
            "next": ids["thanks"],
        },
        ids["thanks"]: {
            "say": both("Thank you! You said: {feedback}", "धन्यवाद! आपने कहा: {feedback}"),
            "next": f"m{k}",
        },
    }


def intro(text: dict[str, str], k: int, target: str) -> dict[str, Any]:
    """A say-then-next node: a message and a handbook, then on at once."""
    return {
        "say": [text, {"document": f"https://example.org/handbook-{k}.pdf", "caption": "Handbook"}],
        "next": target,
    }


def make_document(size: int) -> dict[str, Any]:
    """A valid flow of exactly `size` nodes, built of identical 10-node blocks.

    Block k: menu `mk` with four choices: its survey, and three say-then-next nodes `sk_j`
    that introduce and lead to the child blocks 3k+1..3k+3 (a 3-ary menu tree), or, where
    there is no such block, say something and return to the main menu `m0`. Whatever the
    size, every menu offers the same kinds of choices, so the event mix does not depend on
    the size. The `size % 10` nodes left over form a `next` chain behind a fifth choice of
    the last menu.
    """
    blocks, extra = shape(size)
    nodes: dict[str, Any] = {}
    for k in range(blocks):
        choices = [{"label": both(f"Survey {k}", f"सर्वे {k}"), "next": f"u{k}_years"}]
        nodes[f"m{k}"] = {
            "say": both(f"Menu {k}: choose a topic.", f"मेनू {k}: विषय चुनिए।"),
            "choices": choices,
        }
        nodes.update(survey(k))
        for j in range(3):
            child = 3 * k + 1 + j
            if child < blocks:
                label = both(f"Topic {child}", f"विषय {child}")
                text = both(f"Topic {child}: an introduction.", f"विषय {child}: परिचय।")
                nodes[f"s{k}_{j}"] = intro(text, child, f"m{child}")
            else:
                label = both(f"About {k}-{j}", f"जानकारी {k}-{j}")
                text = both("CLIx modules are free to use.", "CLIx मॉड्यूल मुफ़्त हैं।")
                nodes[f"s{k}_{j}"] = intro(text, k, "m0")
            choices.append({"label": label, "next": f"s{k}_{j}"})
    if extra:
        nodes[f"m{blocks - 1}"]["choices"].append({"label": both("More", "और"), "next": "x0"})
        for j in range(extra):
            text = both(f"More, part {j + 1}.", f"और, भाग {j + 1}।")
            nodes[f"x{j}"] = intro(text, j, f"x{j + 1}" if j + 1 < extra else "m0")
    assert len(nodes) == size, (len(nodes), size)
    return {
        "flow": FLOW_ID,
        "title": f"Generated bench flow ({size} nodes)",
        "languages": ["en", "hi"],
        "start": "m0",
        "keyboard": "inline",
        "expire_after": "7d",
        "nodes": nodes,
    }


def compile_runtime(document: Mapping[str, Any]) -> Runtime:
    flow = flow_from_document(document)
    return Runtime({flow.id: flow}, flow.id)


# ---------------------------------------------------------------------------- participants
@dataclass(frozen=True)
class Place:
    """What a participant can do at a waiting node."""

    kind: str  # "menu", "number", "text"
    tag: str
    labels: tuple[tuple[str, str], ...] = ()
    timeout: bool = False


@dataclass
class Planner:
    """Picks each participant's next event from where they are, like a person would."""

    places: dict[str, Place]
    rng: random.Random
    languages: list[str | None]
    cache: dict[tuple[Any, ...], Inbound] = field(default_factory=dict)

    @classmethod
    def for_document(cls, document: Mapping[str, Any], participants: int, seed: int) -> Planner:
        places: dict[str, Place] = {}
        for node_id, node in document["nodes"].items():
            tag = node_tag(FLOW_ID, node_id)
            if "choices" in node:
                labels = tuple((c["label"]["en"], c["label"]["hi"]) for c in node["choices"])
                places[node_id] = Place("menu", tag, labels)
            elif "ask" in node:
                places[node_id] = Place(node["ask"]["type"], tag, timeout="timeout" in node)
        rng = random.Random(seed)
        languages: list[str | None] = [
            rng.choice(("en", "en", "en", "hi", "hi", None)) for _ in range(participants)
        ]
        return cls(places, rng, languages)

    def _event(self, *key: Any) -> Inbound:
        """Identical events are one shared (frozen) object, so the schedule stays small."""
        found = self.cache.get(key)
        if found is None:
            kind, value, language = key
            if kind == "message":
                found = Inbound.message(value, language)
            elif kind == "button":
                found = Inbound.button(value, language)
            elif kind == "photo":
                found = Inbound.attachment("photo", value, language)
            else:
                found = Inbound.timer(value)
            self.cache[key] = found
        return found

    def next(self, who: int, conv: Conversation) -> Inbound:
        rng, language = self.rng, self.languages[who]

        def say(text: str) -> Inbound:
            return self._event("message", text, language)

        def tap(data: str) -> Inbound:
            return self._event("button", data, language)

        if conv.node is None or conv.ended:
            return say(rng.choice(("/start", "/start", "/start", "hello")))
        if conv.awaiting == "language":
            return rng.choice((say("2"), say("English"), tap("~lang:hi"), tap("~lang:en")))
        place = self.places[conv.node]
        roll = rng.random()
        if roll < 0.06:
            return rng.choice((say("Back"), say("वापस"), tap("~back"), say("/back")))
        if roll < 0.075:
            return rng.choice((say("Restart"), tap("~restart"), say("/restart")))
        if roll < 0.08:
            return say("/language")
        if place.kind == "menu":
            return self._menu(place, roll, say, tap)
        if place.kind == "number":
            if roll < 0.16:
                return say(rng.choice(NOT_A_NUMBER))
            if roll < 0.24:
                return say(rng.choice(OUT_OF_RANGE))
            if roll < 0.26 and place.timeout:
                return self._event("timer", conv.where, None)
            return say(rng.choice(YEARS))
        if roll < 0.12:
            return say("This answer goes on and on. " * 10)  # longer than max_length
        if roll < 0.14:
            return self._event("photo", "AgACAgIAAxkBAAI", language)
        return say(rng.choice(FEEDBACK))

    def _menu(
        self,
        place: Place,
        roll: float,
        say: Callable[[str], Inbound],
        tap: Callable[[str], Inbound],
    ) -> Inbound:
        rng = self.rng
        if roll < 0.11:
            return rng.choice((say("hello?"), say(str(len(place.labels) + 1)), say("Topic 99999")))
        if roll < 0.12:
            return tap(f"0000dead:{rng.randrange(4)}")  # a stale button from an old message
        index = rng.randrange(len(place.labels))
        how = rng.random()
        if how < 0.35:
            return tap(f"{place.tag}:{index}")
        if how < 0.65:
            return say(str(index + 1))
        english, hindi = place.labels[index]
        spelling = rng.choice((english, english.lower(), f"  {english.upper()} ", hindi))
        return say(spelling)


# ---------------------------------------------------------------------------- measuring
def rss() -> int:
    """Resident set size in bytes (Linux /proc; elsewhere the peak from getrusage)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024


def replay(
    runtime: Runtime, participants: int, who: Sequence[int], what: Sequence[Inbound]
) -> tuple[float, list[Conversation]]:
    convs = [Conversation() for _ in range(participants)]
    handle = runtime.handle
    started = time.perf_counter()
    for index, event in zip(who, what, strict=True):
        handle(convs[index], event, NOW)
    return time.perf_counter() - started, convs


def profile_replay(
    runtime: Runtime, participants: int, who: Sequence[int], what: Sequence[Inbound], size: int
) -> list[tuple[str, float]]:
    """cProfile one replay; print the top functions; return those above 20% of the total."""
    profiler = cProfile.Profile()
    profiler.enable()
    replay(runtime, participants, who, what)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    raw: dict[tuple[str, int, str], tuple[int, int, float, float, Any]] = stats.stats  # type: ignore[attr-defined]
    total = max((entry[3] for entry in raw.values()), default=0.0)  # replay()'s cumulative
    rows = sorted(raw.items(), key=lambda item: item[1][3], reverse=True)
    print(
        f"\n--- cProfile, {size} nodes, {len(what)} events: cumulative share ---", file=sys.stderr
    )
    hot: list[tuple[str, float]] = []
    for (file, line, name), (_, calls, own, cumulative, _) in rows[:30]:
        where = f"{Path(file).name}:{line}({name})" if line else name
        share = cumulative / total if total else 0.0
        print(f"{share:6.1%} cum {own / total:6.1%} own {calls:>9} {where}", file=sys.stderr)
        if share > 0.20:
            hot.append((where, share))
    print(f"--- {size} nodes: most own time ---", file=sys.stderr)
    for (file, line, name), (_, calls, own, _, _) in sorted(
        raw.items(), key=lambda item: item[1][2], reverse=True
    )[:15]:
        where = f"{Path(file).name}:{line}({name})" if line else name
        print(f"{own / total:6.1%} own {calls:>9} {where}", file=sys.stderr)
    return hot


class Subject:
    """One flow size, set up in its own process: flow, runtime, schedule; then replays on demand."""

    def __init__(self, size: int, args: argparse.Namespace) -> None:
        self.size, self.args = size, args
        document = make_document(size)
        self.setup: dict[str, Any] = {"size": size, "shape": shape(size)}
        started = time.perf_counter()
        if not args.no_validate:
            text = json.dumps(document, ensure_ascii=False)
            problems = validate_text(text, f"bench-{size}.json")
            for problem in problems[:10]:
                print(problem.format(), file=sys.stderr)
            if problems:
                raise SystemExit(f"the generated {size}-node flow does not validate")
        self.setup["validate_s"] = None if args.no_validate else time.perf_counter() - started
        self.runtime = self._compile(document)
        self.who, self.what, self.recorded = self._record(document)

    def _compile(self, document: Mapping[str, Any]) -> Runtime:
        """Median time of --compile-runs compiles; RSS growth of the first; tracemalloc of one."""
        gc.collect()
        rss_before = rss()
        started = time.perf_counter()
        runtime = compile_runtime(document)
        times = [time.perf_counter() - started]
        self.setup["compile_rss"] = rss() - rss_before
        for _ in range(self.args.compile_runs - 1):
            started = time.perf_counter()
            compile_runtime(document)
            times.append(time.perf_counter() - started)
        gc.collect()
        tracemalloc.start()
        kept = compile_runtime(document)
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        del kept
        gc.collect()
        machine = runtime.compiled[FLOW_ID].machine
        self.setup.update(
            compile_s=times, compile_peak=peak, compile_retained=current, states=len(machine.states)
        )
        return runtime

    def _record(
        self, document: Mapping[str, Any]
    ) -> tuple[list[int], list[Inbound], list[dict[str, Any]]]:
        """Drive the participants once, picking each event from where they are; keep the events."""
        args = self.args
        planner = Planner.for_document(document, args.participants, args.seed)
        convs = [Conversation() for _ in range(args.participants)]
        who: list[int] = []
        what: list[Inbound] = []
        kinds: Counter[str] = Counter()
        visited: set[str] = set()
        chain = 0
        pick = planner.rng.randrange
        rss_before = rss()
        for _ in range(args.events):
            index = pick(args.participants)
            conv = convs[index]
            event = planner.next(index, conv)
            turn = self.runtime.handle(conv, event, NOW)
            kinds[turn.kind] += 1
            visited.update(turn.visited)
            chain += len(turn.visited)
            who.append(index)
            what.append(event)
        self.setup.update(
            conv_rss=rss() - rss_before,
            kinds=dict(kinds),
            visited=len(visited),
            chain=chain / args.events,
            events=args.events,
            participants=args.participants,
            unique_events=len(planner.cache),
        )
        return who, what, [c.to_dict() for c in convs]

    def replay(self) -> dict[str, Any]:
        gc.collect()
        elapsed, convs = replay(self.runtime, self.args.participants, self.who, self.what)
        if [c.to_dict() for c in convs] != self.recorded:
            raise SystemExit(f"{self.size} nodes: a replay did not end where the recording did")
        return {"rate": len(self.what) / elapsed}

    def memory(self) -> dict[str, Any]:
        """tracemalloc over one replay on fresh conversations, the caches already warm."""
        gc.collect()
        tracemalloc.start()
        _, convs = replay(self.runtime, self.args.participants, self.who, self.what)
        gc.collect()
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        del convs
        return {"conv_peak": peak, "conv_retained": current}

    def profile(self) -> dict[str, Any]:
        hot = profile_replay(self.runtime, self.args.participants, self.who, self.what, self.size)
        return {"hot": hot}


def serve(size: int, args: argparse.Namespace) -> int:
    """Worker process: set up, answer with the setup numbers, then obey one command a line."""
    subject = Subject(size, args)
    print(json.dumps(subject.setup), flush=True)
    commands: dict[str, Callable[[], dict[str, Any]]] = {
        "replay": subject.replay,
        "memory": subject.memory,
        "profile": subject.profile,
    }
    for line in sys.stdin:
        command = line.strip()
        if command == "quit":
            break
        print(json.dumps(commands[command]()), flush=True)
    return 0


class Worker:
    """The parent's handle on one worker process."""

    def __init__(self, size: int, args: argparse.Namespace) -> None:
        command = [sys.executable, __file__, "--worker", str(size)]
        for name in ("events", "participants", "compile_runs", "seed"):
            command += [f"--{name.replace('_', '-')}", str(getattr(args, name))]
        command += ["--no-validate"] if args.no_validate else []
        self.size = size
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        self.result = self._answer()
        self.result["rates"] = []

    def _answer(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit(f"the {self.size}-node worker failed (exit {self.process.wait()})")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def ask(self, command: str) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self._answer()

    def close(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.write("quit\n")
            self.process.stdin.close()
        self.process.wait()


def measure(sizes: Sequence[int], args: argparse.Namespace) -> list[dict[str, Any]]:
    """Set the sizes up one after the other, then interleave their timed replays."""
    workers: list[Worker] = []
    try:
        for size in sizes:
            print(f"setting up {size:,} nodes ...", file=sys.stderr, flush=True)
            workers.append(Worker(size, args))
        for rep in range(args.reps):
            print(f"replay {rep + 1} of {args.reps} ...", file=sys.stderr, flush=True)
            for worker in workers if rep % 2 == 0 else workers[::-1]:
                worker.result["rates"].append(worker.ask("replay")["rate"])
        for worker in workers:
            worker.result.update(worker.ask("memory"))
            worker.result.update(worker.ask("profile") if args.profile else {"hot": []})
    finally:
        for worker in workers:
            worker.close()
    return [worker.result for worker in workers]


# ---------------------------------------------------------------------------- report
def mb(value: float) -> str:
    return f"{value / 1e6:.1f} MB"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def mix_share(kind: str) -> Callable[[dict[str, Any]], str]:
    return lambda r: f"{r['kinds'].get(kind, 0) / r['events']:.1%}"


def report(results: list[dict[str, Any]], args: argparse.Namespace) -> bool:
    rows: list[tuple[str, list[str]]] = []

    def row(name: str, cell: Callable[[dict[str, Any]], str]) -> None:
        rows.append((name, [cell(r) for r in results]))

    def rate(r: dict[str, Any]) -> float:
        rates: list[float] = r["rates"]
        return statistics.median(rates)

    def ms(seconds: float) -> str:
        return f"{seconds * 1e3:.1f} ms"

    convs = f"{args.participants:,} conversations"
    row("10-node blocks + extra nodes", lambda r: " + ".join(map(str, r["shape"])))
    row("machine states", lambda r: f"{r['states']:,}")
    row(
        "validation (not part of compile)",
        lambda r: "skipped" if r["validate_s"] is None else f"{r['validate_s']:.2f} s",
    )
    row(f"compile, median of {args.compile_runs}", lambda r: ms(statistics.median(r["compile_s"])))
    row("compile, min-max", lambda r: f"{ms(min(r['compile_s']))}-{ms(max(r['compile_s']))}")
    row("compile: tracemalloc peak", lambda r: mb(r["compile_peak"]))
    row("compile: tracemalloc retained", lambda r: mb(r["compile_retained"]))
    row("compile: RSS growth", lambda r: mb(r["compile_rss"]))
    row(f"events/s, median of {args.reps}", lambda r: f"{rate(r):,.0f}")
    row("events/s, min-max", lambda r: f"{min(r['rates']):,.0f}-{max(r['rates']):,.0f}")
    row(
        "spread, (max-min)/median", lambda r: f"{(max(r['rates']) - min(r['rates'])) / rate(r):.1%}"
    )
    row("µs per event", lambda r: f"{1e6 / rate(r):.1f}")
    row("nodes passed per event", lambda r: f"{r['chain']:.2f}")
    row("nodes visited while recording", lambda r: f"{r['visited']:,} of {r['size']:,}")
    row(f"{convs}: tracemalloc peak", lambda r: mb(r["conv_peak"]))
    row(f"{convs}: retained", lambda r: mb(r["conv_retained"]))
    row("  per conversation", lambda r: f"{r['conv_retained'] / r['participants']:,.0f} B")
    row(f"{convs}: RSS growth*", lambda r: mb(r["conv_rss"]))
    kinds = Counter[str]()
    for r in results:
        kinds.update(r["kinds"])
    for kind, _ in kinds.most_common():
        row(f"event mix: {kind}", mix_share(kind))

    width = max(len(name) for name, _ in rows) + 2
    cells = max(len(c) for _, cs in rows for c in cs) + 3
    print(
        f"\nCLIxChat engine bench: {args.events:,} events over {convs}, "
        f"{args.reps} timed replays per size (interleaved), one process per size"
    )
    print("".ljust(width) + "".join(f"{r['size']:,} nodes".rjust(cells) for r in results))
    for name, cs in rows:
        print(name.ljust(width) + "".join(c.rjust(cells) for c in cs))
    print(
        "* while recording the schedule: the conversations, the schedule itself and the "
        "runtime's per-node label cache"
    )

    print("\nTargets")
    ok = True
    for r in results:
        passed = rate(r) >= TARGET_RATE
        ok &= passed
        print(
            f"  {r['size']:,} nodes: events/s >= {TARGET_RATE:,.0f}: "
            f"{rate(r):,.0f}  {verdict(passed)}"
        )
    if len(results) > 1:
        small, large = results[0], results[-1]
        ratio = rate(large) / rate(small)
        passed = abs(1 - ratio) < TARGET_DIFFERENCE
        ok &= passed
        print(
            f"  events/s, {large['size']:,} vs {small['size']:,} nodes, differ by < "
            f"{TARGET_DIFFERENCE:.0%}: ratio {ratio:.3f} ({ratio - 1:+.1%})  {verdict(passed)}"
        )
    for r in results:
        seconds = statistics.median(r["compile_s"])
        if r["size"] <= COMPILE_TARGET_NODES:
            passed = seconds < TARGET_COMPILE
            ok &= passed
            print(
                f"  {r['size']:,} nodes: compile < {TARGET_COMPILE:.0f} s: "
                f"{ms(seconds)}  {verdict(passed)}"
            )
        else:
            print(
                f"  {r['size']:,} nodes: compile {ms(seconds)} (the 1 s target is for "
                f"{COMPILE_TARGET_NODES:,} nodes; not judged)"
            )
    for r in results:
        for where, share in r["hot"]:
            print(f"  profile, {r['size']:,} nodes: {where} takes {share:.0%} of the replay")
    print(f"overall: {verdict(ok)}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=40_000, help="events per replay")
    parser.add_argument("--sizes", default="10,10000", help="flow sizes in nodes, comma-separated")
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--reps", type=int, default=5, help="timed replays per size")
    parser.add_argument("--compile-runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="cProfile one replay per size")
    parser.add_argument(
        "--no-validate", action="store_true", help="skip engine.validation of the generated flows"
    )
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker is not None:
        return serve(args.worker, args)
    sizes = [int(part) for part in args.sizes.split(",") if part.strip()]
    return 0 if report(measure(sizes, args), args) else 1


if __name__ == "__main__":
    sys.exit(main())
