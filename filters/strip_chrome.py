"""Strip page chrome: UI labels, counters and page furniture that leaked into the article.

Text input is judged line by line, in three passes:

1. **Whole-line rules.** A line is chrome only when the *whole* line (bullets and
   whitespace aside) is one of a ``strip`` rule's phrases or regexes: a sentence that
   merely contains "Comment" or "Share" stays.
2. **Structure.** Rules with a ``structure`` look at where a line sits: a campaign banner
   pinned above the article, a line repeated next to itself (alt text plus caption), an
   auto-generated summary box that repeats the article's opening, the headlines listed
   under a "Related articles" heading, a line of separators.
3. **Edges.** Above the first paragraph and below the last one, a short label directly
   above removed chrome (a topic tag, a channel name) goes with it, and so does a run of
   three or more short labels above the article (a menu).

For HTML (see :mod:`filters.html`), blocks outside the article body or inside navigation,
sidebars, share bars, comment widgets and similar furniture are removed first; the line
passes then run on what is left. Table cells are content: the line rules never touch them.

Lines holding a disclaimer or a strong attribution are protected and never removed. Every
removal is an :class:`~filters.models.Edit` with the rule code and the removed text, and
the blank lines a removal leaves behind are collapsed by edits of their own (``CHR-000``),
so the clean text is exactly the document text with the edits applied.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from filters.check_disclosures import CheckDisclosures
from filters.context import Context
from filters.load import Block
from filters.models import Edit, Span
from filters.required_text import admits, first_chars, fold, last_chars, required_strings
from filters.rulepack import REGEX_FLAGS, RuleSet, SiteProfile, StripRule
from filters.textnorm import Line, iter_lines, label_of, normalise_lines, normalise_plain

_MAX_LABEL_CHARS = 320  # chrome lines are short; longer lines are prose and never matched
_PROSE_WEIGHT = 60  # letters (CJK counted twice) that make a line a paragraph of the article
_SENTENCE_END = re.compile(r"[.!?。！？…]")
_CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]")
_LETTER = re.compile(r"[^\W\d_]")
_NOT_LETTER = re.compile(r"[\W\d_]+")
_ASCII_NON_LETTERS = bytes(b for b in range(128) if not chr(b).isalpha())
_WORD = re.compile(r"\w+")
_BANNER_MAX_LINES = 25
_BANNER_MAX_CHARS = 1200  # a pinned banner longer than this is not a banner
_BANNER_LINE_MAX = 220  # a banner line is a heading, a list item or a short blurb
_BANNER_SLACK = 20  # UTF-16 units a cut banner may end short of the platform's cut length
_MARKER_WINDOW = 5000  # profile markers are looked for in the page's head and tail
_COUNTER_RULE = "CHR-012"  # bare numbers: widget counters in text, figures in an HTML body
_EDGE_LABEL_WORDS = 3  # an edge label is a word or three (a topic tag, a channel name)
_EDGE_LABEL_CJK = 6  # ... or a few CJK characters
_MENU_RUN = 3  # short labels in a row above the article that make a menu
_SUMMARY_SNIPPET = 24  # normalised characters of a summary box that must reappear below it
_REPEAT_MAX_CHARS = 600  # captions and alt text are compared; paragraphs are not
_RELATED_MAX = 12  # headlines listed under one 'Related' heading
_HEADLINE_MAX = 160
# Characters too common in prose to tell a line worth trying a slow pattern on.
_COMMON_CHARS = frozenset(",.:;-/()'\"!?")
_SENTENCE_FINAL = re.compile(r"[.!?。！？:：;；,，]\s*[\"'”’」』)）]?\s*$")


# Records a removal unless the line is protected: (line index, rule, reason).
_Remover = Callable[[int, StripRule, str], None]


def _weight(text: str) -> int:
    """Letters, with CJK characters counted twice (one carries about a word's worth)."""
    return _letters(text) + (0 if text.isascii() else len(_CJK.findall(text)))


def _letters(text: str) -> int:
    if text.isascii():
        return len(text.encode("ascii").translate(None, _ASCII_NON_LETTERS))
    return len(_NOT_LETTER.sub("", text))


def _weighs(text: str, n: int) -> bool:
    """``_weight(text) >= n``, settled on the line's opening when that is enough."""
    head = text[: 2 * n]
    return _weight(head) >= n or len(text) > len(head) and _weight(text) >= n


def _is_prose(text: str) -> bool:
    """A paragraph of the article: long enough and with sentence punctuation."""
    if not _SENTENCE_END.search(text):
        return False
    if len(text) >= 4 * _PROSE_WEIGHT and _letters(text[: 2 * _PROSE_WEIGHT]) > 40:
        return True  # a long line that starts with words: no need to count all its letters
    return _weighs(text, _PROSE_WEIGHT)


def _headline_like(label: str) -> bool:
    """A listed headline: words, not too long, no sentence-final punctuation."""
    return (
        0 < len(label) <= _HEADLINE_MAX
        and _weight(label) >= 8
        and not _SENTENCE_FINAL.search(label)
    )


def _symbols_only(text: str) -> bool:
    """Separators and bullets only: no letter, digit or emoji."""
    stripped = text.strip()
    return bool(stripped) and not any(
        ch.isalnum() or unicodedata.category(ch) == "So" for ch in stripped
    )


class _Page:
    """The lines of one document with their labels, prose flags and protection.

    Each is computed once, and only for the lines a rule asks about. Protection (a
    disclaimer or a strong attribution) comes from the disclosures stage's scan of the
    whole document, which that stage reuses (it is cached), so the page is scanned once;
    a line is guarded when a protected span overlaps it, found by bisection.
    """

    def __init__(self, text: str, protect: Callable[[str], list[Span]]) -> None:
        self.text = text
        self.lines = list(iter_lines(text))
        self.protected_spans: list[Span] = []
        self._protect = protect
        self._span_starts: list[int] | None = None
        self._reach: list[int] = []  # the furthest end of the spans starting up to each one
        self._labels: dict[int, str] = {}
        self._prose: dict[int, bool] = {}
        self._keys: list[str] | None = None

    def __len__(self) -> int:
        return len(self.lines)

    def __getitem__(self, i: int) -> Line:
        return self.lines[i]

    def __iter__(self) -> Iterator[Line]:
        return iter(self.lines)

    def label(self, i: int) -> str:
        """The line as a UI label (bullets and whitespace removed)."""
        if i not in self._labels:
            self._labels[i] = label_of(self.lines[i].text)
        return self._labels[i]

    def key(self, i: int) -> str:
        """The line's :func:`~filters.textnorm.normalise_plain` form, for comparing lines.

        Every line's is made in one pass over the page.
        """
        if self._keys is None:
            self._keys = normalise_lines(self.text)
        return self._keys[i]

    def prose(self, i: int) -> bool:
        """Whether the line is a paragraph of the article."""
        if i not in self._prose:
            self._prose[i] = _is_prose(self.lines[i].text)
        return self._prose[i]

    def protected(self) -> list[Span]:
        """The protected spans of the page, in order."""
        if self._span_starts is None:
            self._find_protected()
        return self.protected_spans

    def guarded(self, i: int) -> bool:
        """Whether the line holds (part of) a protected span: no chrome rule may remove it."""
        if self._span_starts is None:
            self._find_protected()
        assert self._span_starts is not None
        line = self.lines[i]
        # Spans starting before the line ends; the furthest-reaching one decides.
        k = bisect.bisect_left(self._span_starts, line.end)
        return k > 0 and self._reach[k - 1] > line.start and bool(line.text.strip())

    def _find_protected(self) -> None:
        spans = sorted(self._protect(self.text), key=lambda sp: (sp.start, sp.end))
        self.protected_spans = [sp for n, sp in enumerate(spans) if n == 0 or sp != spans[n - 1]]
        self._span_starts = [sp.start for sp in self.protected_spans]
        reach = -1
        for sp in self.protected_spans:
            reach = max(reach, sp.end)
            self._reach.append(reach)


@dataclass(frozen=True)
class _StripPattern:
    """One whole-line regex, compiled and analysed once per process (packs share many)."""

    regex: re.Pattern[str]
    width: int  # the longest text it can match
    first: frozenset[str] | None  # what a match can start with (None: almost anything)
    need: frozenset[str] | None  # strings one of which a match holds, for slow patterns
    last: frozenset[str] | None  # what a match can end with (None: almost anything)
    global_flags: bool  # sets flags for the whole expression: it could not be joined


@functools.lru_cache(maxsize=4096)
def _analyse(pattern: str) -> _StripPattern:
    regex = re.compile(pattern, REGEX_FLAGS)
    first = first_chars(pattern, REGEX_FLAGS)
    need = None
    if first is None:
        # Tried on every line, and slow to fail (it opens with a long repeat): worth a test.
        need = required_strings(pattern, REGEX_FLAGS)
        if need is not None and not need.isdisjoint(_COMMON_CHARS):
            need = None  # a comma is in every other line: no use as a test
    return _StripPattern(
        regex=regex,
        width=_max_width(pattern),
        first=first,
        need=need,
        last=last_chars(pattern, REGEX_FLAGS) if need is not None else None,
        global_flags=regex.flags != _PLAIN_FLAGS,
    )


_PLAIN_FLAGS = re.compile("", REGEX_FLAGS).flags


class _LineMatcher:
    """Every whole-line rule of a profile, arranged for cheap tests per line.

    Phrases are looked up in a dictionary (case and whitespace folded). A regex is tried
    on a line only when it can cover it whole: the line is no longer than the longest text
    the regex matches, starts with a character a match can start with (the candidates
    for each first character are listed once and remembered), and, for the patterns that
    open with a long repeat (such as ``.{0,150}``, slow to fail on any line), holds a
    string every match of theirs holds ("inbox", "©";
    :func:`~filters.required_text.required_strings`). The result is the one the packs'
    order gives: the first rule with a pattern covering the whole line.
    """

    _MAX_FIRSTS = 4096  # first characters remembered (bounded for CJK text)

    def __init__(self, rules: list[StripRule]) -> None:
        self.rules = rules
        self.phrases: dict[str, StripRule] = {}
        self.plain: list[tuple[int, _StripPattern]] = []  # (rule index, pattern) in order
        self.gated: list[tuple[int, _StripPattern]] = []  # (rule index, pattern) in order
        for i, rule in enumerate(rules):
            for phrase in rule.phrases:
                self.phrases.setdefault(_fold(phrase), rule)
            for pattern in rule.regex:
                analysed = _analyse(pattern)
                (self.plain if analysed.need is None else self.gated).append((i, analysed))
        self._first_gated = self.gated[0][0] if self.gated else len(rules)
        # Patterns with global flags or one group name twice cannot be joined in one
        # alternation; packs with such patterns were always matched rule by rule.
        every = [a for _, a in self.plain + self.gated]
        names = [n for a in every for n in a.regex.groupindex]
        self.one_by_one = len(names) != len(set(names)) or any(a.global_flags for a in every)
        self._by_first: dict[str, list[tuple[int, int, re.Pattern[str]]]] = {}
        self._by_last: dict[str, tuple[list[tuple[str, int]], list[tuple[str, int]]]] = {}

    def _starting_with(self, ch: str) -> list[tuple[int, int, re.Pattern[str]]]:
        """(rule index, width, regex) of the plain patterns whose matches can open with ch."""
        found = self._by_first.get(ch)
        if found is None:
            found = [
                (i, a.width, a.regex)
                for i, a in self.plain
                if a.first is None or admits(a.first, ch)
            ]
            if len(self._by_first) >= self._MAX_FIRSTS:
                self._by_first.clear()  # simple and thread-safe under the GIL; refills fast
            self._by_first[ch] = found
        return found

    def _needs_ending_with(self, ch: str) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
        """The (required string, gated pattern) pairs of the patterns that can end with ch.

        First those an ASCII line can hold, then all of them.
        """
        found = self._by_last.get(ch)
        if found is None:
            every = [
                (s, k)
                for k, (_, a) in enumerate(self.gated)
                if a.last is None or admits(a.last, ch)
                for s in sorted(a.need or ())
            ]
            found = ([(s, k) for s, k in every if s.isascii()], every)
            if len(self._by_last) >= self._MAX_FIRSTS:
                self._by_last.clear()
            self._by_last[ch] = found
        return found

    def match(self, label: str) -> StripRule | None:
        """The first rule whose phrases or regexes cover the whole label."""
        rule = self.phrases.get(_fold(label))
        if rule is not None:
            return rule
        if not label:
            return None
        if self.one_by_one:
            return next((r for r in self.rules if r.matches_line(label)), None)
        size = len(label)
        first = len(self.rules)  # the earliest rule found to match so far
        for i, width, regex in self._starting_with(label[0]):
            if width >= size and regex.fullmatch(label):
                first = i
                break
        if first > self._first_gated:
            folded = fold(label)
            ascii_needs, needs = self._needs_ending_with(label[-1])
            for k in sorted(
                {k for s, k in (ascii_needs if folded.isascii() else needs) if s in folded}
            ):
                i, analysed = self.gated[k]
                if i >= first:
                    break
                if analysed.width >= size and analysed.regex.fullmatch(label):
                    return self.rules[i]
        return self.rules[first] if first < len(self.rules) else None


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _max_width(pattern: str) -> int:
    """The longest text a regex can match (capped), from the regex parser."""
    try:
        import re._parser as sre_parse  # type: ignore[import-not-found]
    except ImportError:  # pragma: no cover
        import sre_parse
    return min(int(sre_parse.parse(pattern, REGEX_FLAGS).getwidth()[1]), 1 << 30)


class StripChrome:
    """Transform stage: removes chrome lines and blocks, one edit each."""

    name = "strip_chrome"

    def __init__(self, rules: RuleSet, disclosures: CheckDisclosures) -> None:
        self.rules = rules
        self.strip_rules: list[StripRule] = rules.of_kind("strip")
        self.whitespace_rule = next((r for r in self.strip_rules if r.id == "CHR-000"), None)
        self.html_rule = next((r for r in self.strip_rules if r.selectors), None)
        self.structure: dict[str, StripRule] = {
            r.structure: r for r in self.strip_rules if r.structure and r.status == "active"
        }
        self.disclosures = disclosures
        self.profiles = rules.profiles
        self._matchers: dict[str | None, _LineMatcher] = {
            pid: _LineMatcher(self.rules_for(pid)) for pid in [None, *(p.id for p in self.profiles)]
        }
        banner = self.structure.get("pinned_banner")
        self._banner_start = (
            re.compile("|".join(f"(?:{p})" for p in banner.regex), REGEX_FLAGS)
            if banner and banner.regex
            else None
        )
        self._banner_words = banner.compiled[0] if banner and banner.phrases else None
        related = self.structure.get("related_list")
        self._related_heading = (
            re.compile("|".join(f"(?:{p})" for p in related.regex), REGEX_FLAGS)
            if related and related.regex
            else None
        )
        box = self.structure.get("summary_box")
        self._summary_label = (
            re.compile(
                r"(?:" + "|".join(box.regex) + r")\s*[:：]?\s*(?P<rest>.+)", REGEX_FLAGS | re.S
            )
            if box and box.regex
            else None
        )

    def pick_profile(self, url: str | None, text: str) -> SiteProfile | None:
        """The republishing platform, from the URL's domain or from markers in the content.

        A page no platform claims gets the ``generic`` profile when the packs define one.
        """
        if url:
            host = (urlsplit(url if "//" in url else f"//{url}").hostname or "").lower()
            for profile in self.profiles:
                if any(host == d or host.endswith("." + d) for d in profile.domains):
                    return profile
        head, tail = text[:_MARKER_WINDOW], text[-_MARKER_WINDOW:]
        windows = (head, tail) if len(text) > _MARKER_WINDOW else (head,)  # one if they are one
        for profile in self.profiles:
            if any(marker in window for marker in profile.markers for window in windows):
                return profile
        return next((p for p in self.profiles if p.id == "generic"), None)

    def rules_for(self, profile_id: str | None) -> list[StripRule]:
        """Whole-line rules: the generic ones plus those of the platform."""
        return [
            r
            for r in self.strip_rules
            if (not r.profiles or profile_id in r.profiles)
            and r.status == "active"
            and not r.structure
            and not r.selectors
            and r.id != (self.whitespace_rule.id if self.whitespace_rule else None)
            and (r.phrases or r.regex)
        ]

    def line_rule(self, line: str, profile_id: str | None = None) -> StripRule | None:
        """The rule that makes this whole line chrome, if any."""
        return self.label_rule(label_of(line), profile_id)

    def label_rule(self, label: str, profile_id: str | None = None) -> StripRule | None:
        """The rule that makes a line with this label chrome, if any."""
        if not label or len(label) > _MAX_LABEL_CHARS:
            return None
        matcher = self._matchers.get(profile_id) or self._matchers[None]
        return matcher.match(label)

    # -- the stage ------------------------------------------------------------------

    def run(self, ctx: Context) -> None:
        """Find chrome, record the edits, and freeze the stripped text for the checks."""
        text = ctx.doc.text
        ctx.profile = self.pick_profile(ctx.options.url, text)
        lines = _Page(text, self.disclosures.protected)
        removed: dict[int, tuple[str, str]] = {}
        table_cells, body_lines = self._html_pass(ctx, lines, removed)

        def remove(i: int, rule: StripRule, reason: str) -> None:
            if i not in table_cells and i not in removed and not lines.guarded(i):
                removed[i] = (rule.id, reason)

        profile_id = ctx.profile.id if ctx.profile else None
        matched = []
        for i in range(len(lines)):
            if i in removed or i in table_cells:
                continue
            rule = self.label_rule(lines.label(i), profile_id)
            if rule is not None and not (i in body_lines and rule.id == _COUNTER_RULE):
                matched.append((i, rule))
        for i, rule in matched:
            remove(i, rule, rule.message.replace("{match}", lines.label(i)[:80]))
        self._structure_pass(ctx, lines, removed, remove)

        ctx.protected = lines.protected()
        ctx.edits.extend(self._edits(text, lines, removed))
        self._drop_language_findings_in_chrome(ctx, [lines[i] for i in sorted(removed)])
        ctx.set_stripped()
        if not any(ch.isalnum() for ch in ctx.text):
            ctx.add(self.rules.document_rule("input_empty"))

    # -- HTML -----------------------------------------------------------------------

    def _html_pass(
        self, ctx: Context, lines: _Page, removed: dict[int, tuple[str, str]]
    ) -> tuple[set[int], set[int]]:
        """Remove furniture blocks.

        Returns the lines of table rows (content, never labels) and the lines of blocks
        the main-content extractor voted for (where a bare number is content too).
        """
        cells: set[int] = set()
        body: set[int] = set()
        if not ctx.doc.blocks or self.html_rule is None:
            return cells, body
        starts = [line.start for line in lines]
        spans = []
        for block in ctx.doc.blocks:
            first = bisect.bisect_left(starts, block.start)
            last = first
            while last < len(lines) and lines[last].end <= block.end:
                last += 1
            spans.append((block, range(first, last), self._block_reason(block, ctx.doc.extractor)))
        for block, rows, reason in spans:
            if reason is not None and any(lines.guarded(i) for i in rows):
                reason = None  # a disclaimer or a credit keeps its whole block
            in_table = block.tag in ("tr", "caption") or "/table/" in block.path
            for i in rows:
                if reason is not None:
                    removed[i] = (self.html_rule.id, reason)
                elif in_table:
                    cells.add(i)
                if block.main:
                    body.add(i)
        return cells, body

    @staticmethod
    def _block_reason(block: Block, extractor: str | None) -> str | None:
        """Why an HTML block is furniture, or None when it is article text."""
        if block.chrome_hint == "hidden":
            return "HTML hidden element"
        if block.main is False:
            return f"HTML {block.tag} outside the article body ({extractor})"
        if block.main is None and block.chrome_hint is not None:
            return f"HTML {block.tag} in {block.chrome_hint}"
        return None

    # -- structure ------------------------------------------------------------------

    def _structure_pass(
        self,
        ctx: Context,
        lines: _Page,
        removed: dict[int, tuple[str, str]],
        remove: _Remover,
    ) -> None:
        """The rules that look at a line's place on the page, in a fixed order."""
        content = [i for i, line in enumerate(lines) if line.text.strip()]
        if not content:
            return
        rule = self.structure.get("symbols_only")
        if rule is not None:
            for i in content:
                if _symbols_only(lines[i].text):
                    remove(i, rule, rule.message)
        rule = self.structure.get("pinned_banner")
        if rule is not None and self._banner_start is not None:
            for i in self._pinned_banner(ctx, lines, content, removed):
                remove(i, rule, rule.message)
        rule = self.structure.get("summary_box")
        if rule is not None and self._summary_label is not None:
            for i in self._summary_boxes(lines, content, removed):
                remove(i, rule, rule.message)
        rule = self.structure.get("related_list")
        if rule is not None and self._related_heading is not None:
            for i in self._related_lists(lines, content, removed):
                remove(i, rule, rule.message)
        rule = self.structure.get("repeated_line")
        if rule is not None:
            for i in self._repeated_lines(lines, content, removed):
                remove(i, rule, rule.message)
        if ctx.doc.extractor is not None:
            return  # the DOM and the extractor have placed the article's edges already
        rule = self.structure.get("edge_label")
        if rule is not None:
            for i in self._edge_labels(lines, content, removed):
                remove(i, rule, rule.message.replace("{match}", lines.label(i)))

    def _pinned_banner(
        self,
        ctx: Context,
        lines: _Page,
        content: list[int],
        removed: dict[int, tuple[str, str]],
    ) -> list[int]:
        """The lines of a campaign banner pinned above the article, if the page opens with one.

        The banner starts at the first line when a banner rule recognises it, and one of
        its lines must use the campaign's wording (the rule's phrases). It ends where
        the platform cuts it (``banner_chars`` of the profile), or else just above the
        article's headline: the last line before the first paragraph.
        """
        assert self._banner_start is not None
        first = next((i for i in content if i not in removed), None)
        if first is None or not self._banner_start.fullmatch(lines.label(first)):
            return []
        run: list[int] = []
        prose_at = None
        total = 0
        for i in content:
            if i < first:
                continue
            if len(run) >= _BANNER_MAX_LINES:
                return []
            line = lines[i].text.strip()
            if i != first and (len(line) > _BANNER_LINE_MAX or _is_prose(line) and len(line) > 150):
                prose_at = i
                break
            total += len(line)
            if total > _BANNER_MAX_CHARS:
                return []
            run.append(i)
        if self._banner_words is not None and not any(
            self._banner_words.search(lines[i].text) for i in run
        ):
            return []  # no campaign wording: an article that opens with an emoji
        cut = ctx.profile.banner_chars if ctx.profile else None
        if cut:
            start = lines[first].start
            for j, i in enumerate(run):
                units = len(ctx.doc.text[start : lines[i].end].encode("utf-16-le")) // 2
                if cut - _BANNER_SLACK <= units <= cut:
                    return run[: j + 1]
        if prose_at is None or len(run) < 2:
            return []
        return run[:-1]  # the last line before the first paragraph is the headline

    def _summary_boxes(
        self, lines: _Page, content: list[int], removed: dict[int, tuple[str, str]]
    ) -> list[int]:
        """Summary boxes whose text reappears below them: a copy of the article's opening."""
        assert self._summary_label is not None
        out = []
        for n, i in enumerate(content[:-1]):
            if i in removed:
                continue
            m = self._summary_label.fullmatch(lines.label(i))
            if m is None:
                continue
            box = normalise_plain(m.group("rest"))
            snippet = box[:_SUMMARY_SNIPPET]
            if len(snippet) < 8:
                continue
            below = "".join(lines.key(j) for j in content[n + 1 :])
            if snippet in below:
                out.append(i)
                out.extend(self._card_after_excerpt(lines, content[n + 1 :], box))
        return out

    @staticmethod
    def _card_after_excerpt(lines: _Page, after: list[int], box: str) -> list[int]:
        """Short lines that continue a summary box past the excerpt it repeats.

        Some portals fill the box with the excerpt *and* the teaser of a related article,
        which the page then prints again as a title and a one-line blurb: those lines
        repeat the rest of the box and are part of the same widget.
        """
        if not after:
            return []
        excerpt = lines.key(after[0])
        if len(excerpt) < 8 or not box.startswith(excerpt):
            return []
        rest = box[len(excerpt) :]
        out = []
        for i in after[1:]:
            key = lines.key(i)
            if len(rest) < 6 or not key or lines.prose(i):
                break
            if not (rest.startswith(key) or key.startswith(rest)):
                break
            out.append(i)
            rest = rest[len(key) :]
        return out

    def _related_lists(
        self, lines: _Page, content: list[int], removed: dict[int, tuple[str, str]]
    ) -> list[int]:
        """A 'Related articles' heading and the headlines listed under it."""
        assert self._related_heading is not None
        out = []
        for n, i in enumerate(content):
            label = lines.label(i).rstrip(" :：»>›")
            if len(label) > 60 or not self._related_heading.fullmatch(label):
                continue
            out.append(i)
            listed = 0
            for j in content[n + 1 :]:
                if j in removed:
                    continue
                if listed >= _RELATED_MAX or not _headline_like(lines.label(j)):
                    break
                out.append(j)
                listed += 1
        return out

    @staticmethod
    def _repeated_lines(
        lines: _Page, content: list[int], removed: dict[int, tuple[str, str]]
    ) -> list[int]:
        """A line repeated next to itself (or with a credit appended), or doubled within itself."""
        out: set[int] = set()
        headline = next((i for i in content if i not in removed), None)
        keys = {i: lines.key(i) if len(lines[i].text) <= _REPEAT_MAX_CHARS else "" for i in content}
        for a, b in zip(content, content[1:], strict=False):
            ka, kb = keys[a], keys[b]
            if len(ka) < 8 or len(kb) < 8:
                continue
            short, long_ = (ka, kb) if len(ka) <= len(kb) else (kb, ka)
            if short == long_ or (
                long_.startswith(short) and len(short) >= 20 and len(long_) - len(short) <= 40
            ):
                out.update(i for i in (a, b) if i != headline)
        for i in content:
            key = keys[i]
            half = len(key) // 2
            if len(key) >= 20 and len(key) % 2 == 0 and key[:half] == key[half:]:
                out.add(i)
        return sorted(out)

    def _edge_labels(
        self, lines: _Page, content: list[int], removed: dict[int, tuple[str, str]]
    ) -> list[int]:
        """Short labels above removed chrome, before the first or after the last paragraph."""
        kept = [i for i in content if i not in removed]
        first = next((i for i in kept if lines.prose(i)), None)
        if first is None:
            return []
        last = next(i for i in reversed(kept) if lines.prose(i))
        out = []
        # A run of short labels above the article is a menu, whatever its words.
        run: list[int] = []
        for i in content:
            if i >= first:
                break
            if i in removed:
                continue  # other chrome inside the menu does not end it
            if not self._short_label(lines.label(i)):
                if len(run) >= _MENU_RUN:
                    out.extend(run)
                run = []
                continue
            run.append(i)
        if len(run) >= _MENU_RUN:
            out.extend(run)
        for n, i in enumerate(content):
            if first <= i <= last or i in removed:
                continue
            nxt = content[n + 1] if n + 1 < len(content) else None
            if nxt is None or nxt not in removed:
                continue
            label = lines.label(i)
            if not self._short_label(label):
                continue
            out.append(i)
        return out

    def _short_label(self, label: str) -> bool:
        """A word or two without sentence punctuation that is not a known source's name."""
        if not label or _SENTENCE_END.search(label[-1:]) or ":" in label or "：" in label:
            return False
        cjk = len(_CJK.findall(label))
        if cjk:
            if cjk > _EDGE_LABEL_CJK or len(label) > _EDGE_LABEL_CJK + 4:
                return False
        else:
            words = _WORD.findall(label)
            if len(words) > _EDGE_LABEL_WORDS:
                return False
            if len(words) >= 2 and all(w[:1].isupper() and w[1:].islower() for w in words):
                return False  # "Jane Doe": likely the author's name, a credit
        source = self.disclosures.sources.lookup(label)
        return source is None

    # -- helpers --------------------------------------------------------------------

    @staticmethod
    def _drop_language_findings_in_chrome(ctx: Context, gone: list[Line]) -> None:
        """Untranslated chrome is removed, not reported: drop its mixed-language findings.

        A finding goes when the removed lines cover every line of its block.
        """
        if not gone:
            return
        starts = [line.start for line in gone]
        text = ctx.doc.text

        def removed_span(start: int, end: int) -> bool:
            for line in iter_lines(text[start:end]):
                if not line.text.strip():
                    continue
                at = start + line.start
                i = bisect.bisect_left(starts, at)
                if i == len(starts) or starts[i] != at:
                    return False
            return True

        ctx.findings = [
            f
            for f in ctx.findings
            if not (
                f.category == "language"
                and f.original_span is not None
                and removed_span(f.original_span.start, f.original_span.end)
            )
        ]

    def _edits(self, text: str, lines: _Page, removed: dict[int, tuple[str, str]]) -> list[Edit]:
        """One removal edit per chrome line, then the blank lines the removals left."""
        edits = [
            Edit(
                kind="remove",
                rule=removed[i][0],
                original_span=Span(start=line.start, end=line.stop),
                text=text[line.start : line.stop],
                reason=removed[i][1],
            )
            for i, line in enumerate(lines)
            if i in removed
        ]
        rule_id = self.whitespace_rule.id if self.whitespace_rule else "CHR-000"
        kept = [line for i, line in enumerate(lines) if i not in removed]
        last_content = max((j for j, line in enumerate(kept) if line.text.strip()), default=-1)
        prev_blank = True  # blank lines at the top go
        for j, line in enumerate(kept):
            blank = not line.text.strip()
            if blank and (prev_blank or j > last_content):
                edits.append(
                    Edit(
                        kind="remove",
                        rule=rule_id,
                        original_span=Span(start=line.start, end=line.stop),
                        text=text[line.start : line.stop],
                        reason="blank line left by removed chrome",
                    )
                )
                continue
            prev_blank = blank
        return edits
