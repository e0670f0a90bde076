/* Answers redline questions from Python, one JSON line in, one JSON line out, so a differential
   test (tests/test_redline.py) can put many random cases to the compare page's script without
   starting Node for each. Not a test file itself. */
"use strict";

const path = require("node:path");
const readline = require("node:readline");

const compare = require(path.join(__dirname, "..", "..", "techplan", "theme", "assets", "javascripts", "techplan-compare.js"));

const answer = {
  tokenize: ({ text }) => compare.tokenize(text),
  lcs: ({ a, b }) => compare.lcsLength(a, b),
  diff: ({ a, b, budget }) => compare.diffSequences(a, b, budget),
  words: ({ old, new: now }) => {
    const parts = compare.wordDiff(old, now);
    return { parts, html: compare.partsHtml(parts) };
  },
  blocks: ({ old, new: now }) => {
    const blocks = (list) => list.map(([kind, text]) => ({ kind, text }));
    const segments = compare.redline(blocks(old), blocks(now));
    return { segments, html: segments.map((segment) => compare.partsHtml(segment.parts)) };
  },
};

readline.createInterface({ input: process.stdin }).on("line", (line) => {
  const request = JSON.parse(line);
  const answers = request.batch.map((item) => answer[request.ask](item));
  process.stdout.write(JSON.stringify(answers) + "\n");
});
