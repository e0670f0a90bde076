/* Compare any two revisions of the plan in the browser: what changed in the milestones and
   measures (in the same words as the site's own "What changed" pages) and a word-by-word
   redline of every page that differs. Progressive enhancement: without this script the page
   still lists each revision's own redline. Everything is read from the site itself (same
   origin, relative URLs); nothing is sent anywhere.

   The diffing, wording and rendering are pure functions, exported for Node tests at the end;
   only setUpPage() touches the document. */
(function () {
  "use strict";

  /* ------------------------------------------------------------------ *
   * Text: whitespace and words, exactly as Python's str.split and re.
   * ------------------------------------------------------------------ */

  // Python's str.isspace() characters (what str.split() and re's \s use). JavaScript's \s
  // differs slightly (it has U+FEFF but not U+001C–U+001F or U+0085), so spell them out.
  const SPACE_CHARS = "\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
  // Python's Unicode \w: letters, numbers and the underscore.
  const WORD_CHARS = "\\p{L}\\p{N}_";
  const SPACES = new RegExp("[" + SPACE_CHARS + "]+", "u");
  const ONLY_SPACES = new RegExp("^[" + SPACE_CHARS + "]+$", "u");
  // The same tokens as redline.py's _WORDS: words (with apostrophes inside), single
  // punctuation characters, and runs of whitespace. Every character falls in one of them,
  // so joining the tokens always gives back the text.
  const TOKENS = new RegExp(
    "[" + WORD_CHARS + "]+(?:['’][" + WORD_CHARS + "]+)*|[^" + WORD_CHARS + SPACE_CHARS + "]|[" + SPACE_CHARS + "]+",
    "gu"
  );

  // Split text into words, punctuation and whitespace runs, as redline.word_diff does.
  function tokenize(text) {
    return text.match(TOKENS) || [];
  }

  // Python's str.split() with no arguments: the words between runs of whitespace.
  function splitWords(text) {
    return text.split(SPACES).filter(Boolean);
  }

  // Whether a token is only whitespace.
  function isSpace(token) {
    return ONLY_SPACES.test(token);
  }

  // Text safe to put in HTML, in an element or in a quoted attribute.
  function escapeHtml(text) {
    return String(text)
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
      .replace(/'/g, "&#x27;");
  }

  /* ------------------------------------------------------------------ *
   * Sequence diff: Myers' O(ND) algorithm, linear-space (middle snake).
   * ------------------------------------------------------------------ */

  // How much snake-following one diff may do before giving up on the least-edits answer for
  // a region and calling it replaced outright. Keeps a huge rewrite from freezing the page;
  // the answer is still correct (nothing lost or duplicated), just less fine-grained.
  const DIFF_BUDGET = 20000000;

  // The edits that turn sequence a into sequence b, as difflib-style opcodes:
  // [tag, i1, i2, j1, j2] with tag "equal", "replace", "delete" or "insert", covering both
  // sequences in order. Elements are compared with ===. The diff has the fewest insertions
  // and deletions (a longest common subsequence) unless the work budget runs out.
  function diffSequences(a, b) {
    const matches = [];
    const state = { budget: DIFF_BUDGET };
    matchRange(a, 0, a.length, b, 0, b.length, matches, state);
    return opcodesFromMatches(matches, a.length, b.length);
  }

  // Collect matched index pairs [i, j] between a[aLo:aHi] and b[bLo:bHi], in order.
  function matchRange(a, aLo, aHi, b, bLo, bHi, matches, state) {
    // A common head and tail are matches for free, and trimming them first means that what
    // is left (if both sides are non-empty) needs at least two edits, so splitting it below
    // always makes both halves smaller.
    while (aLo < aHi && bLo < bHi && a[aLo] === b[bLo]) {
      matches.push([aLo, bLo]);
      aLo += 1;
      bLo += 1;
    }
    let tail = 0;
    while (aLo < aHi - tail && bLo < bHi - tail && a[aHi - 1 - tail] === b[bHi - 1 - tail]) tail += 1;
    if (aLo < aHi - tail && bLo < bHi - tail) {
      const split = middleSplit(a, aLo, aHi - tail, b, bLo, bHi - tail, state);
      if (split) {
        matchRange(a, aLo, split[0], b, bLo, split[1], matches, state);
        matchRange(a, split[0], aHi - tail, b, split[1], bHi - tail, matches, state);
      }
    }
    for (let k = tail; k > 0; k -= 1) matches.push([aHi - k, bHi - k]);
  }

  // A point [i, j] on a shortest edit path through a[aLo:aHi] and b[bLo:bHi], found by
  // running Myers' search from both ends until the two meet (as diff-match-patch's bisect
  // does). Null if the two ranges have nothing in common (or the budget ran out): then the
  // whole range is one replacement.
  function middleSplit(a, aLo, aHi, b, bLo, bHi, state) {
    const n = aHi - aLo;
    const m = bHi - bLo;
    const maxD = Math.ceil((n + m) / 2);
    const offset = maxD + 1;
    const length = 2 * maxD + 3;
    const forward = new Int32Array(length).fill(-1); // furthest x on each diagonal, from the start
    const backward = new Int32Array(length).fill(-1); // the same, counted from the end
    forward[offset + 1] = 0;
    backward[offset + 1] = 0;
    const delta = n - m;
    const frontMeets = delta % 2 !== 0; // which search detects the overlap depends on parity
    // Diagonals that ran off the grid are pruned from the ends of the search ranges.
    let forwardStart = 0;
    let forwardEnd = 0;
    let backwardStart = 0;
    let backwardEnd = 0;
    for (let d = 0; d < maxD; d += 1) {
      for (let k = -d + forwardStart; k <= d - forwardEnd; k += 2) {
        const at = offset + k;
        let x = k === -d || (k !== d && forward[at - 1] < forward[at + 1]) ? forward[at + 1] : forward[at - 1] + 1;
        let y = x - k;
        const startX = x;
        while (x < n && y < m && a[aLo + x] === b[bLo + y]) {
          x += 1;
          y += 1;
        }
        state.budget -= x - startX + 1;
        forward[at] = x;
        if (x > n) forwardEnd += 2;
        else if (y > m) forwardStart += 2;
        else if (frontMeets) {
          const other = offset + delta - k;
          if (other >= 0 && other < length && backward[other] !== -1 && x >= n - backward[other]) {
            return [aLo + x, bLo + y];
          }
        }
      }
      for (let k = -d + backwardStart; k <= d - backwardEnd; k += 2) {
        const at = offset + k;
        let x = k === -d || (k !== d && backward[at - 1] < backward[at + 1]) ? backward[at + 1] : backward[at - 1] + 1;
        let y = x - k;
        const startX = x;
        while (x < n && y < m && a[aHi - 1 - x] === b[bHi - 1 - y]) {
          x += 1;
          y += 1;
        }
        state.budget -= x - startX + 1;
        backward[at] = x;
        if (x > n) backwardEnd += 2;
        else if (y > m) backwardStart += 2;
        else if (!frontMeets) {
          const other = offset + delta - k;
          if (other >= 0 && other < length && forward[other] !== -1) {
            const forwardX = forward[other];
            const forwardY = forwardX - (other - offset);
            if (forwardX >= n - x) return [aLo + forwardX, bLo + forwardY];
          }
        }
      }
      if (state.budget < 0) return null;
    }
    return null;
  }

  // Turn ordered matched pairs into opcodes covering both sequences.
  function opcodesFromMatches(matches, n, m) {
    const opcodes = [];
    let i = 0;
    let j = 0;
    const gap = (toI, toJ) => {
      if (toI > i && toJ > j) opcodes.push(["replace", i, toI, j, toJ]);
      else if (toI > i) opcodes.push(["delete", i, toI, j, j]);
      else if (toJ > j) opcodes.push(["insert", i, i, j, toJ]);
    };
    for (const [mi, mj] of matches) {
      gap(mi, mj);
      const last = opcodes[opcodes.length - 1];
      if (last && last[0] === "equal" && last[2] === mi && last[4] === mj) {
        last[2] += 1;
        last[4] += 1;
      } else {
        opcodes.push(["equal", mi, mi + 1, mj, mj + 1]);
      }
      i = mi + 1;
      j = mj + 1;
    }
    gap(n, m);
    return opcodes;
  }

  /* ------------------------------------------------------------------ *
   * Redlines: mirrors techplan/redline.py.
   * ------------------------------------------------------------------ */

  const BLOCK_TAGS = new Set(["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "pre", "tr", "dt", "dd", "caption", "figcaption"]);
  const SKIPPED_TAGS = new Set(["script", "style", "svg", "template"]);
  const HEADINGS = new Set(["h1", "h2", "h3", "h4", "h5", "h6"]);
  const VOID_TAGS = new Set(["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"]);
  const BANNER_CLASS = "tp-revision-banner";

  // The blocks of text a reader reads in an element's content, in order, as
  // redline.extract_blocks reads the same HTML: [{kind: "p", text: "..."}, ...].
  // Works on anything shaped like DOM nodes (nodeType, tagName, childNodes, nodeValue,
  // getAttribute), so tests can use plain objects. The root element itself is not a block;
  // a point-in-time page's revision banner is skipped (it is not part of the page's text).
  function extractBlocks(root) {
    // Replays the document as the start tags, text and end tags Python's HTMLParser sees,
    // with the same bookkeeping as redline._BlockParser, so the blocks come out the same.
    const blocks = [];
    const open = []; // {tag, text: array of strings for a block element or null, skipped}
    let skipping = 0;

    const collector = () => {
      for (let index = open.length - 1; index >= 0; index -= 1) if (open[index].text) return open[index].text;
      return null;
    };
    const append = (data) => {
      const text = collector();
      if (text && !skipping) text.push(data);
    };
    // Emit the text collected so far by the innermost open block.
    const flush = () => {
      for (let index = open.length - 1; index >= 0; index -= 1) {
        const text = open[index].text;
        if (text) {
          const joined = splitWords(text.join("")).join(" ").replace(/^[ |]+|[ |]+$/g, "");
          if (joined) blocks.push({ kind: open[index].tag, text: joined });
          text.length = 0;
          return;
        }
      }
    };
    const start = (tag, classes) => {
      const skipped = SKIPPED_TAGS.has(tag) || classes.includes("headerlink") || classes.includes("tp-visually-hidden");
      skipping += skipped ? 1 : 0;
      if (BLOCK_TAGS.has(tag)) flush(); // a list item's own words come before its nested list
      if (tag === "td" || tag === "th") {
        const text = collector();
        if (text && text.length) text.push(" | "); // a row's cells read as one block
      }
      open.push({ tag, text: BLOCK_TAGS.has(tag) ? [] : null, skipped });
    };
    const end = () => {
      const element = open[open.length - 1];
      if (element.text) flush();
      open.pop();
      skipping -= element.skipped ? 1 : 0;
    };
    const walk = (node) => {
      for (const child of Array.from(node.childNodes || [])) {
        if (child.nodeType === 3) {
          append(child.nodeValue == null ? child.textContent || "" : child.nodeValue);
        } else if (child.nodeType === 1) {
          const tag = String(child.tagName).toLowerCase();
          const classes = (child.getAttribute && child.getAttribute("class")) || "";
          if (classes.split(/\s+/).includes(BANNER_CLASS)) continue;
          if (VOID_TAGS.has(tag)) {
            if (tag === "br") append(" ");
            continue;
          }
          start(tag, classes);
          // A <template>'s children live in its content fragment.
          walk(tag === "template" && child.content ? child.content : child);
          end();
        }
      }
    };
    walk(root);
    return blocks;
  }

  // Word-level differences between two texts: a list of {type: "equal" | "delete" |
  // "insert", text}, deletions before insertions where a run was replaced.
  function wordDiff(oldText, newText) {
    const a = tokenize(oldText);
    const b = tokenize(newText);
    const parts = [];
    for (const [tag, i1, i2, j1, j2] of diffSequences(a, b)) {
      if (tag === "equal") {
        parts.push({ type: "equal", text: a.slice(i1, i2).join("") });
        continue;
      }
      if (i2 > i1) parts.push({ type: "delete", text: a.slice(i1, i2).join("") });
      if (j2 > j1) parts.push({ type: "insert", text: b.slice(j1, j2).join("") });
    }
    return parts;
  }

  // How alike two blocks' texts are, from 0 to 1: twice the words (and punctuation) they
  // share in order, over how many they have between them. Python compares characters with
  // difflib; words are used here because an exact character-level common subsequence
  // finds plenty in common between any two English paragraphs, which would pair unrelated
  // blocks. If the result cannot beat `atLeast`, a cheap upper bound (<= atLeast) may be
  // returned instead of the exact ratio.
  function similarity(oldText, newText, atLeast) {
    const a = tokenize(oldText).filter((token) => !isSpace(token));
    const b = tokenize(newText).filter((token) => !isSpace(token));
    const total = a.length + b.length;
    if (total === 0) return 1;
    const floor = atLeast || 0;
    // Upper bounds first, as difflib's real_quick_ratio and quick_ratio: lengths, then the
    // words in common regardless of order.
    if ((2 * Math.min(a.length, b.length)) / total <= floor) return (2 * Math.min(a.length, b.length)) / total;
    const counts = new Map();
    for (const token of a) counts.set(token, (counts.get(token) || 0) + 1);
    let shared = 0;
    for (const token of b) {
      const count = counts.get(token) || 0;
      if (count > 0) {
        shared += 1;
        counts.set(token, count - 1);
      }
    }
    if ((2 * shared) / total <= floor) return (2 * shared) / total;
    let matched = 0;
    for (const [tag, i1, i2] of diffSequences(a, b)) if (tag === "equal") matched += i2 - i1;
    return (2 * matched) / total;
  }

  // Compare two versions block by block, and changed blocks word by word (redline.redline).
  // Segments: {kind, status: "equal" | "changed" | "inserted" | "deleted", parts}.
  function redline(oldBlocks, newBlocks) {
    const key = (block) => block.kind + "\n" + block.text;
    const segments = [];
    for (const [tag, i1, i2, j1, j2] of diffSequences(oldBlocks.map(key), newBlocks.map(key))) {
      if (tag === "equal") {
        for (const block of newBlocks.slice(j1, j2)) {
          segments.push({ kind: block.kind, status: "equal", parts: [{ type: "equal", text: block.text }] });
        }
      } else {
        segments.push(...pairBlocks(oldBlocks.slice(i1, i2), newBlocks.slice(j1, j2)));
      }
    }
    return segments;
  }

  // Match replaced blocks to their closest counterparts of the same kind, in order (more
  // than half alike); the rest were removed or added (redline._pair_blocks).
  function pairBlocks(oldBlocks, newBlocks) {
    const matches = [];
    let position = 0;
    newBlocks.forEach((block, j) => {
      let best = null;
      let bestRatio = 0.5;
      for (let i = position; i < oldBlocks.length; i += 1) {
        if (oldBlocks[i].kind !== block.kind) continue;
        const ratio = similarity(oldBlocks[i].text, block.text, bestRatio);
        if (ratio > bestRatio) {
          best = i;
          bestRatio = ratio;
        }
      }
      if (best !== null) {
        matches.push([best, j]);
        position = best + 1;
      }
    });
    matches.push([oldBlocks.length, newBlocks.length]);
    const segments = [];
    let doneOld = 0;
    let doneNew = 0;
    for (const [i, j] of matches) {
      for (const block of oldBlocks.slice(doneOld, i)) {
        segments.push({ kind: block.kind, status: "deleted", parts: [{ type: "delete", text: block.text }] });
      }
      for (const block of newBlocks.slice(doneNew, j)) {
        segments.push({ kind: block.kind, status: "inserted", parts: [{ type: "insert", text: block.text }] });
      }
      if (i < oldBlocks.length && j < newBlocks.length) {
        segments.push({ kind: newBlocks[j].kind, status: "changed", parts: wordDiff(oldBlocks[i].text, newBlocks[j].text) });
      }
      doneOld = i + 1;
      doneNew = j + 1;
    }
    return segments;
  }

  // How many segments differ (redline.count_changes).
  function countChanges(segments) {
    return segments.filter((segment) => segment.status !== "equal").length;
  }

  /* ------------------------------------------------------------------ *
   * Dates and values: mirrors techplan/formatting.py.
   * ------------------------------------------------------------------ */

  const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

  // A date from an ISO string ("2021-06-30", or a date and time: the date part is used).
  function parseDate(text) {
    const found = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(text));
    if (!found) throw new Error("Not a date: " + text);
    return { year: Number(found[1]), month: Number(found[2]), day: Number(found[3]) };
  }

  // Days since 1 January 1970 (UTC, so no daylight saving gets in the way).
  function dayNumber(date) {
    const moment = new Date(0);
    moment.setUTCFullYear(date.year, date.month - 1, date.day); // not Date.UTC: it maps years 0–99 to 19xx
    return Math.round(moment.getTime() / 86400000);
  }

  // How many days a month has.
  function daysInMonth(year, month) {
    if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
    return [4, 6, 9, 11].includes(month) ? 30 : 31;
  }

  // A date as GOV.UK writes it: 31 March 2024 (format_date).
  function formatDate(text) {
    const date = parseDate(text);
    return date.day + " " + MONTHS[date.month - 1] + " " + date.year;
  }

  // A month and year: March 2024 (format_month).
  function formatMonth(text) {
    const date = parseDate(text);
    return MONTHS[date.month - 1] + " " + date.year;
  }

  // Digits with a comma between each group of three: 1234567 -> 1,234,567.
  function groupThousands(digits) {
    return digits.replace(/\B(?=(\d{3})+$)/g, ",");
  }

  // A number with thousands separators and no needless decimals: 1,234.5 or 83
  // (format_number: Python's "{:,.2f}" with trailing zeros stripped).
  function formatNumber(value) {
    if (Number.isInteger(value)) {
      const digits = BigInt(value).toString(); // exact, where toFixed would switch to 1e+21
      return digits[0] === "-" ? "-" + groupThousands(digits.slice(1)) : groupThousands(digits);
    }
    const magnitude = Math.abs(value);
    let fixed;
    if (Number.isInteger(magnitude * 8) && (magnitude * 8) % 2 === 1) {
      // An exact tie at the third decimal (x.125, x.375...): Python rounds half to even,
      // toFixed rounds half up.
      let hundredths = Math.floor(magnitude * 100);
      if (hundredths % 2 === 1) hundredths += 1;
      fixed = Math.floor(hundredths / 100) + "." + String(hundredths % 100).padStart(2, "0");
    } else {
      fixed = magnitude.toFixed(2);
    }
    const [whole, decimals] = fixed.split(".");
    const text = (groupThousands(whole) + "." + decimals).replace(/0+$/, "").replace(/\.$/, "");
    return (value < 0 ? "-" : "") + text;
  }

  const UNIT_WORDS = { days: "day", hours: "hour", minutes: "minute" };

  // A value with its unit: 83%, 15 minutes, 1,234 (format_value).
  function formatValue(value, unit) {
    const number = formatNumber(value);
    if (unit === "percent") return number + "%";
    if (Object.prototype.hasOwnProperty.call(UNIT_WORDS, unit)) return number + " " + (value === 1 ? UNIT_WORDS[unit] : unit);
    return number;
  }

  /* ------------------------------------------------------------------ *
   * Data changes in plain English: mirrors techplan/datadiff.py.
   * ------------------------------------------------------------------ */

  const MILESTONE_STATUS_LABELS = {
    planned: "Planned",
    "in-progress": "In progress",
    "at-risk": "At risk",
    delayed: "Delayed",
    done: "Done",
    dropped: "Dropped",
  };

  // One change, with the same fields as datadiff.DataChange.
  function change(record, kind, text, before, after, days) {
    return { record, kind, text, before: before === undefined ? null : before, after: after === undefined ? null : after, days: days === undefined ? null : days };
  }

  // Every change to milestones and measures from one data snapshot (data.json) to another,
  // milestones first, each in natural id order (datadiff.diff_plans; phases are not in
  // data.json, so they are left out).
  function diffData(oldData, newData) {
    const changes = [];
    const oldMilestones = byId(oldData.milestones);
    const newMilestones = byId(newData.milestones);
    for (const id of orderedIds(oldMilestones, newMilestones)) {
      changes.push(...diffMilestone(oldMilestones.get(id), newMilestones.get(id)));
    }
    const oldMeasures = byId(oldData.measures);
    const newMeasures = byId(newData.measures);
    for (const id of orderedIds(oldMeasures, newMeasures)) {
      changes.push(...diffMeasure(oldMeasures.get(id), newMeasures.get(id)));
    }
    return changes;
  }

  // Records by id; a later duplicate wins, as in a Python dict comprehension.
  function byId(records) {
    return new Map((records || []).map((record) => [record.id, record]));
  }

  // How one milestone changed; added and removed milestones are one change each.
  function diffMilestone(oldOne, newOne) {
    if (!oldOne && newOne) {
      const text = `${newOne.id} added: “${newOne.title}”, due ${formatDate(newOne.due)}, owned by ${newOne.owner}.`;
      return [change(newOne.id, "added", text, null, newOne.title)];
    }
    if (!newOne && oldOne) {
      const text = `${oldOne.id} removed: “${oldOne.title}”, which was due ${formatDate(oldOne.due)}.`;
      return [change(oldOne.id, "removed", text, oldOne.title)];
    }
    const id = newOne.id;
    const changes = [];
    if (oldOne.title !== newOne.title) {
      changes.push(change(id, "retitled", `${id} retitled from “${oldOne.title}” to “${newOne.title}”.`, oldOne.title, newOne.title));
    }
    if (oldOne.due !== newOne.due) changes.push(dueChange(id, oldOne.due, newOne.due));
    if (oldOne.status !== newOne.status) {
      const before = statusWords(oldOne.status);
      const after = statusWords(newOne.status);
      changes.push(change(id, "status", `${id} status changed from ${before} to ${after}.`, before, after));
    }
    if (oldOne.owner !== newOne.owner) {
      changes.push(change(id, "owner", `${id} owner changed from ${oldOne.owner} to ${newOne.owner}.`, oldOne.owner, newOne.owner));
    }
    const oldDepends = oldOne.depends_on || [];
    const newDepends = newOne.depends_on || [];
    if (!sameSet(oldDepends, newDepends)) {
      const added = newDepends.filter((d) => !oldDepends.includes(d));
      const removed = oldDepends.filter((d) => !newDepends.includes(d));
      const parts = [];
      if (added.length) parts.push(`now depends on ${joinIds(added)}`);
      if (removed.length) parts.push(`no longer depends on ${joinIds(removed)}`);
      changes.push(change(id, "depends", `${id} ${parts.join(" and ")}.`, oldDepends.join(", "), newDepends.join(", ")));
    }
    // Re-wrapping a summary is not a change to it: compare the words.
    if (splitWords(oldOne.summary || "").join(" ") !== splitWords(newOne.summary || "").join(" ")) {
      changes.push(change(id, "summary", `${id} summary reworded.`, oldOne.summary, newOne.summary));
    }
    return changes;
  }

  // A status in lower-case words: "in progress".
  function statusWords(status) {
    return (MILESTONE_STATUS_LABELS[status] || String(status)).toLowerCase();
  }

  // Whether two lists hold the same items, ignoring order and repeats.
  function sameSet(first, second) {
    const a = new Set(first);
    const b = new Set(second);
    return a.size === b.size && [...a].every((item) => b.has(item));
  }

  // A milestone's due date moving: from, to, by how long, earlier or later (due_change).
  function dueChange(id, oldDue, newDue) {
    const days = dayNumber(parseDate(newDue)) - dayNumber(parseDate(oldDue));
    const direction = days > 0 ? "later" : "earlier";
    const text = `${id} due date moved from ${formatDate(oldDue)} to ${formatDate(newDue)}: ${describeShift(oldDue, newDue)} ${direction}.`;
    return change(id, "due", text, oldDue, newDue, days);
  }

  // How far apart two dates are, in the unit people would use: 3 months, 2 weeks, 10 days
  // (describe_shift). Takes ISO date strings.
  function describeShift(oldText, newText) {
    let early = parseDate(oldText);
    let late = parseDate(newText);
    if (dayNumber(late) < dayNumber(early)) [early, late] = [late, early];
    const months = (late.year - early.year) * 12 + late.month - early.month;
    const isMonthEnd = (date) => date.day === daysInMonth(date.year, date.month);
    const samePlace = late.day === early.day || (isMonthEnd(early) && isMonthEnd(late));
    if (months && samePlace) {
      const years = Math.floor(months / 12);
      const rest = months % 12;
      const parts = years ? [plural(years, "year")] : [];
      if (rest) parts.push(plural(rest, "month"));
      return parts.join(" and ");
    }
    const days = dayNumber(late) - dayNumber(early);
    if (days % 7 === 0) return plural(days / 7, "week");
    if (days > 60) return `about ${plural(roundHalfEven(days / 30.44), "month")}`;
    return plural(days, "day");
  }

  // Python's round(): halves go to the even neighbour.
  function roundHalfEven(value) {
    const floor = Math.floor(value);
    const fraction = value - floor;
    if (fraction !== 0.5) return Math.round(value);
    return floor % 2 === 0 ? floor : floor + 1;
  }

  // How one measure changed: title, unit, baseline, target, actuals (diff_measure).
  function diffMeasure(oldOne, newOne) {
    if (!oldOne && newOne) return [change(newOne.id, "added", `${newOne.id} added: “${newOne.title}”.`, null, newOne.title)];
    if (!newOne && oldOne) return [change(oldOne.id, "removed", `${oldOne.id} removed: “${oldOne.title}”.`, oldOne.title)];
    const id = newOne.id;
    const changes = [];
    if (oldOne.title !== newOne.title) {
      changes.push(change(id, "retitled", `${id} retitled from “${oldOne.title}” to “${newOne.title}”.`, oldOne.title, newOne.title));
    }
    if (oldOne.unit !== newOne.unit) {
      changes.push(change(id, "unit", `${id} unit changed from ${oldOne.unit} to ${newOne.unit}.`, oldOne.unit, newOne.unit));
    }
    for (const name of ["baseline", "target"]) {
      const before = oldOne[name];
      const after = newOne[name];
      if (before.date !== after.date || before.value !== after.value) {
        const was = describePoint(before, oldOne.unit, name);
        const now = describePoint(after, newOne.unit, name);
        changes.push(change(id, name, `${id} ${name} changed from ${was} to ${now}.`, was, now));
      }
    }
    // Actuals by date; a later duplicate wins, as in Python's dict.
    const oldActuals = new Map((oldOne.actuals || []).map((point) => [point.date, point.value]));
    const newActuals = new Map((newOne.actuals || []).map((point) => [point.date, point.value]));
    const days = [...new Set([...oldActuals.keys(), ...newActuals.keys()])].sort();
    for (const day of days) {
      const when = formatMonth(day);
      if (!oldActuals.has(day)) {
        const value = formatValue(newActuals.get(day), newOne.unit);
        changes.push(change(id, "actual-added", `${id} actual added: ${value} for ${when}.`, null, value));
      } else if (!newActuals.has(day)) {
        const value = formatValue(oldActuals.get(day), oldOne.unit);
        changes.push(change(id, "actual-removed", `${id} actual for ${when} removed (was ${value}).`, value));
      } else if (oldActuals.get(day) !== newActuals.get(day)) {
        const was = formatValue(oldActuals.get(day), oldOne.unit);
        const now = formatValue(newActuals.get(day), newOne.unit);
        changes.push(change(id, "actual-changed", `${id} actual for ${when} corrected from ${was} to ${now}.`, was, now));
      }
    }
    return changes;
  }

  // A baseline or target in words: 78% in March 2020, 100% by March 2024 (_point).
  function describePoint(point, unit, name) {
    const word = name === "target" ? "by" : "in";
    return `${formatValue(point.value, unit)} ${word} ${formatMonth(point.date)}`;
  }

  // Ids from both versions in natural order: M1.2 before M1.10 (_ordered, _natural).
  function orderedIds(oldRecords, newRecords) {
    return [...new Set([...oldRecords.keys(), ...newRecords.keys()])].sort(compareIds);
  }

  // Compare two ids by their letter, then each dotted number by value (_natural). Ties
  // (M1.02 and M1.2) fall back to the text, so the order is always the same.
  function compareIds(first, second) {
    const a = naturalKey(first);
    const b = naturalKey(second);
    for (let index = 0; index < Math.min(a.length, b.length); index += 1) {
      if (a[index] < b[index]) return -1;
      if (a[index] > b[index]) return 1;
    }
    if (a.length !== b.length) return a.length - b.length;
    return first < second ? -1 : first > second ? 1 : 0;
  }

  // The sort key of an id: its first character, then its dotted numbers (0 if not digits).
  function naturalKey(id) {
    const text = String(id);
    return [text.slice(0, 1), ...text.slice(1).split(".").map((part) => (/^[0-9]+$/.test(part) ? Number(part) : 0))];
  }

  // 1 month, 2 months.
  function plural(count, word) {
    return `${count} ${word}${count !== 1 ? "s" : ""}`;
  }

  // M1.1, M1.2 and M1.3.
  function joinIds(ids) {
    return ids.length === 1 ? ids[0] : ids.slice(0, -1).join(", ") + " and " + ids[ids.length - 1];
  }

  /* ------------------------------------------------------------------ *
   * Comparing two revisions: what to fetch and what differs.
   * ------------------------------------------------------------------ */

  // Everything that differs between two revisions, read through `source`:
  //   source.index()          -> Promise of index.json
  //   source.json(url)        -> Promise of a data snapshot (url relative to the site root)
  //   source.blocks(url)      -> Promise of a page version's blocks (url relative to the site root)
  // Only the page versions that differ are fetched, in parallel (a few at a time).
  // Returns {from, to, same, reversed, dataChanges, pages: [{page, title, url, status, segments}]}.
  async function compareRevisions(source, fromName, toName) {
    const index = await source.index();
    const revisions = index.revisions || [];
    const fromAt = revisions.findIndex((revision) => revision.name === fromName);
    const toAt = revisions.findIndex((revision) => revision.name === toName);
    if (fromAt < 0) throw new Error(`revision ${fromName} is not in the list of revisions`);
    if (toAt < 0) throw new Error(`revision ${toName} is not in the list of revisions`);
    const from = revisions[fromAt];
    const to = revisions[toAt];
    const result = { from, to, same: fromAt === toAt, reversed: fromAt > toAt, dataChanges: [], pages: [] };
    if (result.same) return result;

    const oldRow = index.table[fromAt];
    const newRow = index.table[toAt];
    const changed = [];
    (index.pages || []).forEach((page, column) => {
      const oldVersion = oldRow[column] === undefined ? -1 : oldRow[column];
      const newVersion = newRow[column] === undefined ? -1 : newRow[column];
      if (oldVersion !== newVersion) changed.push({ page, oldVersion, newVersion });
    });

    const [oldData, newData, pages] = await Promise.all([
      source.json(from.data),
      source.json(to.data),
      mapLimit(changed, 4, async ({ page, oldVersion, newVersion }) => {
        const oldOne = oldVersion >= 0 ? index.versions[oldVersion] : null;
        const newOne = newVersion >= 0 ? index.versions[newVersion] : null;
        const [oldBlocks, newBlocks] = await Promise.all([
          oldOne ? source.blocks(oldOne.url) : [],
          newOne ? source.blocks(newOne.url) : [],
        ]);
        const shown = newOne || oldOne;
        return {
          page,
          title: shown.title,
          url: shown.url,
          status: !oldOne ? "new" : !newOne ? "removed" : "changed",
          segments: redline(oldBlocks, newBlocks),
        };
      }),
    ]);
    result.dataChanges = diffData(oldData, newData);
    result.pages = pages;
    return result;
  }

  // Run an async function over items, at most `limit` at a time; results in item order.
  async function mapLimit(items, limit, task) {
    const results = new Array(items.length);
    let next = 0;
    const worker = async () => {
      while (next < items.length) {
        const at = next;
        next += 1;
        results[at] = await task(items[at], at);
      }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
    return results;
  }

  /* ------------------------------------------------------------------ *
   * Rendering: HTML strings in which every piece of text is escaped.
   * ------------------------------------------------------------------ */

  // Text marked as inserted or deleted, in words a screen reader announces (redline._mark).
  function markHtml(tag, text) {
    const label = tag === "ins" ? "inserted" : "deleted";
    return `<${tag}><span class="tp-visually-hidden">[${label}: </span>${escapeHtml(text)}<span class="tp-visually-hidden">]</span></${tag}>`;
  }

  // A block's text with <ins> and <del> around what changed.
  function partsHtml(parts) {
    return parts
      .map((part) => (part.type === "insert" ? markHtml("ins", part.text) : part.type === "delete" ? markHtml("del", part.text) : escapeHtml(part.text)))
      .join("");
  }

  // The blocks of one page's redline, as plan-archive-redline.html shows them: headings
  // always (as landmarks), changed blocks, and runs of unchanged blocks folded away.
  function segmentsHtml(segments) {
    const html = [];
    let folded = [];
    const fold = () => {
      if (!folded.length) return;
      html.push(
        `<details class="tp-unchanged"><summary>${folded.length} unchanged block${folded.length !== 1 ? "s" : ""}</summary>` +
          folded.map((segment) => `<p class="tp-block tp-block--${escapeHtml(segment.kind)}">${partsHtml(segment.parts)}</p>`).join("") +
          "</details>"
      );
      folded = [];
    };
    for (const segment of segments) {
      const heading = HEADINGS.has(segment.kind);
      if (segment.status === "equal" && !heading) {
        folded.push(segment);
        continue;
      }
      fold();
      if (heading) {
        html.push(`<h4 class="tp-block tp-block--heading tp-block--${segment.status}">${partsHtml(segment.parts)}</h4>`);
      } else {
        html.push(`<p class="tp-block tp-block--${escapeHtml(segment.kind)} tp-block--${segment.status}">${partsHtml(segment.parts)}</p>`);
      }
    }
    fold();
    return html.join("\n");
  }

  // "1 page", "3 pages".
  function count(number, word, words) {
    return `${number} ${number === 1 ? word : words}`;
  }

  // The whole result of a comparison (from compareRevisions) as HTML. `link(url)` turns a
  // site-root-relative URL into an href (it is escaped here). The heading has tabindex="-1"
  // so focus can move to it when the result is ready.
  function comparisonHtml(result, link) {
    const href = (url) => escapeHtml(link ? link(url) : url);
    const from = escapeHtml(result.from.name);
    const to = escapeHtml(result.to.name);
    const html = [];
    if (result.same) {
      html.push(`<h2 class="tp-compare__heading" tabindex="-1">Revision ${from} compared with itself</h2>`);
      html.push(`<p>You chose revision ${from} twice. Choose two different revisions to see what changed between them.</p>`);
      return html.join("\n");
    }
    html.push(`<h2 class="tp-compare__heading" tabindex="-1">Changes from revision ${from} to revision ${to}</h2>`);
    const describe = (revision) =>
      `revision ${escapeHtml(revision.name)}, “${escapeHtml(revision.title)}”, published ${escapeHtml(formatDate(revision.date))}`;
    html.push(`<p>From ${describe(result.from)}, to ${describe(result.to)}.</p>`);
    if (result.reversed) {
      html.push(`<p>Revision ${from} is later than revision ${to}, so this shows the changes going back in time.</p>`);
    }
    if (!result.dataChanges.length && !result.pages.length) {
      html.push("<p>These two revisions are the same.</p>");
      return html.join("\n");
    }
    html.push(
      '<p class="tp-redline-key"><ins>Inserted text</ins> is underlined, <del>deleted text</del> is struck through; ' +
        "screen readers announce each as inserted or deleted.</p>"
    );
    html.push(
      `<p>${count(result.dataChanges.length, "change", "changes")} to milestones and measures; ` +
        `${count(result.pages.length, "page", "pages")} changed.</p>`
    );

    html.push('<h2 id="tp-compare-data">Milestones and measures</h2>');
    if (result.dataChanges.length) {
      html.push('<ul class="tp-data-changes">');
      for (const item of result.dataChanges) html.push(`<li>${escapeHtml(item.text)}</li>`);
      html.push("</ul>");
    } else {
      html.push("<p>No milestone or measure changed.</p>");
    }

    html.push('<h2 id="tp-compare-pages">Pages</h2>');
    if (!result.pages.length) html.push("<p>No page changed.</p>");
    result.pages.forEach((page, at) => {
      const id = `tp-compare-page-${at + 1}`;
      const marker = page.status === "new" ? ' <span class="tp-redline-status">(new page)</span>' : page.status === "removed" ? ' <span class="tp-redline-status">(page removed)</span>' : "";
      html.push(`<section class="tp-redline" aria-labelledby="${id}">`);
      html.push(`<h3 id="${id}"><a href="${href(page.url)}">${escapeHtml(page.title)}</a>${marker}</h3>`);
      if (page.status === "changed" && countChanges(page.segments) === 0) {
        html.push("<p>The words did not change (only links or formatting did).</p>");
      }
      html.push(segmentsHtml(page.segments));
      html.push("</section>");
    });
    return html.join("\n");
  }

  // A message saying the comparison failed, pointing to the redlines that need no script.
  function errorHtml(message, fallbackId) {
    const where = fallbackId ? `<a href="#${escapeHtml(fallbackId)}">what changed in each revision</a>` : "what changed in each revision";
    return (
      '<h2 class="tp-compare__heading" tabindex="-1">The comparison could not be loaded</h2>\n' +
      `<p>The revisions could not be compared: ${escapeHtml(message)}. Try again, or read ${where}, ` +
      "each compared with the revision before it.</p>"
    );
  }

  /* ------------------------------------------------------------------ *
   * The page: the only part that touches the document.
   * ------------------------------------------------------------------ */

  // Bring one compare widget to life: show the form, compare on submit and from deep links.
  function setUp(container) {
    if (container.hasAttribute("data-tp-compare-ready")) return; // set up once, even if called again
    container.setAttribute("data-tp-compare-ready", "");
    const form = container.querySelector(".tp-compare__form");
    const output = container.querySelector(".tp-compare__result");
    if (!form || !output) return; // fewer than two revisions: nothing to compare
    const fromSelect = form.elements.namedItem("from");
    const toSelect = form.elements.namedItem("to");
    const fallback = container.querySelector(".tp-compare__fallback");
    if (fallback && !fallback.id) fallback.id = "tp-compare-fallback";
    const source = pageSource(new URL(container.getAttribute("data-index"), document.baseURI));
    let latest = 0; // only the most recent comparison may write its result

    const run = async (fromName, toName) => {
      const ticket = (latest += 1);
      const address = new URL(window.location.href);
      address.searchParams.set("from", fromName);
      address.searchParams.set("to", toName);
      window.history.replaceState(window.history.state, "", address.href); // a link to share
      // Not aria-busy: that would keep screen readers from announcing this status.
      output.innerHTML = `<p class="tp-compare__status">Comparing revision ${escapeHtml(fromName)} with revision ${escapeHtml(toName)}…</p>`;
      let html;
      try {
        const result =
          fromName === toName
            ? { same: true, from: { name: fromName }, to: { name: toName } } // nothing to download to say so
            : await compareRevisions(source, fromName, toName);
        html = comparisonHtml(result, source.href);
      } catch (error) {
        html = errorHtml(error && error.message ? error.message : String(error), fallback && fallback.id);
      }
      if (ticket !== latest) return;
      output.innerHTML = html;
      const heading = output.querySelector(".tp-compare__heading");
      if (heading) heading.focus();
    };

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      run(fromSelect.value, toSelect.value);
    });
    form.hidden = false;

    // A shared link: ?from=v1&to=v3 picks the revisions and compares them straight away.
    const query = new URLSearchParams(window.location.search);
    const has = (select, value) => Array.from(select.options).some((option) => option.value === value);
    const fromName = query.get("from");
    const toName = query.get("to");
    if (fromName && has(fromSelect, fromName)) fromSelect.value = fromName;
    if (toName && has(toSelect, toName)) toSelect.value = toName;
    if (fromName && toName && has(fromSelect, fromName) && has(toSelect, toName)) run(fromName, toName);
  }

  // Where the comparison reads from: the site this page is on, found from index.json's URL.
  // Fetched texts (and the blocks read from them) are kept for the rest of the visit.
  function pageSource(indexUrl) {
    const trimmed = indexUrl.href.replace(/revisions\/index\.json(?:[?#].*)?$/, "");
    const root = new URL(trimmed !== indexUrl.href ? trimmed : "../", indexUrl);
    const texts = new Map();
    const blocks = new Map();
    let index = null;

    // An absolute URL for a site-root-relative one, refusing anything on another site.
    const resolve = (url) => {
      const absolute = new URL(url, root);
      if (absolute.origin !== window.location.origin) throw new Error(`${url} is not on this site`);
      return absolute;
    };
    const fetchText = (url) => {
      const absolute = resolve(url).href;
      if (!texts.has(absolute)) {
        const pending = fetch(absolute, { credentials: "same-origin" }).then((response) => {
          if (!response.ok) throw new Error(`${url} could not be read (${response.status} ${response.statusText})`.trim());
          return response.text();
        });
        pending.catch(() => texts.delete(absolute)); // a failure may be retried
        texts.set(absolute, pending);
      }
      return texts.get(absolute);
    };
    const fetchError = (error) => {
      // fetch() rejects with a bare TypeError when offline or blocked; say what that means.
      if (error instanceof TypeError) throw new Error("the revisions could not be downloaded (are you offline?)");
      throw error;
    };
    return {
      href: (url) => resolve(url).href,
      index() {
        if (!index) {
          index = fetch(indexUrl.href, { credentials: "same-origin" })
            .then((response) => {
              if (!response.ok) throw new Error(`the list of revisions could not be read (${response.status})`);
              return response.json();
            })
            .catch((error) => {
              index = null;
              return fetchError(error);
            });
        }
        return index;
      },
      json(url) {
        return fetchText(url).then((text) => JSON.parse(text), fetchError);
      },
      blocks(url) {
        // A page version's URL ending in / is its index.html (works without a server's help).
        const file = url.endsWith("/") ? url + "index.html" : url;
        if (!blocks.has(file)) {
          const pending = fetchText(file).then((text) => {
            const doc = new DOMParser().parseFromString(text, "text/html"); // inert: runs and loads nothing
            return extractBlocks(doc.getElementById("content") || doc.body);
          }, fetchError);
          pending.catch(() => blocks.delete(file));
          blocks.set(file, pending);
        }
        return blocks.get(file);
      },
    };
  }

  // Set up every compare widget on the page (and on each page Material's instant
  // navigation swaps in, if that is turned on).
  function setUpPage() {
    const all = () => document.querySelectorAll("[data-tp-compare]").forEach(setUp);
    if (typeof window !== "undefined" && window.document$ && typeof window.document$.subscribe === "function") {
      window.document$.subscribe(all);
    } else if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", all);
    } else {
      all();
    }
  }

  if (typeof document !== "undefined") setUpPage();

  if (typeof module !== "undefined" && module.exports) {
    module.exports = {
      tokenize,
      splitWords,
      escapeHtml,
      diffSequences,
      wordDiff,
      similarity,
      extractBlocks,
      redline,
      pairBlocks,
      countChanges,
      formatDate,
      formatMonth,
      formatNumber,
      formatValue,
      describeShift,
      diffData,
      diffMilestone,
      diffMeasure,
      compareIds,
      compareRevisions,
      markHtml,
      partsHtml,
      segmentsHtml,
      comparisonHtml,
      errorHtml,
    };
  }
})();
