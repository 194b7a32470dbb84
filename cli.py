"""prepub's command line: parse arguments, call :mod:`filters`, render, return an exit code.

Exit codes: 0 publish, 1 review, 3 block, 2 usage, input or rule-pack error. Errors a user
can cause are one line on stderr (``prepub: error: ...``), never a traceback; ``--debug``
re-raises them for a developer.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

EXIT = {"publish": 0, "review": 1, "block": 3}
EXIT_ERROR = 2


class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 with a one-line message (its default, made explicit)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_ERROR, f"prepub: error: {message}\n")


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
    check.add_argument("--format", choices=("text", "json"), default="text")
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
    check.add_argument("--max-bytes", type=int, default=None, help="largest input accepted (bytes)")
    check.add_argument("--colour", choices=("auto", "always", "never"), default="auto")
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


def _read(path: str) -> bytes:
    import filters

    if path == "-":
        return sys.stdin.buffer.read()
    p = Path(path)
    if p.is_dir():
        raise filters.InputError(f"{path}: is a directory")
    try:
        return p.read_bytes()
    except FileNotFoundError:
        raise filters.InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise filters.InputError(f"{path}: cannot read: {exc.strerror}") from None


def _check(args: argparse.Namespace) -> int:
    import filters
    from filters.load import DEFAULT_MAX_BYTES
    from filters.render import render_json, render_text

    pipeline = filters.Pipeline(
        args.rules, max_bytes=args.max_bytes or DEFAULT_MAX_BYTES, ner_model=args.ner_model
    )
    colour = args.colour == "always" or (args.colour == "auto" and sys.stdout.isatty())
    worst = 0
    several = len(args.paths) > 1
    for path in args.paths:
        try:
            content = _read(path)
            result = pipeline.check(
                content,
                source=args.source,
                url=args.url,
                content_type=args.content_type,
                language=args.language,
                fix=args.fix,
                record_id=None if path == "-" else path,
            )
        except filters.InputError as exc:
            if args.debug:
                raise
            print(
                f"prepub: error: {path}: {exc}"
                if not str(exc).startswith(path)
                else f"prepub: error: {exc}",
                file=sys.stderr,
            )
            worst = max(worst, EXIT_ERROR)
            continue
        if args.audit_log:
            filters.append_record(args.audit_log, result.audit)
        if args.clean_out:
            _write_clean(args.clean_out, path, result.clean_text, several)
        if args.format == "json":
            print(render_json(result))
        else:
            print(render_text(result, "<stdin>" if path == "-" else path, colour=colour))
        worst = max(worst, EXIT[result.decision])  # block 3 > error 2 > review 1 > publish 0
    return worst


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

    if args.rules_command == "list":
        pipeline = filters.Pipeline(args.rules)
        if args.markdown:
            print(render_catalogue(pipeline.rules), end="")
            return 0
        for rule in pipeline.rules.rules:
            langs = ",".join(rule.languages)
            print(f"{rule.id:<11} {rule.severity:<7} {rule.kind:<18} {langs:<6} {rule.name}")
        return 0
    if args.rules_command == "show":
        rules = filters.load_rule_packs(args.rules)
        rule = rules.by_id.get(args.code.upper())
        if rule is None:
            print(f"prepub: error: no rule {args.code}", file=sys.stderr)
            return EXIT_ERROR
        print(render_rule(rule), end="")
        return 0
    if args.rules_command == "test":
        from filters.examples import check_examples

        outcomes = check_examples(filters.Pipeline(args.rules))
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


if __name__ == "__main__":
    raise SystemExit(main())
