// Topic pages (GET /topics/{slug}) and the topic search (GET /topics?q=).

import { get, query } from "./api.js";
import { byId, h } from "./dom.js";
import { doneButton, loadRecords, records } from "./progress.js";
import { announce, resourceLink, topicFacts } from "./ui.js";

function topicLinks(title, topics) {
  if (!topics.length) return null;
  return h("div", { class: "neighbours" }, h("h2", {}, title),
    h("ul", {}, topics.map((t) => h("li", {}, h("a", { href: `#/topics/${t.slug}` }, t.title)))));
}

export async function renderTopic(slug) {
  const topic = await get(`/topics/${encodeURIComponent(slug)}`);
  const known = await loadRecords().catch(() => records);
  const record = known.get(slug);
  const done = record && ["completed", "skipped"].includes(record.status);
  const page = h("article", { class: "card topic-page", "aria-labelledby": `title-${topic.slug}` },
    h("p", {}, h("a", { href: "#/" }, "← Back to your plan")),
    h("h1", { id: `title-${topic.slug}`, tabindex: "-1" }, topic.title),
    h("p", { class: "muted facts" }, topicFacts(topic), record ? ` · you: ${record.status.replace("_", " ")}` : ""),
    h("p", { class: "summary" }, topic.summary),
    topic.tags.length ? h("p", { class: "tags" }, topic.tags.map((tag) => h("span", { class: "tag" }, tag))) : null,
    done ? null : doneButton(topic, () => renderTopic(slug)),
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

export async function renderSearch(q) {
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
