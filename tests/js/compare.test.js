/* Tests of the compare page's script (techplan/theme/assets/javascripts/techplan-compare.js):
   its sequence diff, redline and markup, and what it fetches, in Node with no DOM and no
   packages. The shared golden cases are in golden.test.js. Run: node --test tests/js/ */
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");

const compare = require(path.join(__dirname, "..", "..", "techplan", "theme", "assets", "javascripts", "techplan-compare.js"));

// A small seeded random number generator (mulberry32), so failures can be reproduced.
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// The length of a longest common subsequence, by the textbook table.
function lcsLength(a, b) {
  let previous = new Array(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i += 1) {
    const row = [0];
    for (let j = 1; j <= b.length; j += 1) {
      row.push(a[i - 1] === b[j - 1] ? previous[j - 1] + 1 : Math.max(previous[j], row[j - 1]));
    }
    previous = row;
  }
  return previous[b.length];
}

// Check opcodes are a correct edit script from a to b; return how many elements they keep.
function checkOpcodes(a, b, opcodes) {
  let i = 0;
  let j = 0;
  let kept = 0;
  const rebuilt = [];
  for (const [tag, i1, i2, j1, j2] of opcodes) {
    assert.equal(i1, i, "opcodes cover a in order");
    assert.equal(j1, j, "opcodes cover b in order");
    assert.ok(i2 >= i1 && j2 >= j1 && (i2 > i1 || j2 > j1), "no empty opcode");
    if (tag === "equal") {
      assert.deepEqual(a.slice(i1, i2), b.slice(j1, j2), "equal runs are equal");
      kept += i2 - i1;
      rebuilt.push(...a.slice(i1, i2));
    } else {
      assert.equal(tag, i2 === i1 ? "insert" : j2 === j1 ? "delete" : "replace");
      rebuilt.push(...b.slice(j1, j2));
    }
    i = i2;
    j = j2;
  }
  assert.equal(i, a.length);
  assert.equal(j, b.length);
  assert.deepEqual(rebuilt, b, "applying the edit script gives the target");
  return kept;
}

test.describe("tokenize", () => {
  test.it("splits words, single punctuation characters and runs of whitespace", () => {
    assert.deepEqual(compare.tokenize("Don't stop—it’s 2024,  ok?"), [
      "Don't", " ", "stop", "—", "it’s", " ", "2024", ",", "  ", "ok", "?",
    ]);
    assert.deepEqual(compare.tokenize("café naïve\u00a0x_y"), ["café", " ", "naïve", "\u00a0", "x_y"]);
    assert.deepEqual(compare.tokenize("a''b"), ["a", "'", "'", "b"]);
  });

  test.it("never loses a character", () => {
    const rand = random(1);
    const alphabet = "ab c.,'’\n\t\u00a0é—1_😀<&";
    for (let round = 0; round < 300; round += 1) {
      let text = "";
      for (let n = Math.floor(rand() * 30); n > 0; n -= 1) text += Array.from(alphabet)[Math.floor(rand() * Array.from(alphabet).length)];
      assert.equal(compare.tokenize(text).join(""), text);
    }
  });
});

test.describe("diffSequences", () => {
  test.it("handles empty and identical sequences", () => {
    assert.deepEqual(compare.diffSequences([], []), []);
    assert.deepEqual(compare.diffSequences(["a"], []), [["delete", 0, 1, 0, 0]]);
    assert.deepEqual(compare.diffSequences([], ["a"]), [["insert", 0, 0, 0, 1]]);
    assert.deepEqual(compare.diffSequences(["a", "b"], ["a", "b"]), [["equal", 0, 2, 0, 2]]);
    assert.deepEqual(compare.diffSequences(["a"], ["b"]), [["replace", 0, 1, 0, 1]]);
  });

  test.it("finds a longest common subsequence on the classic example", () => {
    const a = "abcabba".split("");
    const b = "cbabac".split("");
    assert.equal(checkOpcodes(a, b, compare.diffSequences(a, b)), 4);
  });

  test.it("gives a correct, minimal edit script on random inputs", () => {
    const rand = random(42);
    for (let round = 0; round < 2000; round += 1) {
      const size = 1 + Math.floor(rand() * 6); // small alphabets make many matches and ties
      const make = () => Array.from({ length: Math.floor(rand() * 25) }, () => String.fromCharCode(97 + Math.floor(rand() * size)));
      const a = make();
      const b = rand() < 0.3 ? a.filter(() => rand() < 0.8) : make();
      const kept = checkOpcodes(a, b, compare.diffSequences(a, b));
      assert.equal(kept, lcsLength(a, b), `minimal for ${a.join("")} -> ${b.join("")}`);
    }
  });

  test.it("copes with long sequences", () => {
    const rand = random(7);
    const a = Array.from({ length: 3000 }, () => String(Math.floor(rand() * 50)));
    const b = a.map((x) => (rand() < 0.05 ? "new" : x)).filter(() => rand() < 0.97);
    const kept = checkOpcodes(a, b, compare.diffSequences(a, b));
    assert.ok(kept > 2500);
  });
});

test.describe("lcsLength", () => {
  test.it("is the length of a longest common subsequence, on random inputs", () => {
    const rand = random(11);
    for (let round = 0; round < 2000; round += 1) {
      const size = 1 + Math.floor(rand() * 6);
      const make = (most) => Array.from({ length: Math.floor(rand() * most) }, () => String.fromCharCode(97 + Math.floor(rand() * size)));
      const a = make(rand() < 0.1 ? 140 : 25); // past 64 and 128 bits sometimes
      const b = make(25);
      assert.equal(compare.lcsLength(a, b), lcsLength(a, b), `${a.join("")} / ${b.join("")}`);
    }
  });
});

test.describe("wordDiff", () => {
  const join = (parts, skip) => parts.filter(([op]) => op !== skip).map(([, text]) => text).join("");

  test.it("never loses or duplicates text, and never puts two runs of one kind side by side", () => {
    const rand = random(3);
    const words = ["the", "plan", "data", "care", ",", ".", " ", "  ", "\n", "NHS", "it's", "—", "a", "b"];
    const sentence = () => Array.from({ length: Math.floor(rand() * 40) }, () => words[Math.floor(rand() * words.length)]).join(rand() < 0.5 ? " " : "");
    for (let round = 0; round < 1000; round += 1) {
      const a = sentence();
      const b = rand() < 0.5 ? sentence() : a.replace(/plan/g, "roadmap");
      const parts = compare.wordDiff(a, b);
      assert.equal(join(parts, "+"), a);
      assert.equal(join(parts, "-"), b);
      parts.forEach(([op], at) => assert.ok(at === 0 || op !== parts[at - 1][0], JSON.stringify(parts)));
    }
  });

  test.it("gives coarser marks, not a frozen page, when a rewrite is too big to diff finely", () => {
    const rand = random(5);
    const words = "care records data trusts staff the of and a".split(" ");
    const text = () => Array.from({ length: 6000 }, () => words[Math.floor(rand() * words.length)]).join(" ");
    const [a, b] = [text(), text()];
    const started = Date.now();
    const parts = compare.wordDiff(a, b);
    assert.ok(Date.now() - started < 5000);
    assert.equal(join(parts, "+"), a);
    assert.equal(join(parts, "-"), b);
  });
});

test.describe("compareRevisions", () => {
  // A fake site: three revisions, four pages; records which URLs were read.
  const index = {
    revisions: [
      { name: "v1", title: "Launch", date: "2020-07-01T10:00:00+01:00", published: "1 July 2020", url: "revisions/v1/", redline: "revisions/v1/changes/", changes: "revisions/v1/compare.json" },
      { name: "v2", title: "Update", date: "2021-01-10T10:00:00+00:00", published: "10 January 2021", url: "revisions/v2/", redline: "revisions/v2/changes/", changes: "revisions/v2/compare.json" },
      { name: "v3", title: "Same", date: "2021-02-10T10:00:00+00:00", published: "10 February 2021", url: "revisions/v3/", redline: "revisions/v3/changes/", changes: "revisions/v3/compare.json" },
    ],
    pages: ["index.md", "a.md", "b.md", "c.md"],
    versions: [
      { url: "revisions/v1/pages/index.html", title: "Home", page: "index.md", blocks: "revisions/v1/pages/index.blocks.json" },
      { url: "revisions/v1/pages/a.html", title: "Page A", page: "a.md", blocks: "revisions/v1/pages/a.blocks.json" },
      { url: "revisions/v2/pages/a.html", title: "Page A <new>", page: "a.md", blocks: "revisions/v2/pages/a.blocks.json" },
      { url: "revisions/v1/pages/b.html", title: "Page B", page: "b.md", blocks: "revisions/v1/pages/b.blocks.json" },
      { url: "revisions/v2/pages/c.html", title: "Page C", page: "c.md", blocks: "revisions/v2/pages/c.blocks.json" },
    ],
    table: [[0, 1, 3, -1], [0, 2, -1, 4], [0, 2, -1, 4]],
  };
  const blocks = {
    "revisions/v1/pages/a.blocks.json": [{ kind: "h1", text: "Page A" }, { kind: "p", text: "Old words here." }],
    "revisions/v2/pages/a.blocks.json": [{ kind: "h1", text: "Page A" }, { kind: "p", text: "New words here." }],
    "revisions/v1/pages/b.blocks.json": [{ kind: "p", text: "B text" }],
    "revisions/v2/pages/c.blocks.json": [{ kind: "p", text: "C text" }],
  };
  const changes = {
    "revisions/v1/compare.json": { revision: "v1", changes: ["M1.1 status changed from planned to done."], to: { v2: [0], v3: [0] } },
    "revisions/v2/compare.json": { revision: "v2", changes: ["M1.1 status changed from done to planned."], to: { v1: [0], v3: [] } },
    "revisions/v3/compare.json": { revision: "v3", changes: ["M1.1 status changed from done to planned."], to: { v1: [0], v2: [] } },
  };
  const source = (read) => ({
    index: async () => index,
    json: async (url) => (read.push(url), changes[url]),
    blocks: async (url) => (read.push(url), blocks[url]),
  });

  test.it("reads only the pages that differ and the from revision's changes, and marks new and removed pages", async () => {
    const read = [];
    const result = await compare.compareRevisions(source(read), "v1", "v2");
    assert.deepEqual(read.sort(), [
      "revisions/v1/compare.json", "revisions/v1/pages/a.blocks.json", "revisions/v1/pages/b.blocks.json",
      "revisions/v2/pages/a.blocks.json", "revisions/v2/pages/c.blocks.json",
    ]);
    assert.deepEqual(result.pages.map((p) => [p.page, p.status, p.url]), [
      ["a.md", "changed", "revisions/v2/pages/a.html"],
      ["b.md", "removed", "revisions/v1/pages/b.html"],
      ["c.md", "new", "revisions/v2/pages/c.html"],
    ]);
    assert.deepEqual(result.pages[0].segments[1].parts, [["-", "Old"], ["+", "New"], ["=", " words here."]]);
    assert.deepEqual(result.dataChanges, ["M1.1 status changed from planned to done."]);
    assert.equal(result.reversed, false);
  });

  test.it("compares in either order", async () => {
    const result = await compare.compareRevisions(source([]), "v2", "v1");
    assert.equal(result.reversed, true);
    assert.deepEqual(result.pages.map((p) => p.status), ["changed", "new", "removed"]);
    assert.deepEqual(result.dataChanges, ["M1.1 status changed from done to planned."]);
  });

  test.it("reads nothing else for identical revisions or the same one twice", async () => {
    const read = [];
    const same = await compare.compareRevisions(source(read), "v2", "v2");
    assert.equal(same.same, true);
    assert.deepEqual(read, []);
    const identical = await compare.compareRevisions(source(read), "v2", "v3");
    assert.deepEqual([identical.pages, identical.dataChanges], [[], []]);
    assert.match(compare.comparisonHtml(identical), /These two revisions are the same\./);
    assert.match(compare.comparisonHtml(same), /You chose revision v2 twice/);
  });

  test.it("rejects an unknown revision, and says when the changes between two are missing", async () => {
    await assert.rejects(compare.compareRevisions(source([]), "v1", "v9"), /revision v9 is not in the list/);
    const broken = { ...source([]), json: async () => ({ revision: "v1", changes: [], to: {} }) };
    await assert.rejects(compare.compareRevisions(broken, "v1", "v2"), /changes from revision v1 to revision v2 are not published/);
  });

  test.it("renders the result with every piece of text escaped and the data changes as the build wrote them", async () => {
    const result = await compare.compareRevisions(source([]), "v1", "v2");
    result.pages[0].segments.push({ kind: "p", status: "inserted", parts: [["+", "<img src=x onerror=alert(1)>"]] });
    result.from = { ...result.from, title: "<script>alert(1)</script>" };
    const html = compare.comparisonHtml(result, (url) => "/site/" + url);
    assert.ok(!html.includes("<script>") && !html.includes("<img"));
    assert.ok(html.includes("revision v1, “&lt;script&gt;alert(1)&lt;/script&gt;”, published 1 July 2020"));
    assert.ok(html.includes('<h2 class="tp-compare__heading" tabindex="-1">Changes from revision v1 to revision v2</h2>'));
    assert.ok(html.includes("<p>1 change to milestones, measures and phases; 3 pages changed.</p>"));
    assert.ok(html.includes('<ul class="tp-data-changes">\n<li>M1.1 status changed from planned to done.</li>\n</ul>'));
    assert.ok(html.includes("Inserted text</ins> is underlined, <del>deleted text</del> is struck through; screen readers announce each as inserted or deleted."));
    assert.ok(html.includes('<a href="/site/revisions/v2/pages/a.html">Page A &lt;new&gt;</a>'));
    assert.ok(html.includes('Page B</a> <span class="tp-redline-status">(page removed)</span>'));
    assert.ok(html.includes('Page C</a> <span class="tp-redline-status">(new page)</span>'));
    assert.ok(html.includes('<h4 class="tp-block tp-block--heading tp-block--equal">Page A</h4>'));
    assert.ok(html.includes('<ins><span class="tp-visually-hidden">[inserted: </span>&lt;img src=x onerror=alert(1)&gt;<span class="tp-visually-hidden">]</span></ins>'));
  });

  test.it("folds runs of unchanged blocks but keeps headings", () => {
    const equal = (kind, text) => ({ kind, status: "equal", parts: [["=", text]] });
    const html = compare.segmentsHtml([
      equal("p", "one"), equal("li", "two"), equal("h2", "Heading"), equal("p", "three"),
      { kind: "p", status: "changed", parts: [["=", "a "], ["-", "b"], ["+", "c"]] },
    ]);
    assert.equal(html, [
      '<details class="tp-unchanged"><summary>2 unchanged blocks</summary><p class="tp-block tp-block--p">one</p><p class="tp-block tp-block--li">two</p></details>',
      '<h4 class="tp-block tp-block--heading tp-block--equal">Heading</h4>',
      '<details class="tp-unchanged"><summary>1 unchanged block</summary><p class="tp-block tp-block--p">three</p></details>',
      '<p class="tp-block tp-block--p tp-block--changed">a <del><span class="tp-visually-hidden">[deleted: </span>b<span class="tp-visually-hidden">]</span></del>' +
        '<ins><span class="tp-visually-hidden">[inserted: </span>c<span class="tp-visually-hidden">]</span></ins></p>',
    ].join("\n"));
  });

  test.it("explains a failure and points to the redlines", () => {
    const html = compare.errorHtml("revisions/v1/compare.json could not be read (404 Not Found)", "tp-compare-fallback");
    assert.ok(html.includes('<a href="#tp-compare-fallback">what changed in each revision</a>'));
    assert.ok(html.includes("The revisions could not be compared: revisions/v1/compare.json could not be read (404 Not Found). Try again"));
  });
});
