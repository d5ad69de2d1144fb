// skillpath's web app: signs a learner in, shows their plan for a goal and their topic pages.
// Routes live in the URL's hash: "#/" is the plan, "#/topics/<slug>" a topic page.

import { ApiError, call, get, getAll, query, session } from "./api.js";
import { byId, h, hours } from "./dom.js";
import { gapsChart } from "./gaps.js";
import { roadmapFigure } from "./roadmap.js";

const GOAL_KEY = "skillpath.goal";
const RECOMMENDATIONS = 8;

const state = {
  me: null,
  goals: [],
  graph: null, // {topics: Map slug → TopicSummary, edges}
  etags: new Map(), // slug → the ETag of our last write of that record
  records: new Map(), // slug → the learner's progress record
};

// ---------------------------------------------------------------- messages

function showError(error) {
  const alert = byId("alert");
  alert.textContent = error instanceof ApiError ? error.message : String(error.message || error);
  alert.hidden = false;
}

function clearError() {
  byId("alert").hidden = true;
  byId("alert").textContent = "";
}

function announce(text) {
  byId("status").textContent = text;
}

/** A 401 anywhere means the token is no longer good: back to the sign-in form. */
function handle(error) {
  if (error instanceof ApiError && error.status === 401 && session.token) {
    session.token = null;
    signedOut();
    showError(new Error("Your session has ended. Please log in again."));
    return;
  }
  showError(error);
}

const safeUrl = (url) => (/^https?:\/\//i.test(url) ? url : null);

function resourceLink(resource) {
  const facts = [resource.kind, resource.free ? "free" : "paid", hours(resource.hours)].join(", ");
  const url = safeUrl(resource.url);
  return h("li", {},
    url ? h("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, resource.title) : resource.title,
    h("span", { class: "muted" }, ` — ${resource.provider} (${facts})`));
}

const topicFacts = (topic) =>
  `${topic.area.replace(/-/g, " ")} · difficulty ${topic.level}/5 · ${hours(topic.estimated_hours)}`;

// ---------------------------------------------------------------- signing in and out

function signedOut() {
  state.me = null;
  state.etags.clear();
  byId("session").hidden = true;
  byId("sign-in").hidden = false;
  byId("view").replaceChildren();
  byId("search-results")?.remove();
  byId("search").value = "";
}

async function signedIn() {
  state.me = await get("/me");
  byId("who").textContent = state.me.display_name;
  byId("sign-in").hidden = true;
  byId("session").hidden = false;
  byId("password").value = "";
  await route();
}

async function logIn(email, password) {
  const { data } = await call("POST", "/auth/token", { form: { username: email, password } });
  session.token = data.access_token;
  await signedIn();
}

function credentials() {
  const email = byId("email").value.trim();
  const password = byId("password").value;
  if (!email || !password) throw new Error("Please enter your email and a password.");
  return { email, password };
}

async function onLogIn(event) {
  event.preventDefault();
  clearError();
  try {
    const { email, password } = credentials();
    await logIn(email, password).catch((error) => {
      if (error instanceof ApiError && error.status === 401) {
        throw new Error("That email and password do not match an account. Check them, or create an account.");
      }
      throw error;
    });
  } catch (error) {
    showError(error);
  }
}

async function onCreateAccount() {
  clearError();
  try {
    const { email, password } = credentials();
    // The account needs a display name: the email's local part, within the API's 100 characters.
    const displayName = email.split("@")[0].slice(0, 100) || email.slice(0, 100);
    await call("POST", "/auth/register", { json: { email, password, display_name: displayName } });
    await logIn(email, password);
    announce(`Welcome, ${displayName}. Your account is ready.`);
  } catch (error) {
    showError(error);
  }
}

async function onLogOut() {
  clearError();
  try {
    await call("POST", "/auth/logout");
  } catch {
    // 404 (a service without logout yet), 401 (already expired) or no network: the token is
    // dropped here all the same, which is all this browser can do.
  }
  session.token = null;
  location.hash = "#/";
  signedOut();
  announce("You are logged out.");
  byId("email").focus();
}

// ---------------------------------------------------------------- data

async function loadGraph() {
  if (!state.graph) {
    const graph = await get("/graph?format=json");
    state.graph = { topics: new Map(graph.nodes.map((n) => [n.slug, n])), edges: graph.edges };
  }
  return state.graph;
}

async function loadRecords() {
  const records = await getAll("/me/progress");
  state.records = new Map(records.map((record) => [record.topic, record]));
  return state.records;
}

function currentGoal() {
  const saved = localStorage.getItem(GOAL_KEY);
  return state.goals.find((goal) => goal.slug === saved) || state.goals[0];
}

/**
 * Record the topic completed, keeping what the learner wrote on it (a PUT sets every field).
 * No `level` is sent: the record's level then follows from `completed` (DESIGN §7), which is
 * what "done" means, whatever depth the learner had set before.
 */
async function markDone(slug, title) {
  const record = state.records.get(slug);
  const body = { status: "completed" };
  if (record) Object.assign(body, { mastery: record.mastery, hours_spent: record.hours_spent, notes: record.notes });
  const etag = state.etags.get(slug);
  const { etag: next } = await call("PUT", `/me/progress/${encodeURIComponent(slug)}`, {
    json: body,
    headers: etag ? { "If-Match": etag } : {},
  });
  if (next) state.etags.set(slug, next);
  announce(`Marked “${title}” as done.`);
}

function doneButton(topic, after) {
  const button = h("button", { type: "button", class: "done", "aria-describedby": `title-${topic.slug}` }, "Mark as done");
  button.addEventListener("click", async () => {
    clearError();
    button.disabled = true;
    try {
      await markDone(topic.slug, topic.title);
      await after();
    } catch (error) {
      if (error instanceof ApiError && error.status === 412) {
        state.etags.delete(topic.slug);
        showError(new Error("This topic was changed elsewhere in the meantime; the list now shows its latest state."));
        await after();
      } else {
        handle(error);
      }
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

// ---------------------------------------------------------------- the plan

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
    if (error instanceof ApiError && error.status === 401) return handle(error);
    body.replaceChildren(h("p", { class: "muted unavailable" }, error.message));
  }
}

async function renderRoadmap(goal) {
  const body = byId("roadmap-body");
  try {
    const [graph, roadmap, records] = await Promise.all([
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
      roadmapFigure({ targets, topics: graph.topics, edges: graph.edges, stages: roadmap.stages, statuses }),
      h("p", { class: "legend", "aria-hidden": "true" },
        h("span", { class: "key key-done" }), "known ",
        h("span", { class: "key key-doing" }), "in progress ",
        h("span", { class: "key key-todo" }), "to learn"));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return handle(error);
    body.replaceChildren(unavailable("The roadmap drawing and its data"));
  }
}

async function renderGaps(goal) {
  const body = byId("gaps-body");
  try {
    body.replaceChildren(gapsChart(await get(`/me/gaps${query({ goal: goal.slug })}`)));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return handle(error);
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
    if (error instanceof ApiError && error.status === 401) return handle(error);
    body.replaceChildren(unavailable("Reviews"));
  }
}

async function renderPlan() {
  if (!state.goals.length) state.goals = await getAll("/goals");
  const goal = currentGoal();
  const select = h("select", { id: "goal" },
    state.goals.map((g) => h("option", { value: g.slug, selected: g.slug === goal.slug }, g.title)));
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

// ---------------------------------------------------------------- topic pages and search

function topicLinks(title, topics) {
  if (!topics.length) return null;
  return h("div", { class: "neighbours" }, h("h2", {}, title),
    h("ul", {}, topics.map((t) => h("li", {}, h("a", { href: `#/topics/${t.slug}` }, t.title)))));
}

async function renderTopic(slug) {
  const topic = await get(`/topics/${encodeURIComponent(slug)}`);
  await loadRecords().catch(() => state.records);
  const record = state.records.get(slug);
  const known = record && ["completed", "skipped"].includes(record.status);
  const page = h("article", { class: "card topic-page", "aria-labelledby": `title-${topic.slug}` },
    h("p", {}, h("a", { href: "#/" }, "← Back to your plan")),
    h("h1", { id: `title-${topic.slug}`, tabindex: "-1" }, topic.title),
    h("p", { class: "muted facts" }, topicFacts(topic), record ? ` · you: ${record.status.replace("_", " ")}` : ""),
    h("p", { class: "summary" }, topic.summary),
    topic.tags.length ? h("p", { class: "tags" }, topic.tags.map((tag) => h("span", { class: "tag" }, tag))) : null,
    known ? null : doneButton(topic, () => renderTopic(slug)),
    h("h2", {}, "Resources"),
    topic.resources.length
      ? h("ul", { class: "resources" }, topic.resources.map(resourceLink))
      : h("p", { class: "muted" }, "No resources yet."),
    h("div", { class: "neighbours-row" },
      topicLinks("Needs first", topic.prerequisites), topicLinks("Opens up", topic.unlocks)));
  byId("view").replaceChildren(page);
  document.title = `${topic.title} · skillpath`;
  byId(`title-${topic.slug}`).focus();
}

async function renderSearch(q) {
  let results = byId("search-results");
  if (!q) {
    results?.remove();
    return;
  }
  const page = await get(`/topics${query({ q, limit: 8 })}`);
  if (byId("search").value.trim() !== q) return; // a newer search is on its way
  if (!results) {
    results = h("section", { id: "search-results", class: "card search-results", "aria-labelledby": "search-results-title" });
    byId("view").before(results);
  }
  results.replaceChildren(
    h("h2", { id: "search-results-title" }, "Search results"),
    page.items.length
      ? h("ul", {}, page.items.map((t) => h("li", {},
          h("a", { href: `#/topics/${t.slug}` }, t.title), h("span", { class: "muted" }, ` — ${topicFacts(t)}`))))
      : h("p", { class: "muted" }, `No topic matches “${q}”.`));
  announce(`${page.total} topics match “${q}”.`);
}

let searchTimer;
function onSearchInput() {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => renderSearch(byId("search").value.trim()).catch(handle), 200);
}

// ---------------------------------------------------------------- routing

async function route() {
  if (!session.token) return signedOut();
  clearError();
  byId("search-results")?.remove();
  const match = location.hash.match(/^#\/topics\/([a-z0-9-]+)$/);
  try {
    if (match) await renderTopic(match[1]);
    else {
      document.title = "skillpath";
      await renderPlan();
    }
  } catch (error) {
    handle(error);
  }
}

function start() {
  byId("main").prepend(h("p", { id: "status", class: "visually-hidden", role: "status" }));
  byId("sign-in-form").addEventListener("submit", onLogIn);
  byId("create-account").addEventListener("click", onCreateAccount);
  byId("logout").addEventListener("click", onLogOut);
  byId("search").addEventListener("input", onSearchInput);
  byId("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(searchTimer);
    renderSearch(byId("search").value.trim()).catch(handle);
  });
  byId("search").addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      byId("search").value = "";
      renderSearch("").catch(handle);
    }
  });
  window.addEventListener("hashchange", () => {
    if (state.me) route();
  });
  if (session.token) signedIn().catch(handle);
  else signedOut();
}

start();
