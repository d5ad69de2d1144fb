// The gaps chart: for every target of the goal, the level it needs against the learner's level
// (GET /me/gaps, DESIGN §7), drawn as bars on the ordinal scale aware < practiced < proficient <
// expert. Each row also says it in words, for people who do not see the bars.

import { h, hours, s } from "./dom.js";

export const LEVELS = ["aware", "practiced", "proficient", "expert"];
const rank = (level) => (level ? LEVELS.indexOf(level) + 1 : 0);
const BAR_W = 240;
const STEP = BAR_W / LEVELS.length;

function bar(required, current, met) {
  return s("svg", { class: "gap-bar", viewBox: `0 0 ${BAR_W} 22`, preserveAspectRatio: "none", "aria-hidden": "true" },
    LEVELS.map((_, i) => s("rect", { class: "gap-step", x: i * STEP + 1, y: 3, width: STEP - 2, height: 16, rx: 3 })),
    s("rect", { class: met ? "gap-current gap-met" : "gap-current", x: 1, y: 3, width: Math.max(0, rank(current) * STEP - 2), height: 16, rx: 3 }),
    s("line", { class: "gap-required", x1: rank(required) * STEP, x2: rank(required) * STEP, y1: 0, y2: 22 }));
}

function words(target) {
  const now = target.current_level ? `You are ${target.current_level}` : "Not started";
  if (target.met) return `${now}; ${target.required_level} needed. Met.`;
  return `${now}; ${target.required_level} needed. About ${hours(target.hours_to_close)} to close.`;
}

/** The chart for a gaps answer {goal, goal_reached, readiness, targets, areas}. */
export function gapsChart(gaps) {
  const percent = Math.round(gaps.readiness * 100);
  const targets = [...gaps.targets].sort((a, b) => Number(a.met) - Number(b.met) || b.weight - a.weight);
  return h("div", { class: "gaps" },
    h("p", { class: "readiness" },
      h("strong", {}, `${percent}%`), " ready",
      gaps.goal_reached ? " — every target is met." : ` — ${targets.filter((t) => t.met).length} of ${targets.length} targets met.`),
    h("div", { class: "legend", "aria-hidden": "true" },
      h("span", { class: "key key-current" }), "your level ",
      h("span", { class: "key key-required" }), "needed for the goal"),
    h("ul", { class: "gap-list" },
      targets.map((target) =>
        h("li", { class: "gap" },
          h("a", { href: `#/topics/${target.topic.slug}` }, target.topic.title),
          bar(target.required_level, target.current_level, target.met),
          h("span", { class: "gap-words" }, words(target))))));
}
