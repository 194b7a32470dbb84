"""prepub's command line: parse arguments, call :mod:`filters`, render, return an exit code.

Exit codes: 0 publish, 1 review, 3 block, 2 usage, input or rule-pack error. Errors a user
can cause are one line on stderr (``prepub: error: ...``), never a traceback; ``--debug``
re-raises them for a developer.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

EXIT = {"publish": 0, "review": 1, "block": 3}
EXIT_ERROR = 2
FORMATS = ("text", "json", "html", "sarif")


class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 with a one-line message (its default, made explicit)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_ERROR, f"prepub: error: {message}\n")


def _max_bytes(value: str) -> int:
    """``--max-bytes``: a positive whole number (0 is not "no limit"; leave it out instead)."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a whole number of bytes, not {value!r}"
        ) from None
    if number < 1:
        raise argparse.ArgumentTypeError(
            f"must be at least 1 byte, not {number} (leave it out for the default, 20 MiB)"
        )
    return number


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = _Parser(prog="prepub", description="Check republished articles before publication.")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    parser.add_argument(
        "--rules", metavar="DIR", help="rule-pack directory or file (default: the shipped packs)"
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    check = sub.add_parser("check", help="check articles (files or - for stdin)")
    check.add_argument("paths", nargs="+", metavar="PATH", help="article files, or - for stdin")
    check.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="text (for people), json (the result model), html (a report page), sarif (code review)",
    )
    check.add_argument(
        "--out",
        metavar="PATH",
        help="write the report here instead of stdout (a directory for html with several inputs)",
    )
    check.add_argument(
        "--clean-out",
        metavar="PATH",
        help="write the clean text here (a directory for several inputs)",
    )
    check.add_argument(
        "--audit-log", metavar="FILE", help="append chained audit records to this JSONL file"
    )
    check.add_argument("--source", help="declared original publisher, e.g. Bloomberg")
    check.add_argument("--url", help="URL of the original article")
    check.add_argument("--content-type", choices=("auto", "text", "html"), default="auto")
    check.add_argument("--language", help="document language (ISO 639-1); detected when omitted")
    check.add_argument(
        "--fix", action="store_true", help="insert a missing disclaimer and redact personal data"
    )
    check.add_argument(
        "--max-bytes",
        type=_max_bytes,
        default=None,
        help="largest input accepted, in bytes (at least 1; default 20 MiB)",
    )
    check.add_argument(
        "--colour",
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour in the text format (auto: only on a terminal, and not with NO_COLOR)",
    )

    report = sub.add_parser("report", help="a batch report from an audit log")
    report.add_argument("log", metavar="AUDIT.jsonl", help="an audit log written by --audit-log")
    report.add_argument(
        "--html",
        metavar="OUT.html",
        required=True,
        help="write the HTML report here (- for stdout)",
    )
    report.add_argument("--title", default=None, help="the report's title")
    check.add_argument(
        "--ner-model",
        metavar="NAME",
        help="installed spaCy model (e.g. en_core_web_sm) to also find person and place names",
    )

    rules = sub.add_parser("rules", help="list, show and test rule packs")
    rules_sub = rules.add_subparsers(dest="rules_command", parser_class=_Parser)
    rules_list = rules_sub.add_parser("list", help="one line per rule")
    rules_list.add_argument(
        "--markdown", action="store_true", help="the rules catalogue as Markdown"
    )
    show = rules_sub.add_parser("show", help="everything about one rule")
    show.add_argument("code")
    rules_sub.add_parser("test", help="run every rule's must/must-not examples")

    _add_batch_parser(sub)

    audit = sub.add_parser("audit", help="verify audit logs")
    audit_sub = audit.add_subparsers(dest="audit_command", parser_class=_Parser)
    verify = audit_sub.add_parser("verify", help="check the hash chain of an audit log")
    verify.add_argument("log")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run prepub; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    import filters

    if args.version:
        print(f"prepub {filters.__version__}")
        return 0
    if args.command is None:
        parser.print_usage(sys.stderr)
        return EXIT_ERROR
    try:
        if args.command == "check":
            return _check(args)
        if args.command == "rules":
            return _rules(args, parser)
        if args.command == "audit":
            return _audit(args, parser)
        if args.command == "report":
            return _report(args)
        if args.command == "batch":
            return _batch(args)
    except filters.PrepubError as exc:
        if args.debug:
            raise
        print(f"prepub: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("prepub: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `prepub rules list | head`: the reader left; not an error
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    parser.print_usage(sys.stderr)
    return EXIT_ERROR


def _read(path: str, max_bytes: int) -> bytes:
    """The bytes of a file (or stdin), refused before reading when over ``max_bytes``.

    A file's size is known before it is read; a pipe's is not, so at most one byte more
    than the limit is read to tell.
    """
    import os

    import filters

    over = f"over the limit of {max_bytes:,} bytes"
    if path == "-":
        data = sys.stdin.buffer.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise filters.InputError(f"input is {over}")
        return data
    p = Path(path)
    if p.is_dir():
        raise filters.InputError(f"{path}: is a directory")
    try:
        with p.open("rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size > max_bytes:
                raise filters.InputError(f"input is {size:,} bytes, {over}")
            data = f.read(max_bytes + 1)
    except FileNotFoundError:
        raise filters.InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise filters.InputError(f"{path}: cannot read: {exc.strerror}") from None
    if len(data) > max_bytes:  # a device or a file that grew while it was read
        raise filters.InputError(f"input is {over}")
    return data


def _shown(path: str) -> str:
    """A path as text: a file name with bytes that are not UTF-8 gets U+FFFD for them."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _check(args: argparse.Namespace) -> int:
    import filters
    from filters.load import DEFAULT_MAX_BYTES
    from filters.locate import SourceLocator
    from filters.pipeline import check_arguments
    from filters.render import use_colour
    from filters.sarif import SarifError, SarifInput

    # The metadata applies to every input: a bad value is one error, before any work.
    check_arguments(source=args.source, url=args.url, language=args.language)
    pipeline = filters.Pipeline(
        args.rules, max_bytes=args.max_bytes or DEFAULT_MAX_BYTES, ner_model=args.ner_model
    )
    several = len(args.paths) > 1
    if args.format == "html" and several and not args.out:
        raise filters.InputError("--format html with several inputs needs --out DIRECTORY")
    colour = not args.out and use_colour(args.colour, sys.stdout)
    reports: list[str] = []
    sarif_inputs: list[SarifInput] = []
    sarif_errors: list[SarifError] = []
    worst = 0
    for path in args.paths:
        try:
            content = _read(path, pipeline.max_bytes)
            result = pipeline.check(
                content,
                source=args.source,
                url=args.url,
                content_type=args.content_type,
                language=args.language,
                fix=args.fix,
                record_id=None if path == "-" else _shown(path),
            )
        except filters.InputError as exc:
            if args.debug:
                raise
            message = str(exc) if str(exc).startswith(path) else f"{_shown(path)}: {exc}"
            print(f"prepub: error: {message}", file=sys.stderr)
            sarif_errors.append(SarifError(path, message))
            worst = max(worst, EXIT_ERROR)
            continue
        if args.audit_log:
            filters.append_record(args.audit_log, result.audit)
        if args.clean_out:
            _write_clean(args.clean_out, path, result.clean_text, several)
        locator = SourceLocator(content, result, partial(pipeline.load, content, args.content_type))
        label = "<stdin>" if path == "-" else _shown(path)
        if args.format == "sarif":
            sarif_inputs.append(SarifInput(path, result, locator))
        elif args.format == "html":
            _emit_html(args, path, label, result, locator, several)
        else:
            reports.append(_render(args.format, result, label, locator.region, colour))
            if not args.out:
                print(reports.pop())
        worst = max(worst, EXIT[result.decision])  # block 3 > error 2 > review 1 > publish 0
    if args.format == "sarif":
        from filters.sarif import render_sarif

        reports.append(render_sarif(sarif_inputs, pipeline.rules, sarif_errors))
        if not args.out:
            print(reports.pop())
    if args.out and args.format != "html":
        _write_text(Path(args.out), "\n".join(reports) + "\n")
    return worst


def _render(fmt: str, result: Any, label: str, locate: Any, colour: bool) -> str:
    from filters.render import render_json, render_text

    if fmt == "json":
        return render_json(result)
    return render_text(result, label, colour=colour, locate=locate)


def _emit_html(
    args: argparse.Namespace, path: str, label: str, result: Any, locator: Any, several: bool
) -> None:
    from filters.report_html import render_article_html

    page = render_article_html(result, label, locate=locator.region)
    if not args.out:
        sys.stdout.write(page)
        return
    out = Path(args.out)
    if several or out.is_dir():
        out.mkdir(parents=True, exist_ok=True)
        out = out / (Path(path).stem + ".html" if path != "-" else "stdin.html")
    _write_text(out, page)


def _write_text(out: Path, text: str) -> None:
    import filters

    if str(out) == "-":
        sys.stdout.write(text)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise filters.InputError(f"{out}: cannot write: {exc.strerror}") from None


def _report(args: argparse.Namespace) -> int:
    from filters.audit import verify_log
    from filters.report_html import read_audit_log, render_batch_html

    records, problems = read_audit_log(args.log)
    for problem in problems:
        print(f"prepub: warning: {args.log}: {problem}", file=sys.stderr)
    verification = verify_log(args.log)
    chain = (
        f"intact, {verification.records} records"
        if verification.ok
        else "NOT intact: " + "; ".join(verification.problems)
    )
    title = args.title or f"prepub batch report: {Path(args.log).name}"
    page = render_batch_html(records, title=title, problems=problems, chain=chain)
    _write_text(Path(args.html), page)
    return 0


def _write_clean(target: str, path: str, text: str, several: bool) -> None:
    import filters

    out = Path(target)
    if several or out.is_dir():
        out.mkdir(parents=True, exist_ok=True)
        out = out / (Path(path).stem + ".clean.txt" if path != "-" else "stdin.clean.txt")
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise filters.InputError(f"{out}: cannot write clean text: {exc.strerror}") from None


def _rules(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    import filters
    from filters.catalogue import render_catalogue, render_rule

    # list and show describe the packs: their examples need not run (nor presidio load).
    if args.rules_command == "list":
        rules = filters.load_rule_packs(args.rules, check_examples=False)
        if args.markdown:
            print(render_catalogue(rules), end="")
            return 0
        for rule in rules.rules:
            langs = ",".join(rule.languages)
            print(f"{rule.id:<11} {rule.severity:<7} {rule.kind:<18} {langs:<6} {rule.name}")
        return 0
    if args.rules_command == "show":
        rules = filters.load_rule_packs(args.rules, check_examples=False)
        rule = rules.by_id.get(args.code.upper())
        if rule is None:
            print(f"prepub: error: no rule {args.code}", file=sys.stderr)
            return EXIT_ERROR
        print(render_rule(rule), end="")
        return 0
    if args.rules_command == "test":
        from filters.examples import check_examples

        # Every example is run and reported here, so a failing one is a FAIL line (exit 1)
        # rather than the load error it would be elsewhere.
        rules = filters.load_rule_packs(args.rules, check_examples=False)
        outcomes = check_examples(filters.Pipeline(rules))
        failed = [o for o in outcomes if not o.ok]
        for o in failed:
            verb = "did not fire" if o.expectation == "must_match" else "fired"
            print(f"FAIL {o.test_id}: {verb} on {o.text[:100]!r}")
        rules_count = len({o.rule for o in outcomes})
        print(
            f"{len(outcomes) - len(failed)}/{len(outcomes)} examples behave as declared across {rules_count} rules"
        )
        return 1 if failed else 0
    parser.parse_args(["rules", "--help"])
    return EXIT_ERROR


def _audit(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    import filters

    if args.audit_command == "verify":
        verification = filters.verify_log(args.log)
        for note in verification.notes:
            print(f"note: {note}")
        if verification.ok:
            print(f"{args.log}: OK, {verification.records} records, chain intact")
            return 0
        for problem in verification.problems:
            print(f"{args.log}: {problem}", file=sys.stderr)
        return 1
    parser.parse_args(["audit", "--help"])
    return EXIT_ERROR


# --- prepub batch ---------------------------------------------------------------------


def _add_batch_parser(sub: Any) -> None:
    batch = sub.add_parser(
        "batch",
        help="check a JSONL stream of records, in parallel, one output record per input record",
        description="Each input line is a JSON record {id, content (or content_b64), source, url, "
        "language, content_type, ...}; each output line is {id, line, ok, ..., result} or "
        "{id, line, ok: false, ..., error: {kind, message, line}}, in input order.",
    )
    batch.add_argument("input", metavar="IN.jsonl", help="input records, or - for stdin")
    batch.add_argument(
        "--out", required=True, metavar="OUT.jsonl", help="output records (- for stdout)"
    )
    batch.add_argument(
        "--jobs", type=int, default=None, help="worker processes (default: the cores)"
    )
    batch.add_argument(
        "--audit-log", metavar="FILE", help="append chained audit records to this JSONL file"
    )
    batch.add_argument(
        "--resume", action="store_true", help="continue OUT where a stopped run left it"
    )
    batch.add_argument("--fix", action="store_true", help="as for check (a record's fix wins)")
    batch.add_argument("--content-type", choices=("auto", "text", "html"), default="auto")
    batch.add_argument(
        "--max-bytes", type=_max_bytes, default=None, help="largest article (bytes, at least 1)"
    )
    batch.add_argument(
        "--progress",
        choices=("auto", "bar", "lines", "off"),
        default="auto",
        help="on stderr: a bar on a terminal, a line every --progress-every s otherwise",
    )
    batch.add_argument("--progress-every", type=float, default=None, metavar="SECONDS")


def _batch(args: argparse.Namespace) -> int:
    import signal
    import threading

    import filters
    from filters.batch import format_progress, format_summary, run_jsonl
    from filters.load import DEFAULT_MAX_BYTES

    if args.jobs is not None and args.jobs < 1:
        print("prepub: error: --jobs must be at least 1", file=sys.stderr)
        return EXIT_ERROR
    mode = args.progress
    if mode == "auto":
        mode = "bar" if sys.stderr.isatty() else "lines"
    every = args.progress_every or (0.2 if mode == "bar" else 10.0)
    stop = threading.Event()
    stopped_by: list[int] = []

    def on_signal(signum: int, frame: Any) -> None:
        """Ctrl-C or SIGTERM: finish the records in flight, write them, stop."""
        if stop.is_set():  # a second one: stop now; OUT still holds whole records
            signal.signal(signal.SIGINT, signal.default_int_handler)
            raise KeyboardInterrupt
        stopped_by.append(signum)
        stop.set()

    def on_progress(stats: Any) -> None:
        if mode == "off":
            return
        line = format_progress(stats, bar=mode == "bar")
        if stop.is_set():
            line += " · stopping after the records in flight (Ctrl-C again to abort)"
        if mode == "bar":
            sys.stderr.write(f"\r\033[2K{line}")
        else:
            sys.stderr.write(f"prepub batch: {line}\n")
        sys.stderr.flush()

    previous = signal.signal(signal.SIGINT, on_signal), signal.signal(signal.SIGTERM, on_signal)
    try:
        pipeline = filters.Pipeline(args.rules, max_bytes=args.max_bytes or DEFAULT_MAX_BYTES)
        stats = run_jsonl(
            args.input,
            args.out,
            pipeline=pipeline,
            jobs=args.jobs,
            fix=args.fix,
            content_type=args.content_type,
            audit_log=args.audit_log,
            resume=args.resume,
            stop=stop.is_set,
            on_progress=on_progress,
            progress_every=every,
        )
    finally:
        signal.signal(signal.SIGINT, previous[0])
        signal.signal(signal.SIGTERM, previous[1])
        if mode == "bar":
            sys.stderr.write("\n")
    for note in stats.notes:
        print(f"prepub batch: note: {note}", file=sys.stderr)
    print(f"prepub batch: {format_summary(stats, args.out)}", file=sys.stderr)
    if stats.interrupted:
        print("prepub batch: stopped; run again with --resume to continue", file=sys.stderr)
        return 128 + (stopped_by[0] if stopped_by else signal.SIGINT)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
