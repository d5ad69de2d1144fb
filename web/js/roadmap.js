// The roadmap as SVG: the goal's closure, known topics in a first column marked done, the rest one
// node per topic in its stage's column, and an edge for every prerequisite inside the closure.

import { h, s } from "./dom.js";

const COLUMN = 208;
const NODE_W = 184;
const NODE_H = 52;
const GAP = 14;
const TOP = 40;
const LINE_CHARS = 22;

/** Every topic a goal's targets need: the targets and all their transitive prerequisites. */
export function closure(targets, edges) {
  const needs = new Map();
  for (const { prerequisite, topic } of edges) {
    if (!needs.has(topic)) needs.set(topic, []);
    needs.get(topic).push(prerequisite);
  }
  const seen = new Set();
  const stack = [...targets];
  while (stack.length) {
    const slug = stack.pop();
    if (seen.has(slug)) continue;
    seen.add(slug);
    stack.push(...(needs.get(slug) || []));
  }
  return seen;
}

// A title on at most two lines of about LINE_CHARS characters, cut with an ellipsis.
function lines(title) {
  const out = [""];
  for (const word of title.split(/\s+/)) {
    const line = out[out.length - 1];
    if (!line || (line + " " + word).length <= LINE_CHARS) out[out.length - 1] = line ? `${line} ${word}` : word;
    else out.push(word);
  }
  const cut = (line) => (line.length > LINE_CHARS ? `${line.slice(0, LINE_CHARS - 1)}…` : line);
  if (out.length > 2) return [cut(out[0]), cut(`${out[1]}…`)];
  return out.map(cut);
}

/**
 * Lay the columns out: column 0 holds the known topics, column n stage n. Within a column,
 * topics sit in the order of the mean row of their prerequisites, so edges cross less.
 */
function layout(columns, needs) {
  const place = new Map();
  columns.forEach((slugs, index) => {
    const rowOf = (slug) => {
      const rows = (needs.get(slug) || []).filter((p) => place.has(p)).map((p) => place.get(p).row);
      return rows.length ? rows.reduce((a, b) => a + b, 0) / rows.length : -1;
    };
    const ordered = index === 0 ? slugs : [...slugs].sort((a, b) => rowOf(a) - rowOf(b));
    ordered.forEach((slug, row) => place.set(slug, { column: index, row }));
  });
  return place;
}

function arrowhead(id) {
  return s("marker", { id, class: id, viewBox: "0 0 8 8", refX: 7, refY: 4, markerWidth: 7, markerHeight: 7, orient: "auto" },
    s("path", { d: "M0,0 L8,4 L0,8 z" }));
}

/**
 * The roadmap figure. `topics` maps slug → TopicSummary; `edges` are the graph's edges;
 * `stages` the roadmap's; `statuses` maps slug → the learner's status.
 */
export function roadmapFigure({ targets, topics, edges, stages, statuses }) {
  const inClosure = closure(targets, edges);
  const staged = new Map();
  for (const { stage, topics: items } of stages) for (const topic of items) staged.set(topic.slug, stage);
  const known = [...inClosure]
    .filter((slug) => !staged.has(slug) && topics.has(slug))
    .sort((a, b) => topics.get(a).title.localeCompare(topics.get(b).title));
  // Column 0 holds the known topics; it is left out (empty) while nothing is known yet.
  const columns = [known, ...stages.map((stage) => stage.topics.map((topic) => topic.slug))];
  const shift = known.length ? 0 : 1;

  const inside = edges.filter((e) => inClosure.has(e.prerequisite) && inClosure.has(e.topic));
  const needs = new Map();
  for (const { prerequisite, topic } of inside) {
    if (!needs.has(topic)) needs.set(topic, []);
    needs.get(topic).push(prerequisite);
  }
  const place = layout(columns, needs);
  const tallest = Math.max(1, ...columns.map((column) => column.length));
  const width = (columns.length - shift) * COLUMN;
  const height = TOP + tallest * (NODE_H + GAP);
  const x = (slug) => (place.get(slug).column - shift) * COLUMN;
  const y = (slug) => TOP + place.get(slug).row * (NODE_H + GAP);

  const headings = columns.slice(shift).map((column, i) =>
    s("text", { class: "column-title", x: i * COLUMN + 4, y: 20 },
      i + shift === 0 ? `Known (${column.length})` : `Stage ${i + shift}`));

  // An edge between two known topics tells nothing about what is left: not drawn.
  const lineEdges = inside
    .filter((e) => place.has(e.prerequisite) && place.has(e.topic))
    .filter((e) => place.get(e.prerequisite).column !== place.get(e.topic).column)
    .map((e) => {
      const x1 = x(e.prerequisite) + NODE_W;
      const y1 = y(e.prerequisite) + NODE_H / 2;
      const x2 = x(e.topic) - 3; // the arrowhead ends at the box
      const y2 = y(e.topic) + NODE_H / 2;
      const bend = Math.max(24, (x2 - x1) / 2);
      const done = place.get(e.prerequisite).column === 0;
      return s("path", {
        class: done ? "edge edge-done" : "edge",
        d: `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`,
        "marker-end": done ? "url(#arrow-done)" : "url(#arrow)",
        "data-from": e.prerequisite,
        "data-to": e.topic,
      });
    });

  const nodes = columns.flatMap((column, index) =>
    column.map((slug) => {
      const topic = topics.get(slug);
      const done = index === 0;
      const doing = !done && statuses.get(slug) === "in_progress";
      const state = done ? "done" : doing ? "doing" : "todo";
      const words = lines(topic.title);
      const label = done
        ? `${topic.title}, known`
        : `${topic.title}, stage ${index}${doing ? ", in progress" : ""}`;
      return s("a", { class: `node node-${state}`, href: `#/topics/${slug}`, "data-slug": slug, "aria-label": label },
        s("title", {}, label),
        s("rect", { x: x(slug), y: y(slug), width: NODE_W, height: NODE_H, rx: 8 }),
        done ? s("text", { class: "tick", x: x(slug) + NODE_W - 18, y: y(slug) + 20, "aria-hidden": "true" }, "✓") : null,
        words.map((line, i) =>
          s("text", { x: x(slug) + 10, y: y(slug) + (words.length === 1 ? 31 : 22 + i * 17) }, line)));
    }));

  const total = stages.reduce((sum, stage) => sum + stage.topics.length, 0);
  const summary = `Roadmap: ${known.length} known topics and ${total} to learn in ${stages.length} stages.`;
  const svg = s("svg", {
    class: "roadmap",
    viewBox: `0 0 ${Math.max(width - (COLUMN - NODE_W), NODE_W)} ${height}`,
    width: Math.max(width - (COLUMN - NODE_W), NODE_W),
    height,
    role: "group",
    "aria-label": summary,
  }, s("desc", {}, summary), s("defs", {}, arrowhead("arrow"), arrowhead("arrow-done")), headings, s("g", { class: "edges" }, lineEdges), s("g", { class: "nodes" }, nodes));

  return h("div", { class: "roadmap-frame", tabindex: "0", role: "region", "aria-label": "Stages and prerequisites, scrollable" }, svg);
}
