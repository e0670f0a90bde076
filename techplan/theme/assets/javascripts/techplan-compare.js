/* Compare any two revisions of the plan in the browser. The build publishes what this needs:
   revisions/index.json (which version of each page every revision has), each page version's
   blocks of text, and for each revision its data changes to every other revision, already in
   plain English. This script redlines the pages that differ and shows the result.

   The redline is the algorithm of techplan/compare/redline.py and sequences.py, step for step
   (tokens, sequence diff, similarity, pairing, tidying, markup), so the marks here are the marks
   on each revision's own changes page: tests/golden/redline and a differential test hold the two
   to each other.

   Progressive enhancement: without this script the page lists each revision's own redline.
   Everything is read from the site itself (same origin, relative URLs); nothing is sent anywhere.
   The redline and the markup are pure functions, exported for Node tests at the end. */
(function () {
  "use strict";

  /* ------------------------------------------------------------------ *
   * Tokens: words, single punctuation marks and runs of whitespace.
   * ------------------------------------------------------------------ */

  // Python's \s and \w (str.isspace, and str.isalnum or "_"); JavaScript's own \s and \w differ.
  const SPACE_CHARS = "\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
  const WORD_CHARS = "\\p{L}\\p{N}_";
  const TOKENS = new RegExp(
    "[" + WORD_CHARS + "]+(?:['’][" + WORD_CHARS + "]+)*|[^" + WORD_CHARS + SPACE_CHARS + "]|[" + SPACE_CHARS + "]+",
    "gu"
  );
  const WORDS = new RegExp("[" + WORD_CHARS + "]+(?:['’][" + WORD_CHARS + "]+)*|[^" + WORD_CHARS + SPACE_CHARS + "]", "gu");
  const LEADING_SPACE = new RegExp("^[" + SPACE_CHARS + "]", "u");

  // A text's words (with apostrophes inside), punctuation marks and runs of whitespace, in order.
  function tokenize(text) {
    return text.match(TOKENS) || [];
  }

  // Whether a token is whitespace.
  function isSpace(token) {
    return LEADING_SPACE.test(token);
  }

  // A text's tokens without the whitespace: what similarity compares.
  function words(text) {
    return text.match(WORDS) || [];
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
   * Sequences: a shortest edit script (Myers, linear space) and the
   * length of a longest common subsequence (bit-parallel).
   * ------------------------------------------------------------------ */

  // How many steps one diff may take before what is left of it is called replaced outright:
  // a huge rewrite gives coarser marks rather than freezing the page. Counted as sequences.py counts.
  const DIFF_BUDGET = 400000;

  // The edits that turn sequence a into sequence b, as opcodes [tag, i1, i2, j1, j2] with tag
  // "equal", "replace", "delete" or "insert", covering both sequences in order, with as few
  // insertions and deletions as possible; past `steps`, what is left unsolved is replaced outright.
  function diffSequences(a, b, steps = DIFF_BUDGET) {
    const matches = [];
    const budget = { left: steps };
    matchRange(a, 0, a.length, b, 0, b.length, matches, budget);
    return opcodesFromMatches(matches, a.length, b.length);
  }

  // Add the matched pairs [i, j] between a[aLo:aHi] and b[bLo:bHi] to matches, in order.
  function matchRange(a, aLo, aHi, b, bLo, bHi, matches, budget) {
    // A common head and tail match for free; what is left then needs at least two edits, so
    // the middle point splits it into two smaller problems.
    while (aLo < aHi && bLo < bHi && a[aLo] === b[bLo]) {
      matches.push([aLo, bLo]);
      aLo += 1;
      bLo += 1;
    }
    let tail = 0;
    while (aLo < aHi - tail && bLo < bHi - tail && a[aHi - 1 - tail] === b[bHi - 1 - tail]) tail += 1;
    if (aLo < aHi - tail && bLo < bHi - tail) {
      const split = middleSplit(a, aLo, aHi - tail, b, bLo, bHi - tail, budget);
      if (split) {
        matchRange(a, aLo, split[0], b, bLo, split[1], matches, budget);
        matchRange(a, split[0], aHi - tail, b, split[1], bHi - tail, matches, budget);
      }
    }
    for (let k = tail; k > 0; k -= 1) matches.push([aHi - k, bHi - k]);
  }

  // A point [i, j] on a shortest edit path through the two ranges, searching from both ends
  // until the paths meet; null if they share nothing or the budget ran out.
  function middleSplit(a, aLo, aHi, b, bLo, bHi, budget) {
    const n = aHi - aLo;
    const m = bHi - bLo;
    const maxD = Math.ceil((n + m) / 2);
    const offset = maxD + 1;
    const length = 2 * maxD + 3;
    const forward = new Int32Array(length).fill(-1); // furthest x on each diagonal k = x - y, from the start
    const backward = new Int32Array(length).fill(-1); // the same, counted from the end
    forward[offset + 1] = 0;
    backward[offset + 1] = 0;
    const delta = n - m;
    const frontMeets = delta % 2 !== 0; // which search can see the paths overlap depends on parity
    // Diagonals that ran off the grid are dropped from the ends of the ranges searched.
    let forwardStart = 0;
    let forwardEnd = 0;
    let backwardStart = 0;
    let backwardEnd = 0;
    for (let d = 0; d < maxD; d += 1) {
      for (let k = -d + forwardStart; k <= d - forwardEnd; k += 2) {
        const at = offset + k;
        let x = k === -d || (k !== d && forward[at - 1] < forward[at + 1]) ? forward[at + 1] : forward[at - 1] + 1;
        let y = x - k;
        const start = x;
        while (x < n && y < m && a[aLo + x] === b[bLo + y]) {
          x += 1;
          y += 1;
        }
        budget.left -= x - start + 1;
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
        const start = x;
        while (x < n && y < m && a[aHi - 1 - x] === b[bHi - 1 - y]) {
          x += 1;
          y += 1;
        }
        budget.left -= x - start + 1;
        backward[at] = x;
        if (x > n) backwardEnd += 2;
        else if (y > m) backwardStart += 2;
        else if (!frontMeets) {
          const other = offset + delta - k;
          if (other >= 0 && other < length && forward[other] !== -1) {
            const forwardX = forward[other];
            if (forwardX >= n - x) return [aLo + forwardX, bLo + forwardX - (other - offset)];
          }
        }
      }
      if (budget.left < 0) return null;
    }
    return null;
  }

  // Ordered matched pairs as opcodes covering both sequences.
  function opcodesFromMatches(matches, n, m) {
    const opcodes = [];
    let i = 0;
    let j = 0;
    for (const [mi, mj] of [...matches, [n, m]]) {
      if (mi > i && mj > j) opcodes.push(["replace", i, mi, j, mj]);
      else if (mi > i) opcodes.push(["delete", i, mi, j, j]);
      else if (mj > j) opcodes.push(["insert", i, i, j, mj]);
      if (mi === n && mj === m) break;
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
    return opcodes;
  }

  // The length of a longest common subsequence of a and b, exactly: one bit per element of a,
  // a handful of operations per element of b (Hyyrö's variant of Allison and Dix).
  function lcsLength(a, b) {
    const masks = new Map();
    a.forEach((item, position) => masks.set(item, (masks.get(item) || 0n) | (1n << BigInt(position))));
    const full = (1n << BigInt(a.length)) - 1n;
    let row = full;
    for (const item of b) {
      const matched = row & (masks.get(item) || 0n);
      row = ((row + matched) | (row - matched)) & full;
    }
    let ones = 0;
    for (let rest = row; rest > 0n; rest >>= 32n) {
      let word = Number(rest & 0xffffffffn);
      while (word) {
        word &= word - 1;
        ones += 1;
      }
    }
    return a.length - ones;
  }

  /* ------------------------------------------------------------------ *
   * Redlines: blocks, then pairs of blocks, then words.
   * ------------------------------------------------------------------ */

  const HEADINGS = new Set(["h1", "h2", "h3", "h4", "h5", "h6"]);
  const PAIRING_THRESHOLD = 0.5;

  // Compare two versions ([{kind, text}]) block by block, and paired blocks word by word.
  // Segments: {kind, status: "equal" | "changed" | "inserted" | "deleted", parts: [[op, text]]},
  // op "=" (equal), "-" (deleted) or "+" (inserted).
  function redline(oldBlocks, newBlocks) {
    const ids = new Map();
    const id = (block) => {
      const key = block.kind + "\n" + block.text;
      if (!ids.has(key)) ids.set(key, ids.size);
      return ids.get(key);
    };
    const oldIds = oldBlocks.map(id);
    const newIds = newBlocks.map(id);
    const segments = [];
    for (const [tag, i1, i2, j1, j2] of diffSequences(oldIds, newIds)) {
      if (tag === "equal") {
        for (const block of newBlocks.slice(j1, j2)) segments.push({ kind: block.kind, status: "equal", parts: [["=", block.text]] });
      } else {
        for (const segment of pairBlocks(oldBlocks.slice(i1, i2), newBlocks.slice(j1, j2))) segments.push(segment);
      }
    }
    return segments;
  }

  // Show replaced blocks as changed where they pair, as removed or added where they do not: each
  // new block, in order, pairs with the most similar old block of its kind after the last pair
  // (the first of equals), if more than PAIRING_THRESHOLD alike.
  function pairBlocks(oldBlocks, newBlocks) {
    const count = (tokens) => tokens.reduce((counts, token) => counts.set(token, (counts.get(token) || 0) + 1), new Map());
    const oldWords = oldBlocks.map((block) => words(block.text));
    const oldCounts = oldWords.map(count);
    const matches = [];
    let position = 0;
    newBlocks.forEach((block, j) => {
      const newWords = words(block.text);
      const counts = count(newWords);
      let best = null;
      let bestRatio = PAIRING_THRESHOLD;
      for (let i = position; i < oldBlocks.length; i += 1) {
        if (oldBlocks[i].kind !== block.kind) continue;
        const total = oldWords[i].length + newWords.length;
        // Cheap upper bounds first (lengths, then words in common in any order).
        if (total && (2 * Math.min(oldWords[i].length, newWords.length)) / total <= bestRatio) continue;
        let shared = 0;
        for (const [token, n] of counts) shared += Math.min(n, oldCounts[i].get(token) || 0);
        if (total && (2 * shared) / total <= bestRatio) continue;
        const ratio = similarity(oldWords[i], newWords);
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
    const segments = [];
    let doneOld = 0;
    let doneNew = 0;
    for (const [i, j] of [...matches, [oldBlocks.length, newBlocks.length]]) {
      for (const block of oldBlocks.slice(doneOld, i)) segments.push({ kind: block.kind, status: "deleted", parts: [["-", block.text]] });
      for (const block of newBlocks.slice(doneNew, j)) segments.push({ kind: block.kind, status: "inserted", parts: [["+", block.text]] });
      if (i < oldBlocks.length && j < newBlocks.length) {
        segments.push({ kind: newBlocks[j].kind, status: "changed", parts: wordDiff(oldBlocks[i].text, newBlocks[j].text) });
      }
      doneOld = i + 1;
      doneNew = j + 1;
    }
    return segments;
  }

  // How alike two blocks' words are, 0 to 1: twice the words and marks they share in order,
  // over how many they have.
  function similarity(oldWords, newWords) {
    const total = oldWords.length + newWords.length;
    return total ? (2 * lcsLength(oldWords, newWords)) / total : 1;
  }

  // The runs of two texts that are equal, deleted and inserted: [[op, text]], a deletion before its insertion.
  function wordDiff(oldText, newText) {
    const a = tokenize(oldText);
    const b = tokenize(newText);
    const equal = [[]]; // equal[k] comes before changes[k] and after changes[k - 1]
    const changes = []; // [deleted tokens, inserted tokens]
    for (const [tag, i1, i2, j1, j2] of diffSequences(a, b)) {
      if (tag === "equal") {
        equal[equal.length - 1] = equal[equal.length - 1].concat(a.slice(i1, i2)); // not push(...): runs can be long
      } else {
        changes.push([a.slice(i1, i2), b.slice(j1, j2)]);
        equal.push([]);
      }
    }
    slideEdits(equal, changes);
    joinAcrossSpaces(equal, changes);
    const parts = [];
    equal.forEach((run, k) => {
      if (run.length) parts.push(["=", run.join("")]);
      if (k < changes.length) {
        const [deleted, inserted] = changes[k];
        if (deleted.length) parts.push(["-", deleted.join("")]);
        if (inserted.length) parts.push(["+", inserted.join("")]);
      }
    });
    return parts;
  }

  // Move each change that only inserts or only deletes to where it reads best: left while its
  // last token is the one before it (joining the change before if it gets there), then right
  // while its first token is the one after it (joining the change after if it gets there).
  function slideEdits(equal, changes) {
    let k = 0;
    while (k < changes.length) {
      const [deleted, inserted] = changes[k];
      if (deleted.length && inserted.length) {
        k += 1;
        continue;
      }
      const deletes = deleted.length > 0;
      let run = (deletes ? deleted : inserted).slice();
      const before = equal[k];
      const after = equal[k + 1];
      while (before.length && run[run.length - 1] === before[before.length - 1]) {
        after.unshift(before.pop());
        run = [after[0], ...run.slice(0, -1)];
      }
      if (!before.length && k > 0) {
        equal.splice(k, 1);
        changes.splice(k - 1, 2, joined(changes[k - 1], run, deletes, true));
        k -= 1;
        continue;
      }
      while (after.length && run[0] === after[0]) {
        before.push(after.shift());
        run = [...run.slice(1), before[before.length - 1]];
      }
      if (!after.length && k < changes.length - 1) {
        equal.splice(k + 1, 1);
        changes.splice(k, 2, joined(changes[k + 1], run, deletes, false));
        continue;
      }
      changes[k] = deletes ? [run, []] : [[], run];
      k += 1;
    }
  }

  // A change with a run of deleted or inserted tokens added after (or before) its own.
  function joined([deleted, inserted], run, deletes, after) {
    if (deletes) return [after ? [...deleted, ...run] : [...run, ...deleted], inserted];
    return [deleted, after ? [...inserted, ...run] : [...run, ...inserted]];
  }

  // Make one change of two with a single space between them, unless both only insert or both
  // only delete (that would mark an unchanged space as deleted and inserted again).
  function joinAcrossSpaces(equal, changes) {
    let k = 1;
    while (k < equal.length - 1) {
      const between = equal[k];
      const [leftDeleted, leftInserted] = changes[k - 1];
      const [rightDeleted, rightInserted] = changes[k];
      const deletes = leftDeleted.length > 0 || rightDeleted.length > 0;
      const inserts = leftInserted.length > 0 || rightInserted.length > 0;
      if (between.length === 1 && isSpace(between[0]) && deletes && inserts) {
        changes.splice(k - 1, 2, [[...leftDeleted, ...between, ...rightDeleted], [...leftInserted, ...between, ...rightInserted]]);
        equal.splice(k, 1);
      } else {
        k += 1;
      }
    }
  }

  // How many blocks differ.
  function countChanges(segments) {
    return segments.filter((segment) => segment.status !== "equal").length;
  }

  /* ------------------------------------------------------------------ *
   * Markup: HTML strings in which every piece of text is escaped, the
   * same as the site's own changes pages.
   * ------------------------------------------------------------------ */

  // Text marked as inserted or deleted, in words a screen reader announces (colour never alone).
  function markHtml(tag, text) {
    const label = tag === "ins" ? "inserted" : "deleted";
    return `<${tag}><span class="tp-visually-hidden">[${label}: </span>${escapeHtml(text)}<span class="tp-visually-hidden">]</span></${tag}>`;
  }

  // A block's runs as escaped HTML, with <del> and <ins> around what changed.
  function partsHtml(parts) {
    return parts.map(([op, text]) => (op === "-" ? markHtml("del", text) : op === "+" ? markHtml("ins", text) : escapeHtml(text))).join("");
  }

  // The blocks of one page's redline, as plan-archive-redline.html shows them: headings always
  // (as landmarks), changed blocks, and runs of unchanged blocks folded away.
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
  function plural(number, word, words) {
    return `${number} ${number === 1 ? word : words}`;
  }

  // The whole result of a comparison (from compareRevisions) as HTML. `link(url)` turns a
  // site-root-relative URL into an href (it is escaped here). Data changes arrive as HTML the
  // build rendered (plan-data-change.html). The heading has tabindex="-1" so focus can move to it.
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
      `revision ${escapeHtml(revision.name)}, “${escapeHtml(revision.title)}”, published ${escapeHtml(revision.published)}`;
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
      `<p>${plural(result.dataChanges.length, "change", "changes")} to milestones, measures and phases; ` +
        `${plural(result.pages.length, "page", "pages")} changed.</p>`
    );

    html.push('<h2 id="tp-compare-data">Milestones, measures and phases</h2>');
    if (result.dataChanges.length) {
      html.push('<ul class="tp-data-changes">');
      for (const item of result.dataChanges) html.push(`<li>${item}</li>`);
      html.push("</ul>");
    } else {
      html.push("<p>No milestone, measure or phase changed.</p>");
    }

    html.push('<h2 id="tp-compare-pages">Pages</h2>');
    if (!result.pages.length) html.push("<p>No page changed.</p>");
    result.pages.forEach((page, at) => {
      const id = `tp-compare-page-${at + 1}`;
      const marker = { new: "(new page)", removed: "(page removed)" }[page.status];
      const status = marker ? ` <span class="tp-redline-status">${marker}</span>` : "";
      html.push(`<section class="tp-redline" aria-labelledby="${id}">`);
      html.push(`<h3 id="${id}"><a href="${href(page.url)}">${escapeHtml(page.title)}</a>${status}</h3>`);
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
   * Comparing two revisions: what to fetch and what differs.
   * ------------------------------------------------------------------ */

  // Everything that differs between two revisions, read through `source`:
  //   source.index()      -> Promise of index.json
  //   source.json(url)    -> Promise of a revision's compare.json (url relative to the site root)
  //   source.blocks(url)  -> Promise of a page version's blocks, [{kind, text}]
  // Only the page versions that differ are fetched, a few at a time.
  // Returns {from, to, same, reversed, dataChanges (HTML of each), pages: [{page, title, url, status, segments}]}.
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

    const changed = [];
    (index.pages || []).forEach((page, column) => {
      const oldVersion = index.table[fromAt][column] ?? -1;
      const newVersion = index.table[toAt][column] ?? -1;
      if (oldVersion !== newVersion) changed.push({ page, oldVersion, newVersion });
    });
    const [data, pages] = await Promise.all([
      source.json(from.changes),
      mapLimit(changed, 4, async ({ page, oldVersion, newVersion }) => {
        const oldOne = oldVersion >= 0 ? index.versions[oldVersion] : null;
        const newOne = newVersion >= 0 ? index.versions[newVersion] : null;
        const [oldBlocks, newBlocks] = await Promise.all([
          oldOne ? source.blocks(oldOne.blocks) : [],
          newOne ? source.blocks(newOne.blocks) : [],
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
    const wanted = data.to && data.to[to.name];
    if (!wanted) throw new Error(`the changes from revision ${from.name} to revision ${to.name} are not published`);
    result.dataChanges = wanted.map((number) => data.changes[number]);
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

  // What a comparison reads, given a way to read a JSON file by its site-root-relative URL.
  function siteReader(readJson) {
    return {
      index: () => readJson("revisions/index.json", "the list of revisions"),
      json: (url) => readJson(url, url),
      blocks: (url) => readJson(url, url).then((data) => data.blocks.map(([kind, text]) => ({ kind, text }))),
    };
  }

  // Where the comparison reads from: the site this page is on, whose root is where
  // revisions/index.json (the widget's data-index) is. What is fetched is kept for the visit.
  function pageSource(indexUrl) {
    const root = new URL(indexUrl.href.replace(/revisions\/index\.json(?:[?#].*)?$/, ""));
    const fetched = new Map();

    // An absolute URL for a site-root-relative one, refusing anything on another site.
    const resolve = (url) => {
      const absolute = new URL(url, root);
      if (absolute.origin !== window.location.origin) throw new Error(`${url} is not on this site`);
      return absolute.href;
    };
    const readJson = (url, what) => {
      const absolute = resolve(url);
      if (!fetched.has(absolute)) {
        const pending = fetch(absolute, { credentials: "same-origin" }).then(
          (response) => {
            if (!response.ok) throw new Error(`${what} could not be read (${response.status} ${response.statusText})`.trim());
            return response.json();
          },
          // fetch() rejects with a bare TypeError when offline or blocked; say what that means.
          () => {
            throw new Error("the revisions could not be downloaded (are you offline?)");
          }
        );
        pending.catch(() => fetched.delete(absolute)); // a failure may be retried
        fetched.set(absolute, pending);
      }
      return fetched.get(absolute);
    };
    return { ...siteReader(readJson), href: resolve };
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
      DIFF_BUDGET,
      tokenize,
      escapeHtml,
      diffSequences,
      lcsLength,
      wordDiff,
      similarity,
      redline,
      pairBlocks,
      countChanges,
      markHtml,
      partsHtml,
      segmentsHtml,
      comparisonHtml,
      errorHtml,
      compareRevisions,
      siteReader,
    };
  }
})();
