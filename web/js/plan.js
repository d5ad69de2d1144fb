// The plan for a goal: recommendations, gaps, reviews and the roadmap drawing, each loaded and
// shown on its own, so one call failing (say /me/gaps) leaves the others working.

import { get, getAll, query } from "./api.js";
import { byId, h, hours } from "./dom.js";
import { gapsChart } from "./gaps.js";
import { doneButton, loadRecords } from "./progress.js";
import { roadmapFigure } from "./roadmap.js";
import { handle, isRefused, topicFacts, resourceLink } from "./ui.js";

const GOAL_KEY = "skillpath.goal";
const RECOMMENDATIONS = 8;

let goals = [];
let graph = null; // {topics: Map slug → TopicSummary, edges}: the catalog, read once

async function loadGraph() {
  if (!graph) {
    const answer = await get("/graph?format=json");
    graph = { topics: new Map(answer.nodes.map((n) => [n.slug, n])), edges: answer.edges };
  }
  return graph;
}

function currentGoal() {
  const saved = localStorage.getItem(GOAL_KEY);
  return goals.find((goal) => goal.slug === saved) || goals[0];
}

function section(id, title, ...children) {
  return h("section", { class: `card ${id}`, id, "aria-labelledby": `${id}-title` },
    h("h2", { id: `${id}-title`, tabindex: "-1" }, title), ...children);
}

const unavailable = (what) => h("p", { class: "muted unavailable" }, `${what} are not available right now.`);
const loading = () => h("p", { class: "muted" }, "Loading…");

function recommendationItem(item, refresh) {
  const topic = item.topic;
  return h("li", { class: "recommendation" },
    h("h3", { id: `title-${topic.slug}` }, h("a", { href: `#/topics/${topic.slug}` }, topic.title)),
    h("p", { class: "muted facts" }, topicFacts(topic)),
    h("ul", { class: "reasons" }, item.reasons.map((reason) => h("li", { "data-code": reason.code }, reason.detail))),
    item.resources.length ? h("ul", { class: "resources" }, item.resources.map(resourceLink)) : null,
    doneButton(topic, refresh));
}

async function renderRecommendations(goal, refresh) {
  const body = byId("recommendations-body");
  try {
    const answer = await get(`/me/recommendations${query({ goal: goal.slug, limit: RECOMMENDATIONS })}`);
    if (!answer.items.length) {
      body.replaceChildren(h("p", { class: "reached" },
        answer.goal_reached ? "You have reached this goal: every target is met." : "Nothing is ready to learn right now."));
      return;
    }
    body.replaceChildren(h("ol", { class: "recommendation-list" }, answer.items.map((item) => recommendationItem(item, refresh))));
  } catch (error) {
    if (isRefused(error)) return handle(error);
    body.replaceChildren(h("p", { class: "muted unavailable" }, error.message));
  }
}

async function renderRoadmap(goal) {
  const body = byId("roadmap-body");
  try {
    const [catalog, roadmap, records] = await Promise.all([
      loadGraph(),
      get(`/me/roadmap${query({ goal: goal.slug })}`),
      loadRecords(),
    ]);
    const statuses = new Map([...records.values()].map((r) => [r.topic, r.status]));
    const targets = goal.targets.map((target) => target.topic);
    body.replaceChildren(
      h("p", { class: "muted" }, roadmap.stages.length
        ? `${hours(roadmap.total_hours)} of learning left in ${roadmap.stages.length} stages. Each arrow points from a prerequisite to what it opens.`
        : "Nothing left to learn for this goal."),
      roadmapFigure({ targets, topics: catalog.topics, edges: catalog.edges, stages: roadmap.stages, statuses }),
      h("p", { class: "legend", "aria-hidden": "true" },
        h("span", { class: "key key-done" }), "known ",
        h("span", { class: "key key-doing" }), "in progress ",
        h("span", { class: "key key-todo" }), "to learn"));
  } catch (error) {
    if (isRefused(error)) return handle(error);
    body.replaceChildren(unavailable("The roadmap drawing and its data"));
  }
}

async function renderGaps(goal) {
  const body = byId("gaps-body");
  try {
    body.replaceChildren(gapsChart(await get(`/me/gaps${query({ goal: goal.slug })}`)));
  } catch (error) {
    if (isRefused(error)) return handle(error);
    body.replaceChildren(unavailable("Gaps"));
  }
}

function reviewItem(review) {
  const due = new Date(review.due_at).toLocaleDateString(undefined, { dateStyle: "medium" });
  const recall = Math.round(review.retrievability * 100);
  return h("li", { class: "review" },
    h("a", { href: `#/topics/${review.topic.slug}` }, review.topic.title),
    h("span", { class: "muted" }, ` — ${review.level ? `${review.level}, ` : ""}due ${due}, about ${recall}% recall, reviewed ${review.reviews}×`));
}

async function renderReviews() {
  const body = byId("reviews-body");
  try {
    const page = await get(`/me/reviews${query({ due: "true", limit: 20 })}`);
    body.replaceChildren(page.items.length
      ? h("ul", { class: "review-list" }, page.items.map(reviewItem))
      : h("p", { class: "muted" }, "Nothing is due for review."));
  } catch (error) {
    if (isRefused(error)) return handle(error);
    body.replaceChildren(unavailable("Reviews"));
  }
}

export async function renderPlan() {
  if (!goals.length) goals = await getAll("/goals");
  const goal = currentGoal();
  const select = h("select", { id: "goal" },
    goals.map((g) => h("option", { value: g.slug, selected: g.slug === goal.slug }, g.title)));
  const about = h("p", { class: "muted goal-about" }, goal.description);
  select.addEventListener("change", () => {
    localStorage.setItem(GOAL_KEY, select.value);
    const rendering = renderPlan(); // replaces the page at once, the select with it
    byId("goal").focus();
    rendering.catch(handle);
  });

  const refresh = async () => {
    await Promise.all([renderRecommendations(goal, refresh), renderRoadmap(goal), renderGaps(goal), renderReviews()]);
    byId("recommendations-title").focus();
  };

  byId("view").replaceChildren(
    h("div", { class: "goal-bar" }, h("label", { for: "goal" }, "Goal"), select, about),
    h("div", { class: "plan" },
      section("recommendations", "Recommendations", h("div", { id: "recommendations-body" }, loading())),
      h("div", { class: "side" },
        section("gaps", "Gaps", h("div", { id: "gaps-body" }, loading())),
        section("reviews", "Reviews", h("div", { id: "reviews-body" }, loading()))),
      section("roadmap", "Roadmap", h("div", { id: "roadmap-body" }, loading()))));
  await Promise.all([renderRecommendations(goal, refresh), renderRoadmap(goal), renderGaps(goal), renderReviews()]);
}
