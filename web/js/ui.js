// What every view shares: messages to the person, and how a topic and a resource are shown.

import { ApiError, session } from "./api.js";
import { byId, h, hours } from "./dom.js";

/** Sent on `document` when the token is refused; main.js shows the sign-in form again. */
export const SIGNED_OUT = "skillpath:signed-out";

export function showError(error) {
  const alert = byId("alert");
  alert.textContent = error instanceof ApiError ? error.message : String(error.message || error);
  alert.hidden = false;
}

export function clearError() {
  byId("alert").hidden = true;
  byId("alert").textContent = "";
}

/** Tell screen readers what just happened (a polite live region). */
export function announce(text) {
  byId("status").textContent = text;
}

/** A 401 anywhere means the token is no longer good: back to the sign-in form. */
export function handle(error) {
  if (error instanceof ApiError && error.status === 401 && session.token) {
    session.token = null;
    document.dispatchEvent(new Event(SIGNED_OUT));
    showError(new Error("Your session has ended. Please log in again."));
    return;
  }
  showError(error);
}

export const isRefused = (error) => error instanceof ApiError && error.status === 401;

// Only web links: a resource URL is catalog data and must never become a javascript: link.
const safeUrl = (url) => (/^https?:\/\//i.test(url) ? url : null);

export function resourceLink(resource) {
  const facts = [resource.kind, resource.free ? "free" : "paid", hours(resource.hours)].join(", ");
  const url = safeUrl(resource.url);
  return h("li", {},
    url ? h("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, resource.title) : resource.title,
    h("span", { class: "muted" }, ` — ${resource.provider} (${facts})`));
}

export const topicFacts = (topic) =>
  `${topic.area.replace(/-/g, " ")} · difficulty ${topic.level}/5 · ${hours(topic.estimated_hours)}`;
